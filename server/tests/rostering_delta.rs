//! Deltas that tell the truth: after the roster and the share change, `dateLastModified>'T'`
//! returns exactly the records an app must update: changed and new ones, deleted ones and ones
//! that left its share as `tobedeleted`, and older records that entered its share.

mod support;

use std::path::Path;

use oneroster::{model::format_datetime, Version};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use store::{roster::{ImportOptions, Outcome, Silent}, sharing::Share, NewApp};
use support::{spawn_app, TestApp};

const V12: &str = "/ims/oneroster/rostering/v1p2";

fn sample(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path)
}

fn share(value: Value) -> Share {
    serde_json::from_value(value).unwrap()
}

async fn list(app: &TestApp, token: &str, path: &str, filter: Option<&str>) -> Vec<(String, String)> {
    let mut url = app.url(&format!("{V12}{path}"));
    if let Some(f) = filter {
        url = format!("{url}?filter={}", url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>());
    }
    let response = Client::new().get(url).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let key = body.as_object().unwrap().keys().next().unwrap().clone();
    body[&key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["sourcedId"].as_str().unwrap().to_string(), r["status"].as_str().unwrap().to_string()))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[tokio::test]
async fn a_delta_since_t_has_the_upserts_and_tombstones_the_app_needs() {
    delta_since_t(spawn_app().await).await;
}

/// The same on PostgreSQL, whose planner sees the status conditions differently.
#[tokio::test]
async fn a_delta_since_t_is_the_same_on_postgresql() {
    let url = support::fresh_postgres_database().await;
    delta_since_t(support::spawn_with(support::Spawn { database_url: Some(url.clone()), ..Default::default() }).await).await;
    support::drop_postgres_database(&url).await;
}

async fn delta_since_t(app: TestApp) {
    let options = ImportOptions::new("sis", &app.dir);
    app.store.import_package(&sample("synthetic/v1p2-bulk"), &options, &Silent).await.unwrap();
    let creds = app
        .store
        .create_app(NewApp { name: "Lab Notebook".into(), versions: vec![Version::V1p2], ..Default::default() }, &app.secret_key)
        .await
        .unwrap();
    app.store
        .set_share(creds.id, &share(json!({ "include": [{ "classes": ["cls-hs-bio-p3"] }], "roles": ["student", "teacher"] })), "dana")
        .await
        .unwrap();
    let body: Value = Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(&creds.client_id, Some(&creds.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(list(&app, &token, "/users", None).await, pairs(&[("usr-s-200", "active"), ("usr-t-100", "active")]));

    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let t = format_datetime(time::OffsetDateTime::now_utc());
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let since = format!("dateLastModified>'{t}'");
    assert_eq!(list(&app, &token, "/users", Some(&since)).await, pairs(&[]), "nothing changed yet");

    // the SIS: Ava leaves Biology (enrollment deleted), Noah joins it, Maria's name changes
    let delta = app.store.import_package(&sample("synthetic/v1p2-delta"), &options, &Silent).await.unwrap();
    if delta.outcome == Outcome::Held {
        app.store.approve_import(delta.id, "dana", &Silent).await.unwrap();
    }
    // the district: only students now, and the middle school's homeroom too
    app.store
        .set_share(
            creds.id,
            &share(json!({ "include": [{ "classes": ["cls-hs-bio-p3", "cls-ms-hr7-a"] }], "roles": ["student"] })),
            "dana",
        )
        .await
        .unwrap();

    assert_eq!(
        list(&app, &token, "/users", Some(&since)).await,
        pairs(&[
            ("usr-s-200", "tobedeleted"), // no longer in a shared class
            ("usr-s-202", "active"),      // an old record that entered the share
            ("usr-s-203", "active"),      // new in the roster
            ("usr-t-100", "tobedeleted"), // teachers are no longer shared
        ])
    );
    assert_eq!(
        list(&app, &token, "/enrollments", Some(&since)).await,
        pairs(&[
            ("enr-bio-s200", "tobedeleted"), // deleted by the SIS
            ("enr-bio-s203", "active"),
            ("enr-bio-t100", "tobedeleted"), // its user left the share
            ("enr-hr7a-s202", "active"),
        ])
    );
    assert_eq!(
        list(&app, &token, "/classes", Some(&since)).await,
        pairs(&[("cls-ms-hr7-a", "active")]),
        "the homeroom entered the share; Biology came again unchanged in the delta"
    );
    assert_eq!(list(&app, &token, "/orgs", Some(&since)).await, pairs(&[("org-school-ms", "active")]));
    // a full listing shows the tombstones too; status='active' leaves them out
    assert_eq!(
        list(&app, &token, "/users", Some("status='active'")).await,
        pairs(&[("usr-s-202", "active"), ("usr-s-203", "active")])
    );
    assert_eq!(list(&app, &token, "/users", None).await.len(), 4);
    // status filters (spelled out over the columns in SQL) select exactly what the listing
    // shows as each status: tombstones of records that left the share and deleted records alike
    let all_users = list(&app, &token, "/users", None).await;
    let all_enrollments = list(&app, &token, "/enrollments", None).await;
    for (path, all) in [("/users", &all_users), ("/enrollments", &all_enrollments)] {
        for (filter, keep) in [
            ("status='active'", "active"),
            ("status!='tobedeleted'", "active"),
            ("status='tobedeleted'", "tobedeleted"),
            ("status!='active'", "tobedeleted"),
        ] {
            let expected: Vec<(String, String)> = all.iter().filter(|(_, s)| s == keep).cloned().collect();
            assert!(!expected.is_empty(), "{path} has {keep} records to find");
            assert_eq!(list(&app, &token, path, Some(filter)).await, expected, "{path}?filter={filter}");
        }
        // combined with another condition
        let both = format!("status='tobedeleted' AND {since}");
        let expected: Vec<(String, String)> = all.iter().filter(|(_, s)| s == "tobedeleted").cloned().collect();
        assert_eq!(list(&app, &token, path, Some(&both)).await, expected, "{path}?filter={both}");
    }
    // a tombstone is served singly too, dated when it left
    let response = Client::new().get(app.url(&format!("{V12}/users/usr-t-100"))).bearer_auth(&token).send().await.unwrap();
    let user: Value = response.json().await.unwrap();
    assert_eq!(user["user"]["status"], "tobedeleted");
    assert!(user["user"]["dateLastModified"].as_str().unwrap() > t.as_str());
}
