//! Contract cases: roster writers one after another (imports and rollbacks), and what each
//! sees of the others.

use std::sync::Mutex;

use sqlx::{Connection, Executor, PgConnection, SqliteConnection};
use store::{
    roster::{ImportOptions, Outcome, Progress},
    StoreError,
};

use crate::{
    packages::{import, orgs, roles, users, Pkg},
    rival::import_with_rival,
    roster::value,
    support::TestDb,
};

/// An import that waited for another writer stamps its records (and its revision) with a time
/// after that writer committed, so that an app asking for `dateLastModified` after a moment
/// it has seen also gets what this import changed.
pub async fn an_import_stamps_its_records_once_it_holds_the_lock(db: &TestDb) {
    let base = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", 2, "A")).file("roles.csv", "bulk", &roles("s", 2, "sch1")).write();
    assert_eq!(import(db, base.path(), "sis", None).await.outcome, Outcome::Applied);
    let t = "2026-01-05T10:00:00.000Z";
    let delta = Pkg::new().file("roles.csv", "delta", &[format!("role-s1b,active,{t},s1,secondary,student,,,sch2,")]).write();
    let (r, rival_committing) = import_with_rival(db, delta.path(), None, "UPDATE users SET family_name = 'Rival' WHERE sourced_id = 's2'").await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    let stamped = value(db, "roles", "role-s1b", "date_last_modified").await.unwrap();
    assert!(stamped >= rival_committing, "stamped {stamped}, before the rival committed at {rival_committing}");
    let revision = db.revision(r.revision.unwrap()).await.unwrap().unwrap();
    assert_eq!(revision.created_at, stamped);
}

/// A rollback confirmed against what the admin saw (`seen`) is refused, changing nothing,
/// once another import has come in; with the current revision it goes ahead, and its answer
/// is its own revision.
pub async fn a_rollback_refuses_a_roster_that_moved_on(db: &TestDb) {
    // Each import renames s1 (half the users: below the change threshold).
    let pkg = |family: &str| {
        let mut rows = users("s", 2, "A");
        rows[0] = users("s", 1, family).remove(0);
        Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &rows).file("roles.csv", "bulk", &roles("s", 2, "sch1")).write()
    };
    for family in ["A", "B", "C"] {
        assert_eq!(import(db, pkg(family).path(), "sis", None).await.outcome, Outcome::Applied);
    }
    // The admin looked while revision 2 was current; revision 3 came in since.
    let refused = db.rollback(1, Some(2), "admin@example.org").await.unwrap_err();
    assert!(matches!(refused, StoreError::Conflict(_)), "{refused:?}");
    assert_eq!(
        refused.to_string(),
        "the roster has changed since you looked (it was at revision 2, it is at 3 now); nothing was rolled back, so look at what rolling back to revision 1 would change again"
    );
    assert_eq!(db.current_revision().await.unwrap(), 3);
    assert_eq!(value(db, "users", "s1", "family_name").await.as_deref(), Some("C"));

    let done = db.rollback(1, Some(3), "admin@example.org").await.unwrap();
    assert_eq!((done.id, done.kind.as_str(), done.restored_from), (4, "rollback", Some(1)));
    assert_eq!(done.summary, "rollback to revision 1: 0 restored, 1 updated, 0 deleted");
    assert_eq!(value(db, "users", "s1", "family_name").await.as_deref(), Some("A"));
    assert_eq!(db.revision(4).await.unwrap().as_ref(), Some(&done));
    // Recorded in the audit log with the rollback (the refused one is not).
    let filter = store::AuditFilter { action: Some("revision.rollback".into()), ..Default::default() };
    let entries = db.audit_entries(&filter, 10).await.unwrap();
    let recorded: Vec<(&str, &str, &str, &str)> = entries.iter().map(|e| (e.at.as_str(), e.actor.as_str(), e.target.as_str(), e.detail.as_str())).collect();
    assert_eq!(recorded, [(done.created_at.as_str(), "admin@example.org", "revision 4", "restored revision 1: rollback to revision 1: 0 restored, 1 updated, 0 deleted")]);
    assert_eq!(db.revision(5).await.unwrap(), None);
    // Listing needs a positive limit, on both databases.
    assert_eq!(db.revisions(0).await.unwrap_err().to_string(), "the number of revisions to list must be at least 1, not 0");
    assert_eq!(db.revisions(2).await.unwrap().iter().map(|r| r.id).collect::<Vec<_>>(), [4, 3]);
}

/// While an import loads a table that was empty into a roster that was not (a district's first
/// academicSessions.csv), readers of that table are answered (an empty table) rather than kept
/// waiting until the import commits: PostgreSQL locked them out with the `DROP INDEX` that speeds
/// up loading an empty table.
pub async fn readers_are_not_locked_out_of_a_table_being_loaded(db: &TestDb) {
    let base = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", 2, "A")).file("roles.csv", "bulk", &roles("s", 2, "sch1")).write();
    assert_eq!(import(db, base.path(), "sis", None).await.outcome, Outcome::Applied);
    let sessions = vec!["y2026,,,2025-2026,schoolYear,2025-08-01,2026-06-30,,2026".to_string(), "t1,,,Fall,term,2025-08-01,2025-12-31,y2026,2026".to_string()];
    let pkg = Pkg::new().file("academicSessions.csv", "bulk", &sessions).write();
    let reader = ReadWhileApplying { url: db.url.clone(), file: "applying academicSessions.csv", answer: Mutex::new(None) };
    let mut options = ImportOptions::new("sis", db.data.path());
    options.skip_invalid = Some(false);
    let r = db.import_package(pkg.path(), &options, &reader).await.unwrap();
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    let answer = reader.answer.lock().unwrap().take().expect("the reader ran while academicSessions.csv was applied");
    assert_eq!(answer, Ok(0), "the reader saw the table as it was before the import");
    assert_eq!(db.roster_counts().await.unwrap()["academic_sessions"].active, 2);
}

/// Progress that, when the import starts applying `file`, counts the academic sessions from
/// another connection (giving up after 3 s) and keeps the answer.
struct ReadWhileApplying {
    url: String,
    file: &'static str,
    answer: Mutex<Option<Result<i64, String>>>,
}

impl Progress for ReadWhileApplying {
    fn phase(&self, name: &str) {
        if name != self.file {
            return;
        }
        let url = self.url.clone();
        // Its own thread and runtime: the import's thread waits here for the answer.
        let answer = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let count = "SELECT count(*) FROM academic_sessions";
                if url.starts_with("sqlite:") {
                    let mut conn = SqliteConnection::connect(&url).await.map_err(|e| e.to_string())?;
                    sqlx::query_scalar::<_, i64>(count).fetch_one(&mut conn).await.map_err(|e| e.to_string())
                } else {
                    let mut conn = PgConnection::connect(&url).await.map_err(|e| e.to_string())?;
                    conn.execute("SET statement_timeout = 3000").await.map_err(|e| e.to_string())?;
                    sqlx::query_scalar::<_, i64>(count).fetch_one(&mut conn).await.map_err(|e| e.to_string())
                }
            })
        })
        .join()
        .unwrap();
        *self.answer.lock().unwrap() = Some(answer);
    }
    fn rows(&self, _: u64) {}
}
