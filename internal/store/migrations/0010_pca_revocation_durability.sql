-- Private CA revocation durability (issue #16): who revoked each
-- certificate, and a per-CA revocation counter that the stored CRL is
-- compared against, so "the CRL must be republished" survives a crash.

ALTER TABLE pca_certificates ADD COLUMN revoked_by TEXT NOT NULL DEFAULT '';

-- Incremented in the transaction of each revocation; never decreases.
CREATE TABLE pca_revocation_counts (
    ca_id        TEXT PRIMARY KEY REFERENCES pca_cas(id) ON DELETE CASCADE,
    revocations  BIGINT NOT NULL
);

INSERT INTO pca_revocation_counts (ca_id, revocations)
    SELECT ca_id, COUNT(*) FROM pca_certificates WHERE revoked_at > 0 GROUP BY ca_id;

-- The counter value the CRL was built after reading; existing CRLs start at
-- 0, so CAs with revocations republish once after the upgrade.
ALTER TABLE pca_crls ADD COLUMN revocations_covered BIGINT NOT NULL DEFAULT 0;
