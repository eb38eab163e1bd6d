//! Test databases: a temporary SQLite file, or a fresh database on a real PostgreSQL server.

use std::{ops::Deref, time::Duration};

use sqlx::{Connection, Executor, PgConnection};
use store::Store;

/// The PostgreSQL server the contract runs against.
pub fn pg_admin_url() -> String {
    std::env::var("ROLLBOOK_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// A store on a database that exists only for one test.
pub struct TestDb {
    pub store: Store,
    /// The URL the store was opened with (to open a second "process" on the same data).
    pub url: String,
    /// The data folder (held packages live here); for SQLite also the database file's.
    pub data: tempfile::TempDir,
    sqlite: bool,
    pg_name: Option<String>,
    extra_pg: std::sync::Mutex<Vec<String>>,
}

impl Deref for TestDb {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", data.path().join("rollbook.db").display());
        let store = store::connect(&url).await.expect("open SQLite");
        TestDb { store, url, data, sqlite: true, pg_name: None, extra_pg: Default::default() }
    }

    pub async fn postgres() -> Self {
        let admin = pg_admin_url();
        let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
            panic!(
                "the PostgreSQL half of the store contract needs a server: cannot connect to {} ({e}). \
                 Set ROLLBOOK_TEST_PG_URL or run scripts/test.sh, which starts one.",
                store::redact_url(&admin)
            )
        });
        let name = format!("rollbook_t_{}", hex_id());
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
        conn.close().await.ok();
        let url = pg_url(&name);
        let store = store::connect(&url).await.expect("open PostgreSQL");
        let data = tempfile::tempdir().expect("temp dir");
        TestDb { store, url, data, sqlite: false, pg_name: Some(name), extra_pg: Default::default() }
    }

    /// Opens a second, independent store on the same data (as another server process would).
    pub async fn second_process(&self) -> Store {
        store::connect(&self.url).await.expect("second connection")
    }

    /// The URL of another, empty database of the same kind (dropped with this one).
    pub async fn fresh_database(&self) -> String {
        match self.sqlite {
            true => format!("sqlite://{}", self.data.path().join(format!("{}.db", hex_id())).display()),
            false => {
                let name = format!("rollbook_t_{}", hex_id());
                let mut conn = PgConnection::connect(&pg_admin_url()).await.expect("connect");
                conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
                self.extra_pg.lock().unwrap().push(name.clone());
                pg_url(&name)
            }
        }
    }

    /// Closes the pool and drops the PostgreSQL databases.
    pub async fn finish(self) {
        self.store.close().await;
        let mut names = self.extra_pg.lock().unwrap().clone();
        names.extend(self.pg_name.clone());
        if names.is_empty() {
            return;
        }
        if let Ok(mut conn) = PgConnection::connect(&pg_admin_url()).await {
            for name in names {
                let _ = tokio::time::timeout(
                    Duration::from_secs(10),
                    conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()),
                )
                .await;
            }
        }
    }
}

fn pg_url(database: &str) -> String {
    let mut url = url::Url::parse(&pg_admin_url()).expect("ROLLBOOK_TEST_PG_URL is a URL");
    url.set_path(database);
    url.to_string()
}

fn hex_id() -> String {
    use rand::Rng;
    format!("{:016x}", rand::thread_rng().gen::<u64>())
}
