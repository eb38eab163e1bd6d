//! Sign-in, sessions and throttling over real HTTP, as the console (or an attacker) calls them.

mod support;

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use support::*;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let c = browser();
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"status": "ok"}));
    let r = c.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"status": "ready", "database": "SQLite"}));

    // with the database gone, the instance is not ready (but still alive)
    app.store.close().await;
    let r = c.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "unavailable");
    assert_eq!(c.get(app.url("/healthz")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_sets_a_safe_session_cookie_and_opens_the_console() {
    let app = spawn_app().await;
    let c = browser();
    let r = app.sign_in(&c, "Dana@District.example", ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::LOCATION], "/");
    let cookie = session_cookie(&r).expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http must not set Secure: {cookie}");

    let r = app.call(&c, "current_user", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"email": ADMIN_EMAIL, "display_name": "Dana Whitfield", "role": "District admin", "can_edit": true, "is_teacher": false})
    );

    // the dashboard page renders on the server with the admin's name
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Dana Whitfield"), "{html}");
    assert!(html.contains("<h1>Dashboard</h1>"), "{html}");

    // signed in, the sign-in page sends you to the dashboard
    let r = c.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn sign_in_follows_next_only_within_the_site() {
    let app = spawn_app().await;
    let c = browser();
    let r = app.call(&c, "sign_in", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", "/apps")]).await;
    assert_eq!(r.headers()[header::LOCATION], "/apps");
    for evil in ["//evil.example/", "/\t/evil.example", "/x\r\nSet-Cookie: a=b", "https://evil.example"] {
        let r = app.call(&c, "sign_in", &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD), ("next", evil)]).await;
        assert_eq!(r.status(), StatusCode::OK, "{evil:?}");
        assert_eq!(r.headers()[header::LOCATION], "/", "{evil:?}");
    }
}

#[tokio::test]
async fn cross_site_calls_are_refused() {
    let app = spawn_app().await;
    let c = browser();
    let r = c
        .post(app.url("/api/sign_in"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(session_cookie(&r).is_none());
    assert_eq!(r.json::<Value>().await.unwrap(), json!("Forbidden"));
    let r = c
        .post(app.url("/api/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn crafted_error_urls_cannot_put_text_on_the_sign_in_page() {
    let app = spawn_app().await;
    // base64url of {"SignInRefused":"Call IT at 555-0100"}
    let payload = "eyJTaWduSW5SZWZ1c2VkIjoiQ2FsbCBJVCBhdCA1NTUtMDEwMCJ9";
    let html = browser()
        .get(app.url(&format!("/sign-in?__path=%2Fapi%2Fsign_in&__err={payload}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("555-0100"), "{html}");
    assert!(html.contains("The e-mail address or password is incorrect."), "{html}");
}

#[tokio::test]
async fn session_id_is_rotated_at_sign_in() {
    let app = spawn_app().await;
    let first = browser();
    let cookie_a = session_cookie(&app.sign_in(&first, ADMIN_EMAIL, ADMIN_PASSWORD).await).unwrap();
    let id_a = cookie_a.split(';').next().unwrap().to_string();

    // sign in again carrying session A: a new id is issued and A stops working
    let r = first
        .post(app.url("/api/sign_in"))
        .header(header::ACCEPT, "application/json")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    let id_b = session_cookie(&r).unwrap().split(';').next().unwrap().to_string();
    assert_ne!(id_a, id_b);

    let stale = reqwest::Client::new();
    let r = stale
        .post(app.url("/api/current_user"))
        .header(header::COOKIE, &id_a)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = stale.post(app.url("/api/current_user")).header(header::COOKIE, &id_b).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let c = browser();
    let wrong = app.sign_in(&c, ADMIN_EMAIL, "not-the-password").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&wrong).is_none(), "no session for a failed sign-in");
    let wrong = wrong.text().await.unwrap();

    let unknown = app.sign_in(&c, "nobody@district.example", ADMIN_PASSWORD).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown = unknown.text().await.unwrap();

    assert_eq!(wrong, unknown);
    assert_eq!(
        serde_json::from_str::<Value>(&wrong).unwrap(),
        json!({"SignInRefused": "The e-mail address or password is incorrect."})
    );
    // and the caller is still anonymous
    assert_eq!(app.call(&c, "current_user", &[]).await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn protected_server_functions_refuse_callers_without_a_session() {
    let app = spawn_app().await;
    let c = browser();
    for name in ["current_user", "dashboard_summary"] {
        let r = app.call(&c, name, &[]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(r.json::<Value>().await.unwrap(), json!("Unauthenticated"), "{name}");
    }
    // a forged cookie is no better
    let r = reqwest::Client::new()
        .post(app.url("/api/dashboard_summary"))
        .header(header::COOKIE, "rollbook_session=AAAAAAAAAAAAAAAAAAAAAA")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // once signed in the same call works
    app.sign_in(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = app.call(&c, "dashboard_summary", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let facts = r.json::<Value>().await.unwrap();
    assert_eq!(facts["display_name"], "Dana Whitfield");
    assert_eq!(facts["database"], "SQLite");
    assert_eq!(facts["accounts"], 1);
}

#[tokio::test]
async fn pages_redirect_to_sign_in_without_a_session() {
    let app = spawn_app().await;
    let c = browser();
    for (path, next) in [("/", "%2F"), ("/data", "%2Fdata"), ("/apps?tab=x", "%2Fapps%3Ftab%3Dx"), ("/settings", "%2Fsettings")] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()[header::LOCATION], format!("/sign-in?next={next}").as_str(), "{path}");
    }
    // a trailing slash is the same page, with the same check
    let r = c.get(app.url("/data/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/sign-in?next=%2Fdata");
    let r = c.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<form action="/api/sign_in" method="post">"#), "{html}");
    assert!(!html.contains("Dashboard"), "{html}");
    // unknown paths are a plain 404, without revealing anything
    let r = c.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sign_out_ends_the_session_everywhere() {
    let app = spawn_app().await;
    let c = browser();
    let cookie = session_cookie(&app.sign_in(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await).unwrap();
    let id = cookie.split(';').next().unwrap().to_string();
    let r = app.call(&c, "sign_out", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::LOCATION], "/sign-in");
    assert_eq!(app.call(&c, "current_user", &[]).await.status(), StatusCode::UNAUTHORIZED);
    // replaying the old cookie does not bring the session back
    let r = reqwest::Client::new()
        .post(app.url("/api/current_user"))
        .header(header::COOKIE, &id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn password_reset_ends_existing_sessions() {
    let app = spawn_app().await;
    let c = browser();
    app.sign_in(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(app.call(&c, "current_user", &[]).await.status(), StatusCode::OK);
    app.store.reset_password(ADMIN_EMAIL, "a-brand-new-password".into()).await.unwrap();
    assert_eq!(app.call(&c, "current_user", &[]).await.status(), StatusCode::UNAUTHORIZED);
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn repeated_failures_are_throttled_and_say_so() {
    let app = spawn_app().await;
    let c = browser();
    for i in 0..5 {
        let r = app.sign_in(&c, ADMIN_EMAIL, "not-the-password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // now even the right password waits
    let r = app.sign_in(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()[header::RETRY_AFTER], "2");
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"Throttled": {
            "message": "Too many failed sign-in attempts. Wait 2 seconds, then try again.",
            "retry_after_secs": 2
        }})
    );
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = app.sign_in(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn many_failures_from_one_address_are_throttled_across_accounts() {
    let app = spawn_with(Spawn { trust_forwarded_for: true, ..Spawn::default() }).await;
    let c = browser();
    for i in 0..20 {
        let email = format!("guess{i}@district.example");
        let r = c
            .post(app.url("/api/sign_in"))
            .header("x-forwarded-for", "203.0.113.50")
            .form(&[("email", email.as_str()), ("password", "whatever-password")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let from = |addr: &'static str| {
        c.post(app.url("/api/sign_in"))
            .header("x-forwarded-for", addr)
            .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
    };
    assert_eq!(from("203.0.113.50").send().await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(from("203.0.113.51").send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn malformed_server_function_input_is_a_400() {
    let app = spawn_app().await;
    let c = browser();
    let r = app.call(&c, "sign_in", &[("email", ADMIN_EMAIL)]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body = r.json::<Value>().await.unwrap();
    let text = body["Invalid"].as_str().expect("an Invalid error");
    assert!(text.starts_with("The request was incomplete or malformed"), "{text}");
    assert!(text.contains("password"), "names the missing field: {text}");
}

#[tokio::test]
async fn secure_cookie_behind_https() {
    let app = spawn_with(Spawn { public_url: Some("https://rollbook.district.example".into()), ..Spawn::default() }).await;
    let r = app.sign_in(&browser(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = session_cookie(&r).unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn two_server_processes_share_sign_ins() {
    let first = spawn_app().await;
    let second = spawn_with(Spawn { data_dir: Some(first.dir.clone()), ..Spawn::default() }).await;
    assert_shared_sign_in(&first, &second).await;
}

#[tokio::test]
async fn two_servers_behind_a_load_balancer_share_sign_ins_on_postgres() {
    let url = fresh_postgres_database().await;
    let first = spawn_with(Spawn { database_url: Some(url.clone()), ..Spawn::default() }).await;
    let second = spawn_with(Spawn { database_url: Some(url.clone()), ..Spawn::default() }).await;
    assert_eq!(first.store.backend(), store::Backend::Postgres);
    assert_shared_sign_in(&first, &second).await;
    // signing out on one ends the session on the other
    let c = browser();
    first.sign_in(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = c.post(second.url("/api/sign_out")).header(header::ACCEPT, "application/json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(first.call(&c, "current_user", &[]).await.status(), StatusCode::UNAUTHORIZED);
    drop((first, second));
    drop_postgres_database(&url).await;
}

async fn assert_shared_sign_in(first: &TestApp, second: &TestApp) {
    let c = browser();
    let cookie = session_cookie(&first.sign_in(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await).unwrap();
    let id = cookie.split(';').next().unwrap().to_string();
    let r = reqwest::Client::new()
        .post(second.url("/api/current_user"))
        .header(header::COOKIE, &id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["email"], ADMIN_EMAIL);
    // the readiness check names the shared database
    let ready = reqwest::get(second.url("/readyz")).await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(ready["database"], first.store.backend().to_string());
}

#[tokio::test]
async fn console_responses_carry_protective_headers() {
    let app = spawn_app().await;
    let c = browser();
    let page = c.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(page.headers()[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(page.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(page.headers()[header::REFERRER_POLICY], "same-origin");
    let api = app.call(&c, "current_user", &[]).await;
    assert_eq!(api.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(api.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[tokio::test]
async fn sign_in_works_before_the_page_has_hydrated() {
    // a browser without (or before) WebAssembly posts the form natively and follows redirects
    let app = spawn_app().await;
    let c = browser();
    let post = |password: &'static str| {
        c.post(app.url("/api/sign_in"))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, app.url("/sign-in"))
            .form(&[("email", ADMIN_EMAIL), ("password", password), ("next", "")])
    };
    let r = post("not-the-password").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let back = r.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert!(back.starts_with(&app.url("/sign-in?")), "{back}");
    let html = c.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("The e-mail address or password is incorrect."), "{html}");

    let r = post(ADMIN_PASSWORD).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[header::LOCATION], "/");
    let html = c.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Dana Whitfield"), "{html}");
}

#[tokio::test]
async fn activity_keeps_the_session_alive() {
    // the idle deadline moves with activity: the session is written (and the cookie's lifetime
    // renewed) on the first request after sign-in, then at most every five minutes, so that
    // most requests need no database write
    let app = spawn_app().await;
    let c = browser();
    let first = session_cookie(&app.sign_in(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await).unwrap();
    assert!(first.contains("Max-Age=28800") || first.contains("Expires="), "{first}");
    let r = app.call(&c, "current_user", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let renewed = session_cookie(&r).expect("the session cookie is renewed on activity");
    assert_eq!(renewed.split(';').next(), first.split(';').next(), "same session, new deadline");
    assert!(renewed.contains("Max-Age=28800"), "{renewed}");
    let r = app.call(&c, "current_user", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(session_cookie(&r), None, "renewed a moment ago: not written again");
    // A request without a session creates none.
    let r = browser().get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(session_cookie(&r), None);
}
