-- Organizations: closed accounts and delegated administrators.

-- Accounts closed by CloseAccount. Closing is final: the row outlives the
-- membership (a closed account removed from its organization stays closed),
-- and the account's credentials stop working.
CREATE TABLE org_closed_accounts (
    account_id  TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    closed_at   BIGINT NOT NULL
);

CREATE INDEX org_closed_accounts_org ON org_closed_accounts (org_id, closed_at);

-- A member registered as delegated administrator for a service principal.
CREATE TABLE org_delegated_admins (
    org_id             TEXT NOT NULL,
    account_id         TEXT NOT NULL,
    service_principal  TEXT NOT NULL,
    enabled_at         BIGINT NOT NULL,
    PRIMARY KEY (account_id, service_principal)
);

CREATE INDEX org_delegated_admins_org ON org_delegated_admins (org_id, service_principal);
