-- A principal associated at once because it was in the owner's
-- organization keeps access only while it stays there (unless the share
-- retains sharing on leave): via_org is that organization's ID, '' otherwise.
ALTER TABLE ram_associations ADD COLUMN via_org TEXT NOT NULL DEFAULT '';
