-- The roster: one table per OneRoster rostering entity, holding the 1.2.1 CSV columns as text
-- (NULL when blank; lists comma-joined as in CSV; 1.1 users become users + roles rows).
-- Passwords are never stored. `metadata` keeps extension columns as a JSON object.
--
-- Indexes: the primary key, what deltas and bulk imports look up (source and status, revision,
-- modification time), and the joins of rosters (class → enrollments → users, user → roles).
-- Every index with scattered keys costs a large import dearly, so search indexes for the
-- console come with the console.
--
-- Every record belongs to a source (one feed) and carries the revision that created it and the
-- revision that last changed it; record_history keeps each record's values from before every
-- change, so any earlier revision can be restored and "changed since" answered, deletions
-- included (deleted records stay as status 'tobedeleted' tombstones).

CREATE TABLE sources (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- One row per applied change of the roster (an import or a rollback).
CREATE TABLE revisions (
    id             BIGINT PRIMARY KEY,
    created_at     TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('import', 'rollback')),
    source_id      BIGINT REFERENCES sources (id),
    import_id      BIGINT,
    restored_from  BIGINT,
    summary        TEXT    NOT NULL,
    -- JSON: per entity created/updated/deleted counts
    counts         TEXT    NOT NULL,
    actor          TEXT    NOT NULL
);

-- Every import attempt, with its report (JSON) whatever the outcome.
CREATE TABLE imports (
    id            BIGSERIAL PRIMARY KEY,
    source_id     BIGINT NOT NULL REFERENCES sources (id),
    origin        TEXT    NOT NULL,
    package_name  TEXT    NOT NULL,
    -- where a held package waits for its decision
    held_path     TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('running', 'applied', 'held', 'rejected', 'discarded', 'failed')),
    skip_invalid  BOOLEAN NOT NULL,
    revision_id   BIGINT REFERENCES revisions (id),
    started_at    TEXT    NOT NULL,
    finished_at   TEXT,
    actor         TEXT    NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    report        TEXT
);
CREATE INDEX imports_status ON imports (status);

-- Import policy per district: skip_invalid, hold thresholds (global and per entity).
CREATE TABLE roster_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A record's values before a change at `revision` (a JSON object of its columns).
CREATE TABLE record_history (
    id         BIGSERIAL PRIMARY KEY,
    revision   BIGINT NOT NULL REFERENCES revisions (id),
    entity     TEXT    NOT NULL,
    sourced_id TEXT    NOT NULL,
    before     TEXT    NOT NULL
);
CREATE INDEX record_history_record ON record_history (entity, sourced_id, revision);
CREATE INDEX record_history_revision ON record_history (revision);

-- orgs.csv
CREATE TABLE orgs (
    sourced_id         TEXT    NOT NULL PRIMARY KEY,
    source_id          BIGINT NOT NULL REFERENCES sources (id),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'tobedeleted')),
    date_last_modified TEXT    NOT NULL,
    created_revision   BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    hash               BIGINT  NOT NULL,
    metadata           TEXT,
    name               TEXT,
    type               TEXT,
    identifier         TEXT,
    parent_sourced_id  TEXT
);
CREATE INDEX orgs_source ON orgs (source_id, status);
CREATE INDEX orgs_revision ON orgs (revision);
CREATE INDEX orgs_modified ON orgs (date_last_modified);
CREATE INDEX orgs_parent_sourced_id ON orgs (parent_sourced_id);

-- academicSessions.csv
CREATE TABLE academic_sessions (
    sourced_id         TEXT    NOT NULL PRIMARY KEY,
    source_id          BIGINT NOT NULL REFERENCES sources (id),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'tobedeleted')),
    date_last_modified TEXT    NOT NULL,
    created_revision   BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    hash               BIGINT  NOT NULL,
    metadata           TEXT,
    title              TEXT,
    type               TEXT,
    start_date         TEXT,
    end_date           TEXT,
    parent_sourced_id  TEXT,
    school_year        TEXT
);
CREATE INDEX academic_sessions_source ON academic_sessions (source_id, status);
CREATE INDEX academic_sessions_revision ON academic_sessions (revision);
CREATE INDEX academic_sessions_modified ON academic_sessions (date_last_modified);
CREATE INDEX academic_sessions_parent_sourced_id ON academic_sessions (parent_sourced_id);
CREATE INDEX academic_sessions_type ON academic_sessions (type);

-- courses.csv
CREATE TABLE courses (
    sourced_id         TEXT    NOT NULL PRIMARY KEY,
    source_id          BIGINT NOT NULL REFERENCES sources (id),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'tobedeleted')),
    date_last_modified TEXT    NOT NULL,
    created_revision   BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    hash               BIGINT  NOT NULL,
    metadata           TEXT,
    school_year_sourced_id TEXT,
    title              TEXT,
    course_code        TEXT,
    grades             TEXT,
    org_sourced_id     TEXT,
    subjects           TEXT,
    subject_codes      TEXT
);
CREATE INDEX courses_source ON courses (source_id, status);
CREATE INDEX courses_revision ON courses (revision);
CREATE INDEX courses_modified ON courses (date_last_modified);
CREATE INDEX courses_org_sourced_id ON courses (org_sourced_id);
CREATE INDEX courses_school_year_sourced_id ON courses (school_year_sourced_id);

-- classes.csv
CREATE TABLE classes (
    sourced_id         TEXT    NOT NULL PRIMARY KEY,
    source_id          BIGINT NOT NULL REFERENCES sources (id),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'tobedeleted')),
    date_last_modified TEXT    NOT NULL,
    created_revision   BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    hash               BIGINT  NOT NULL,
    metadata           TEXT,
    title              TEXT,
    grades             TEXT,
    course_sourced_id  TEXT,
    class_code         TEXT,
    class_type         TEXT,
    location           TEXT,
    school_sourced_id  TEXT,
    term_sourced_ids   TEXT,
    subjects           TEXT,
    subject_codes      TEXT,
    periods            TEXT
);
CREATE INDEX classes_source ON classes (source_id, status);
CREATE INDEX classes_revision ON classes (revision);
CREATE INDEX classes_modified ON classes (date_last_modified);
CREATE INDEX classes_school_sourced_id ON classes (school_sourced_id);
CREATE INDEX classes_course_sourced_id ON classes (course_sourced_id);

-- users.csv
CREATE TABLE users (
    sourced_id         TEXT    NOT NULL PRIMARY KEY,
    source_id          BIGINT NOT NULL REFERENCES sources (id),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'tobedeleted')),
    date_last_modified TEXT    NOT NULL,
    created_revision   BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    hash               BIGINT  NOT NULL,
    metadata           TEXT,
    enabled_user       TEXT,
    username           TEXT,
    user_ids           TEXT,
    given_name         TEXT,
    family_name        TEXT,
    middle_name        TEXT,
    identifier         TEXT,
    email              TEXT,
    sms                TEXT,
    phone              TEXT,
    agent_sourced_ids  TEXT,
    grades             TEXT,
    user_master_identifier TEXT,
    preferred_given_name TEXT,
    preferred_middle_name TEXT,
    preferred_family_name TEXT,
    primary_org_sourced_id TEXT,
    pronouns           TEXT
);
CREATE INDEX users_source ON users (source_id, status);
CREATE INDEX users_revision ON users (revision);
CREATE INDEX users_modified ON users (date_last_modified);

-- userProfiles.csv
CREATE TABLE user_profiles (
    sourced_id         TEXT    NOT NULL PRIMARY KEY,
    source_id          BIGINT NOT NULL REFERENCES sources (id),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'tobedeleted')),
    date_last_modified TEXT    NOT NULL,
    created_revision   BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    hash               BIGINT  NOT NULL,
    metadata           TEXT,
    user_sourced_id    TEXT,
    profile_type       TEXT,
    vendor_id          TEXT,
    application_id     TEXT,
    description        TEXT,
    credential_type    TEXT,
    username           TEXT
);
CREATE INDEX user_profiles_source ON user_profiles (source_id, status);
CREATE INDEX user_profiles_revision ON user_profiles (revision);
CREATE INDEX user_profiles_modified ON user_profiles (date_last_modified);
CREATE INDEX user_profiles_user_sourced_id ON user_profiles (user_sourced_id);

-- roles.csv
CREATE TABLE roles (
    sourced_id         TEXT    NOT NULL PRIMARY KEY,
    source_id          BIGINT NOT NULL REFERENCES sources (id),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'tobedeleted')),
    date_last_modified TEXT    NOT NULL,
    created_revision   BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    hash               BIGINT  NOT NULL,
    metadata           TEXT,
    user_sourced_id    TEXT,
    role_type          TEXT,
    role               TEXT,
    begin_date         TEXT,
    end_date           TEXT,
    org_sourced_id     TEXT,
    user_profile_sourced_id TEXT
);
CREATE INDEX roles_source ON roles (source_id, status);
CREATE INDEX roles_revision ON roles (revision);
CREATE INDEX roles_modified ON roles (date_last_modified);
CREATE INDEX roles_user_sourced_id ON roles (user_sourced_id);
CREATE INDEX roles_org_sourced_id ON roles (org_sourced_id, role);

-- enrollments.csv
CREATE TABLE enrollments (
    sourced_id         TEXT    NOT NULL PRIMARY KEY,
    source_id          BIGINT NOT NULL REFERENCES sources (id),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'tobedeleted')),
    date_last_modified TEXT    NOT NULL,
    created_revision   BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    hash               BIGINT  NOT NULL,
    metadata           TEXT,
    class_sourced_id   TEXT,
    school_sourced_id  TEXT,
    user_sourced_id    TEXT,
    role               TEXT,
    is_primary         TEXT,
    begin_date         TEXT,
    end_date           TEXT
);
CREATE INDEX enrollments_source ON enrollments (source_id, status);
CREATE INDEX enrollments_revision ON enrollments (revision);
CREATE INDEX enrollments_modified ON enrollments (date_last_modified);
CREATE INDEX enrollments_class_sourced_id ON enrollments (class_sourced_id);
CREATE INDEX enrollments_user_sourced_id ON enrollments (user_sourced_id);

-- demographics.csv
CREATE TABLE demographics (
    sourced_id         TEXT    NOT NULL PRIMARY KEY,
    source_id          BIGINT NOT NULL REFERENCES sources (id),
    status             TEXT    NOT NULL CHECK (status IN ('active', 'tobedeleted')),
    date_last_modified TEXT    NOT NULL,
    created_revision   BIGINT NOT NULL,
    revision           BIGINT NOT NULL,
    hash               BIGINT  NOT NULL,
    metadata           TEXT,
    birth_date         TEXT,
    sex                TEXT,
    american_indian_or_alaska_native TEXT,
    asian              TEXT,
    black_or_african_american TEXT,
    native_hawaiian_or_other_pacific_islander TEXT,
    white              TEXT,
    demographic_race_two_or_more_races TEXT,
    hispanic_or_latino_ethnicity TEXT,
    country_of_birth_code TEXT,
    state_of_birth_abbreviation TEXT,
    city_of_birth      TEXT,
    public_school_residence_status TEXT
);
CREATE INDEX demographics_source ON demographics (source_id, status);
CREATE INDEX demographics_revision ON demographics (revision);
CREATE INDEX demographics_modified ON demographics (date_last_modified);
