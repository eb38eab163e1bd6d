//! A running server while another process holds SQLite's write lock, as a long import does:
//! reading answers stay prompt, writes that cannot wait say "busy, try again" (503) instead of
//! failing, and no disclosure is lost.

mod support;

use std::time::{Duration, Instant};

use reqwest::{header, Client, StatusCode};
use serde_json::Value;
use sqlx::{Connection, Executor};
use support::{
    district::{district_with, token},
    browser, session_cookie, Spawn, ADMIN_EMAIL, ADMIN_PASSWORD,
};

#[tokio::test(flavor = "multi_thread")]
async fn the_console_and_the_api_keep_working_while_an_import_holds_the_database() {
    let (app, creds) = district_with(Spawn::default()).await;
    let bearer = token(&app, &creds.client_id, &creds.client_secret, None).await;
    let console = browser();
    // Signed in just now: the first request after it is due to move the idle deadline.
    assert_eq!(app.sign_in(&console, ADMIN_EMAIL, ADMIN_PASSWORD).await.status(), StatusCode::OK);
    let before = app.store.disclosures(creds.id, 100).await.unwrap().len();

    // Another process takes the write lock and keeps it, as an import of a large district does.
    let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite://{}", app.dir.join("rollbook.db").display())).await.unwrap();
    holder.execute("BEGIN IMMEDIATE").await.unwrap();
    let held = Instant::now();

    // The console: a signed-in request puts off moving its idle deadline while the database
    // is held, writes nothing, and is answered at once, again and again.
    for _ in 0..2 {
        let started = Instant::now();
        let r = app.call(&console, "current_user", &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(session_cookie(&r), None, "not written");
        assert!(started.elapsed() < Duration::from_secs(5), "the console waited {:?}", started.elapsed());
    }

    // The API: answered at once; its disclosure waits to be written.
    let started = Instant::now();
    let r = Client::new().get(app.url("/ims/oneroster/rostering/v1p2/users?limit=2")).bearer_auth(&bearer).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["users"].as_array().unwrap().len(), 2);
    assert!(started.elapsed() < Duration::from_secs(5), "the API waited {:?}", started.elapsed());

    // A new token, and a console change, must be written: after the database's wait, 503 (was
    // 500), the token with Retry-After.
    let token_request = Client::new()
        .post(app.url("/oauth/token"))
        .basic_auth(&creds.client_id, Some(&creds.client_secret))
        .form(&[("grant_type", "client_credentials")])
        .send();
    let app_id = creds.id.to_string();
    let form = [("id", app_id.as_str()), ("enabled", "false")];
    let change = app.call(&console, "set_app_enabled", &form);
    let (r, changed) = tokio::join!(token_request, change);
    assert_eq!(changed.status(), StatusCode::SERVICE_UNAVAILABLE);
    let text = changed.text().await.unwrap();
    assert!(text.contains("Busy"), "{text}");
    let r = r.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()[header::RETRY_AFTER], "5");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable", "{body}");
    assert!(held.elapsed() >= Duration::from_secs(10), "it waited for the lock first");

    // The import ends; the disclosure made meanwhile is written, not lost.
    holder.execute("ROLLBACK").await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let logged = app.store.disclosures(creds.id, 100).await.unwrap();
        if logged.len() > before {
            assert_eq!(logged[0].path, "/ims/oneroster/rostering/v1p2/users", "{logged:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the disclosure made while the database was held was never written");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The deadline moves on the next request; a token can be had again; the refused change
    // was not made.
    let r = app.call(&console, "current_user", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(session_cookie(&r).is_some_and(|c| c.contains("Max-Age=28800")), "the session is written now");
    token(&app, &creds.client_id, &creds.client_secret, None).await;
    assert!(app.store.app(creds.id).await.unwrap().enabled);
}
