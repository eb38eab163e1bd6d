//! The synthetic district with one app sharing its high school: what the API tests start from.

use std::path::{Path, PathBuf};

use oneroster::Version;
use reqwest::Client;
use serde_json::{json, Value};
use store::{roster::{ImportOptions, Silent}, sharing::Share, NewApp};

use super::{spawn_with, Spawn, TestApp};

pub fn sample(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path)
}

/// The synthetic district, an app "Reading Coach" (1.1 and 1.2) sharing its high school
/// (students, teachers, guardians; no e-mail), and a bearer token with `scope` (all when
/// `None`). Returns the server, the token and the app's id.
pub async fn district(scope: Option<&str>) -> (TestApp, String, i64) {
    let (app, creds) = district_with(Spawn::default()).await;
    let token = token(&app, &creds.client_id, &creds.client_secret, scope).await;
    (app, token, creds.id)
}

/// [`district`] on a server started with `opts`, returning the app's credentials.
pub async fn district_with(opts: Spawn) -> (TestApp, store::Credentials) {
    let app = spawn_with(opts).await;
    let options = ImportOptions::new("sis", &app.dir);
    app.store.import_package(&sample("synthetic/v1p2-bulk"), &options, &Silent).await.unwrap();
    let creds = app
        .store
        .create_app(
            NewApp { name: "Reading Coach".into(), versions: vec![Version::V1p1, Version::V1p2], ..Default::default() },
            &app.secret_key,
        )
        .await
        .unwrap();
    let share: Share = serde_json::from_value(json!({
        "include": [{ "schools": ["org-school-hs"] }],
        "roles": ["student", "teacher", "guardian"],
        "withhold": ["users.email"],
    }))
    .unwrap();
    app.store.set_share(creds.id, &share, "dana").await.unwrap();
    (app, creds)
}

/// A bearer token from `POST /oauth/token` (Basic client authentication).
pub async fn token(app: &TestApp, id: &str, secret: &str, scope: Option<&str>) -> String {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let body: Value = Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(id, Some(secret))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["access_token"].as_str().expect("a token").to_string()
}
