-- Console accounts (district admins, auditors) and sign-in throttling.
CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    email           TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('district_admin', 'auditor')),
    password_hash   TEXT    NOT NULL,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    -- bumped whenever the password changes: sessions carry the epoch they were made in,
    -- so a reset signs the account out everywhere
    session_epoch   INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    last_sign_in_at TEXT
);

-- One row per failed sign-in, per subject ('account:<email>' or 'address:<ip>').
CREATE TABLE sign_in_failures (
    id        INTEGER PRIMARY KEY,
    subject   TEXT NOT NULL,
    failed_at TEXT NOT NULL
);
CREATE INDEX sign_in_failures_subject ON sign_in_failures (subject, failed_at);
