-- IAM objects clients meet on their way: instance profiles, SSH public keys,
-- signing certificates, service-specific credentials, login profiles and the
-- account password policy.

-- Instance profiles share the entity columns of users and groups (so tags and
-- lookups are the same code); role_id is the one role a profile may hold.
CREATE TABLE iam_instance_profiles (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    path        TEXT NOT NULL,
    role_id     TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE INDEX iam_instance_profiles_role ON iam_instance_profiles (role_id);

-- SSH public keys (CodeCommit); body is the key as uploaded, fingerprint the
-- MD5 of the key blob, unique per user.
CREATE TABLE iam_ssh_public_keys (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    user_id      TEXT NOT NULL,
    body         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL,
    UNIQUE (user_id, fingerprint)
);

-- X.509 signing certificates; user_id '' is the account root. digest is the
-- SHA-256 hex of the DER, unique per account as AWS's DuplicateCertificate.
CREATE TABLE iam_signing_certificates (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    user_id      TEXT NOT NULL,
    body         TEXT NOT NULL,
    digest       TEXT NOT NULL,
    status       TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL,
    UNIQUE (account_id, digest)
);

CREATE INDEX iam_signing_certificates_user ON iam_signing_certificates (account_id, user_id);

-- Service-specific credentials; the password is stored only sealed by the
-- master key with the credential ID as additional data.
CREATE TABLE iam_service_credentials (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts(id),
    user_id            TEXT NOT NULL,
    service_name       TEXT NOT NULL,
    service_user_name  TEXT NOT NULL,
    sealed_password    BLOB NOT NULL,
    status             TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);

CREATE INDEX iam_service_credentials_user ON iam_service_credentials (user_id);

-- Console passwords: a salted argon2id hash, never the password.
CREATE TABLE iam_login_profiles (
    user_id         TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    password_hash   TEXT NOT NULL,
    reset_required  BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    changed_at      BIGINT NOT NULL
);

-- Earlier password hashes, for PasswordReusePrevention.
CREATE TABLE iam_password_history (
    user_id        TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE INDEX iam_password_history_user ON iam_password_history (user_id, created_at);

-- One password policy per account; max_age and reuse 0 mean unset, hard_expiry
-- -1 means not given.
CREATE TABLE iam_password_policies (
    account_id         TEXT PRIMARY KEY REFERENCES accounts(id),
    min_length         BIGINT NOT NULL,
    require_symbols    BIGINT NOT NULL,
    require_numbers    BIGINT NOT NULL,
    require_uppercase  BIGINT NOT NULL,
    require_lowercase  BIGINT NOT NULL,
    allow_change       BIGINT NOT NULL,
    max_age            BIGINT NOT NULL,
    reuse_prevention   BIGINT NOT NULL,
    hard_expiry        BIGINT NOT NULL
);
