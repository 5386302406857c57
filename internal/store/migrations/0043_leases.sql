-- Named leases for background work that exactly one server may do at a
-- time (CRL generation per CA): holder is the server's random id,
-- expires_at (ns, the holder's clock) lets another server take over from
-- one that died holding it.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
