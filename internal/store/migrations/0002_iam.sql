-- IAM entities. Names are unique per account case-insensitively (name_lower),
-- as in AWS. Entity IDs are AWS-style unique IDs (AIDA…, AROA…, AGPA…, ANPA…).
CREATE TABLE iam_users (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE iam_groups (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    path        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE iam_group_members (
    group_id    TEXT NOT NULL REFERENCES iam_groups(id),
    user_id     TEXT NOT NULL REFERENCES iam_users(id),
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX iam_group_members_user ON iam_group_members (user_id);

-- service_name is set for service-linked roles (acm.amazonaws.com).
CREATE TABLE iam_roles (
    id                    TEXT PRIMARY KEY,
    account_id            TEXT NOT NULL REFERENCES accounts(id),
    name                  TEXT NOT NULL,
    name_lower            TEXT NOT NULL,
    path                  TEXT NOT NULL,
    description           TEXT NOT NULL DEFAULT '',
    trust_policy          TEXT NOT NULL,
    max_session_duration  BIGINT NOT NULL,
    service_name          TEXT NOT NULL DEFAULT '',
    created_at            BIGINT NOT NULL,
    UNIQUE (account_id, name_lower)
);

-- Tags of users and roles, keyed by the entity's unique ID; keys are unique
-- case-insensitively.
CREATE TABLE iam_tags (
    entity_id   TEXT NOT NULL,
    tag_key     TEXT NOT NULL,
    key_lower   TEXT NOT NULL,
    tag_value   TEXT NOT NULL,
    PRIMARY KEY (entity_id, key_lower)
);

-- Inline policies of users, groups and roles.
CREATE TABLE iam_inline_policies (
    entity_id   TEXT NOT NULL,
    name        TEXT NOT NULL,
    document    TEXT NOT NULL,
    PRIMARY KEY (entity_id, name)
);

-- Customer-managed policies; AWS-managed ones are embedded in the binary.
CREATE TABLE iam_policies (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    arn              TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    name_lower       TEXT NOT NULL,
    path             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    default_version  TEXT NOT NULL,
    next_version     BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE TABLE iam_policy_versions (
    policy_id   TEXT NOT NULL REFERENCES iam_policies(id),
    version_id  TEXT NOT NULL,
    document    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (policy_id, version_id)
);

-- Managed-policy attachments by policy ARN (AWS-managed policies have no row).
-- entity_kind is user, group or role.
CREATE TABLE iam_attachments (
    entity_id    TEXT NOT NULL,
    entity_kind  TEXT NOT NULL,
    account_id   TEXT NOT NULL,
    policy_arn   TEXT NOT NULL,
    PRIMARY KEY (entity_id, policy_arn)
);

CREATE INDEX iam_attachments_policy ON iam_attachments (policy_arn, account_id);

-- Long-term access keys; user_id '' is the account root. The secret is
-- stored only sealed by the master key with the key ID as additional data.
CREATE TABLE iam_access_keys (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts(id),
    user_id        TEXT NOT NULL,
    status         TEXT NOT NULL,
    sealed_secret  BLOB NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE INDEX iam_access_keys_user ON iam_access_keys (account_id, user_id);

-- Temporary credentials (ASIA…). role_id set: a role session; else a
-- GetSessionToken session of user_id ('' = root). sealed holds the secret and
-- the token; token_hash is SHA-256 hex of the token.
CREATE TABLE iam_sessions (
    id                   TEXT PRIMARY KEY,
    account_id           TEXT NOT NULL REFERENCES accounts(id),
    role_id              TEXT NOT NULL DEFAULT '',
    user_id              TEXT NOT NULL DEFAULT '',
    session_name         TEXT NOT NULL DEFAULT '',
    session_policy       TEXT NOT NULL DEFAULT '',
    session_policy_arns  TEXT NOT NULL DEFAULT '',
    sealed               BLOB NOT NULL,
    token_hash           TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    expires_at           BIGINT NOT NULL
);

CREATE INDEX iam_sessions_expiry ON iam_sessions (expires_at);

-- Service-linked role deletions, reported by GetServiceLinkedRoleDeletionStatus.
CREATE TABLE iam_slr_deletions (
    task_id     TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
