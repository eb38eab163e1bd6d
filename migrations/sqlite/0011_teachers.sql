-- Teachers in the console: accounts tied to a roster user (role 'teacher'), single-use
-- invitations, class-list reviews (attestations) and the roster issues teachers report.

-- SQLite cannot change a CHECK constraint in place: the accounts table is rebuilt with the new
-- role and the roster user a teacher account belongs to. No table references accounts yet.
CREATE TABLE accounts_new (
    id              INTEGER PRIMARY KEY,
    email           TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('district_admin', 'auditor', 'teacher')),
    password_hash   TEXT    NOT NULL,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    session_epoch   INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    last_sign_in_at TEXT,
    -- the roster user (sourcedId) of a teacher account; NULL for staff accounts
    user_sourced_id TEXT
);
INSERT INTO accounts_new (id, email, display_name, role, password_hash, disabled, session_epoch,
                          created_at, updated_at, last_sign_in_at)
    SELECT id, email, display_name, role, password_hash, disabled, session_epoch,
           created_at, updated_at, last_sign_in_at FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;
CREATE UNIQUE INDEX accounts_user ON accounts (user_sourced_id) WHERE user_sourced_id IS NOT NULL;

-- An invitation is a link with a random token; only the token's SHA-256 is kept. It works once,
-- until it expires, and only while it is the account's newest.
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id),
    token_hash  TEXT    NOT NULL UNIQUE,
    invited_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_at     TEXT,
    replaced    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX invitations_account ON invitations (account_id);

-- A teacher's verdict on a class list, at the roster revision they saw.
CREATE TABLE class_reviews (
    id               INTEGER PRIMARY KEY,
    class_sourced_id TEXT    NOT NULL,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    verdict          TEXT    NOT NULL CHECK (verdict IN ('correct', 'problems')),
    revision         INTEGER NOT NULL,
    at               TEXT    NOT NULL
);
CREATE INDEX class_reviews_class ON class_reviews (class_sourced_id, id);

-- A problem a teacher reported with a class list; admins resolve it with a note.
CREATE TABLE roster_issues (
    id                 INTEGER PRIMARY KEY,
    class_sourced_id   TEXT    NOT NULL,
    account_id         INTEGER NOT NULL REFERENCES accounts (id),
    kind               TEXT    NOT NULL CHECK (kind IN ('missing_student', 'extra_student', 'wrong_teacher', 'wrong_period', 'other')),
    student_name       TEXT,
    student_sourced_id TEXT,
    comment            TEXT    NOT NULL,
    revision           INTEGER NOT NULL,
    reported_at        TEXT    NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolved_by        TEXT,
    resolved_at        TEXT,
    resolution         TEXT
);
CREATE INDEX roster_issues_status ON roster_issues (status, id);
CREATE INDEX roster_issues_class ON roster_issues (class_sourced_id, id);
