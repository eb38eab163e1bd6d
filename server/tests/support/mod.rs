//! `spawn_app()`: a real Rollbook server on a free loopback port with its own SQLite database.
#![allow(dead_code)]

pub mod district;

use std::{net::SocketAddr, path::PathBuf};

use reqwest::{header, redirect::Policy, Client, Response};
use server::{Server, Settings};
use store::{secret_key::SecretKey, NewAccount, Role, Store};

pub const ADMIN_EMAIL: &str = "dana@district.example";
pub const ADMIN_PASSWORD: &str = "correct-horse-battery";

pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    pub store: Store,
    pub dir: PathBuf,
    /// The server key the server seals and opens OAuth 1.0a secrets with.
    pub secret_key: SecretKey,
    server: Server,
    _tmp: Option<tempfile::TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Options for [`spawn_with`].
#[derive(Default)]
pub struct Spawn {
    /// Serve an existing data folder (a second process on the same database).
    pub data_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    pub trust_forwarded_for: bool,
    /// Use this database instead of SQLite in the data folder.
    pub database_url: Option<String>,
    /// Bearer token lifetime (default one hour).
    pub token_lifetime: Option<time::Duration>,
    /// Requests per minute per app (default 6000).
    pub rate_limit: Option<u32>,
    /// Send invitation e-mail through this SMTP server.
    pub smtp_url: Option<String>,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(Spawn::default()).await
}

pub async fn spawn_with(opts: Spawn) -> TestApp {
    let (tmp, dir) = match opts.data_dir {
        Some(dir) => (None, dir),
        None => {
            let tmp = tempfile::tempdir().expect("temp dir");
            let dir = tmp.path().to_path_buf();
            (Some(tmp), dir)
        }
    };
    let database_url =
        opts.database_url.unwrap_or_else(|| format!("sqlite://{}", dir.join("rollbook.db").display()));
    // Opened as `rollbook serve` opens it (token checks remembered), so that the tests see what a
    // server does.
    let store = store::connect_with(&database_url, store::StoreOptions::server()).await.expect("open test database");
    if store.account_by_email(ADMIN_EMAIL).await.unwrap().is_none() {
        store
            .create_account(NewAccount {
                email: ADMIN_EMAIL.into(),
                display_name: Some("Dana Whitfield".into()),
                role: Role::DistrictAdmin,
                password: ADMIN_PASSWORD.into(),
            })
            .await
            .unwrap();
    }
    // A server on an existing data folder uses its key, as `rollbook serve` would.
    let secret_key = std::fs::read_to_string(dir.join("secret.key"))
        .ok()
        .map(|hex| SecretKey::from_hex(&hex).expect("secret.key holds a key"))
        .unwrap_or_else(SecretKey::generate);
    let settings = Settings {
        data_dir: dir.clone(),
        database_url,
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: opts.public_url.map(|u| u.parse().unwrap()),
        admin_email: "admin@rollbook.local".into(),
        site_root: dir.join("site"),
        trust_forwarded_for: opts.trust_forwarded_for,
        secret_key: secret_key.clone(),
        inbox_poll: Some(std::time::Duration::from_millis(100)),
        recovery_every: Some(std::time::Duration::from_millis(200)),
        token_lifetime: opts.token_lifetime.unwrap_or(time::Duration::hours(1)),
        rate_limit: opts.rate_limit.unwrap_or(6000),
        tombstone_days: 400,
        answer_cache_mb: 64,
        mailer: opts.smtp_url.as_deref().map(|u| app::mail::Mailer::new(u, "Rollbook <rollbook@district.example>").expect("smtp url")),
    };
    let server = server::serve(&settings, store.clone()).await.expect("start server");
    TestApp { base: format!("http://{}", server.addr), addr: server.addr, store, dir, secret_key, server, _tmp: tmp }
}

/// A client that keeps cookies like a browser but shows redirects instead of following them.
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Calls a console server function the way the hydrated console does (form-encoded POST).
    pub async fn call(&self, client: &Client, name: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/api/{name}")))
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in(&self, client: &Client, email: &str, password: &str) -> Response {
        self.call(client, "sign_in", &[("email", email), ("password", password)]).await
    }
}

/// The value of the session cookie a response sets, if any.
pub fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("rollbook_session="))
        .map(str::to_owned)
}

fn pg_admin_url() -> String {
    std::env::var("ROLLBOOK_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// Drops a database made by [`fresh_postgres_database`] (its servers' connections are cut).
pub async fn drop_postgres_database(url: &str) {
    use sqlx::{Connection, Executor};
    let name = url::Url::parse(url).unwrap().path().trim_start_matches('/').to_string();
    let mut conn = sqlx::PgConnection::connect(&pg_admin_url()).await.unwrap();
    conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await.unwrap();
}

/// A new, empty database on the test PostgreSQL server (`ROLLBOOK_TEST_PG_URL`, else
/// 127.0.0.1:5432); `scripts/test.sh` makes sure one is there.
pub async fn fresh_postgres_database() -> String {
    use sqlx::{Connection, Executor};
    let admin = pg_admin_url();
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("needs PostgreSQL (set ROLLBOOK_TEST_PG_URL or run scripts/test.sh): {e}"));
    let name = format!("rollbook_http_{}", uuid::Uuid::new_v4().simple());
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    url.to_string()
}
