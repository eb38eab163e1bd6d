-- The audit log: every administrative action (console or CLI), who did it and when.
-- Entries are only ever added; the triggers refuse changes and deletions.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT    NOT NULL,
    -- the console account's e-mail, or 'cli'
    actor   TEXT    NOT NULL,
    -- 'sign_in', 'app.create', 'share.set', 'import.approve', ...
    action  TEXT    NOT NULL,
    -- what was acted on: 'app 3', 'import 12', 'revision 4'
    target  TEXT    NOT NULL,
    -- human-readable details; for sharing changes the before and after
    detail  TEXT    NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit entries cannot be deleted'); END;
