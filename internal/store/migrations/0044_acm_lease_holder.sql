-- The server that holds an ACM certificate's work lease (lease_until):
-- a worker stores its result only while the lease is still its own, so a
-- worker that stalled past its lease cannot overwrite the renewal of the
-- server that took over.
ALTER TABLE acm_certificates ADD COLUMN lease_holder TEXT NOT NULL DEFAULT '';
