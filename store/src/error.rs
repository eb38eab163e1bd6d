use thiserror::Error;

/// Everything that can go wrong in the store layer.
///
/// Messages are written for the person running Rollbook: they say what is wrong and, where
/// possible, how to fix it. Database URLs in messages have their password removed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database URL could not be understood.
    #[error("`{url}` is not a usable database URL: {reason}. Expected sqlite://PATH (e.g. sqlite://./data/rollbook.db) or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")]
    InvalidUrl { url: String, reason: String },
    /// The database server (or file) could not be opened.
    #[error("cannot open the database at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The schema migrations failed.
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(String),
    /// A record with the same unique key exists already.
    #[error("{0}")]
    Conflict(String),
    /// The requested record does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Input rejected before it reached the database.
    #[error("{0}")]
    Invalid(String),
    /// One field of a form or command was rejected (`field` names it, so that a form can show
    /// the message beside it).
    #[error("{message}")]
    InvalidField { field: &'static str, message: String },
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A failure outside the database (file system, hashing, a background task).
    #[error("{0}")]
    Internal(String),
}

impl StoreError {
    /// Whether the database was too busy to answer in time: every connection in use for the
    /// whole wait, or a write kept waiting by another writer (SQLite's "database is locked"
    /// while an import holds the write lock; PostgreSQL's lock timeout). Worth a retry, not a
    /// failure.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::PoolTimedOut) => true,
            // PostgreSQL: lock_not_available, serialization_failure, deadlock_detected;
            // SQLite: SQLITE_BUSY and SQLITE_LOCKED.
            StoreError::Database(sqlx::Error::Database(db)) => {
                matches!(pg_state(db.as_ref()), Some("55P03" | "40001" | "40P01")) || matches!(sqlite_code(db.as_ref()), Some(5 | 6))
            }
            _ => false,
        }
    }

    /// Whether the same operation may well succeed when tried again: [`Self::is_busy`], or the
    /// connection to the database failed.
    pub fn is_transient(&self) -> bool {
        self.is_busy() || matches!(self, StoreError::Database(sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed))
    }

    /// True when the error is a unique-constraint violation.
    pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
        matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
    }
}

/// SQLite's primary result code of a database error (`None` for PostgreSQL's, whose codes
/// are SQLSTATEs, some all digits).
pub(crate) fn sqlite_code(db: &dyn sqlx::error::DatabaseError) -> Option<i32> {
    db.try_downcast_ref::<sqlx::sqlite::SqliteError>()?;
    db.code()?.parse::<i32>().ok().map(|c| c & 0xff)
}

/// PostgreSQL's SQLSTATE of a database error (`None` for SQLite's).
pub(crate) fn pg_state(db: &dyn sqlx::error::DatabaseError) -> Option<&str> {
    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().map(|e| e.code())
}
