-- The call trail in chunks: one row per write batch and account that sees
-- its events (the caller's and, for a call on another account's resource,
-- the owner's), holding those events newest first, one JSON object per
-- line with the lookup attributes and the record (internal/trail/chunk.go).
-- 0024 wrote five b-trees per event (the records' rowid table and key,
-- the events' rowid table and key, and a time index used only for
-- pruning); SQLite's per-row work was most of the trail's cost. Lookups
-- walk an account's chunks newest first (first_time and last_time bound
-- the events inside) and filter in the server; pruning deletes chunks
-- whose newest event is past the retention.
CREATE TABLE trail_chunks (
    account_id TEXT NOT NULL,
    region     TEXT NOT NULL,
    last_time  BIGINT NOT NULL,
    chunk_id   TEXT NOT NULL,
    first_time BIGINT NOT NULL,
    events     BLOB NOT NULL,
    PRIMARY KEY (account_id, region, last_time, chunk_id)
);
-- Each 0024 event becomes a chunk of its own.
INSERT INTO trail_chunks (account_id, region, last_time, chunk_id, first_time, events)
    SELECT e.account_id, e.region, e.event_time, e.event_id, e.event_time,
        CAST(json_object('id', e.event_id, 't', e.event_time, 'n', e.event_name, 's', e.event_source, 'u', e.username,
            'k', e.access_key_id, 'ro', e.read_only, 'res', e.resources, 'rec', json(r.record)) || char(10) AS BLOB)
    FROM trail_events e JOIN trail_records r ON r.event_time = e.event_time AND r.event_id = e.event_id;
DROP TABLE trail_events;
DROP TABLE trail_records;
