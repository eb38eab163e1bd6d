//! The command-line tests' harness: the `rollbook` binary run as an operator runs it, on
//! SQLite and on PostgreSQL, and what those tests read back from the store.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use serde_json::Value;

use crate::support;

pub(crate) fn sample(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path)
}

pub(crate) fn rollbook(data_dir: &Path, database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rollbook"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ROLLBOOK_DATA_DIR", data_dir)
        .env("ROLLBOOK_DATABASE_URL", database_url)
        .env("USER", "ops")
        .env("RUST_LOG", "warn");
    cmd
}

pub(crate) fn run(data_dir: &Path, url: &str, args: &[&str]) -> Output {
    rollbook(data_dir, url).args(args).stdin(Stdio::null()).output().expect("run rollbook")
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub(crate) fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("JSON ({e}): {}\n{}", text(&out.stdout), text(&out.stderr)))
}

/// Runs `journey` once on SQLite and once on a fresh PostgreSQL database.
pub(crate) fn on_both(journey: impl Fn(&Path, &str)) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("rollbook.db").display());
    journey(dir.path(), &sqlite);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pg = rt.block_on(support::fresh_postgres_database());
    let pg_dir = tempfile::tempdir().unwrap();
    journey(pg_dir.path(), &pg);
    rt.block_on(support::drop_postgres_database(&pg));
}

/// A bulk package of `n` students at one school, family name `family` (a second version of
/// the package changes every student).
pub(crate) fn write_package(dir: &Path, n: usize, family: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let mut manifest = String::from("propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n");
    for spec in oneroster::csv::catalog(oneroster::Version::V1p2) {
        let mode = if ["orgs.csv", "users.csv", "roles.csv"].contains(&spec.name) { "bulk" } else { "absent" };
        writeln!(manifest, "{},{mode}", spec.manifest_key()).unwrap();
    }
    std::fs::write(dir.join("manifest.csv"), manifest).unwrap();
    std::fs::write(dir.join("orgs.csv"), "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\nd,,,District,district,,\ns,,,School,school,,d\n").unwrap();
    let mut users = String::from("sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,primaryOrgSourcedId,pronouns\n");
    let mut roles = String::from("sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\n");
    for i in 0..n {
        writeln!(users, "u{i},,,true,user{i},,Student{i},{family},,{i},u{i}@example.org,,,,05,,,,,,s,").unwrap();
        writeln!(roles, "r{i},,,u{i},primary,student,,,s,").unwrap();
    }
    std::fs::write(dir.join("users.csv"), users).unwrap();
    std::fs::write(dir.join("roles.csv"), roles).unwrap();
}

/// SQLite: every table and index (type and name) and the roster settings' keys; empty for
/// PostgreSQL, and before the database exists.
/// PostgreSQL: whether a session holds the roster writers' advisory lock (`store::roster::tx`).
pub(crate) fn roster_lock_held(url: &str) -> bool {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let Ok(pool) = sqlx::PgPool::connect(url).await else { return false };
        let held: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 7401 AND objsubid = 1 AND granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))")
            .fetch_one(&pool)
            .await
            .unwrap_or(false);
        pool.close().await;
        held
    })
}

pub(crate) fn sqlite_schema(url: &str) -> Vec<String> {
    if !url.starts_with("sqlite:") {
        return Vec::new();
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        // Nothing yet (the database not created or not migrated): no names.
        let Ok(pool) = sqlx::SqlitePool::connect(url).await else { return Vec::new() };
        let mut names: Vec<String> = sqlx::query_scalar(
            "SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' \
             UNION ALL SELECT 'setting ' || key FROM roster_settings ORDER BY 1",
        )
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
        names.retain(|n| n != "setting ");
        pool.close().await;
        names
    })
}

/// Watches a PostgreSQL database for an import with one of its transactions open: it holds
/// the roster's transaction-scoped advisory lock (see `store::roster::tx`) while its imports
/// row says running. One kept connection, so that a look is one round trip.
pub(crate) struct PgWatch {
    rt: tokio::runtime::Runtime,
    conn: sqlx::PgConnection,
}

impl PgWatch {
    pub(crate) fn new(url: &str) -> PgWatch {
        use sqlx::Connection;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let conn = rt.block_on(sqlx::PgConnection::connect(url)).unwrap();
        PgWatch { rt, conn }
    }

    pub(crate) fn import_writing(&mut self) -> bool {
        let query = sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = 7401 AND objsubid = 1 \
             AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             AND EXISTS (SELECT 1 FROM imports WHERE status = 'running')",
        );
        self.rt.block_on(query.fetch_one(&mut self.conn)).unwrap() > 0
    }

    pub(crate) fn close(self) {
        use sqlx::Connection;
        self.rt.block_on(self.conn.close()).unwrap();
    }
}

/// The family names of every user as one set (all old, all new, or none: never a mix).
pub(crate) fn family_names(data: &Path, url: &str) -> (i64, Vec<String>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = store::connect(url).await.unwrap();
        let revision = store.current_revision().await.unwrap();
        let counts = store.roster_counts().await.unwrap();
        let mut names = std::collections::BTreeSet::new();
        for i in [0, 1, 7_000, 19_999] {
            if let Some(rec) = store.roster_record("users", &format!("u{i}")).await.unwrap() {
                names.insert(rec["family_name"].clone().unwrap());
            }
        }
        let users = counts["users"].active;
        let roles = counts["roles"].active;
        store.close().await;
        assert!(users == roles, "users and roles move together: {users} users, {roles} roles");
        assert!(users == 0 || users == 20_000, "all or nothing, not {users} ({data:?})");
        (revision, names.into_iter().collect())
    })
}
