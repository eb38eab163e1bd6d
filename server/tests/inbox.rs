//! The drop folder of a running server: packages placed in `<data>/inbox/` are imported and
//! moved to `processed/` or `failed/` with their report.

mod support;

use std::{path::Path, time::Duration};

use serde_json::Value;
use support::*;

fn sample(path: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path)
}

/// Waits until `dir` holds a `*.report.json` and returns it parsed.
async fn report_in(dir: &Path) -> Value {
    for _ in 0..200 {
        if let Some(entry) = std::fs::read_dir(dir).into_iter().flatten().flatten().find(|e| e.file_name().to_string_lossy().ends_with(".report.json")) {
            return serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no report appeared in {}", dir.display());
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn packages_dropped_in_the_inbox_are_imported() {
    let app = spawn_app().await;
    let inbox = app.dir.join("inbox");
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::copy(sample("synthetic/v1p2-bulk/v1p2-bulk.zip"), inbox.join("nightly.zip")).unwrap();
    let report = report_in(&inbox.join("processed")).await;
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
    let report = report_in(&inbox.join("failed")).await;
    assert_eq!(report["outcome"], "rejected");
    assert_eq!(report["source"], "hr");
    assert!(report["problems"].as_array().unwrap().iter().any(|p| p["file"] == "classes.csv" && p["field"] == "courseSourcedId"), "{report}");
    let imports = app.store.imports(10).await.unwrap();
    assert_eq!(imports.len(), 2);
    assert_eq!(app.store.current_revision().await.unwrap(), 1, "the broken package changed nothing");
}
