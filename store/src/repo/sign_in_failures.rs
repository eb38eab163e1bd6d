//! SQL for the failed sign-in log that throttling reads.

use time::OffsetDateTime;

use crate::db::{with_pool, Db};

/// Records one failure for `subject`, forgets that subject's failures older than
/// `forget_before`, and returns the new row's id.
pub(crate) async fn record(
    db: &Db,
    subject: &str,
    now: OffsetDateTime,
    forget_before: OffsetDateTime,
) -> Result<i64, sqlx::Error> {
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1 AND failed_at < $2")
            .bind(subject)
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        let id = sqlx::query_scalar::<_, i64>(
                "INSERT INTO sign_in_failures (subject, failed_at) VALUES ($1, $2) RETURNING id")
            .bind(subject)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Removes one recorded attempt (it turned out to be a success).
pub(crate) async fn delete(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => sqlx::query("DELETE FROM sign_in_failures WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))
}

/// Forgets every failure older than `before` (subjects that never failed again included).
pub(crate) async fn purge_before(db: &Db, before: OffsetDateTime) -> Result<u64, sqlx::Error> {
    // SQLite compares the stored RFC 3339 text, whose order can be off within one second;
    // a prune by a window of minutes does not notice.
    with_pool!(db, pool => sqlx::query("DELETE FROM sign_in_failures WHERE failed_at < $1")
        .bind(before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
}

/// The remembered failure times of `subject` recorded before the attempt `id`. Old rows are
/// pruned on each new failure and throttled attempts are not kept, so this stays short.
pub(crate) async fn times_before(db: &Db, subject: &str, id: i64) -> Result<Vec<OffsetDateTime>, sqlx::Error> {
    with_pool!(db, pool => sqlx::query_scalar::<_, OffsetDateTime>(
            "SELECT failed_at FROM sign_in_failures WHERE subject = $1 AND id < $2")
        .bind(subject)
        .bind(id)
        .fetch_all(pool)
        .await)
}

pub(crate) async fn clear(db: &Db, subject: &str) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1")
        .bind(subject)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}
