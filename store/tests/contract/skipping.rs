//! Contract cases: invalid rows reject a package, unless the import leaves them out.

use store::roster::Outcome;

use crate::{
    packages::{import, orgs, roles, users, Pkg},
    rival::import_with_rival,
    roster::value,
    support::TestDb,
};

/// The SQL that marks user `id` deleted.
fn delete_user(id: &str) -> String {
    format!("UPDATE users SET status = 'tobedeleted' WHERE sourced_id = '{id}'")
}

pub async fn invalid_rows_reject_the_package_unless_skipped(db: &TestDb) {
    let mut rows = users("s", 3, "A");
    rows[1] = "s2,,,maybe,s2.user,,Pat2,A,,2,,,,,,,,,,,,".into(); // enabledUser must be true/false
    let mut role_rows = roles("s", 3, "sch1");
    role_rows.push("role-extra,,,s2,secondary,student,,,sch2,".into());
    let pkg = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &rows).file("roles.csv", "bulk", &role_rows).write();
    let r = import(db, pkg.path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Rejected);
    let p = r.problems.iter().find(|p| p.severity == "error").unwrap();
    assert_eq!((p.file.as_str(), p.line, p.field.as_deref()), ("users.csv", Some(3), Some("enabledUser")));
    assert_eq!(db.current_revision().await.unwrap(), 0);

    let r = import(db, pkg.path(), "sis", Some(true)).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    assert_eq!(r.entities["users"].created, 2);
    assert_eq!(r.entities["users"].skipped, 1);
    // The roles of the left-out user are left out too, each reported.
    assert_eq!(r.entities["roles"].skipped, 2);
    assert!(r.problems.iter().any(|p| p.file == "roles.csv" && p.line == Some(5) && p.message.contains("refers to `s2`, which was left out")));
    assert!(r.message.contains("3 invalid rows left out"), "{}", r.message);
    assert!(db.roster_record("users", "s2").await.unwrap().is_none());
    // Again, now compared with the records it created: the same rows are left out, for the
    // same reasons, and the rest is unchanged.
    let again = import(db, pkg.path(), "sis", Some(true)).await;
    assert_eq!(again.outcome, Outcome::Applied, "{}", again.message);
    for (entity, unchanged, skipped) in [("users", 2, 1), ("roles", 2, 2)] {
        let counts = &again.entities[entity];
        assert_eq!((counts.created, counts.updated, counts.deleted, counts.unchanged, counts.skipped), (0, 0, 0, unchanged, skipped), "{entity}");
    }
    assert!(again.problems.iter().any(|p| p.file == "roles.csv" && p.line == Some(5) && p.message.contains("refers to `s2`, which was left out")));
    assert!(db.roster_record("users", "s2").await.unwrap().is_none());
    // The district setting does the same.
    db.set_import_setting("skip_invalid", Some("true")).await.unwrap();
    assert!(db.import_policy().await.unwrap().skip_invalid);
    let by_setting = import(db, pkg.path(), "sis", None).await;
    assert_eq!(by_setting.outcome, Outcome::Applied, "{}", by_setting.message);
    assert!(by_setting.skip_invalid);
    assert_eq!((by_setting.entities["users"].unchanged, by_setting.entities["users"].skipped), (2, 1));
    // An import's own choice wins over the district's.
    let strict = import(db, pkg.path(), "sis", Some(false)).await;
    assert_eq!(strict.outcome, Outcome::Rejected, "{}", strict.message);
    assert!(!strict.skip_invalid);
    assert_eq!(db.current_revision().await.unwrap(), 3);
}

/// More bad rows than a report lists (1,000 per file): every one of them is still left out,
/// with the rows that refer to them, and all are counted.
pub async fn every_invalid_row_is_left_out_beyond_the_listed_ones(db: &TestDb) {
    let mut rows = users("s", 1_200, "A");
    for row in rows.iter_mut().skip(100) {
        *row = row.replacen(",,,true,", ",,,maybe,", 1); // enabledUser must be true/false
    }
    let pkg = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &rows).file("roles.csv", "bulk", &roles("s", 1_200, "sch1")).write();
    let r = import(db, pkg.path(), "sis", Some(true)).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    assert_eq!(r.errors, 1_100);
    assert_eq!((r.entities["users"].created, r.entities["users"].skipped), (100, 1_100));
    assert_eq!((r.entities["roles"].created, r.entities["roles"].skipped), (100, 1_100));
    let listed = |file: &str| r.problems.iter().filter(|p| p.file == file).count();
    assert_eq!((listed("users.csv"), listed("roles.csv")), (1_000, 1_000));
    assert_eq!(r.problems_not_listed, 200);
    assert_eq!(r.warnings, 1_100, "each role of a left-out user, counted");
    assert!(r.message.contains("invalid rows left out"), "{}", r.message);
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 100);
    assert!(db.roster_record("users", "s1200").await.unwrap().is_none(), "the last bad row is left out too");
    assert!(db.roster_record("roles", "role-s1200").await.unwrap().is_none());
    assert!(db.roster_record("users", "s100").await.unwrap().is_some());
}

/// Leaving out an invalid row never costs a record the roster holds: a bulk file's bad row for
/// an existing user keeps that user (and its role) as they were, and a repeated sourcedId
/// leaves out its later line only.
pub async fn a_left_out_row_keeps_the_record_the_roster_holds(db: &TestDb) {
    let pkg = |user_rows: Vec<String>| Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &user_rows).file("roles.csv", "bulk", &roles("s", 3, "sch1")).write();
    // A first import whose users.csv repeats s1 on a later line: s1 and its role go in.
    let mut rows = users("s", 3, "A");
    rows.push(rows[0].replace(",A,", ",Again,"));
    let r = import(db, pkg(rows).path(), "sis", Some(true)).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    assert!(r.problems.iter().any(|p| p.file == "users.csv" && p.line == Some(5) && p.message.contains("appears twice")), "{:?}", r.problems);
    assert_eq!((r.entities["users"].created, r.entities["users"].skipped), (3, 1));
    assert_eq!((r.entities["roles"].created, r.entities["roles"].skipped), (3, 0));
    assert_eq!(value(db, "users", "s1", "family_name").await.as_deref(), Some("A"));

    // Again, with s2's row now invalid: s2 and its role stay as they were, nothing is deleted.
    let before = (db.roster_record("users", "s2").await.unwrap(), db.roster_record("roles", "role-s2").await.unwrap());
    let mut rows = users("s", 3, "A");
    rows[1] = rows[1].replacen(",,,true,", ",,,maybe,", 1);
    let r = import(db, pkg(rows.clone()).path(), "sis", Some(true)).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    let counts = |t: &str| {
        let c = &r.entities[t];
        (c.created, c.updated, c.deleted, c.unchanged, c.skipped)
    };
    assert_eq!((counts("users"), counts("roles")), ((0, 0, 0, 2, 1), (0, 0, 0, 3, 0)));
    assert_eq!((db.roster_record("users", "s2").await.unwrap(), db.roster_record("roles", "role-s2").await.unwrap()), before);
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 3);
    // Repeated on a later line, s3 is left out there and kept from its first line.
    rows[1] = users("s", 3, "A")[1].clone();
    rows.push(rows[2].clone());
    let r = import(db, pkg(rows).path(), "sis", Some(true)).await;
    assert_eq!((r.outcome, r.entities["users"].deleted, r.entities["roles"].deleted, r.entities["roles"].skipped), (Outcome::Applied, 0, 0, 0), "{}", r.message);
    assert_eq!(db.roster_counts().await.unwrap()["roles"].active, 3);
}

/// A 1.1 user listing one org twice: one role, and a warning (not a failed import).
pub async fn a_repeated_org_makes_one_role(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let from = crate::packages::sample("synthetic/v1p1-bulk");
    for entry in std::fs::read_dir(&from).unwrap().flatten().filter(|e| e.path().extension().is_some_and(|x| x == "csv")) {
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let users_csv = std::fs::read_to_string(dir.path().join("users.csv")).unwrap();
    let changed = users_csv.replace("usr-t-101,,,true,org-school-ms,", "usr-t-101,,,true,\"org-school-ms,org-school-ms\",");
    assert_ne!(changed, users_csv);
    std::fs::write(dir.path().join("users.csv"), changed).unwrap();
    let r = import(db, dir.path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Applied, "{} {:?}", r.message, r.problems);
    let listed: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(listed, ["users.csv line 3, field `orgSourcedIds`: warning: `org-school-ms` is listed twice; read once"]);
    assert_eq!(r.entities["roles"].created, 8);
    assert_eq!(value(db, "roles", "usr-t-101#role#org-school-ms", "role").await.as_deref(), Some("teacher"));
}

/// The references a package leaves to the roster are checked under the roster's write lock,
/// whatever the policy: another writer that deletes a referenced user while the import
/// validates, and commits while the import waits for the lock, is seen. (With skip-invalid the
/// check once ran before the import took the lock, and a role for the deleted user went in.)
pub async fn references_are_checked_under_the_write_lock(db: &TestDb) {
    let base = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", 3, "A")).file("roles.csv", "bulk", &roles("s", 3, "sch1")).write();
    assert_eq!(import(db, base.path(), "sis", None).await.outcome, Outcome::Applied);
    let t = "2026-01-05T10:00:00.000Z";
    let delta = |user: &str| Pkg::new().file("roles.csv", "delta", &[format!("role-{user}b,active,{t},{user},secondary,student,,,sch2,"), format!("role-s2b,active,{t},s2,secondary,student,,,sch2,")]).write();
    let deleted = |user: &str| format!("roles.csv line 2, field `userSourcedId`: error: refers to `{user}`, which users.csv does not list and the roster holds as deleted");

    // Skip-invalid: the role for the user deleted meanwhile is left out, the other goes in.
    let pkg = delta("s1");
    let (r, _) = import_with_rival(db, pkg.path(), Some(true), &delete_user("s1")).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    assert_eq!((r.entities["roles"].created, r.entities["roles"].skipped), (1, 1));
    let errors: Vec<String> = r.problems.iter().filter(|p| p.severity == "error").map(|p| p.to_string()).collect();
    assert_eq!(errors, [deleted("s1")]);
    assert!(db.roster_record("roles", "role-s1b").await.unwrap().is_none());
    assert!(db.roster_record("roles", "role-s2b").await.unwrap().is_some());

    // Rejecting the package (the default) sees it too.
    let pkg = delta("s3");
    let (r, _) = import_with_rival(db, pkg.path(), Some(false), &delete_user("s3")).await;
    assert_eq!(r.outcome, Outcome::Rejected, "{}", r.message);
    let errors: Vec<String> = r.problems.iter().filter(|p| p.severity == "error").map(|p| p.to_string()).collect();
    assert_eq!(errors, [deleted("s3")]);
    assert!(db.roster_record("roles", "role-s3b").await.unwrap().is_none());
}

/// A value neither database could keep (a NUL character: PostgreSQL refuses it; a value too
/// long for an index entry) is an error naming its cell, the same on both databases, and
/// skip-invalid leaves its row out; PostgreSQL used to fail the whole import with a raw
/// database error.
pub async fn values_no_database_can_keep_are_named(db: &TestDb) {
    let mut rows = users("s", 3, "A");
    rows[1] = rows[1].replace(",Pat2,", ",Pat\0,");
    rows[2] = rows[2].replace(",A,,3,", &format!(",A,,{},", "9".repeat(3000))); // identifier
    let pkg = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &rows).file("roles.csv", "bulk", &roles("s", 3, "sch1")).write();
    let r = import(db, pkg.path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Rejected, "{}", r.message);
    let errors: Vec<String> = r.problems.iter().filter(|p| p.severity == "error").map(|p| p.to_string()).collect();
    assert_eq!(
        errors,
        [
            "users.csv line 3, field `givenName`: error: contains a NUL character (byte 0), which Rollbook cannot store",
            "users.csv line 4, field `identifier`: error: is 3000 bytes long; Rollbook keeps values of at most 1,024 bytes",
        ]
    );
    let r = import(db, pkg.path(), "sis", Some(true)).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    assert_eq!((r.entities["users"].created, r.entities["users"].skipped), (1, 2));
    assert!(db.roster_record("users", "s2").await.unwrap().is_none());
}

/// Skip-invalid also leaves out a row whose sourcedId belongs to another source (found while
/// applying); the other source's record stays as it was, and rows referring to it find it as
/// they would anyway. It used to reject the whole package.
pub async fn a_sourced_id_of_another_source_is_left_out(db: &TestDb) {
    let sis = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", 3, "Sis")).file("roles.csv", "bulk", &roles("s", 3, "sch1")).write();
    assert_eq!(import(db, sis.path(), "sis", None).await.outcome, Outcome::Applied);
    let before = db.roster_record("users", "s3").await.unwrap();
    let mut staff = users("h", 2, "Staff");
    staff.push("s3,,,true,x,,Other,Person,,99,,,,,,,,,,,,".into());
    let mut staff_roles = roles("h", 2, "sch2");
    staff_roles.push("role-x,,,s3,secondary,teacher,,,sch2,".into());
    let hr = Pkg::new().file("users.csv", "bulk", &staff).file("roles.csv", "bulk", &staff_roles).write();

    let r = import(db, hr.path(), "hr", Some(true)).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    assert_eq!(r.message, "applied as revision 2; 1 invalid row left out (skip-invalid)");
    assert_eq!((r.entities["users"].created, r.entities["users"].skipped), (2, 1));
    assert_eq!((r.entities["roles"].created, r.entities["roles"].skipped), (3, 0));
    let listed: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        listed,
        ["users.csv line 4, field `sourcedId`: error: `s3` already belongs to source `sis`, and this import is from source `hr`; a sourcedId belongs to one source"]
    );
    assert_eq!(db.roster_record("users", "s3").await.unwrap(), before);
    assert_eq!(value(db, "roles", "role-x", "user_sourced_id").await.as_deref(), Some("s3"));
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 5);
}

/// A row the roster holds, left out because it now refers to a new record that is invalid,
/// stays as it was: a bulk import does not delete it as unlisted. (It was deleted.)
pub async fn a_record_referring_to_a_left_out_one_is_kept(db: &TestDb) {
    let pkg = |user_rows: Vec<String>, role_rows: Vec<String>| Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &user_rows).file("roles.csv", "bulk", &role_rows).write();
    assert_eq!(import(db, pkg(users("s", 3, "A"), roles("s", 3, "sch1")).path(), "sis", None).await.outcome, Outcome::Applied);
    let before = db.roster_record("roles", "role-s1").await.unwrap();
    // A new user s4 whose row is invalid, and role-s1 moved to it.
    let mut user_rows = users("s", 3, "A");
    user_rows.push(users("s", 4, "A")[3].replacen(",,,true,", ",,,maybe,", 1));
    let mut role_rows = roles("s", 3, "sch1");
    role_rows[0] = role_rows[0].replace(",s1,", ",s4,");
    let r = import(db, pkg(user_rows, role_rows).path(), "sis", Some(true)).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    let counts = |t: &str| {
        let c = &r.entities[t];
        (c.created, c.updated, c.deleted, c.unchanged, c.skipped)
    };
    assert_eq!((counts("users"), counts("roles")), ((0, 0, 0, 3, 1), (0, 0, 0, 2, 1)));
    assert!(r.problems.iter().any(|p| p.to_string() == "roles.csv line 2, field `userSourcedId`: warning: left out: refers to `s4`, which was left out as invalid"), "{:?}", r.problems);
    assert_eq!(db.roster_record("roles", "role-s1").await.unwrap(), before);
}
