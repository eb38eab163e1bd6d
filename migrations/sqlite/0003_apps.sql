-- Apps (publishers) that receive roster data, their secrets, bearer tokens and OAuth 1.0a nonces.
CREATE TABLE apps (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE,
    vendor         TEXT    NOT NULL DEFAULT '',
    contact        TEXT    NOT NULL DEFAULT '',
    -- the OneRoster versions offered: '1.1', '1.2' or '1.1,1.2'
    versions       TEXT    NOT NULL,
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    -- also the OAuth 1.0a consumer key
    client_id      TEXT    NOT NULL UNIQUE,
    -- requests per minute; NULL means the server's default
    rate_limit     INTEGER,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    last_access_at TEXT
);

-- An app has one current secret, and after a rotation the previous one until its grace ends.
CREATE TABLE app_secrets (
    id            INTEGER PRIMARY KEY,
    app_id        INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    -- argon2id (PHC string): what OAuth 2 client authentication checks
    secret_hash   TEXT    NOT NULL,
    -- the secret encrypted with the server key (OAuth 1.0a signs with it); NULL when the app
    -- did not offer 1.1 when the secret was issued
    sealed_secret TEXT,
    created_at    TEXT    NOT NULL,
    -- set when the secret is replaced: it keeps working until then
    expires_at    TEXT,
    revoked_at    TEXT
);
CREATE INDEX app_secrets_app ON app_secrets (app_id);

-- Bearer tokens, stored as SHA-256 digests: a leaked table does not leak usable tokens.
CREATE TABLE app_tokens (
    token_hash TEXT    PRIMARY KEY,
    app_id     INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    secret_id  INTEGER NOT NULL REFERENCES app_secrets (id) ON DELETE CASCADE,
    -- granted scopes, space-separated short names (roster-core.readonly ...)
    scopes     TEXT    NOT NULL,
    issued_at  TEXT    NOT NULL,
    expires_at TEXT    NOT NULL
);
CREATE INDEX app_tokens_expiry ON app_tokens (expires_at);
CREATE INDEX app_tokens_app ON app_tokens (app_id);

-- OAuth 1.0a nonces seen within the timestamp window (replay protection across servers).
CREATE TABLE oauth1_nonces (
    app_id    INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    nonce     TEXT    NOT NULL,
    timestamp INTEGER NOT NULL,
    seen_at   TEXT    NOT NULL,
    PRIMARY KEY (app_id, nonce, timestamp)
);
CREATE INDEX oauth1_nonces_seen ON oauth1_nonces (seen_at);

-- A fingerprint of the server key the stored secrets are sealed with, so that a server or a
-- command started with another key is noticed before it seals or fails to open anything.
CREATE TABLE server_key_check (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL
);
