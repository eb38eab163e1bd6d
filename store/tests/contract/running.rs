//! Contract case: marking cut-off imports failed, while other imports are still running.

use std::sync::Mutex;

use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use store::roster::{ImportOptions, Outcome, Progress};

use crate::{
    packages::{import, orgs, roles, users, Pkg},
    support::TestDb,
};

/// What another process saw while the import ran: how many imports its recovery marked
/// failed, then every import with its outcome.
type Seen = (u64, Vec<(i64, Outcome)>);

/// A server starting (or `rollbook imports list`) while an import runs in another process
/// leaves that import running; imports whose process has ended are marked failed: one whose
/// lock nobody holds, and one from before imports took locks.
pub async fn recovery_leaves_imports_that_still_run_alone(db: &TestDb) {
    let base = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", 2, "A")).file("roles.csv", "bulk", &roles("s", 2, "sch1")).write();
    let first = import(db, base.path(), "sis", None).await;
    assert_eq!(first.outcome, Outcome::Applied, "{}", first.message);
    // Two imports a crash cut off: their rows say running, and nothing holds their locks.
    let cut_off = "INSERT INTO imports (source_id, origin, package_name, status, skip_invalid, started_at, actor, runner) \
                   SELECT source_id, 'cli', 'gone.zip', 'running', FALSE, '2026-12-01T00:00:00.000Z', 'cli', {runner} FROM imports WHERE id = {id}";
    execute(&db.url, &cut_off.replace("{runner}", "424242").replace("{id}", &first.id.to_string())).await;
    execute(&db.url, &cut_off.replace("{runner}", "NULL").replace("{id}", &first.id.to_string())).await;
    let (gone, older) = (first.id + 1, first.id + 2);

    let delta = Pkg::new().file("users.csv", "delta", &["s3,active,2026-12-01T00:00:00.000Z,true,s3.user,,Pat3,A,,3,,,,,,,,,,,,".to_string()]).write();
    let progress = RecoverWhileValidating { url: db.url.clone(), seen: Mutex::new(None) };
    let r = db.import_package(delta.path(), &ImportOptions::new("sis", db.data.path()), &progress).await.unwrap();
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    let (marked, imports) = progress.seen.lock().unwrap().take().expect("recovered while the import was validating");
    assert_eq!(marked, 2, "{imports:?}");
    assert_eq!(imports, [(r.id, Outcome::Running), (older, Outcome::Failed), (gone, Outcome::Failed), (first.id, Outcome::Applied)]);

    // Once it has ended, its row says how, and there is nothing left to mark.
    assert_eq!(db.recover_interrupted_imports().await.unwrap(), 0);
    let outcomes: Vec<(i64, Outcome)> = db.imports(10).await.unwrap().iter().map(|i| (i.id, i.outcome)).collect();
    assert_eq!(outcomes, [(r.id, Outcome::Applied), (older, Outcome::Failed), (gone, Outcome::Failed), (first.id, Outcome::Applied)]);
    let listed = db.imports(10).await.unwrap();
    assert_eq!(listed[2].message, "interrupted before it finished; nothing was applied");
}

/// Runs one statement on a connection of its own.
async fn execute(url: &str, sql: &str) {
    if url.starts_with("sqlite:") {
        SqliteConnection::connect(url).await.unwrap().execute(sql).await.unwrap();
    } else {
        PgConnection::connect(url).await.unwrap().execute(sql).await.unwrap();
    }
}

/// Progress that, when the import starts validating, opens the database as another process
/// would, marks the cut-off imports failed there, and keeps what it saw.
struct RecoverWhileValidating {
    url: String,
    seen: Mutex<Option<Seen>>,
}

impl Progress for RecoverWhileValidating {
    fn phase(&self, name: &str) {
        if name != "validating" || self.seen.lock().unwrap().is_some() {
            return;
        }
        let url = self.url.clone();
        // Its own thread and runtime: the import's thread waits here for the answer.
        let seen = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let other = store::connect(&url).await.unwrap();
                let marked = other.recover_interrupted_imports().await.unwrap();
                let imports = other.imports(10).await.unwrap().iter().map(|i| (i.id, i.outcome)).collect();
                other.close().await;
                (marked, imports)
            })
        })
        .join()
        .unwrap();
        *self.seen.lock().unwrap() = Some(seen);
    }
    fn rows(&self, _: u64) {}
}
