//! `POST /oauth/token` as OAuth 2 clients call it, and `rollbook app` handing out credentials.

mod support;

use std::process::Command;

use oneroster::Version;
use reqwest::{header, Client, StatusCode};
use serde_json::{json, Value};
use store::{Credentials, NewApp};
use support::{spawn_app, spawn_with, Spawn, TestApp};

async fn new_app(app: &TestApp, name: &str, versions: &[Version]) -> Credentials {
    let new = NewApp { name: name.into(), versions: versions.to_vec(), ..Default::default() };
    app.store.create_app(new, &app.secret_key).await.unwrap()
}

async fn post_token(app: &TestApp, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> (StatusCode, header::HeaderMap, Value) {
    let mut request = Client::new().post(app.url("/oauth/token")).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

const CORE_1P2: &str = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly";
const ROSTER_1P2: &str = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly";
const DEMOGRAPHICS_1P2: &str = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly";

#[tokio::test]
async fn client_credentials_grant_with_basic_or_body_authentication() {
    let app = spawn_app().await;
    let creds = new_app(&app, "Reading Coach", &[Version::V1p2]).await;

    let asked = format!("{CORE_1P2} {ROSTER_1P2}");
    let (status, headers, body) = post_token(
        &app,
        Some((&creds.client_id, &creds.client_secret)),
        &[("grant_type", "client_credentials"), ("scope", &asked)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers[header::PRAGMA], "no-cache");
    let token = body["access_token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 43);
    assert_eq!(body, json!({ "access_token": token, "token_type": "bearer", "expires_in": 3600, "scope": asked }));
    let caller = app.store.caller_by_token(&token).await.unwrap();
    assert_eq!(caller.app_id, creds.id);

    // credentials in the body; no scope asked: every scope granted
    let (status, _, body) = post_token(
        &app,
        None,
        &[("grant_type", "client_credentials"), ("client_id", &creds.client_id), ("client_secret", &creds.client_secret)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], format!("{CORE_1P2} {ROSTER_1P2} {DEMOGRAPHICS_1P2}"));

    // scopes Rollbook does not offer are dropped, not an error
    let asked = format!("{ROSTER_1P2} https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly");
    let (status, _, body) = post_token(
        &app,
        Some((&creds.client_id, &creds.client_secret)),
        &[("grant_type", "client_credentials"), ("scope", &asked)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], ROSTER_1P2);
}

#[tokio::test]
async fn token_errors_follow_rfc_6749() {
    let app = spawn_app().await;
    let creds = new_app(&app, "Math Lab", &[]).await;
    let basic = Some((creds.client_id.as_str(), creds.client_secret.as_str()));

    let cases: Vec<(Option<(&str, &str)>, Vec<(&str, &str)>, StatusCode, &str, &str)> = vec![
        (basic, vec![], StatusCode::BAD_REQUEST, "invalid_request", "grant_type is missing; use grant_type=client_credentials"),
        (
            basic,
            vec![("grant_type", "password")],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type `password` is not supported; use client_credentials",
        ),
        (
            basic,
            vec![("grant_type", "client_credentials"), ("grant_type", "client_credentials")],
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the parameter `grant_type` is given more than once",
        ),
        (
            basic,
            vec![("grant_type", "client_credentials"), ("scope", "gradebook.readonly")],
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "none of the requested scopes is offered; Rollbook offers \
             https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly, \
             https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly, \
             https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly",
        ),
        (
            Some((creds.client_id.as_str(), "wrong")),
            vec![("grant_type", "client_credentials")],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "the client id or secret is not valid",
        ),
        (
            Some(("nobody", creds.client_secret.as_str())),
            vec![("grant_type", "client_credentials")],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "the client id or secret is not valid",
        ),
        (
            None,
            vec![("grant_type", "client_credentials")],
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication is missing: send HTTP Basic client_id:client_secret",
        ),
        (
            basic,
            vec![("grant_type", "client_credentials"), ("client_secret", "x")],
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the client authenticated twice (Basic and client_secret); use one method",
        ),
    ];
    for (auth, form, status, code, description) in cases {
        let (got, headers, body) = post_token(&app, auth, &form).await;
        assert_eq!(got, status, "{form:?}: {body}");
        assert_eq!(body, json!({ "error": code, "error_description": description }), "{form:?}");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
        if status == StatusCode::UNAUTHORIZED {
            assert_eq!(headers[header::WWW_AUTHENTICATE], "Basic realm=\"rollbook\"", "{form:?}");
        }
    }

    // not form data
    let response = Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(&creds.client_id, Some(&creds.client_secret))
        .json(&json!({ "grant_type": "client_credentials" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_description"], "send the token request as application/x-www-form-urlencoded form data");

    // other methods
    let response = Client::new().get(app.url("/oauth/token")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()[header::ALLOW], "POST");

    // a disabled app gets no token
    app.store.set_app_enabled(creds.id, false).await.unwrap();
    let (status, _, body) = post_token(&app, basic, &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error_description"], "this app is disabled; the district can enable it again");
}

#[tokio::test]
async fn tokens_live_in_the_shared_database_and_lifetime_is_configurable() {
    // two servers on one PostgreSQL database, as behind a load balancer: a token one issues is
    // in the database the other reads (the REST tests call the other server with it)
    let url = support::fresh_postgres_database().await;
    let one = spawn_with(Spawn { database_url: Some(url.clone()), token_lifetime: Some(time::Duration::minutes(5)), ..Default::default() }).await;
    let two = spawn_with(Spawn { database_url: Some(url.clone()), ..Default::default() }).await;
    let creds = new_app(&one, "Library", &[Version::V1p2]).await;
    let (status, _, body) =
        post_token(&one, Some((&creds.client_id, &creds.client_secret)), &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["expires_in"], 300);
    let caller = two.store.caller_by_token(body["access_token"].as_str().unwrap()).await.unwrap();
    assert_eq!(caller.app_name, "Library");
    drop((one, two));
    support::drop_postgres_database(&url).await;
}

fn rollbook(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rollbook"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ROLLBOOK_DATA_DIR", dir)
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test]
async fn credentials_from_the_cli_get_a_token_from_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let out = rollbook(dir.path(), &["app", "create", "--name", "Reading Coach", "--vendor", "Acme", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&str> = created.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["client_id", "client_secret", "id"]);
    let (id, secret) = (created["client_id"].as_str().unwrap(), created["client_secret"].as_str().unwrap());

    // the server reads the same data folder (and secret.key) as the CLI
    let app = spawn_with(Spawn { data_dir: Some(dir.path().to_path_buf()), ..Default::default() }).await;
    let (status, _, body) = post_token(&app, Some((id, secret)), &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, secrets) = app.store.oauth1_client(id, &app.secret_key).await.unwrap();
    assert_eq!(secrets, [secret], "the server's key opens the 1.1 secret the CLI sealed");

    // a command run with another key refuses to seal secrets no server could open
    let out = Command::new(env!("CARGO_BIN_EXE_rollbook"))
        .env_clear()
        .env("ROLLBOOK_DATA_DIR", dir.path())
        .env("ROLLBOOK_SECRET_KEY", "ab".repeat(32))
        .args(["app", "create", "--name", "Other"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: the server key (ROLLBOOK_SECRET_KEY, else secret.key"));

    // list and show never print a secret; show names the secret's state
    let list = rollbook(dir.path(), &["app", "list"]);
    let list = String::from_utf8_lossy(&list.stdout);
    assert!(list.contains("Reading Coach") && list.contains("Acme") && list.contains("enabled"), "{list}");
    let show = rollbook(dir.path(), &["app", "show", "Reading Coach"]);
    let show = String::from_utf8_lossy(&show.stdout).to_string();
    assert!(show.contains(id) && show.contains("current, signs OAuth 1.0a"), "{show}");
    assert!(!show.contains(secret) && !list.contains(secret));

    // rotate: a new secret, the old one still works during the grace period
    let out = rollbook(dir.path(), &["app", "rotate", id, "--grace-hours", "2", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rotated: Value = serde_json::from_slice(&out.stdout).unwrap();
    let new_secret = rotated["client_secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    for s in [secret, new_secret] {
        let (status, _, _) = post_token(&app, Some((id, s)), &[("grant_type", "client_credentials")]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let show = rollbook(dir.path(), &["app", "show", "1"]);
    assert!(String::from_utf8_lossy(&show.stdout).contains("replaced, works until"));

    // disable, enable, revoke
    let out = rollbook(dir.path(), &["app", "disable", "Reading Coach"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Disabled `Reading Coach`: its tokens and requests are refused until it is enabled again."
    );
    let (status, _, _) = post_token(&app, Some((id, new_secret)), &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(rollbook(dir.path(), &["app", "enable", "1"]).status.success());
    let out = rollbook(dir.path(), &["app", "revoke", "1"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Revoked every secret and token of `Reading Coach`"));
    let (status, _, _) = post_token(&app, Some((id, new_secret)), &[("grant_type", "client_credentials")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // errors are one clear line
    let out = rollbook(dir.path(), &["app", "create", "--name", "Reading Coach"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "error: an app named `Reading Coach` exists already");
    let out = rollbook(dir.path(), &["app", "show", "Nope"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: there is no app `Nope` (give its id, name or client id; `rollbook app list` shows them)"
    );
    let out = rollbook(dir.path(), &["app", "create", "--name", "X", "--versions", "2.0"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: `2.0` is not a OneRoster version Rollbook serves; use 1.1, 1.2 or 1.1,1.2"
    );
}
