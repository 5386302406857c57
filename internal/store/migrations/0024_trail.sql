-- Call trail (CloudTrail event history). Regional like CloudTrail: an event
-- lives in the region of its request.
--
-- trail_records holds each event's record once, in time order (appends
-- only). trail_events indexes it once per recipient account (the caller's
-- and, for a call on another account's resource, the owner's); lookups
-- walk an account's rows newest first. Resource lookups scan those rows'
-- resources column instead of a side table: writes stay cheap, and
-- LookupEvents (2 TPS per account at AWS) may cost a scan.
CREATE TABLE trail_records (
    event_time BIGINT NOT NULL,
    event_id   TEXT NOT NULL,
    record     TEXT NOT NULL,
    PRIMARY KEY (event_time, event_id)
);
CREATE TABLE trail_events (
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
    PRIMARY KEY (account_id, region, event_time, event_id)
);
CREATE INDEX trail_events_time ON trail_events (event_time);
