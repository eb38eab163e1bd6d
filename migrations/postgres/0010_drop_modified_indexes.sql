-- No query is driven by a record's modification time: the API's dateLastModified is computed
-- from the record's and its share membership's times, and the tombstone cutoff is tested on
-- rows found otherwise. These indexes only cost time on every import (8.4M enrollments: the
-- largest index of the table, rebuilt or updated on each change), so they go.
DROP INDEX orgs_modified;
DROP INDEX academic_sessions_modified;
DROP INDEX courses_modified;
DROP INDEX classes_modified;
DROP INDEX users_modified;
DROP INDEX user_profiles_modified;
DROP INDEX roles_modified;
DROP INDEX enrollments_modified;
DROP INDEX demographics_modified;
