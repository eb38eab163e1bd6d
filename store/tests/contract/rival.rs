//! A rival roster writer: another process's import, as far as an import under test can tell.
//! It takes the roster's write lock while the import validates, changes the roster, and
//! commits while the import waits for the lock.

use std::{
    sync::{mpsc, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use oneroster::model::format_datetime;
use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use store::roster::{ImportOptions, ImportReport, Progress};

use crate::support::TestDb;

/// Imports `path` (source `sis`) while a rival writer runs `update` (one statement that must
/// change one row). Returns the report and the time the rival took just before it committed.
pub async fn import_with_rival(db: &TestDb, path: &std::path::Path, skip_invalid: Option<bool>, update: &str) -> (ImportReport, String) {
    let mut options = ImportOptions::new("sis", db.data.path());
    options.skip_invalid = skip_invalid;
    let progress = RivalOnValidating { url: db.url.clone(), update: update.to_string(), rival: Mutex::new(None) };
    let report = db.import_package(path, &options, &progress).await.expect("import runs");
    let rival = progress.rival.lock().unwrap().take().expect("the import said it was validating");
    let committing_at = rival.join().expect("the rival writer finished");
    (report, committing_at)
}

/// Progress that starts the rival when the import starts validating, and lets the import go on
/// once the rival holds the lock.
struct RivalOnValidating {
    url: String,
    update: String,
    rival: Mutex<Option<JoinHandle<String>>>,
}

impl Progress for RivalOnValidating {
    fn phase(&self, name: &str) {
        let mut rival = self.rival.lock().unwrap();
        if name != "validating" || rival.is_some() {
            return;
        }
        let (locked, holds_lock) = mpsc::channel();
        let (url, update) = (self.url.clone(), self.update.clone());
        *rival = Some(std::thread::spawn(move || write_under_lock(&url, &update, locked)));
        holds_lock.recv().expect("the rival writer holds the lock");
    }
    fn rows(&self, _: u64) {}
}

/// The rival, on its own thread and runtime (the import's runtime waits for `locked`).
fn write_under_lock(url: &str, update: &str, locked: mpsc::Sender<()>) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        if url.starts_with("sqlite:") {
            let mut conn = SqliteConnection::connect(url).await.unwrap();
            conn.execute("BEGIN IMMEDIATE").await.unwrap();
            assert_eq!(conn.execute(update).await.unwrap().rows_affected(), 1, "{update}");
            locked.send(()).unwrap();
            // SQLite shows no writer waiting for its lock: give the import time to reach it
            // (validating a test package takes milliseconds).
            tokio::time::sleep(Duration::from_millis(500)).await;
            let at = format_datetime(time::OffsetDateTime::now_utc());
            conn.execute("COMMIT").await.unwrap();
            at
        } else {
            let mut conn = PgConnection::connect(url).await.unwrap();
            conn.execute("BEGIN").await.unwrap();
            // The roster writers' advisory lock (`Tx::begin`).
            conn.execute("SELECT pg_advisory_xact_lock(7401)").await.unwrap();
            assert_eq!(conn.execute(update).await.unwrap().rows_affected(), 1, "{update}");
            locked.send(()).unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").fetch_one(&mut conn).await.unwrap();
                if waiting > 0 {
                    break;
                }
                assert!(Instant::now() < deadline, "the import never waited for the roster's write lock");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let at = format_datetime(time::OffsetDateTime::now_utc());
            conn.execute("COMMIT").await.unwrap();
            at
        }
    })
}
