//! SQL for console accounts. The same statements run on SQLite and PostgreSQL.

use time::OffsetDateTime;

use crate::db::{with_pool, Db};

const COLUMNS: &str = "id, email, display_name, role, password_hash, disabled, session_epoch, \
                       created_at, updated_at, last_sign_in_at, user_sourced_id";

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct AccountRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
    pub session_epoch: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub last_sign_in_at: Option<OffsetDateTime>,
    pub user_sourced_id: Option<String>,
}

pub(crate) struct InsertAccount<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub now: OffsetDateTime,
}

pub(crate) async fn insert(db: &Db, new: InsertAccount<'_>) -> Result<AccountRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO accounts (email, display_name, role, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    );
    with_pool!(db, pool => sqlx::query_as::<_, AccountRow>(&sql)
        .bind(new.email)
        .bind(new.display_name)
        .bind(new.role)
        .bind(new.password_hash)
        .bind(new.now)
        .bind(new.now)
        .fetch_one(pool)
        .await)
}

/// Inserts only while the table is empty; `None` when some account exists already (which is
/// also what a second process racing on first start gets).
pub(crate) async fn insert_if_none(db: &Db, new: InsertAccount<'_>) -> Result<Option<AccountRow>, sqlx::Error> {
    let sql = format!(
        "INSERT INTO accounts (email, display_name, role, password_hash, created_at, updated_at) \
         SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM accounts) RETURNING {COLUMNS}"
    );
    let result = match db {
        // One statement is atomic in SQLite (it takes the database's write lock).
        Db::Sqlite(pool) => {
            sqlx::query_as::<_, AccountRow>(&sql)
                .bind(new.email)
                .bind(new.display_name)
                .bind(new.role)
                .bind(new.password_hash)
                .bind(new.now)
                .bind(new.now)
                .fetch_optional(pool)
                .await
        }
        // Under READ COMMITTED two servers could both see an empty table; a transaction-scoped
        // advisory lock makes the second wait and then see the first one's admin.
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock(7265636)").execute(&mut *tx).await?;
            let row = sqlx::query_as::<_, AccountRow>(&sql)
                .bind(new.email)
                .bind(new.display_name)
                .bind(new.role)
                .bind(new.password_hash)
                .bind(new.now)
                .bind(new.now)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(row)
        }
    };
    match result {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        other => other,
    }
}

/// Whether any account exists.
pub(crate) async fn any(db: &Db) -> Result<bool, sqlx::Error> {
    let count = with_pool!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM accounts")
        .fetch_one(pool)
        .await)?;
    Ok(count > 0)
}

pub(crate) async fn by_email(db: &Db, email: &str) -> Result<Option<AccountRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE email = $1");
    with_pool!(db, pool => sqlx::query_as::<_, AccountRow>(&sql).bind(email).fetch_optional(pool).await)
}

pub(crate) async fn by_id(db: &Db, id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1");
    with_pool!(db, pool => sqlx::query_as::<_, AccountRow>(&sql).bind(id).fetch_optional(pool).await)
}

pub(crate) async fn list(db: &Db) -> Result<Vec<AccountRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM accounts ORDER BY email");
    with_pool!(db, pool => sqlx::query_as::<_, AccountRow>(&sql).fetch_all(pool).await)
}

/// Sets a new password hash and bumps the session epoch (signing the account out everywhere).
pub(crate) async fn set_password(
    db: &Db,
    id: i64,
    password_hash: &str,
    now: OffsetDateTime,
) -> Result<Option<AccountRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE accounts SET password_hash = $1, session_epoch = session_epoch + 1, updated_at = $2 \
         WHERE id = $3 RETURNING {COLUMNS}"
    );
    with_pool!(db, pool => sqlx::query_as::<_, AccountRow>(&sql)
        .bind(password_hash)
        .bind(now)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

pub(crate) async fn set_disabled(
    db: &Db,
    id: i64,
    disabled: bool,
    now: OffsetDateTime,
) -> Result<Option<AccountRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE accounts SET disabled = $1, updated_at = $2 WHERE id = $3 RETURNING {COLUMNS}"
    );
    with_pool!(db, pool => sqlx::query_as::<_, AccountRow>(&sql)
        .bind(disabled)
        .bind(now)
        .bind(id)
        .fetch_optional(pool)
        .await)
}

pub(crate) async fn touch_sign_in(db: &Db, id: i64, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => sqlx::query("UPDATE accounts SET last_sign_in_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// A teacher account for roster user `user`, without a usable password until an invitation is
/// accepted (`!` is no PHC string, so nothing verifies against it).
pub(crate) async fn insert_teacher(
    db: &Db,
    email: &str,
    display_name: &str,
    user: &str,
    now: OffsetDateTime,
) -> Result<AccountRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO accounts (email, display_name, role, password_hash, created_at, updated_at, user_sourced_id) \
         VALUES ($1, $2, 'teacher', '!', $3, $4, $5) RETURNING {COLUMNS}"
    );
    with_pool!(db, pool => sqlx::query_as::<_, AccountRow>(&sql)
        .bind(email)
        .bind(display_name)
        .bind(now)
        .bind(now)
        .bind(user)
        .fetch_one(pool)
        .await)
}

/// The teacher account of roster user `user`, if any.
pub(crate) async fn by_user(db: &Db, user: &str) -> Result<Option<AccountRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM accounts WHERE user_sourced_id = $1");
    with_pool!(db, pool => sqlx::query_as::<_, AccountRow>(&sql).bind(user).fetch_optional(pool).await)
}

/// Updates a teacher account's e-mail and name from the roster (they may have changed since the
/// account was made).
pub(crate) async fn refresh_teacher(
    db: &Db,
    id: i64,
    email: &str,
    display_name: &str,
    now: OffsetDateTime,
) -> Result<Option<AccountRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE accounts SET email = $1, display_name = $2, updated_at = $3 WHERE id = $4 RETURNING {COLUMNS}"
    );
    with_pool!(db, pool => sqlx::query_as::<_, AccountRow>(&sql)
        .bind(email)
        .bind(display_name)
        .bind(now)
        .bind(id)
        .fetch_optional(pool)
        .await)
}
