-- Private CA resource policies (PutPolicy): at most one document per CA,
-- stored as the caller sent it. Removed with the CA.
CREATE TABLE pca_ca_policies (
    ca_id       TEXT PRIMARY KEY REFERENCES pca_cas(id) ON DELETE CASCADE,
    document    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL
);
