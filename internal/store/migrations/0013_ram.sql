-- RAM (issue #10): resource shares, their associations, permissions,
-- invitations and clientToken records. Shares are regional: every table
-- carries the region the share lives in.
CREATE TABLE ram_shares (
    arn             TEXT PRIMARY KEY,
    region          TEXT NOT NULL,
    owner           TEXT NOT NULL,
    name            TEXT NOT NULL,
    allow_external  BIGINT NOT NULL,
    retain_on_leave BIGINT NOT NULL,
    status          TEXT NOT NULL,
    feature_set     TEXT NOT NULL,
    tags            TEXT NOT NULL,
    -- the hand-written CA policy a CREATED_FROM_POLICY share stands for
    source_policy   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ram_shares_owner ON ram_shares (region, owner);

-- kind RESOURCE (entity = resource ARN) or PRINCIPAL (account ID, org/OU
-- ARN, IAM user/role ARN; account = the account it resolves to, '' for
-- org/OU principals).
CREATE TABLE ram_associations (
    share_arn   TEXT NOT NULL REFERENCES ram_shares(arn) ON DELETE CASCADE,
    region      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    entity      TEXT NOT NULL,
    account     TEXT NOT NULL,
    status      TEXT NOT NULL,
    message     TEXT NOT NULL,
    external    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (share_arn, kind, entity)
);
CREATE INDEX ram_associations_entity ON ram_associations (region, kind, entity);

-- One permission per resource type per share.
CREATE TABLE ram_share_permissions (
    share_arn      TEXT NOT NULL REFERENCES ram_shares(arn) ON DELETE CASCADE,
    region         TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    permission_arn TEXT NOT NULL,
    version        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (share_arn, resource_type)
);

CREATE TABLE ram_invitations (
    arn          TEXT PRIMARY KEY,
    region       TEXT NOT NULL,
    share_arn    TEXT NOT NULL REFERENCES ram_shares(arn) ON DELETE CASCADE,
    sender       TEXT NOT NULL,
    receiver     TEXT NOT NULL,
    receiver_arn TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX ram_invitations_receiver ON ram_invitations (region, receiver);
CREATE INDEX ram_invitations_pending ON ram_invitations (status, expires_at);

-- clientToken records: the same token with the same request answers the
-- first answer again; with another request, IdempotentParameterMismatch.
CREATE TABLE ram_client_tokens (
    scope       TEXT PRIMARY KEY,
    region      TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    answer      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
