-- Accounts exist before any IAM entity; organizations come in a later migration.
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

-- Server-wide facts such as the bootstrap (management) account.
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
