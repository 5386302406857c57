-- Call trail (CloudTrail event history). Regional like CloudTrail: an event
-- lives in the region of its request. A cross-account call is stored once
-- per recipient account (the caller's and the resource owner's), sharing
-- the event ID, so each account's lookups stay a simple indexed scan.
CREATE TABLE trail_events (
    account_id    TEXT NOT NULL,
    region        TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    event_time    BIGINT NOT NULL,
    event_name    TEXT NOT NULL,
    event_source  TEXT NOT NULL,
    username      TEXT NOT NULL,
    access_key_id TEXT NOT NULL,
    read_only     TEXT NOT NULL,
    resources     TEXT NOT NULL,
    record        TEXT NOT NULL,
    PRIMARY KEY (account_id, region, event_id)
);
CREATE INDEX trail_events_time ON trail_events (account_id, region, event_time, event_id);
CREATE INDEX trail_events_prune ON trail_events (event_time);
CREATE TABLE trail_event_resources (
    account_id    TEXT NOT NULL,
    region        TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    event_time    BIGINT NOT NULL,
    PRIMARY KEY (account_id, region, event_id, resource_type, resource_name)
);
CREATE INDEX trail_event_resources_name ON trail_event_resources (account_id, region, resource_name);
CREATE INDEX trail_event_resources_prune ON trail_event_resources (event_time);
