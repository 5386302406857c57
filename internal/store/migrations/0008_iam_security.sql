-- Permissions boundaries: the managed policy ARN bounding a user or role
-- ('' = none).
ALTER TABLE iam_users ADD COLUMN permissions_boundary TEXT NOT NULL DEFAULT '';
ALTER TABLE iam_roles ADD COLUMN permissions_boundary TEXT NOT NULL DEFAULT '';

-- When an MFA code was last verified for a session's credentials (UTC Unix
-- nanoseconds, 0 = never): aws:MultiFactorAuthPresent and
-- aws:MultiFactorAuthAge. created_at is aws:TokenIssueTime.
ALTER TABLE iam_sessions ADD COLUMN mfa_at BIGINT NOT NULL DEFAULT 0;

-- Virtual MFA devices. serial is the device ARN. The TOTP seed is stored
-- only sealed by the master key with the serial as additional data.
-- user_id is the user the device is enabled for ('' = unassigned);
-- last_step is the last TOTP time step accepted, so a code cannot be used
-- twice; drift is the device clock's offset in steps, set by
-- ResyncMFADevice.
CREATE TABLE iam_mfa_devices (
    serial       TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts(id),
    name         TEXT NOT NULL,
    name_lower   TEXT NOT NULL,
    path         TEXT NOT NULL,
    sealed_seed  BLOB NOT NULL,
    user_id      TEXT NOT NULL DEFAULT '',
    enabled_at   BIGINT NOT NULL DEFAULT 0,
    last_step    BIGINT NOT NULL DEFAULT 0,
    drift        BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    UNIQUE (account_id, name_lower)
);

CREATE INDEX iam_mfa_devices_user ON iam_mfa_devices (user_id);
