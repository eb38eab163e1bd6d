-- Sharing: each app's rule set, and what it currently gives the app (kept with history so that
-- a delta can tell the app what entered and what left its share since a time).
CREATE TABLE app_shares (
    app_id     BIGINT PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
    rules      TEXT    NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT    NOT NULL
);

-- One row per record an app receives or received: classes, users, orgs, courses, academic
-- sessions, demographics (enrollments follow from their class and user). `since` is when the
-- record last entered the share, `left_at` when it left (NULL while shared), `rule` why it is in.
CREATE TABLE share_members (
    app_id     BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    entity     TEXT    NOT NULL,
    sourced_id TEXT    NOT NULL,
    rule       TEXT    NOT NULL,
    since      TEXT    NOT NULL,
    left_at    TEXT,
    PRIMARY KEY (app_id, entity, sourced_id)
);
CREATE INDEX share_members_changes ON share_members (app_id, entity, left_at, since);
