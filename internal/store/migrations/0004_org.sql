-- Organizations: the tree (roots and OUs), member accounts, account-creation
-- requests, invitation handshakes, trusted service access, service control
-- policies and their attachments, tags. An account with no org_members row
-- is standalone.
CREATE TABLE org_organizations (
    id                  TEXT PRIMARY KEY,
    management_account  TEXT NOT NULL UNIQUE REFERENCES accounts(id),
    feature_set         TEXT NOT NULL,
    root_id             TEXT NOT NULL UNIQUE,
    created_at          BIGINT NOT NULL
);

-- Roots and OUs; parent_id is '' for a root.
CREATE TABLE org_units (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES org_organizations(id),
    parent_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (org_id, parent_id, name)
);

CREATE INDEX org_units_parent ON org_units (parent_id);

CREATE TABLE org_members (
    account_id     TEXT PRIMARY KEY REFERENCES accounts(id),
    org_id         TEXT NOT NULL REFERENCES org_organizations(id),
    parent_id      TEXT NOT NULL,
    joined_method  TEXT NOT NULL,
    joined_at      BIGINT NOT NULL
);

CREATE INDEX org_members_parent ON org_members (parent_id);
CREATE INDEX org_members_org ON org_members (org_id);

CREATE TABLE org_create_account_requests (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL,
    account_name    TEXT NOT NULL,
    state           TEXT NOT NULL,
    account_id      TEXT NOT NULL DEFAULT '',
    failure_reason  TEXT NOT NULL DEFAULT '',
    requested_at    BIGINT NOT NULL,
    completed_at    BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX org_create_account_requests_org ON org_create_account_requests (org_id);

CREATE TABLE org_handshakes (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    action        TEXT NOT NULL,
    state         TEXT NOT NULL,
    target_type   TEXT NOT NULL,
    target_id     TEXT NOT NULL,
    notes         TEXT NOT NULL DEFAULT '',
    requested_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);

CREATE INDEX org_handshakes_org ON org_handshakes (org_id);
CREATE INDEX org_handshakes_target ON org_handshakes (target_id);

CREATE TABLE org_service_access (
    org_id             TEXT NOT NULL,
    service_principal  TEXT NOT NULL,
    enabled_at         BIGINT NOT NULL,
    PRIMARY KEY (org_id, service_principal)
);

-- Policy types enabled on a root.
CREATE TABLE org_policy_types (
    org_id       TEXT NOT NULL,
    root_id      TEXT NOT NULL,
    policy_type  TEXT NOT NULL,
    PRIMARY KEY (root_id, policy_type)
);

-- Customer-managed policies; AWS-managed ones (FullAWSAccess) are built in.
CREATE TABLE org_policies (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL,
    policy_type  TEXT NOT NULL,
    content      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (org_id, policy_type, name)
);

-- target_id is a root, an OU or an account; policy_id may name a built-in.
CREATE TABLE org_policy_attachments (
    org_id       TEXT NOT NULL,
    policy_id    TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    policy_type  TEXT NOT NULL,
    attached_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, policy_id, target_id)
);

CREATE INDEX org_policy_attachments_target ON org_policy_attachments (target_id);

CREATE TABLE org_tags (
    org_id       TEXT NOT NULL,
    resource_id  TEXT NOT NULL,
    tag_key      TEXT NOT NULL,
    tag_value    TEXT NOT NULL,
    PRIMARY KEY (org_id, resource_id, tag_key)
);
