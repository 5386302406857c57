-- As migrations/0051_trail_chunks.sql, with PostgreSQL's JSON functions.
CREATE TABLE trail_chunks (
    account_id TEXT NOT NULL,
    region     TEXT NOT NULL,
    last_time  BIGINT NOT NULL,
    chunk_id   TEXT NOT NULL,
    first_time BIGINT NOT NULL,
    events     BYTEA NOT NULL,
    PRIMARY KEY (account_id, region, last_time, chunk_id)
);
INSERT INTO trail_chunks (account_id, region, last_time, chunk_id, first_time, events)
    SELECT e.account_id, e.region, e.event_time, e.event_id, e.event_time,
        convert_to(json_build_object('id', e.event_id, 't', e.event_time, 'n', e.event_name, 's', e.event_source, 'u', e.username,
            'k', e.access_key_id, 'ro', e.read_only, 'res', e.resources, 'rec', r.record::json)::text || E'\n', 'UTF8')
    FROM trail_events e JOIN trail_records r ON r.event_time = e.event_time AND r.event_id = e.event_id;
DROP TABLE trail_events;
DROP TABLE trail_records;
