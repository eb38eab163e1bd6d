//! Teachers over real HTTP: the invitation link, their own classes only (every server function
//! checks), the staff console closed to them, and the roster issues queue.

mod support;

use reqwest::{header, StatusCode};
use serde_json::{json, Value};
use store::{NewAccount, Role};
use support::{browser, district::district_with, Spawn, ADMIN_EMAIL, ADMIN_PASSWORD};

const TEACHER_PASSWORD: &str = "chalk and blackboard";

#[tokio::test]
async fn a_teacher_reaches_only_own_classes_and_the_admin_resolves_what_they_report() {
    let (app, _) = district_with(Spawn::default()).await;
    let admin = browser();
    app.sign_in(&admin, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // the admin invites Maria Lopez and gets a link on this server
    let r = app.call(&admin, "invite_teacher", &[("sourced_id", "usr-t-100")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let invite: Value = r.json().await.unwrap();
    assert_eq!(invite["email"], "mlopez@rusd.example.org");
    let link = invite["link"].as_str().unwrap().to_string();
    let prefix = app.url("/welcome?token=");
    assert!(link.starts_with(&prefix), "{link}");
    let token = link[prefix.len()..].to_string();
    // a student cannot be invited
    let r = app.call(&admin, "invite_teacher", &[("sourced_id", "usr-s-200")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // the link's page needs no session and says who it is for
    let teacher = browser();
    let page = teacher.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Maria Lopez, choose a password for mlopez@rusd.example.org."));
    let r = app.call(&teacher, "accept_invitation", &[("token", &token), ("password", TEACHER_PASSWORD), ("confirm", "something else")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"Field": {"field": "confirm", "message": "the two passwords are not the same"}}));
    let r = app.call(&teacher, "accept_invitation", &[("token", &token), ("password", TEACHER_PASSWORD), ("confirm", TEACHER_PASSWORD)]).await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let me: Value = app.call(&teacher, "current_user", &[]).await.json().await.unwrap();
    assert_eq!((me["display_name"].as_str(), me["is_teacher"].as_bool()), (Some("Maria Lopez"), Some(true)));
    // the link is used up
    let r = app.call(&browser(), "accept_invitation", &[("token", &token), ("password", TEACHER_PASSWORD), ("confirm", TEACHER_PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // her classes, and nobody else's
    let classes: Value = app.call(&teacher, "my_classes", &[]).await.json().await.unwrap();
    assert_eq!(teacher.get(app.url("/my-apps")).send().await.unwrap().status(), StatusCode::OK);
    let ids: Vec<&str> = classes.as_array().unwrap().iter().map(|c| c["sourced_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["cls-hs-alg1-p1", "cls-hs-bio-p3"]);
    let class: Value = app.call(&teacher, "my_class", &[("sourced_id", "cls-hs-alg1-p1")]).await.json().await.unwrap();
    let names: Vec<&str> = class["students"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ava Nguyen", "Liam O'Brien"]);
    assert_eq!(class["apps"], json!([{"name": "Reading Coach", "since": class["apps"][0]["since"], "fields": "All fields except email; no demographics."}]));
    let r = app.call(&teacher, "my_class", &[("sourced_id", "cls-ms-hr7-a")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"NotFound": "This class is not one of yours."}));
    let r = app.call(&teacher, "flag_class", &[("sourced_id", "cls-ms-hr7-a"), ("kind", "other"), ("comment", "x")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"NotFound": "cls-ms-hr7-a is not one of your classes"}));
    let r = app.call(&teacher, "attest_class", &[("sourced_id", "cls-ms-hr7-a")]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // the district's data and the admin's actions are closed to teachers
    for (name, form) in [
        ("dashboard_summary", vec![]),
        ("load_user", vec![("sourced_id", "usr-s-202")]),
        ("load_class", vec![("sourced_id", "cls-ms-hr7-a")]),
        ("roster_issue_queue", vec![("all", "true")]),
        ("resolve_roster_issue", vec![("id", "1"), ("resolution", "x")]),
        ("invite_teacher", vec![("sourced_id", "usr-t-101")]),
        ("list_apps", vec![]),
    ] {
        let r = app.call(&teacher, name, &form).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{name}");
        assert_eq!(r.json::<Value>().await.unwrap(), json!("Forbidden"), "{name}");
    }
    for path in ["/", "/data", "/apps", "/roster-issues"] {
        let r = teacher.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(r.headers()[header::LOCATION], "/my-classes", "{path}");
    }
    assert_eq!(teacher.get(app.url("/audit.csv")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(teacher.get(app.url("/my-classes")).send().await.unwrap().status(), StatusCode::OK);
    // and staff have no "my classes"
    assert_eq!(app.call(&admin, "my_classes", &[]).await.status(), StatusCode::FORBIDDEN);

    // she reports a missing student; the admin sees it, an auditor cannot resolve it, the admin does
    let r = app
        .call(&teacher, "flag_class", &[("sourced_id", "cls-hs-bio-p3"), ("kind", "missing_student"), ("student_name", "Liam O'Brien"), ("comment", "")])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let issue_id = r.json::<i64>().await.unwrap().to_string();
    let queue: Value = app.call(&admin, "roster_issue_queue", &[("all", "false")]).await.json().await.unwrap();
    assert_eq!(queue["issues"].as_array().unwrap().len(), 1);
    let issue = &queue["issues"][0];
    assert_eq!(issue["student_name"], "Liam O'Brien");
    assert_eq!(issue["reporter"], "Maria Lopez (mlopez@rusd.example.org)");
    assert_eq!(issue["check"], "Liam O'Brien is still not on the class list.");
    app.store
        .create_account(NewAccount { email: "audrey@district.example".into(), display_name: None, role: Role::Auditor, password: ADMIN_PASSWORD.into() })
        .await
        .unwrap();
    let auditor = browser();
    app.sign_in(&auditor, "audrey@district.example", ADMIN_PASSWORD).await;
    assert_eq!(app.call(&auditor, "roster_issue_queue", &[("all", "false")]).await.status(), StatusCode::OK);
    let r = app.call(&auditor, "resolve_roster_issue", &[("id", &issue_id), ("resolution", "done")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.call(&admin, "resolve_roster_issue", &[("id", &issue_id), ("resolution", "")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.unwrap()["Field"]["field"], "resolution");
    let r = app.call(&admin, "resolve_roster_issue", &[("id", &issue_id), ("resolution", "Liam's schedule fixed in the SIS")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let mine: Value = app.call(&teacher, "my_class", &[("sourced_id", "cls-hs-bio-p3")]).await.json().await.unwrap();
    assert_eq!(mine["issues"][0]["open"], false);
    assert_eq!(mine["issues"][0]["resolution"], "Liam's schedule fixed in the SIS");
}

/// A real SMTP server on loopback: aiosmtpd (PyPI, installed by scripts/setup.sh --test)
/// storing every message it receives in a Maildir.
struct SmtpSink {
    child: std::process::Child,
    port: u16,
    maildir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        // Mailbox makes the Maildir itself, and only when the folder does not exist yet.
        let maildir = dir.path().join("mail");
        let child = std::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .spawn()
            .expect("python3 with aiosmtpd (scripts/setup.sh --test installs it)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpSink { child, port, maildir, _dir: dir };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the SMTP sink did not start on port {port}");
    }

    /// The messages received so far, as text.
    fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else { return Vec::new() };
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn with_an_smtp_relay_the_invitation_is_e_mailed() {
    let sink = SmtpSink::start();
    let (app, _) = district_with(Spawn { smtp_url: Some(format!("smtp://127.0.0.1:{}", sink.port)), ..Default::default() }).await;
    let admin = browser();
    app.sign_in(&admin, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r = app.call(&admin, "invite_teacher", &[("sourced_id", "usr-t-100")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let invite: Value = r.json().await.unwrap();
    assert_eq!(invite["mail"], "E-mailed to mlopez@rusd.example.org.");
    let link = invite["link"].as_str().unwrap();
    let mut messages = Vec::new();
    for _ in 0..100 {
        messages = sink.messages();
        if !messages.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(messages.len(), 1, "one message arrives");
    let mail = &messages[0];
    assert!(mail.contains("To: \"Maria Lopez\" <mlopez@rusd.example.org>"), "{mail}");
    assert!(mail.contains("From: Rollbook <rollbook@district.example>"), "{mail}");
    assert!(mail.contains("Subject: Your Rollbook invitation"), "{mail}");
    // the link, possibly folded by the quoted-printable encoding
    let unfolded = mail.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    assert!(unfolded.contains(link), "{mail}");
    // and the link in the mail works
    let page = browser().get(link).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Maria Lopez, choose a password for mlopez@rusd.example.org."));

    // a relay that is down: the admin is told, and still gets the link
    drop(sink);
    let r = app.call(&admin, "invite_teacher", &[("sourced_id", "usr-t-101")]).await;
    assert_eq!(r.status(), StatusCode::OK);
    let invite: Value = r.json().await.unwrap();
    assert!(invite["mail"].as_str().unwrap().starts_with("Could not e-mail it ("), "{invite}");
    assert!(invite["link"].as_str().unwrap().contains("/welcome?token="));
}
