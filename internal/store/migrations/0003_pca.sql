-- Private CA: certificate authorities, their tags and the certificates they issued.
-- CA private keys are stored only as the keystore's sealed blob (key_blob).
CREATE TABLE pca_cas (
    id                   TEXT PRIMARY KEY,
    arn                  TEXT NOT NULL UNIQUE,
    owner_account        TEXT NOT NULL,
    ca_type              TEXT NOT NULL,
    status               TEXT NOT NULL,
    prior_status         TEXT NOT NULL DEFAULT '',
    failure_reason       TEXT NOT NULL DEFAULT '',
    config_json          TEXT NOT NULL,
    revocation_json      TEXT NOT NULL DEFAULT '',
    key_storage          TEXT NOT NULL,
    usage_mode           TEXT NOT NULL,
    key_handle           TEXT NOT NULL DEFAULT '',
    key_blob             BLOB,
    csr_der              BLOB,
    cert_der             BLOB,
    chain_pem            BLOB,
    serial               TEXT NOT NULL DEFAULT '',
    not_before           BIGINT NOT NULL DEFAULT 0,
    not_after            BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    last_state_change_at BIGINT NOT NULL,
    restorable_until     BIGINT NOT NULL DEFAULT 0,
    idempotency_token    TEXT NOT NULL DEFAULT '',
    created_by           TEXT NOT NULL
);

CREATE INDEX pca_cas_owner ON pca_cas (owner_account, created_at, id);

CREATE INDEX pca_cas_token ON pca_cas (owner_account, idempotency_token, created_at);

CREATE TABLE pca_ca_tags (
    ca_id      TEXT NOT NULL REFERENCES pca_cas(id) ON DELETE CASCADE,
    tag_key    TEXT NOT NULL,
    tag_value  TEXT NOT NULL,
    PRIMARY KEY (ca_id, tag_key)
);

-- One row per issued certificate; the serial (lower-case hex) is unique per CA.
CREATE TABLE pca_certificates (
    ca_id              TEXT NOT NULL REFERENCES pca_cas(id) ON DELETE CASCADE,
    serial             TEXT NOT NULL,
    issuer_principal   TEXT NOT NULL,
    issuer_account     TEXT NOT NULL,
    template_arn       TEXT NOT NULL,
    subject            TEXT NOT NULL,
    not_before         BIGINT NOT NULL,
    not_after          BIGINT NOT NULL,
    issued_at          BIGINT NOT NULL,
    der                BLOB NOT NULL,
    idempotency_token  TEXT NOT NULL DEFAULT '',
    revoked_at         BIGINT NOT NULL DEFAULT 0,
    revocation_reason  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (ca_id, serial)
);

CREATE INDEX pca_certificates_token ON pca_certificates (ca_id, issuer_account, idempotency_token, issued_at);
