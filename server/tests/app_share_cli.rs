//! `rollbook app share|shared|why` as an admin uses them, on the synthetic district.

use std::{path::Path, process::Output};

use serde_json::Value;

fn rollbook(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rollbook"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ROLLBOOK_DATA_DIR", dir)
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn sample(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path).display().to_string()
}

#[test]
fn an_admin_previews_sets_and_explains_a_share() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    stdout(&rollbook(d, &["import", &sample("synthetic/v1p2-bulk")]));
    stdout(&rollbook(d, &["app", "create", "--name", "Reading Coach"]));

    let out = stdout(&rollbook(d, &["app", "shared", "Reading Coach"]));
    assert!(out.starts_with("`Reading Coach` has no share yet: it sees nothing."), "{out}");

    let out = stdout(&rollbook(
        d,
        &["app", "share", "Reading Coach", "--schools", "org-school-hs", "--withhold", "users.email", "--dry-run"],
    ));
    assert_eq!(
        out,
        "Would change what `Reading Coach` receives: +2 students, +5 academicSessions, +2 classes, +2 courses, \
         +5 enrollments, +2 orgs, +3 users, adds fields: users.phone, users.sms, sensitive: users.phone, users.sms. \
         Nothing was saved (--dry-run).",
        "a first share names the sensitive fields it sends"
    );
    let shared: Value = serde_json::from_str(&stdout(&rollbook(d, &["app", "shared", "1", "--json"]))).unwrap();
    assert_eq!(shared["counts"]["entities"]["users"], 0, "a dry run saves nothing");

    let out = stdout(&rollbook(
        d,
        &["app", "share", "Reading Coach", "--schools", "org-school-hs", "--roles", "student,teacher,guardian", "--withhold", "users.email"],
    ));
    assert!(out.starts_with("Saved the share of `Reading Coach`: +2 students,"), "{out}");
    assert!(out.ends_with("It now gives 2 students; 5 academicSessions, 2 classes, 2 courses, 0 demographics, 5 enrollments, 2 orgs, 4 users."), "{out}");
    let shared: Value = serde_json::from_str(&stdout(&rollbook(d, &["app", "shared", "1", "--json"]))).unwrap();
    assert_eq!(shared["share"]["withhold"][0], "users.email");
    assert_eq!(shared["share"]["include"][0]["schools"][0], "org-school-hs");

    let out = stdout(&rollbook(d, &["app", "why", "1", "users", "usr-g-300"]));
    assert!(out.starts_with("users usr-g-300 is shared with `Reading Coach`: shared by guardian of usr-s-200 (since "), "{out}");
    let out = stdout(&rollbook(d, &["app", "why", "1", "classes", "cls-ms-hr7-a"]));
    assert_eq!(out, "classes cls-ms-hr7-a is not shared with `Reading Coach`: no include rule matches it.");

    // a share file, with its mistakes named
    let file = d.join("share.json");
    std::fs::write(&file, r#"{ "all": true, "roles": ["student", "janitor"] }"#).unwrap();
    let out = rollbook(d, &["app", "share", "1", "--file", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: ") && err.contains("share.json: the share is not valid: unknown variant `janitor`"), "{err}");
    std::fs::write(&file, r#"{ "all": true, "exclude": [ { "class_types": ["homeroom"] } ] }"#).unwrap();
    let out = stdout(&rollbook(d, &["app", "share", "1", "--file", file.to_str().unwrap()]));
    assert!(out.contains("-1 users"), "the guardian leaves: {out}");
    assert!(out.contains("adds fields: users.email"), "{out}");

    let out = rollbook(d, &["app", "share", "1"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: say what to share: --file share.json, --schools SID,SID or --all (an app without a share sees nothing)"
    );
    let out = rollbook(d, &["app", "share", "1", "--all", "--withhold", "users.password"]);
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: withhold: `users.password` is not a field"));
}
