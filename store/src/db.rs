//! Opening the database: URL parsing, pool options per dialect, migrations.

use std::{str::FromStr, time::Duration};

use sqlx::{
    ConnectOptions, Connection,
    postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous},
};

use crate::{service::accounts::ThrottlePolicy, sessions::SessionBackend, StoreError};

/// Runs `$body` with `$pool` bound to the concrete pool of whichever database is open.
///
/// Both arms expand the same tokens, so a query is written once with `$1` placeholders and
/// runtime binding, and compiles against each driver's own types.
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// The connection pool of the open database.
#[derive(Clone, Debug)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a [`Store`] runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// Rollbook's handle on its database. Cheap to clone; all clones share one pool.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) db: Db,
    pub(crate) throttle: ThrottlePolicy,
    sessions: SessionBackend,
    redacted_url: String,
    /// Totals and page positions of API queries (see `delivery::cache`).
    pub(crate) delivery_cache: std::sync::Arc<crate::delivery::cache::DeliveryCache>,
    /// The roster's record counts and the revision they were counted at (see `roster_counts`).
    pub(crate) counts_cache: std::sync::Arc<std::sync::Mutex<Option<(i64, crate::roster::RosterCounts)>>>,
    /// Whether every new revision is counted in the background (see [`Store::keep_roster_counts`]).
    pub(crate) counts_kept: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Bearer token rows remembered for a moment (see `service::token_memo`).
    pub(crate) token_memo: std::sync::Arc<crate::service::token_memo::TokenMemo>,
    /// The imports this store is running (see `roster::import::alive`).
    pub(crate) live_runners: crate::roster::LiveRunners,
}

/// How a process uses the database, where that changes how it is opened.
#[derive(Clone, Copy, Debug, Default)]
pub struct StoreOptions {
    /// SQLite: read the database file through a memory map. For processes that mostly read
    /// (`rollbook serve`, `rollbook export`): a page visit is then a memory access instead of
    /// a copy out of the OS's cache into the connection's own small cache, which was a fifth
    /// of a large export's database time. Commands that mostly write leave it off: every
    /// page an import touches through the map counts as the process's memory (a 1% delta of
    /// a 1M-student roster peaked at 780 MiB with the map, 266 MiB without it).
    pub memory_map: bool,
    /// How long a bearer token check is remembered (zero: every request reads the database).
    /// A server remembers them briefly: see `service::token_memo` for what it means for
    /// changes made by other processes.
    pub token_memo: Duration,
}

impl StoreOptions {
    /// The options of `rollbook serve`: reads through the memory map, token checks remembered
    /// for [`StoreOptions::SERVER_TOKEN_MEMO`].
    pub fn server() -> Self {
        StoreOptions { memory_map: true, token_memo: Self::SERVER_TOKEN_MEMO }
    }

    /// How long a server remembers a token check: a change made by another process (a
    /// command, another app server) reaches this one's API at most this much later.
    pub const SERVER_TOKEN_MEMO: Duration = Duration::from_secs(1);
}

/// Opens the database at `url` (`sqlite://PATH` or `postgres://...`) and runs its migrations.
///
/// SQLite files are created on first use (with their parent folder), in WAL mode with foreign
/// keys enforced. PostgreSQL must already exist and be reachable.
pub async fn connect(url: &str) -> Result<Store, StoreError> {
    connect_with(url, StoreOptions::default()).await
}

/// [`connect`] with `options`.
pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
    let redacted = redact_url(url);
    let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
    let db = match scheme {
        "sqlite" => Db::Sqlite(open_sqlite(url, &redacted, options).await?),
        "postgres" | "postgresql" => Db::Postgres(open_postgres(url, &redacted).await?),
        "" => {
            return Err(StoreError::InvalidUrl {
                url: redacted,
                reason: "it has no scheme".into(),
            })
        }
        other => {
            return Err(StoreError::InvalidUrl {
                url: redacted,
                reason: format!("`{other}` databases are not supported"),
            })
        }
    };
    // Before the migrations, which may refer to the indexes an interrupted first import
    // dropped (see `roster::shadow`).
    if let Db::Sqlite(pool) = &db {
        let migrating = sqlite_migrations_pending(pool).await?;
        crate::roster::shadow::settle_at_open(pool, migrating).await?;
    }
    migrate(&db).await?;
    let sessions = SessionBackend::for_db(&db);
    sessions.migrate().await?;
    Ok(Store {
        db,
        throttle: ThrottlePolicy::default(),
        sessions,
        redacted_url: redacted,
        delivery_cache: Default::default(),
        counts_cache: Default::default(),
        counts_kept: Default::default(),
        live_runners: Default::default(),
        token_memo: std::sync::Arc::new(crate::service::token_memo::TokenMemo::new(options.token_memo)),
    })
}

/// The memory map of a reading process's SQLite connections (more than any roster needs; the
/// map only reserves address space, and the mapped pages are the OS's file cache, shared by
/// all connections). `.cargo/config.toml` raises SQLite's compiled-in 2 GiB limit: a
/// 1M-student roster is 3.3 GB.
const SQLITE_MMAP_BYTES: &str = "68719476736";

/// How long a statement waits for SQLite's write lock, held by another writer, before it fails
/// with "database is locked". The roster's writers wait longer (see `roster::tuning`).
pub(crate) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

async fn open_sqlite(url: &str, redacted: &str, store_options: StoreOptions) -> Result<SqlitePool, StoreError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::InvalidUrl { url: redacted.into(), reason: e.to_string() })?
        .create_if_missing(true)
        // A large import's statements are slow by nature; their SQL (never values) is for
        // debugging, not for the operator's terminal.
        .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_secs(1))
        // 16 KiB pages for a new database (an existing one keeps its own): a 1M-student
        // roster's tables and indexes are gigabytes, and fewer, fuller pages made its first
        // import a fifth faster than SQLite's default 4 KiB (130 s against 104 s), with no
        // loss on a 1% delta.
        .page_size(16384)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        // A large import passes gigabytes through the write-ahead log; once they are
        // checkpointed, the file is cut back instead of keeping that size on disk.
        .pragma("journal_size_limit", "67108864")
        .pragma("mmap_size", if store_options.memory_map { SQLITE_MMAP_BYTES } else { "0" })
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT);
    let path = options.get_filename().to_path_buf();
    let in_memory = path.as_os_str().is_empty() || path.to_string_lossy().contains(":memory:");
    if !in_memory {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Unreachable {
                url: redacted.into(),
                reason: format!("cannot create the folder {}: {e}", parent.display()),
            })?;
        }
    }
    // An in-memory database exists once per connection, so it must be a single connection.
    let max = if in_memory { 1 } else { 8 };
    // Servers starting together on a new file: switching it to WAL needs a moment of exclusive
    // access, which fails at once (no busy wait) while another server migrates. Try again.
    let mut attempt = 0;
    loop {
        let result = SqlitePoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            // A connection to a local file does not go stale like a network one; pinging it
            // on every checkout was a round trip to its worker thread per statement.
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await;
        match result {
            Ok(pool) => return Ok(pool),
            Err(e) if attempt < 20 && describe(&e).contains("locked") => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => return Err(StoreError::Unreachable { url: redacted.into(), reason: describe(&e) }),
        }
    }
}

/// The database file of a SQLite pool; `None` for an in-memory database.
pub(crate) fn sqlite_file(pool: &SqlitePool) -> Option<std::path::PathBuf> {
    // sqlx names an in-memory database `file:sqlx-in-memory-N` (a URI, not a path).
    let path = pool.connect_options().get_filename().to_path_buf();
    let name = path.to_string_lossy();
    let in_memory = name.is_empty() || name.contains(":memory:") || name.starts_with("file:");
    (!in_memory).then_some(path)
}

async fn open_postgres(url: &str, redacted: &str) -> Result<PgPool, StoreError> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::InvalidUrl { url: redacted.into(), reason: e.to_string() })?
        .application_name("rollbook")
        .log_slow_statements(tracing::log::LevelFilter::Debug, Duration::from_secs(1));
    let unreachable = |e: sqlx::Error| StoreError::Unreachable { url: redacted.into(), reason: describe(&e) };
    // One direct connection first: a pool retries until its timeout and then reports only
    // "timed out", hiding the real reason (refused, unknown host, bad password, no database).
    let probe = tokio::time::timeout(Duration::from_secs(10), PgConnection::connect_with(&options))
        .await
        .map_err(|_| StoreError::Unreachable { url: redacted.into(), reason: "no answer within 10 seconds".into() })?
        .map_err(unreachable)?;
    let _ = probe.close().await;
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(unreachable)
}

/// Whether the SQLite database lacks one of the migrations this version brings.
async fn sqlite_migrations_pending(pool: &SqlitePool) -> Result<bool, StoreError> {
    let tracked: i64 = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')")
        .fetch_one(pool)
        .await?;
    if tracked == 0 {
        return Ok(true);
    }
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(pool).await?;
    Ok(sqlx::migrate!("../migrations/sqlite").iter().any(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version)))
}

async fn migrate(db: &Db) -> Result<(), StoreError> {
    // Servers starting together may race to apply the same migration (PostgreSQL serialises
    // them with an advisory lock; SQLite does not). A loser's retry finds it applied.
    let mut attempt = 0;
    loop {
        let result = match db {
            Db::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await,
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await,
        };
        match result {
            Ok(()) => return Ok(()),
            Err(_) if attempt < 2 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(StoreError::Migrate(e.to_string())),
        }
    }
}

/// A short, human description of a connection error (without the URL).
fn describe(err: &sqlx::Error) -> String {
    match err {
        sqlx::Error::Io(io) => io.to_string(),
        sqlx::Error::Database(db) => db.message().to_string(),
        sqlx::Error::PoolTimedOut => "timed out waiting for a connection".into(),
        other => other.to_string(),
    }
}

/// `url` with any password replaced by `***`, for messages and logs. Works on URLs too malformed
/// to parse, since those are exactly the ones that end up in error messages. The user info ends
/// at the last `@` (passwords may contain `/`, `?`, `#` or `@`); when in doubt this redacts more.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_string() };
    let rest = &url[scheme_end..];
    let Some(at) = rest.rfind('@') else { return url.to_string() };
    match rest[..at].find(':') {
        Some(colon) => format!("{}{}:***{}", &url[..scheme_end], &rest[..colon], &rest[at..]),
        None => url.to_string(),
    }
}

impl Store {
    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite database file; `None` for PostgreSQL or an in-memory database.
    pub(crate) fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        match &self.db {
            Db::Sqlite(pool) => sqlite_file(pool),
            Db::Postgres(_) => None,
        }
    }

    /// The database URL with its password removed.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }

    /// Checks that the database answers a trivial query (used by `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(&self.db, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// The tower-sessions store that keeps console sessions in this database, so that several
    /// `rollbook serve` processes share sign-ins.
    pub fn session_store(&self) -> SessionBackend {
        self.sessions.clone()
    }

    /// Whether a write would get the database's write lock at once: false on SQLite while
    /// another writer (a long import) holds it; always true on PostgreSQL, where writers of
    /// different rows do not wait for each other. For writes that can be put off, such as
    /// moving a session's idle deadline.
    pub async fn can_write_now(&self) -> bool {
        let Db::Sqlite(pool) = &self.db else { return true };
        let probe = async {
            let mut conn = pool.acquire().await?;
            // Closed afterwards rather than going back to the pool without a wait.
            conn.close_on_drop();
            sqlx::query("PRAGMA busy_timeout = 0").execute(&mut *conn).await?;
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
            sqlx::query("ROLLBACK").execute(&mut *conn).await?;
            Ok::<_, sqlx::Error>(())
        };
        probe.await.is_ok()
    }

    /// Replaces the sign-in throttling policy (tests and settings use this).
    pub fn with_throttle_policy(mut self, policy: ThrottlePolicy) -> Self {
        self.throttle = policy;
        self
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        with_pool!(&self.db, pool => pool.close().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_password_only() {
        assert_eq!(redact_url("postgres://bob:s3cret@db:5432/roll"), "postgres://bob:***@db:5432/roll");
        assert_eq!(redact_url("postgres://bob@db/roll"), "postgres://bob@db/roll");
        assert_eq!(redact_url("sqlite://./data/rollbook.db"), "sqlite://./data/rollbook.db");
        assert_eq!(redact_url("postgres://u:pw@/"), "postgres://u:***@/");
        assert_eq!(redact_url("postgres://u:p@ss@h/db?x=1"), "postgres://u:***@h/db?x=1");
        assert_eq!(redact_url("nonsense"), "nonsense");
        assert_eq!(redact_url("postgres://u:pa/ss@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("postgres://u:p?a#s@s@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("postgres://h:5432/db"), "postgres://h:5432/db");
    }

    #[tokio::test]
    async fn unknown_scheme_is_a_clear_error() {
        let err = connect("mysql://root@localhost/x").await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "`mysql://root@localhost/x` is not a usable database URL: `mysql` databases are not supported. Expected sqlite://PATH (e.g. sqlite://./data/rollbook.db) or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
        );
        let err = connect("rollbook.db").await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidUrl { .. }), "{err}");
    }
}
