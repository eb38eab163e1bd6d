//! SQL for the failed sign-in log that throttling reads.

use time::OffsetDateTime;

use crate::db::{with_pool, Db};

/// Records one failure for `subject` and forgets that subject's failures older than `forget_before`.
pub(crate) async fn record(
    db: &Db,
    subject: &str,
    now: OffsetDateTime,
    forget_before: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1 AND failed_at < $2")
            .bind(subject)
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO sign_in_failures (subject, failed_at) VALUES ($1, $2)")
            .bind(subject)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    })
}

/// Every remembered failure time of `subject`. Old rows are pruned on each new failure and the
/// throttle delay grows with each, so this stays short.
pub(crate) async fn times(db: &Db, subject: &str) -> Result<Vec<OffsetDateTime>, sqlx::Error> {
    with_pool!(db, pool => sqlx::query_scalar::<_, OffsetDateTime>(
            "SELECT failed_at FROM sign_in_failures WHERE subject = $1")
        .bind(subject)
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
