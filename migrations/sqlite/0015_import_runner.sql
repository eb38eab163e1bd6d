-- Which process runs an import: while it runs, it holds a lock named by this key (SQLite: a
-- lock file beside the database; PostgreSQL: an advisory lock), which ends with its process.
-- An import left `running` whose lock nobody holds was cut off; one whose lock is held is
-- still running (in another command or server), and a server starting leaves it alone.
ALTER TABLE imports ADD COLUMN runner BIGINT;
