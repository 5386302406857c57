-- Organizations: closed member accounts and delegated administrators.

-- When CloseAccount closed the member (0: open). A closed account stays in
-- the organization, SUSPENDED, and its credentials stop working.
ALTER TABLE org_members ADD COLUMN closed_at BIGINT NOT NULL DEFAULT 0;

-- A member registered as delegated administrator for a service principal.
CREATE TABLE org_delegated_admins (
    org_id             TEXT NOT NULL,
    account_id         TEXT NOT NULL,
    service_principal  TEXT NOT NULL,
    enabled_at         BIGINT NOT NULL,
    PRIMARY KEY (account_id, service_principal)
);

CREATE INDEX org_delegated_admins_org ON org_delegated_admins (org_id, service_principal);
