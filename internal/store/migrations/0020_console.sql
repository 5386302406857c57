-- Console sessions and sign-in throttling live in the database so that
-- several servers sharing one database share them too.
-- id is the SHA-256 of the cookie's token: a database dump alone cannot
-- be replayed as a session.
CREATE TABLE console_sessions (
    id             TEXT PRIMARY KEY,
    account_id     TEXT NOT NULL,
    user_name      TEXT NOT NULL,
    principal_json TEXT NOT NULL,
    csrf_token     TEXT NOT NULL,
    -- role_key_id is the access key ID of the role session after Switch
    -- role ('' when acting as the user); its secret is never kept.
    role_key_id    TEXT NOT NULL DEFAULT '',
    role_display   TEXT NOT NULL DEFAULT '',
    must_change    BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL
);
CREATE INDEX console_sessions_created ON console_sessions (created_at);

-- One row per throttled key ("user:ACCOUNT/NAME", "ip:ADDRESS"): failures
-- counted since window_start; locked_until refuses sign-in until then.
CREATE TABLE console_signin_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0
);
