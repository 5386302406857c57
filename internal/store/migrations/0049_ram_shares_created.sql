-- An owner's shares in creation order: the order RAM lists them in. A
-- page of associations (the CA detail page: the shares holding one CA)
-- walks the owner's shares in this order and stops after the page instead
-- of sorting every association of the CA.
CREATE INDEX ram_shares_owner_created ON ram_shares (region, owner, created_at, arn);
