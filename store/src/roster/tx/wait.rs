//! Waiting for the roster's write lock: what a writer that gives up answers, and the
//! connection an import's own bookkeeping writes use.

use sqlx::SqlitePool;

use crate::{
    error::{pg_state, sqlite_code},
    StoreError,
};

/// Like [`with_pool`], for the bookkeeping writes of a roster writer (an import's own row):
/// on SQLite, one connection that waits for the write lock as long as a roster writer does
/// (`roster::tuning`), since another import may hold it for minutes. `$conn` goes into one
/// statement.
macro_rules! with_patient {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pool) => {
                let mut patient = $crate::roster::tx::wait::patient_sqlite(pool).await?;
                let $conn = &mut *patient;
                $body
            }
            $crate::db::Db::Postgres($conn) => $body,
        }
    };
}
pub(crate) use with_patient;

/// A connection of `pool` that waits for the write lock up to the roster writers' wait; it is
/// closed afterwards rather than going back to the pool with that wait.
pub(crate) async fn patient_sqlite(pool: &SqlitePool) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>, StoreError> {
    let mut conn = pool.acquire().await?;
    conn.close_on_drop();
    let wait = crate::roster::tuning::writer_wait();
    sqlx::query(&format!("PRAGMA busy_timeout = {}", wait.as_millis().min(i32::MAX as u128))).execute(&mut *conn).await?;
    Ok(conn)
}

/// SQLite's "database is locked" or PostgreSQL's lock timeout, met while waiting `wait` for
/// the roster's write lock, as the conflict it is; any other error as it was.
pub(crate) fn busy_as_conflict(e: StoreError, wait: std::time::Duration) -> StoreError {
    // PostgreSQL's lock_not_available; SQLITE_BUSY.
    let busy = match &e {
        StoreError::Database(sqlx::Error::Database(db)) => pg_state(db.as_ref()) == Some("55P03") || sqlite_code(db.as_ref()) == Some(5),
        _ => false,
    };
    match busy {
        true => StoreError::Conflict(format!(
            "another import or rollback is writing the roster (waited {} s for it); try again when it has finished",
            wait.as_secs()
        )),
        false => e,
    }
}
