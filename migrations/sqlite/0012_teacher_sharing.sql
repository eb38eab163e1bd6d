-- Teachers and apps: an app may let teachers share their own classes (teacher_sharing); each
-- such grant is a row here, applied as an include rule while the app allows it and the teacher
-- still teaches the class. App requests are what teachers ask the district for.
ALTER TABLE apps ADD COLUMN teacher_sharing BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE teacher_grants (
    app_id           INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    class_sourced_id TEXT    NOT NULL,
    -- the teacher (roster user) who switched the app on for the class
    user_sourced_id  TEXT    NOT NULL,
    teacher_name     TEXT    NOT NULL,
    granted_at       TEXT    NOT NULL,
    PRIMARY KEY (app_id, class_sourced_id)
);

CREATE TABLE app_requests (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id),
    -- a registered app, or NULL for a new one named by the teacher
    app_id       INTEGER REFERENCES apps (id) ON DELETE SET NULL,
    app_name     TEXT    NOT NULL,
    web_address  TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    -- the teacher's classes it is for, comma-separated sourcedIds
    classes      TEXT    NOT NULL,
    requested_at TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'denied')),
    decided_by   TEXT,
    decided_at   TEXT,
    decision     TEXT
);
CREATE INDEX app_requests_status ON app_requests (status, id);
CREATE INDEX app_requests_account ON app_requests (account_id, id);
