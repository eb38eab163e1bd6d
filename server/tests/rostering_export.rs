//! Per-app CSV exports as a vendor downloads them (`GET /exports/v1/{version}/package.zip`) and
//! as an admin writes them (`rollbook export`): exactly the share, referentially closed (the
//! package validates), withheld fields blank, deltas with tombstones, and the disclosure log.

mod support;

use std::{path::Path, process::Output};

use reqwest::{header, Client, StatusCode};
use serde_json::Value;
use support::{district::district, TestApp};

/// Runs the CLI off the test's runtime thread: the server under test runs on that thread, and a
/// blocked thread would freeze it mid-transaction.
async fn rollbook_async(dir: &Path, args: &[&str]) -> Output {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        rollbook(&dir, &args)
    })
    .await
    .unwrap()
}

fn rollbook(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rollbook"))
        .env("ROLLBOOK_DATA_DIR", dir)
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .unwrap()
}

/// `rollbook validate --json` of a package: (errors, rows per file).
fn validate(dir: &Path, package: &Path) -> (u64, Vec<(String, u64)>) {
    let out = rollbook(dir, &["validate", package.to_str().unwrap(), "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let files = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_string(), f["rows"].as_u64().unwrap()))
        .collect();
    (report["errors"].as_u64().unwrap(), files)
}

async fn download(app: &TestApp, token: &str, path: &str) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let response = Client::new().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    (response.status(), response.headers().clone(), response.bytes().await.unwrap().to_vec())
}

/// One column of one file of a package (read with the oneroster crate's package reader).
fn csv_column(zip: &Path, file: &str, column: &str) -> Vec<String> {
    let mut diags = oneroster::csv::Diagnostics::default();
    let mut package = oneroster::csv::Package::open(zip, &mut diags).unwrap_or_else(|_| panic!("{} opens", zip.display()));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut package.read(file).unwrap(), &mut text).unwrap();
    let mut reader = ::csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let i = headers.iter().position(|h| h == column).unwrap_or_else(|| panic!("{file} has no {column}"));
    reader.records().map(|r| r.unwrap()[i].to_string()).collect()
}

#[tokio::test]
async fn a_vendor_downloads_exactly_its_share_as_a_valid_package() {
    let (app, token, app_id) = district(None).await;
    let (status, headers, bytes) = download(&app, &token, "/exports/v1/v1p2/package.zip").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    assert_eq!(headers[header::CONTENT_DISPOSITION], "attachment; filename=\"oneroster-1.2-bulk.zip\"");
    let zip = app.dir.join("share-1.2.zip");
    std::fs::write(&zip, &bytes).unwrap();
    let (errors, files) = validate(&app.dir, &zip);
    assert_eq!(errors, 0, "the export is a valid, referentially closed package");
    let rows: Vec<(&str, u64)> = files.iter().map(|(n, r)| (n.as_str(), *r)).collect();
    assert_eq!(
        rows,
        [
            ("orgs.csv", 2),
            ("academicSessions.csv", 5),
            ("courses.csv", 2),
            ("classes.csv", 2),
            ("users.csv", 4),
            ("userProfiles.csv", 1),
            ("roles.csv", 4),
            ("enrollments.csv", 5),
        ]
    );
    assert_eq!(csv_column(&zip, "users.csv", "sourcedId"), ["usr-g-300", "usr-s-200", "usr-s-201", "usr-t-100"]);
    assert!(csv_column(&zip, "users.csv", "email").iter().all(String::is_empty), "e-mail is withheld");
    assert_eq!(csv_column(&zip, "users.csv", "username"), ["thi.nguyen", "ava.nguyen", "liam.obrien", "mlopez"]);
    // the teacher's role at the middle school (not shared) is left out
    assert_eq!(csv_column(&zip, "roles.csv", "orgSourcedId"), ["org-school-hs"; 4]);

    // 1.1: users carry role and orgs; no roles.csv
    let (status, _, bytes) = download(&app, &token, "/exports/v1/v1p1/package.zip").await;
    assert_eq!(status, StatusCode::OK);
    let zip11 = app.dir.join("share-1.1.zip");
    std::fs::write(&zip11, &bytes).unwrap();
    let (errors, files) = validate(&app.dir, &zip11);
    assert_eq!(errors, 0);
    assert!(files.iter().all(|(n, _)| n != "roles.csv"));
    assert_eq!(csv_column(&zip11, "users.csv", "role"), ["guardian", "student", "student", "teacher"]);

    // errors: no token, an unknown version, a bad since
    let response = Client::new().get(app.url("/exports/v1/v1p2/package.zip")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(download(&app, &token, "/exports/v1/v3/package.zip").await.0, StatusCode::NOT_FOUND);
    let (status, _, body) = download(&app, &token, "/exports/v1/v1p2/package.zip?since=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["imsx_description"], "since: `yesterday` is not a date and time such as 2026-09-01T00:00:00.000Z");

    // the disclosure log has each download with its record count
    let mut log = Vec::new();
    for _ in 0..50 {
        log = app.store.disclosures(app_id, 10).await.unwrap();
        if log.len() >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let seen: Vec<(&str, &str, u16, u64)> =
        log.iter().rev().map(|d| (d.channel.as_str(), d.operation.as_str(), d.status, d.records)).collect();
    assert_eq!(seen, [("csv-1.2", "export", 200, 20), ("csv-1.1", "export", 200, 20), ("csv-1.2", "export", 400, 0)]);
}

#[tokio::test]
async fn a_delta_export_and_the_cli() {
    let (app, token, _) = district(None).await;
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let t = oneroster::model::format_datetime(time::OffsetDateTime::now_utc());
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // the district narrows the share to Algebra: Biology and its enrollments leave
    let share = serde_json::from_value(serde_json::json!({
        "include": [{ "classes": ["cls-hs-alg1-p1"] }], "roles": ["student", "teacher", "guardian"], "withhold": ["users.email"],
    }))
    .unwrap();
    app.store.set_share(1, &share, "dana").await.unwrap();

    let (status, headers, bytes) = download(&app, &token, &format!("/exports/v1/v1p2/package.zip?since={t}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment; filename=\"oneroster-1.2-delta-"));
    let zip = app.dir.join("delta.zip");
    std::fs::write(&zip, &bytes).unwrap();
    assert_eq!(csv_column(&zip, "classes.csv", "sourcedId"), ["cls-hs-bio-p3"]);
    assert_eq!(csv_column(&zip, "classes.csv", "status"), ["tobedeleted"]);
    assert_eq!(csv_column(&zip, "enrollments.csv", "sourcedId"), ["enr-bio-s200", "enr-bio-t100"]);
    assert_eq!(csv_column(&zip, "enrollments.csv", "status"), ["tobedeleted", "tobedeleted"]);
    let manifest: Vec<(String, String)> = csv_column(&zip, "manifest.csv", "propertyName")
        .into_iter()
        .zip(csv_column(&zip, "manifest.csv", "value"))
        .collect();
    assert!(manifest.contains(&("file.enrollments".into(), "delta".into())), "{manifest:?}");

    // a class that left the share is a tombstone, and no door to its students
    let response = Client::new().get(app.url("/ims/oneroster/rostering/v1p2/classes/cls-hs-bio-p3")).bearer_auth(&token).send().await.unwrap();
    let class: Value = response.json().await.unwrap();
    assert_eq!(class["class"]["status"], "tobedeleted");
    let response =
        Client::new().get(app.url("/ims/oneroster/rostering/v1p2/classes/cls-hs-bio-p3/students")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // the same from the command line
    let out_path = app.dir.join("cli.zip");
    let out = rollbook_async(&app.dir, &["export", "--app", "Reading Coach", "--out", out_path.to_str().unwrap(), "--since", &t]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with(&format!("Wrote {} (delta OneRoster 1.2, 4 records: ", out_path.display())), "{text}");
    assert_eq!(csv_column(&out_path, "enrollments.csv", "sourcedId"), ["enr-bio-s200", "enr-bio-t100"]);
    let out = rollbook_async(&app.dir, &["export", "--app", "Reading Coach", "--out", "x.zip", "--since", "soon"]).await;
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: --since `soon` is not a date and time such as 2026-09-01T00:00:00.000Z"
    );
}
