//! SQL for apps, their secrets, bearer tokens and OAuth 1.0a nonces. The same statements run on
//! SQLite and PostgreSQL.

use time::OffsetDateTime;

use crate::db::{with_pool, Db};

const APP_COLUMNS: &str =
    "id, name, vendor, contact, versions, enabled, client_id, rate_limit, created_at, updated_at, last_access_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct AppRow {
    pub id: i64,
    pub name: String,
    pub vendor: String,
    pub contact: String,
    pub versions: String,
    pub enabled: bool,
    pub client_id: String,
    pub rate_limit: Option<i64>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub last_access_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct SecretRow {
    pub id: i64,
    pub secret_hash: String,
    pub sealed_secret: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// What a bearer token lookup needs, with the token's app, in one round trip.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct TokenRow {
    #[sqlx(flatten)]
    pub app: AppRow,
    pub scopes: String,
    pub expires_at: OffsetDateTime,
    pub secret_revoked_at: Option<OffsetDateTime>,
    pub secret_expires_at: Option<OffsetDateTime>,
    /// The app's share rules (JSON), if it has a share.
    pub share_rules: Option<String>,
    /// The share's generation (0 without a share).
    pub share_generation: i64,
    /// The roster's newest revision (0 before the first import).
    pub revision: i64,
}

pub(crate) struct InsertApp<'a> {
    pub name: &'a str,
    pub vendor: &'a str,
    pub contact: &'a str,
    pub versions: &'a str,
    pub client_id: &'a str,
    pub now: OffsetDateTime,
}

pub(crate) async fn insert(db: &Db, new: InsertApp<'_>) -> Result<AppRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO apps (name, vendor, contact, versions, client_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {APP_COLUMNS}"
    );
    with_pool!(db, pool => sqlx::query_as::<_, AppRow>(&sql)
        .bind(new.name).bind(new.vendor).bind(new.contact).bind(new.versions).bind(new.client_id).bind(new.now)
        .fetch_one(pool).await)
}

pub(crate) async fn list(db: &Db) -> Result<Vec<AppRow>, sqlx::Error> {
    let sql = format!("SELECT {APP_COLUMNS} FROM apps ORDER BY lower(name), id");
    with_pool!(db, pool => sqlx::query_as::<_, AppRow>(&sql).fetch_all(pool).await)
}

pub(crate) async fn by_id(db: &Db, id: i64) -> Result<Option<AppRow>, sqlx::Error> {
    let sql = format!("SELECT {APP_COLUMNS} FROM apps WHERE id = $1");
    with_pool!(db, pool => sqlx::query_as::<_, AppRow>(&sql).bind(id).fetch_optional(pool).await)
}

/// An app by exact name, or else by client id.
pub(crate) async fn by_name_or_client_id(db: &Db, text: &str) -> Result<Option<AppRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {APP_COLUMNS} FROM apps WHERE name = $1 OR client_id = $1 ORDER BY (name = $1) DESC LIMIT 1"
    );
    with_pool!(db, pool => sqlx::query_as::<_, AppRow>(&sql).bind(text).fetch_optional(pool).await)
}

pub(crate) async fn by_client_id(db: &Db, client_id: &str) -> Result<Option<AppRow>, sqlx::Error> {
    let sql = format!("SELECT {APP_COLUMNS} FROM apps WHERE client_id = $1");
    with_pool!(db, pool => sqlx::query_as::<_, AppRow>(&sql).bind(client_id).fetch_optional(pool).await)
}

/// Writes every editable column of `row` (the caller merged the patch).
pub(crate) async fn update(db: &Db, row: &AppRow, now: OffsetDateTime) -> Result<Option<AppRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE apps SET name = $1, vendor = $2, contact = $3, versions = $4, enabled = $5, rate_limit = $6, \
         updated_at = $7 WHERE id = $8 RETURNING {APP_COLUMNS}"
    );
    with_pool!(db, pool => sqlx::query_as::<_, AppRow>(&sql)
        .bind(&row.name).bind(&row.vendor).bind(&row.contact).bind(&row.versions).bind(row.enabled)
        .bind(row.rate_limit).bind(now).bind(row.id)
        .fetch_optional(pool).await)
}

pub(crate) async fn touch_access(db: &Db, id: i64, now: OffsetDateTime) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => sqlx::query("UPDATE apps SET last_access_at = $1 WHERE id = $2")
        .bind(now).bind(id).execute(pool).await.map(|_| ()))
}

pub(crate) async fn forget_sealed(db: &Db, app_id: i64) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => sqlx::query("UPDATE app_secrets SET sealed_secret = NULL WHERE app_id = $1")
        .bind(app_id).execute(pool).await.map(|_| ()))
}

pub(crate) async fn secrets(db: &Db, app_id: i64) -> Result<Vec<SecretRow>, sqlx::Error> {
    let sql = "SELECT id, secret_hash, sealed_secret, created_at, expires_at, revoked_at \
               FROM app_secrets WHERE app_id = $1 ORDER BY id DESC";
    with_pool!(db, pool => sqlx::query_as::<_, SecretRow>(sql).bind(app_id).fetch_all(pool).await)
}

/// Adds a secret. With `grace_until`, the app's earlier live secrets expire then (and tokens
/// issued with them expire no later); without it they are revoked with their tokens.
/// One transaction: there is never a moment with no working secret, nor two current ones.
pub(crate) async fn add_secret(
    db: &Db,
    app_id: i64,
    secret_hash: &str,
    sealed_secret: Option<&str>,
    grace_until: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        // The app row is written first so that concurrent rotations of one app queue up here.
        sqlx::query("UPDATE apps SET updated_at = $1 WHERE id = $2").bind(now).bind(app_id).execute(&mut *tx).await?;
        match grace_until {
            Some(until) => {
                sqlx::query(
                    "UPDATE app_tokens SET expires_at = $1 WHERE expires_at > $1 AND secret_id IN \
                     (SELECT id FROM app_secrets WHERE app_id = $2 AND revoked_at IS NULL)",
                )
                .bind(until).bind(app_id).execute(&mut *tx).await?;
                sqlx::query(
                    "UPDATE app_secrets SET expires_at = $1 WHERE app_id = $2 AND revoked_at IS NULL \
                     AND (expires_at IS NULL OR expires_at > $1)",
                )
                .bind(until).bind(app_id).execute(&mut *tx).await?;
            }
            None => {
                sqlx::query("DELETE FROM app_tokens WHERE app_id = $1").bind(app_id).execute(&mut *tx).await?;
                sqlx::query("UPDATE app_secrets SET revoked_at = $1 WHERE app_id = $2 AND revoked_at IS NULL")
                    .bind(now).bind(app_id).execute(&mut *tx).await?;
            }
        }
        sqlx::query("INSERT INTO app_secrets (app_id, secret_hash, sealed_secret, created_at) VALUES ($1, $2, $3, $4)")
            .bind(app_id).bind(secret_hash).bind(sealed_secret).bind(now).execute(&mut *tx).await?;
        tx.commit().await
    })
}

/// Revokes every secret of the app and deletes its tokens. Returns how many secrets were live.
pub(crate) async fn revoke_all(db: &Db, app_id: i64, now: OffsetDateTime) -> Result<u64, sqlx::Error> {
    with_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query("DELETE FROM app_tokens WHERE app_id = $1").bind(app_id).execute(&mut *tx).await?;
        let n = sqlx::query("UPDATE app_secrets SET revoked_at = $1 WHERE app_id = $2 AND revoked_at IS NULL")
            .bind(now).bind(app_id).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n)
    })
}

pub(crate) async fn insert_token(
    db: &Db,
    token_hash: &str,
    app_id: i64,
    secret_id: i64,
    scopes: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    with_pool!(db, pool => {
        // Expired tokens are cleared as new ones are issued, so the table stays small without a
        // background job.
        sqlx::query("DELETE FROM app_tokens WHERE expires_at < $1").bind(now).execute(pool).await?;
        sqlx::query(
            "INSERT INTO app_tokens (token_hash, app_id, secret_id, scopes, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash).bind(app_id).bind(secret_id).bind(scopes).bind(now).bind(expires_at)
        .execute(pool).await.map(|_| ())
    })
}

pub(crate) async fn token(db: &Db, token_hash: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    // Every API request starts here, so the app and what its answers depend on (its share and
    // the roster's revision) come in the same statement.
    let app_columns: Vec<String> = APP_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect();
    let sql = format!(
        "SELECT {}, t.scopes, t.expires_at, s.revoked_at AS secret_revoked_at, s.expires_at AS secret_expires_at, \
         sh.rules AS share_rules, COALESCE(sh.generation, 0) AS share_generation, \
         (SELECT COALESCE(MAX(id), 0) FROM revisions) AS revision \
         FROM app_tokens t JOIN app_secrets s ON s.id = t.secret_id JOIN apps a ON a.id = t.app_id \
         LEFT JOIN app_shares sh ON sh.app_id = a.id \
         WHERE t.token_hash = $1",
        app_columns.join(", ")
    );
    with_pool!(db, pool => sqlx::query_as::<_, TokenRow>(&sql).bind(token_hash).fetch_optional(pool).await)
}

/// Records a nonce; false when the same (app, nonce, timestamp) was seen before. Nonces whose
/// timestamp is before `forget_before` (Unix seconds) are cleared on the way: such requests are
/// refused by their timestamp anyway.
pub(crate) async fn remember_nonce(
    db: &Db,
    app_id: i64,
    nonce: &str,
    timestamp: i64,
    now: OffsetDateTime,
    forget_before: i64,
) -> Result<bool, sqlx::Error> {
    with_pool!(db, pool => {
        sqlx::query("DELETE FROM oauth1_nonces WHERE timestamp < $1").bind(forget_before).execute(pool).await?;
        let inserted = sqlx::query(
            "INSERT INTO oauth1_nonces (app_id, nonce, timestamp, seen_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(app_id).bind(nonce).bind(timestamp).bind(now)
        .execute(pool).await?.rows_affected();
        Ok(inserted == 1)
    })
}
