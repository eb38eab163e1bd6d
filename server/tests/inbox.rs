//! The drop folder of a running server: packages placed in `<data>/inbox/` are imported and
//! moved to `processed/` or `failed/` with their report.

mod support;

use std::{path::Path, time::Duration};

use serde_json::Value;
use support::*;

fn sample(path: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path)
}

/// Waits until `dir` holds the report of package `name` (`<stamp>-<name>.report.json`) and
/// returns it parsed.
async fn report_in(dir: &Path, name: &str) -> Value {
    let suffix = format!("-{name}.report.json");
    for _ in 0..200 {
        if let Some(entry) = std::fs::read_dir(dir).into_iter().flatten().flatten().find(|e| e.file_name().to_string_lossy().ends_with(&suffix)) {
            return serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no report of {name} appeared in {}", dir.display());
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn packages_dropped_in_the_inbox_are_imported() {
    drop_folder(spawn_app().await).await;
}

#[tokio::test]
async fn packages_dropped_in_the_inbox_are_imported_on_postgres() {
    let url = fresh_postgres_database().await;
    drop_folder(spawn_with(Spawn { database_url: Some(url.clone()), ..Default::default() }).await).await;
    drop_postgres_database(&url).await;
}

/// Drops an applied, a rejected and a held package into a running server's inbox.
async fn drop_folder(app: TestApp) {
    let inbox = app.dir.join("inbox");
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::copy(sample("synthetic/v1p2-bulk/v1p2-bulk.zip"), inbox.join("nightly.zip")).unwrap();
    let report = report_in(&inbox.join("processed"), "nightly.zip").await;
    assert_eq!(report["outcome"], "applied", "{report}");
    assert_eq!(report["origin"], "inbox");
    assert_eq!(report["source"], "sis");
    assert_eq!(report["package"], "nightly.zip");
    let processed = names(&inbox.join("processed"));
    assert_eq!(processed.len(), 2, "{processed:?}");
    assert!(processed[0].ends_with("-nightly.zip") && processed[1].ends_with("-nightly.zip.report.json"), "{processed:?}");
    assert_eq!(app.store.roster_counts().await.unwrap()["users"].active, 7);
    assert!(!inbox.join("nightly.zip").exists());

    // A broken package, in a source folder: rejected, moved to failed/ with its diagnostics.
    std::fs::create_dir_all(inbox.join("hr")).unwrap();
    std::fs::copy(sample("moodle-enrol_oneroster/v1p1-bulk-minimal/Test_minimal_data_set.zip"), inbox.join("hr/staff.zip")).unwrap();
    let report = report_in(&inbox.join("failed"), "staff.zip").await;
    assert_eq!(report["outcome"], "rejected");
    assert_eq!(report["source"], "hr");
    assert!(report["problems"].as_array().unwrap().iter().any(|p| p["file"] == "classes.csv" && p["field"] == "courseSourcedId"), "{report}");
    let failed = names(&inbox.join("failed"));
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed[0].ends_with("-staff.zip") && failed[1].ends_with("-staff.zip.report.json"), "{failed:?}");
    assert_eq!(
        std::fs::read(inbox.join("failed").join(&failed[0])).unwrap(),
        std::fs::read(sample("moodle-enrol_oneroster/v1p1-bulk-minimal/Test_minimal_data_set.zip")).unwrap(),
        "the package itself is kept beside its report"
    );
    let imports = app.store.imports(10).await.unwrap();
    assert_eq!(imports.len(), 2);
    assert_eq!(app.store.current_revision().await.unwrap(), 1, "the broken package changed nothing");

    // A delta that deletes 1 of 7 enrollments (more than 10%) is held: it goes to processed/
    // (it was taken in), waits for an admin, and changes nothing yet.
    std::fs::copy(sample("synthetic/v1p2-delta/v1p2-delta.zip"), inbox.join("delta.zip")).unwrap();
    let held = report_in(&inbox.join("processed"), "delta.zip").await;
    assert_eq!(held["outcome"], "held", "{held}");
    assert_eq!(held["hold_reasons"][0], "it deletes 1 of 7 enrollments (14.3%, more than the 10% allowed)");
    assert_eq!(names(&inbox.join("processed")).len(), 4);
    assert_eq!(app.store.current_revision().await.unwrap(), 1, "a hold applies nothing");
    let id = held["id"].as_i64().unwrap();
    let approved = app.store.approve_import(id, ADMIN_EMAIL, &store::roster::Silent).await.unwrap();
    assert_eq!(approved.revision, Some(2));
    assert_eq!(app.store.roster_counts().await.unwrap()["users"].active, 8);
}

/// Packages a stopped server left aside in `inbox/.importing/` are moved on by the next scan,
/// with a report of what became of their import; one whose importer still holds its lock is
/// left alone until the lock is released.
#[tokio::test]
async fn packages_left_aside_by_a_stopped_server_are_moved_on() {
    let app = spawn_app().await;
    let inbox = app.dir.join("inbox");
    let aside = inbox.join(".importing");
    std::fs::create_dir_all(&aside).unwrap();
    let bulk = sample("synthetic/v1p2-bulk/v1p2-bulk.zip");

    // Imported and committed, then the server stopped before moving the package on: it goes
    // to processed/ with that import's report.
    let mut options = store::roster::ImportOptions::new("sis", &app.dir);
    options.origin = "inbox".into();
    options.package_name = Some("done.zip".into());
    let applied = app.store.import_package(&bulk, &options, &store::roster::Silent).await.unwrap();
    assert_eq!(applied.outcome, store::roster::Outcome::Applied);
    // Another, still being imported: its lock is held.
    let busy_lock = std::fs::File::create(aside.join("20261205T120000.000Z-busy.zip.lock")).unwrap();
    busy_lock.lock().unwrap();
    std::fs::copy(&bulk, aside.join("20261205T120000.000Z-busy.zip")).unwrap();
    std::fs::copy(&bulk, aside.join("20000101T000000.000Z-done.zip")).unwrap();
    // Moved aside, then the server stopped before the import began.
    std::fs::copy(&bulk, aside.join("20261205T120000.000Z-lost.zip")).unwrap();

    let done = report_in(&inbox.join("processed"), "done.zip").await;
    assert_eq!((done["outcome"].as_str(), done["id"].as_i64(), done["revision"].as_i64()), (Some("applied"), Some(applied.id), Some(1)), "{done}");
    let lost = report_in(&inbox.join("failed"), "lost.zip").await;
    assert_eq!(lost["outcome"], "failed", "{lost}");
    assert_eq!(lost["message"], "the server stopped before this package's import began; nothing of it was applied. Drop it in again to import it.");
    assert_eq!(names(&inbox.join("processed")), ["20000101T000000.000Z-done.zip", "20000101T000000.000Z-done.zip.report.json"]);
    assert_eq!(
        std::fs::read(inbox.join("failed/20261205T120000.000Z-lost.zip")).unwrap(),
        std::fs::read(&bulk).unwrap(),
        "the package itself is kept beside its report"
    );

    // Several scans later the locked one is still aside; released, it is moved on too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(names(&aside), ["20261205T120000.000Z-busy.zip", "20261205T120000.000Z-busy.zip.lock"]);
    drop(busy_lock);
    let busy = report_in(&inbox.join("failed"), "busy.zip").await;
    assert_eq!(busy["outcome"], "failed", "{busy}");
    for _ in 0..100 {
        if names(&aside).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(names(&aside), Vec::<String>::new(), "nothing is left aside, lock files included");
    assert_eq!(app.store.current_revision().await.unwrap(), 1, "nothing was imported again");
}
