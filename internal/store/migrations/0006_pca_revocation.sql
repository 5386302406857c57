-- Private CA revocation: the latest CRL of each CA, audit reports and the
-- ACM service-principal permissions. Revocation itself lives in
-- pca_certificates (revoked_at, revocation_reason).

-- CRL entries are read per CA among revoked certificates only.
CREATE INDEX pca_certificates_revoked ON pca_certificates (ca_id, revoked_at) WHERE revoked_at > 0;

-- The CRL last published for a CA; crl_number only grows.
CREATE TABLE pca_crls (
    ca_id        TEXT PRIMARY KEY REFERENCES pca_cas(id) ON DELETE CASCADE,
    crl_number   BIGINT NOT NULL,
    this_update  BIGINT NOT NULL,
    next_update  BIGINT NOT NULL,
    url_path     TEXT NOT NULL,
    der          BLOB NOT NULL
);

CREATE TABLE pca_audit_reports (
    id            TEXT PRIMARY KEY,
    ca_id         TEXT NOT NULL REFERENCES pca_cas(id) ON DELETE CASCADE,
    status        TEXT NOT NULL,
    bucket        TEXT NOT NULL,
    s3_key        TEXT NOT NULL,
    format        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    requested_by  TEXT NOT NULL
);

CREATE INDEX pca_audit_reports_ca ON pca_audit_reports (ca_id, created_at);

CREATE TABLE pca_permissions (
    ca_id           TEXT NOT NULL REFERENCES pca_cas(id) ON DELETE CASCADE,
    principal       TEXT NOT NULL,
    source_account  TEXT NOT NULL,
    actions         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (ca_id, principal, source_account)
);
