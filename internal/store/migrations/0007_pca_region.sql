-- Private CAs are regional: each lives in the region of the request that
-- created it, and is visible only from there. Certificates, CRLs, policies,
-- permissions and audit reports hang off their CA's id and follow it.
-- Rows from before take the region of their ARN, filled in at start-up
-- (portable SQL cannot split the ARN).
ALTER TABLE pca_cas ADD COLUMN region TEXT NOT NULL DEFAULT '';

CREATE INDEX pca_cas_owner_region ON pca_cas (owner_account, region, created_at, id);
