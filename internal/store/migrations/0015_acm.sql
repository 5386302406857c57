-- ACM: managed certificates. Regional from the start: every row carries the
-- region of the request that created it, and lookups are by (account, region).
-- The private key is stored only sealed by the master key (key_blob).
CREATE TABLE acm_certificates (
    id                 TEXT PRIMARY KEY,
    arn                TEXT NOT NULL UNIQUE,
    region             TEXT NOT NULL,
    account_id         TEXT NOT NULL,
    cert_type          TEXT NOT NULL,
    domain_name        TEXT NOT NULL,
    sans_json          TEXT NOT NULL,
    key_algorithm      TEXT NOT NULL,
    ca_arn             TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    failure_reason     TEXT NOT NULL DEFAULT '',
    options_json       TEXT NOT NULL DEFAULT '',
    managed_by         TEXT NOT NULL DEFAULT '',
    requester_json     TEXT NOT NULL DEFAULT '',
    key_blob           BLOB,
    cert_der           BLOB,
    chain_pem          TEXT NOT NULL DEFAULT '',
    pca_cert_arn       TEXT NOT NULL DEFAULT '',
    serial             TEXT NOT NULL DEFAULT '',
    not_before         BIGINT NOT NULL DEFAULT 0,
    not_after          BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    issued_at          BIGINT NOT NULL DEFAULT 0,
    imported_at        BIGINT NOT NULL DEFAULT 0,
    revoked_at         BIGINT NOT NULL DEFAULT 0,
    revocation_reason  TEXT NOT NULL DEFAULT '',
    exported           BIGINT NOT NULL DEFAULT 0,
    renewal_status     TEXT NOT NULL DEFAULT '',
    renewal_reason     TEXT NOT NULL DEFAULT '',
    renewal_updated_at BIGINT NOT NULL DEFAULT 0,
    -- next_attempt_at is when the next piece of work is due (first issuance,
    -- or a renewal attempt); 0 when nothing is due. lease_until keeps two
    -- workers from taking the same row at once.
    next_attempt_at    BIGINT NOT NULL DEFAULT 0,
    lease_until        BIGINT NOT NULL DEFAULT 0,
    idempotency_token  TEXT NOT NULL DEFAULT ''
);

CREATE INDEX acm_certificates_account ON acm_certificates (account_id, region, created_at, id);

CREATE INDEX acm_certificates_due ON acm_certificates (next_attempt_at) WHERE next_attempt_at > 0;

CREATE INDEX acm_certificates_token ON acm_certificates (account_id, region, idempotency_token, created_at);

CREATE INDEX acm_certificates_ca ON acm_certificates (ca_arn);

CREATE TABLE acm_certificate_tags (
    cert_id    TEXT NOT NULL REFERENCES acm_certificates(id) ON DELETE CASCADE,
    tag_key    TEXT NOT NULL,
    tag_value  TEXT NOT NULL,
    PRIMARY KEY (cert_id, tag_key)
);

CREATE TABLE acm_account_config (
    account_id          TEXT NOT NULL,
    region              TEXT NOT NULL,
    days_before_expiry  BIGINT NOT NULL,
    PRIMARY KEY (account_id, region)
);
