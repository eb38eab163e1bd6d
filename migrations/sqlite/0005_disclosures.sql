-- The disclosure log: every API response and export an app received. Parameters are kept
-- (they say what was asked); payloads and credentials never are.
CREATE TABLE disclosures (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    at          TEXT    NOT NULL,
    -- 'rest-1.1', 'rest-1.2' or 'csv-1.1', 'csv-1.2'
    channel     TEXT    NOT NULL,
    -- the spec's operationId (getAllUsers) or 'export'
    operation   TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    parameters  TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    records     INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX disclosures_app ON disclosures (app_id, id);
