-- The call trail in one table: one row per event and recipient account,
-- holding the record itself. 0024 wrote five b-trees per event (the
-- records' rowid table and key, the events' rowid table and key, and a
-- time index used only for pruning); this writes two, the rowid table
-- (appended in time order) and the lookup key. A cross-account event
-- stores its record twice, once for each account that sees it, which
-- costs less than a shared row's extra b-trees. Pruning walks the key per
-- (account, region) instead of a time index.
CREATE TABLE trail_entries (
    account_id    TEXT NOT NULL,
    region        TEXT NOT NULL,
    event_time    BIGINT NOT NULL,
    event_id      TEXT NOT NULL,
    event_name    TEXT NOT NULL,
    event_source  TEXT NOT NULL,
    username      TEXT NOT NULL,
    access_key_id TEXT NOT NULL,
    read_only     TEXT NOT NULL,
    resources     TEXT NOT NULL,
    record        TEXT NOT NULL,
    PRIMARY KEY (account_id, region, event_time, event_id)
);
INSERT INTO trail_entries (account_id, region, event_time, event_id, event_name, event_source, username, access_key_id, read_only, resources, record)
    SELECT e.account_id, e.region, e.event_time, e.event_id, e.event_name, e.event_source, e.username, e.access_key_id, e.read_only, e.resources, r.record
    FROM trail_events e JOIN trail_records r ON r.event_time = e.event_time AND r.event_id = e.event_id;
DROP TABLE trail_events;
DROP TABLE trail_records;
