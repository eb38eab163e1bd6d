//! Who may call which console server function, over real HTTP: every registered function is
//! listed here by the role it serves, an auditor is refused every change (403, and nothing
//! changes), a teacher is refused every district function, staff are refused the teachers'.
//! A new server function fails the first test until it is put in one of the lists.

mod support;

use std::collections::BTreeSet;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use store::{NewAccount, Role};
use support::{browser, district::district_with, Spawn, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD};

/// Changes: district admins only. Each with arguments that parse, so that the refusal comes
/// from the role check and not from the arguments.
const CHANGES: &[(&str, &[(&str, &str)])] = &[
    ("create_app", &[("name", "Sneaky"), ("vendor", ""), ("contact", ""), ("v1p2", "on")]),
    ("update_app", &[("id", "{app}"), ("name", "Renamed"), ("vendor", ""), ("contact", ""), ("v1p2", "on"), ("rate_limit", "")]),
    ("set_app_enabled", &[("id", "{app}"), ("enabled", "false")]),
    ("rotate_secret", &[("id", "{app}"), ("grace_hours", "0")]),
    ("revoke_credentials", &[("id", "{app}")]),
    ("save_share", &[("app_id", "{app}"), ("share", r#"{"all":true}"#), ("confirmed", "true")]),
    ("set_app_teacher_sharing", &[("id", "{app}"), ("allowed", "true")]),
    ("revoke_teacher_grant", &[("id", "{app}"), ("sourced_id", "cls-hs-alg1-p1")]),
    ("approve_import", &[("id", "1")]),
    ("discard_import", &[("id", "1")]),
    ("rollback_to", &[("to", "1")]),
    ("invite_teacher", &[("sourced_id", "usr-t-101")]),
    ("invite_school", &[("school", "org-school-hs")]),
    ("create_account", &[("email", "sneaky@district.example"), ("display_name", "Sneaky"), ("role", "district_admin")]),
    ("set_account_disabled", &[("email", ADMIN_EMAIL), ("disabled", "true")]),
    ("set_teacher_fields", &[("identifier", "on"), ("email", "on")]),
    ("resolve_roster_issue", &[("id", "1"), ("resolution", "done")]),
    ("decide_app_request", &[("id", "1"), ("approve", "true")]),
];

/// District data and settings to read: admins and auditors.
const STAFF_READS: &[(&str, &[(&str, &str)])] = &[
    ("dashboard_summary", &[]),
    ("audit_log", &[]),
    ("imports_overview", &[]),
    ("import_detail", &[("id", "1")]),
    ("rollback_preview", &[("to", "1")]),
    ("browse_users", &[("filters[page]", "0")]),
    ("browse_classes", &[("filters[page]", "0")]),
    ("browse_other", &[("kind", "courses"), ("filters[page]", "0")]),
    ("load_user", &[("sourced_id", "usr-s-200")]),
    ("load_class", &[("sourced_id", "cls-hs-alg1-p1")]),
    ("org_list", &[]),
    ("teacher_access", &[("sourced_id", "usr-t-100")]),
    ("list_accounts", &[]),
    ("list_apps", &[]),
    ("app_detail", &[("id", "{app}")]),
    ("app_teacher_sharing", &[("id", "{app}")]),
    ("share_editor", &[("app_id", "{app}")]),
    ("preview_share", &[("app_id", "{app}"), ("share", r#"{"all":true}"#)]),
    ("find_classes", &[("text", "alg")]),
    ("why_shared", &[("app_id", "{app}"), ("entity", "users"), ("sourced_id", "usr-s-200")]),
    ("teacher_fields", &[]),
    ("roster_issue_queue", &[("all", "true")]),
    ("app_request_queue", &[("all", "true")]),
];

/// A teacher's own classes and apps: teachers only.
const TEACHER_ONLY: &[(&str, &[(&str, &str)])] = &[
    ("my_classes", &[]),
    ("my_class", &[("sourced_id", "cls-hs-alg1-p1")]),
    ("attest_class", &[("sourced_id", "cls-hs-alg1-p1")]),
    ("flag_class", &[("sourced_id", "cls-hs-alg1-p1"), ("kind", "other"), ("comment", "x")]),
    ("my_apps", &[]),
    ("set_class_app", &[("app_id", "{app}"), ("sourced_id", "cls-hs-alg1-p1"), ("on", "true")]),
    ("request_app", &[("app", "{app}"), ("reason", "x")]),
];

/// Signing in and out, and an invitation link's page: anyone.
const ANYONE: &[&str] = &["current_user", "sign_in", "sign_out", "invitation_info", "accept_invitation"];

const TEACHER_PASSWORD: &str = "chalk and blackboard";
const AUDITOR_EMAIL: &str = "audrey@district.example";

type Calls = [(&'static str, &'static [(&'static str, &'static str)])];

fn names(list: &'static Calls) -> impl Iterator<Item = &'static str> {
    list.iter().map(|(name, _)| *name)
}

#[test]
fn every_console_function_is_listed_by_who_may_call_it() {
    // Linking the console registers its server functions (the test server below serves them).
    let registered: BTreeSet<String> = server_fn::axum::server_fn_paths()
        .filter_map(|(path, _)| path.strip_prefix("/api/").map(str::to_string))
        .collect();
    let mut listed = BTreeSet::new();
    for name in names(CHANGES).chain(names(STAFF_READS)).chain(names(TEACHER_ONLY)).chain(ANYONE.iter().copied()) {
        assert!(listed.insert(name.to_string()), "{name} is listed twice");
    }
    let unlisted: Vec<&String> = registered.difference(&listed).collect();
    assert!(unlisted.is_empty(), "server functions not listed by role here: {unlisted:?}");
    let gone: Vec<&String> = listed.difference(&registered).collect();
    assert!(gone.is_empty(), "listed here but not served: {gone:?}");
}

/// The form with `{app}` replaced by the app's id.
async fn call(app: &TestApp, client: &Client, name: &str, form: &[(&str, &str)], app_id: &str) -> (StatusCode, Value) {
    let form: Vec<(&str, &str)> = form.iter().map(|&(k, v)| (k, if v == "{app}" { app_id } else { v })).collect();
    let r = app.call(client, name, &form).await;
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// What the admin sees of everything a change could touch.
async fn snapshot(app: &TestApp, admin: &Client, app_id: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for (name, form) in [
        ("list_apps", vec![]),
        ("app_detail", vec![("id", app_id)]),
        ("share_editor", vec![("app_id", app_id)]),
        ("app_teacher_sharing", vec![("id", app_id)]),
        ("list_accounts", vec![]),
        ("imports_overview", vec![]),
        ("teacher_fields", vec![]),
        ("teacher_access", vec![("sourced_id", "usr-t-101")]),
        ("roster_issue_queue", vec![("all", "true")]),
        ("app_request_queue", vec![("all", "true")]),
    ] {
        let (status, body) = call(app, admin, name, &form, app_id).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        out.push(json!({ name: body }));
    }
    out
}

#[tokio::test]
async fn auditors_change_nothing_teachers_see_only_their_own_and_staff_have_no_classes() {
    let (app, creds) = district_with(Spawn::default()).await;
    let app_id = creds.id.to_string();
    // a second revision (held first: it deletes 1 of 7 enrollments), so that there is one to
    // roll back to
    let options = store::roster::ImportOptions::new("sis", &app.dir);
    let delta = app.store.import_package(&support::district::sample("synthetic/v1p2-delta"), &options, &store::roster::Silent).await.unwrap();
    assert_eq!(delta.outcome, store::roster::Outcome::Held, "{}", delta.message);
    let approved = app.store.approve_import(delta.id, "dana", &store::roster::Silent).await.unwrap();
    assert_eq!(approved.outcome, store::roster::Outcome::Applied, "{}", approved.message);
    let admin = browser();
    app.sign_in(&admin, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.store
        .create_account(NewAccount { email: AUDITOR_EMAIL.into(), display_name: None, role: Role::Auditor, password: ADMIN_PASSWORD.into() })
        .await
        .unwrap();
    let auditor = browser();
    assert!(app.sign_in(&auditor, AUDITOR_EMAIL, ADMIN_PASSWORD).await.status().is_success());

    // Maria Lopez teaches cls-hs-alg1-p1; she accepts an invitation
    let (status, invite) = call(&app, &admin, "invite_teacher", &[("sourced_id", "usr-t-100")], &app_id).await;
    assert_eq!(status, StatusCode::OK, "{invite}");
    let token = invite["link"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
    let teacher = browser();
    let form = [("token", token.as_str()), ("password", TEACHER_PASSWORD), ("confirm", TEACHER_PASSWORD)];
    assert!(app.call(&teacher, "accept_invitation", &form).await.status().is_success());

    let before = snapshot(&app, &admin, &app_id).await;
    let audit_before = call(&app, &admin, "audit_log", &[], &app_id).await.1;

    for (name, form) in CHANGES {
        for (who, client) in [("auditor", &auditor), ("teacher", &teacher)] {
            let (status, body) = call(&app, client, name, form, &app_id).await;
            assert_eq!((status, body), (StatusCode::FORBIDDEN, json!("Forbidden")), "{name} as {who}");
        }
    }
    for (name, form) in STAFF_READS {
        let (status, body) = call(&app, &auditor, name, form, &app_id).await;
        assert_eq!(status, StatusCode::OK, "{name} as auditor: {body}");
        let (status, body) = call(&app, &teacher, name, form, &app_id).await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, json!("Forbidden")), "{name} as teacher");
    }
    for (name, form) in TEACHER_ONLY {
        for (who, client) in [("admin", &admin), ("auditor", &auditor)] {
            let (status, body) = call(&app, client, name, form, &app_id).await;
            assert_eq!((status, body), (StatusCode::FORBIDDEN, json!("Forbidden")), "{name} as {who}");
        }
    }

    // nothing the refused calls named changed, and the audit log records no change
    assert_eq!(snapshot(&app, &admin, &app_id).await, before);
    assert_eq!(call(&app, &admin, "audit_log", &[], &app_id).await.1, audit_before);
    // the refusals did not end the sessions: the auditor still reads, the teacher still teaches
    assert_eq!(call(&app, &auditor, "list_apps", &[], &app_id).await.0, StatusCode::OK);
    // a teacher signing in on the common sign-in page is sent to their classes, not the
    // dashboard, unless the link they came from says where to
    let again = browser();
    let email = invite["email"].as_str().unwrap();
    let r = app.sign_in(&again, email, TEACHER_PASSWORD).await;
    assert_eq!((r.status(), r.headers()[reqwest::header::LOCATION].to_str().unwrap()), (StatusCode::OK, "/my-classes"));
    let r = app.call(&again, "sign_in", &[("email", email), ("password", TEACHER_PASSWORD), ("next", "/my-apps")]).await;
    assert_eq!(r.headers()[reqwest::header::LOCATION], "/my-apps");
    let r = app.sign_in(&browser(), AUDITOR_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(r.headers()[reqwest::header::LOCATION], "/", "staff go to the dashboard");
    for client in [&teacher, &again] {
        let (status, mine) = call(&app, client, "my_classes", &[], &app_id).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(mine.as_array().unwrap().iter().map(|c| c["sourced_id"].as_str().unwrap()).collect::<Vec<_>>(), ["cls-hs-alg1-p1", "cls-hs-bio-p3"]);
    }

    // a whole school's teachers at once: links for those without an account, a reason for the rest
    let (status, invited) = call(&app, &admin, "invite_school", &[("school", "org-school-ms")], &app_id).await;
    assert_eq!(status, StatusCode::OK, "{invited}");
    let mut outcomes: Vec<(&str, &Value)> = invited.as_array().unwrap().iter().map(|i| (i[0].as_str().unwrap(), &i[1])).collect();
    outcomes.sort_by_key(|(name, _)| *name);
    assert_eq!(outcomes.iter().map(|(name, _)| *name).collect::<Vec<_>>(), ["Daniel Okafor", "Maria Lopez-Garcia"], "{invited}");
    assert!(outcomes[0].1["Ok"]["link"].as_str().unwrap().contains("/welcome?token="), "{invited}");
    assert_eq!(outcomes[1].1, &json!({"Err": "has an account already"}));

    // once the roster no longer lists her as a teacher, her sessions stop working and she
    // cannot sign in again
    let package = app.dir.join("no-longer-teaching");
    std::fs::create_dir_all(&package).unwrap();
    let manifest = std::fs::read_to_string(support::district::sample("synthetic/v1p2-delta/manifest.csv")).unwrap();
    let manifest: Vec<String> = manifest
        .lines()
        .map(|l| if l.starts_with("file.") && l != "file.roles,delta" { format!("{},absent", l.split(',').next().unwrap()) } else { l.to_string() })
        .collect();
    std::fs::write(package.join("manifest.csv"), manifest.join("\r\n") + "\r\n").unwrap();
    let t = "2025-11-04T08:00:00.000Z";
    std::fs::write(
        package.join("roles.csv"),
        format!(
            "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,userProfileSourcedId\r\n\
             rol-usr-t-100,tobedeleted,{t},usr-t-100,primary,teacher,2025-08-18,,org-school-hs,\r\n\
             rol-usr-t-100-ms,tobedeleted,{t},usr-t-100,secondary,teacher,,,org-school-ms,\r\n"
        ),
    )
    .unwrap();
    let dropped = app.store.import_package(&package, &options, &store::roster::Silent).await.unwrap();
    let dropped = match dropped.outcome {
        store::roster::Outcome::Held => app.store.approve_import(dropped.id, "dana", &store::roster::Silent).await.unwrap(),
        _ => dropped,
    };
    assert_eq!(dropped.outcome, store::roster::Outcome::Applied, "{}", dropped.message);
    for client in [&teacher, &again] {
        assert_eq!(call(&app, client, "my_classes", &[], &app_id).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.sign_in(&browser(), email, TEACHER_PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
}
