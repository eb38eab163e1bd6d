//! Roster writers from the command line meeting another writer that holds the roster: they
//! wait for it up to `ROLLBOOK_IMPORT_WAIT_SECS`, then stop with a message and change nothing.

use std::{process::Stdio, time::Duration};

use sqlx::{Connection, Executor};

use crate::harness::*;

/// Another process's transaction holding the roster's write lock, as an import or rollback
/// does (`store::roster::tx`), until dropped.
struct LockHolder {
    rt: tokio::runtime::Runtime,
    conn: Option<Holder>,
}

enum Holder {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl LockHolder {
    fn take(url: &str) -> LockHolder {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let conn = rt.block_on(async {
            if url.starts_with("sqlite:") {
                let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
                conn.execute("BEGIN IMMEDIATE").await.unwrap();
                Holder::Sqlite(conn)
            } else {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                conn.execute("BEGIN").await.unwrap();
                conn.execute("SELECT pg_advisory_xact_lock(7401)").await.unwrap();
                Holder::Postgres(conn)
            }
        });
        LockHolder { rt, conn: Some(conn) }
    }

    fn release(mut self) {
        let conn = self.conn.take().unwrap();
        self.rt.block_on(async {
            match conn {
                Holder::Sqlite(mut c) => c.execute("ROLLBACK").await.map(drop).unwrap(),
                Holder::Postgres(mut c) => c.execute("ROLLBACK").await.map(drop).unwrap(),
            }
        });
    }
}

#[test]
fn a_writer_gives_up_on_another_that_holds_the_roster_too_long() {
    on_both(|data, url| {
        let (first, second) = (data.join("first"), data.join("second"));
        write_package(&first, 3, "A");
        write_package(&second, 4, "A");
        let out = run(data, url, &["import", first.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));

        let holder = LockHolder::take(url);
        let waiting = |args: &[&str]| {
            let started = std::time::Instant::now();
            let out = rollbook(data, url).env("ROLLBOOK_IMPORT_WAIT_SECS", "1").args(args).stdin(Stdio::null()).output().unwrap();
            assert!(started.elapsed() >= Duration::from_secs(1), "gave up after {:?}", started.elapsed());
            assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), text(&out.stderr));
            text(&out.stderr)
        };
        let refusal = "another import or rollback is writing the roster (waited 1 s for it); try again when it has finished";
        assert_eq!(waiting(&["rollback", "0"]), format!("error: {refusal}\n"));
        let stderr = waiting(&["import", second.to_str().unwrap()]);
        assert!(stderr.ends_with(&format!("error: {refusal}\n")), "{stderr}");
        holder.release();

        // Nothing changed meanwhile, and the attempt is on record as failed, with the reason:
        // at once on PostgreSQL, where its row needs no roster lock; on SQLite, which could not
        // write it while the other writer held the database, from the note it left, recorded
        // by the next `imports list`.
        let revisions = json(&run(data, url, &["revisions", "list", "--json"]));
        assert_eq!(revisions.as_array().unwrap().len(), 1, "{revisions}");
        let imports = json(&run(data, url, &["imports", "list", "--json"]));
        assert_eq!(imports.as_array().unwrap().len(), 2, "{imports}");
        assert_eq!((imports[0]["id"].as_i64(), imports[0]["outcome"].as_str()), (Some(2), Some("failed")), "{imports}");
        let report = json(&run(data, url, &["imports", "show", "2", "--json"]));
        assert_eq!(report["outcome"], "failed", "{report}");
        assert_eq!(report["message"], format!("the import failed and nothing was applied: {refusal}"), "{report}");
        assert_eq!(report["package"], "second", "{report}");
        // Recorded once: listing again adds nothing.
        assert_eq!(json(&run(data, url, &["imports", "list", "--json"])).as_array().unwrap().len(), 2);

        // Once the other writer is done, both go through.
        let out = run(data, url, &["import", second.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
        let out = run(data, url, &["rollback", "1"]);
        assert_eq!(text(&out.stdout), "Revision 3: rollback to revision 1: 0 restored, 0 updated, 2 deleted.\nUndo with: rollbook rollback 2\n", "{}", text(&out.stderr));
        let out = run(data, url, &["revisions", "list", "--limit", "0"]);
        assert_eq!((out.status.code(), text(&out.stderr)), (Some(1), "error: the number of revisions to list must be at least 1, not 0\n".to_string()));
    });
}
