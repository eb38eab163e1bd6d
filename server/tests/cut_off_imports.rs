//! A running server and imports run by other processes: one killed mid-way shows as failed in
//! the console within moments, without a restart.

mod support;

#[path = "import_cli/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use support::{browser, spawn_app, ADMIN_EMAIL, ADMIN_PASSWORD};

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_command_line_import_shows_as_failed_in_the_console() {
    let app = spawn_app().await;
    let url = format!("sqlite://{}", app.dir.join("rollbook.db").display());
    let package = app.dir.join("package");
    harness::write_package(&package, 150_000, "Same");

    // `rollbook import` in another process, killed once its row says it is running.
    let mut child = harness::rollbook(&app.dir, &url)
        .args(["import", package.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let id = loop {
        if let Some(i) = app.store.imports(1).await.unwrap().first() {
            assert_eq!(i.outcome, store::roster::Outcome::Running, "the import ended before it could be killed: {}", i.message);
            break i.id;
        }
        assert!(Instant::now() < deadline, "the import never began");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // While it runs, the server leaves it alone.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.store.imports(1).await.unwrap()[0].outcome, store::roster::Outcome::Running, "marked while it ran");
    child.kill().unwrap();
    child.wait().unwrap();

    // The console's imports page says it failed, within a few of the server's rounds.
    let console = browser();
    assert_eq!(app.sign_in(&console, ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), StatusCode::OK);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = app.call(&console, "imports_overview", &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        let page: Value = r.json().await.unwrap();
        let row = page["imports"].as_array().unwrap().iter().find(|i| i["id"] == id).cloned().expect("the import is listed");
        if row["outcome"] == "failed" {
            assert_eq!(row["message"], "interrupted before it finished; nothing was applied");
            assert_eq!(row["revision"], Value::Null);
            break;
        }
        assert_eq!(row["outcome"], "running", "{row}");
        assert!(Instant::now() < deadline, "the killed import still shows as running");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
