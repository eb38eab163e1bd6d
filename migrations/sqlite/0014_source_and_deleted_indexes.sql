-- A record's source, and its tombstones, without the record's status in the source index.
--
-- The (source_id, status) index moved an entry for every record a delta deleted: 79k deleted
-- enrollments of 8.4M rewrote nearly every page of that 150 MB index (and the commit wrote
-- each page twice, to the log and to the database). The source index now holds only the
-- source, which deleting a record does not change; the deleted records get an index of
-- their own, which also serves "how many are deleted" and the console's list of deleted
-- records. Active records of a source are those of the source less its deleted ones. The
-- status in that index, always the same, lets SQLite count from the index alone.
DROP INDEX orgs_source;
CREATE INDEX orgs_source ON orgs (source_id);
CREATE INDEX orgs_deleted ON orgs (source_id, status) WHERE status = 'tobedeleted';
DROP INDEX academic_sessions_source;
CREATE INDEX academic_sessions_source ON academic_sessions (source_id);
CREATE INDEX academic_sessions_deleted ON academic_sessions (source_id, status) WHERE status = 'tobedeleted';
DROP INDEX courses_source;
CREATE INDEX courses_source ON courses (source_id);
CREATE INDEX courses_deleted ON courses (source_id, status) WHERE status = 'tobedeleted';
DROP INDEX classes_source;
CREATE INDEX classes_source ON classes (source_id);
CREATE INDEX classes_deleted ON classes (source_id, status) WHERE status = 'tobedeleted';
DROP INDEX users_source;
CREATE INDEX users_source ON users (source_id);
CREATE INDEX users_deleted ON users (source_id, status) WHERE status = 'tobedeleted';
DROP INDEX user_profiles_source;
CREATE INDEX user_profiles_source ON user_profiles (source_id);
CREATE INDEX user_profiles_deleted ON user_profiles (source_id, status) WHERE status = 'tobedeleted';
DROP INDEX roles_source;
CREATE INDEX roles_source ON roles (source_id);
CREATE INDEX roles_deleted ON roles (source_id, status) WHERE status = 'tobedeleted';
DROP INDEX enrollments_source;
CREATE INDEX enrollments_source ON enrollments (source_id);
CREATE INDEX enrollments_deleted ON enrollments (source_id, status) WHERE status = 'tobedeleted';
DROP INDEX demographics_source;
CREATE INDEX demographics_source ON demographics (source_id);
CREATE INDEX demographics_deleted ON demographics (source_id, status) WHERE status = 'tobedeleted';
