-- An IAM user or role principal is tied to the unique ID it had when it was
-- associated (as AWS ties resource policies to IDs): a user or role deleted
-- and created again under the same name does not inherit the share. ''
-- for other principals, and for a user or role that did not exist then.
ALTER TABLE ram_associations ADD COLUMN principal_id TEXT NOT NULL DEFAULT '';

-- The shares an account receives are found from its own principal rows
-- (account = its ID) and the organization/OU rows (account = ''), not by
-- reading every principal of the region.
CREATE INDEX ram_associations_account ON ram_associations (region, account, kind, status);
