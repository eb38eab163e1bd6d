//! Contract cases for the roster: imports, sources, rollback, history.

use store::{
    roster::{Outcome, Silent},
    StoreError,
};

use crate::{
    packages::{import, orgs, roles, sample, users, Pkg},
    support::TestDb,
};

/// A record's value in one column.
pub(crate) async fn value(db: &TestDb, table: &str, id: &str, column: &str) -> Option<String> {
    db.roster_record(table, id).await.unwrap().unwrap_or_else(|| panic!("{table} {id} exists"))[column].clone()
}

pub(crate) async fn status(db: &TestDb, table: &str, id: &str) -> String {
    value(db, table, id, "status").await.unwrap()
}

pub async fn bulk_then_delta_then_bulk(db: &TestDb) {
    let bulk = import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    assert_eq!(bulk.outcome, Outcome::Applied, "{}", bulk.message);
    assert_eq!(bulk.revision, Some(1));
    // The stored report is the one returned, with how long the import took.
    let (_, stored) = db.import(bulk.id).await.unwrap();
    assert!(bulk.duration_ms > 0);
    assert_eq!(stored.as_ref(), Some(&bulk));
    assert_eq!(bulk.entities["users"].created, 7);
    assert_eq!(bulk.entities["roles"].created, 8);
    assert_eq!(bulk.entities["enrollments"].created, 7);
    assert_eq!(bulk.entities["demographics"].created, 3);
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 7);
    assert_eq!(value(db, "users", "usr-s-202", "given_name").await.as_deref(), Some("Zoë"));
    assert_eq!(value(db, "users", "usr-s-201", "family_name").await.as_deref(), Some("O'Brien"));

    // The delta deletes 1 of 7 enrollments (14%): held under the 10% rule until approved.
    let delta = import(db, &sample("synthetic/v1p2-delta"), "sis", None).await;
    assert_eq!(delta.outcome, Outcome::Held, "{}", delta.message);
    assert_eq!(delta.hold_reasons, ["it deletes 1 of 7 enrollments (14.3%, more than the 10% allowed)"]);
    assert_eq!(value(db, "users", "usr-t-100", "family_name").await.as_deref(), Some("Lopez"), "a hold applies nothing");
    assert!(db.roster_record("users", "usr-s-203").await.unwrap().is_none());
    let approved = db.approve_import(delta.id, "admin@example.org", &Silent).await.unwrap();
    assert_eq!(approved.outcome, Outcome::Applied, "{}", approved.message);
    assert_eq!(approved.revision, Some(2));
    let (summary, stored) = db.import(delta.id).await.unwrap();
    assert_eq!((summary.decided_by.as_deref(), stored.as_ref()), (Some("admin@example.org"), Some(&approved)));
    let users = &approved.entities["users"];
    assert_eq!((users.created, users.updated, users.deleted), (1, 1, 0));
    assert_eq!(approved.entities["enrollments"].deleted, 1);
    assert_eq!(value(db, "users", "usr-t-100", "family_name").await.as_deref(), Some("Lopez-Garcia"));
    assert_eq!(status(db, "enrollments", "enr-bio-s200").await, "tobedeleted");
    assert_eq!(status(db, "enrollments", "enr-bio-s203").await, "active");
    // 7 enrollments, one deleted and one new (the new student's): 7 active, 1 tombstone.
    let enrollments = db.roster_counts().await.unwrap()["enrollments"];
    assert_eq!((enrollments.active, enrollments.tobedeleted), (7, 1));
    assert_eq!(value(db, "users", "usr-t-100", "revision").await.as_deref(), Some("2"));
    assert_eq!(value(db, "users", "usr-t-100", "created_revision").await.as_deref(), Some("1"));
    // What changed since revision 1: the updated teacher, the new student, the deleted enrollment.
    assert_eq!(db.changed_since("users", 1).await.unwrap(), 2);
    assert_eq!(db.changed_since("enrollments", 1).await.unwrap(), 2);
    let (summary, _) = db.import(delta.id).await.unwrap();
    assert_eq!(summary.decided_by.as_deref(), Some("admin@example.org"));

    // The original bulk again: usr-s-203 and its rows are gone from the feed, so they become
    // tombstones (kept), and the earlier values come back.
    db.set_import_setting("hold.delete_percent", Some("50")).await.unwrap();
    let again = import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    assert_eq!(again.outcome, Outcome::Applied, "{}", again.message);
    let users = &again.entities["users"];
    assert_eq!((users.created, users.updated, users.deleted, users.unchanged), (0, 1, 1, 6));
    let enr = &again.entities["enrollments"];
    assert_eq!((enr.created, enr.deleted, enr.unchanged), (1, 1, 6), "enr-bio-s200 returns, enr-bio-s203 goes");
    assert_eq!(status(db, "users", "usr-s-203").await, "tobedeleted");
    assert_eq!(value(db, "users", "usr-s-203", "given_name").await.as_deref(), Some("Noah"), "tombstones keep their values");
    assert_eq!(status(db, "enrollments", "enr-bio-s200").await, "active");
    assert_eq!(value(db, "users", "usr-t-100", "family_name").await.as_deref(), Some("Lopez"));
    let revisions = db.revisions(10).await.unwrap();
    assert_eq!(revisions.iter().map(|r| r.id).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(revisions[0].summary, "import 3 from sis: 1 created, 1 updated, 3 deleted, 38 unchanged");

    // An unchanged re-import changes nothing but is still a revision.
    let same = import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    assert_eq!(same.outcome, Outcome::Applied);
    assert_eq!(same.totals(), (0, 0, 0, 7 + 8 + 7 + 3 + 3 + 3 + 5 + 1 + 3));
}

pub async fn a_source_bulk_leaves_other_sources_alone(db: &TestDb) {
    let sis = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", 10, "Sis")).file("roles.csv", "bulk", &roles("s", 10, "sch1")).write();
    assert_eq!(import(db, sis.path(), "sis", None).await.outcome, Outcome::Applied);
    // Staff from HR refer to the SIS's schools, which are not in the HR package.
    let hr = Pkg::new().file("users.csv", "bulk", &users("h", 3, "Staff")).file("roles.csv", "bulk", &roles("h", 3, "sch2")).write();
    let r = import(db, hr.path(), "hr", None).await;
    assert_eq!(r.outcome, Outcome::Applied, "{} {:?}", r.message, r.problems);
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 13);

    // The SIS drops one student: only that one goes; the HR staff stay.
    let sis2 = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", 9, "Sis")).file("roles.csv", "bulk", &roles("s", 9, "sch1")).write();
    let r = import(db, sis2.path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    assert_eq!(r.entities["users"].deleted, 1);
    assert_eq!(status(db, "users", "s10").await, "tobedeleted");
    let counts = db.roster_counts().await.unwrap()["users"];
    assert_eq!((counts.active, counts.tobedeleted), (12, 1));
    for id in ["h1", "h2", "h3"] {
        assert_eq!(status(db, "users", id).await, "active");
        assert_eq!(value(db, "users", id, "revision").await.as_deref(), Some("2"));
    }

    // HR sending a SIS student's sourcedId is an error naming both sources.
    let mut clash = users("h", 3, "Staff");
    clash.push("s3,,,true,x,,Other,Person,,99,,,,,,,,,,,,".into());
    let mut clash_roles = roles("h", 3, "sch2");
    clash_roles.push("role-x,,,s3,primary,teacher,,,sch2,".into());
    let bad = Pkg::new().file("users.csv", "bulk", &clash).file("roles.csv", "bulk", &clash_roles).write();
    let r = import(db, bad.path(), "hr", None).await;
    assert_eq!(r.outcome, Outcome::Rejected);
    let p = r.problems.iter().find(|p| p.severity == "error").expect("an error");
    assert_eq!((p.file.as_str(), p.line, p.field.as_deref()), ("users.csv", Some(5), Some("sourcedId")));
    assert!(p.message.contains("`s3` already belongs to source `sis`") && p.message.contains("from source `hr`"), "{}", p.message);
    assert_eq!(db.current_revision().await.unwrap(), 3, "nothing applied");
    assert_eq!(value(db, "users", "s3", "family_name").await.as_deref(), Some("Sis"));
}

pub async fn a_dangling_reference_is_rejected_with_its_line(db: &TestDb) {
    let base = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", 2, "A")).file("roles.csv", "bulk", &roles("s", 2, "sch1")).write();
    assert_eq!(import(db, base.path(), "sis", None).await.outcome, Outcome::Applied);
    let t = "2026-01-05T10:00:00.000Z";
    let enrollments = vec![
        format!("e1,active,{t},nope-class,sch1,s1,student,,,"),
    ];
    let delta = Pkg::new().file("enrollments.csv", "delta", &enrollments).write();
    let r = import(db, delta.path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Rejected);
    assert_eq!(r.errors, 1);
    let p = &r.problems.iter().find(|p| p.severity == "error").unwrap();
    assert_eq!(p.to_string(), "enrollments.csv line 2, field `classSourcedId`: error: refers to `nope-class`, which is neither in classes.csv nor in the roster");
    assert!(r.message.starts_with("1 error found; nothing was applied"), "{}", r.message);
    assert_eq!(db.current_revision().await.unwrap(), 1);
    assert_eq!(db.roster_counts().await.unwrap()["enrollments"].active, 0);

    // A delta role referring to a user and a school already in the roster is fine, and so is a
    // delta user whose primary org rests on a role the roster holds.
    let ok = Pkg::new()
        .file("roles.csv", "delta", &[format!("role-s1b,active,{t},s1,secondary,student,,,sch2,")])
        .file("users.csv", "delta", &[format!("s2,active,{t},true,s2.user,,Pat2,Renamed,,2,,,,,,,,,,,sch1,")])
        .write();
    let r = import(db, ok.path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Applied, "{:?}", r.problems);
    assert_eq!(value(db, "users", "s2", "primary_org_sourced_id").await.as_deref(), Some("sch1"));
}

pub async fn the_older_1p2_users_layout_imports_by_column_name(db: &TestDb) {
    // users.csv with resourceSourcedIds after userMasterIdentifier (an earlier 1.2 layout).
    let dir = Pkg::new().file("orgs.csv", "bulk", &orgs()).file("roles.csv", "bulk", &roles("s", 1, "sch1")).write();
    std::fs::write(
        dir.path().join("users.csv"),
        "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,\
         agentSourcedIds,grades,password,userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,\
         preferredFamilyName,primaryOrgSourcedId,pronouns\r\n\
         s1,,,true,pat,,Pat,Lee,,1,pat@example.org,,,,05,,M-1,res-1,Patty,,,sch1,they/them\r\n",
    )
    .unwrap();
    let manifest = std::fs::read_to_string(dir.path().join("manifest.csv")).unwrap().replace("file.users,absent", "file.users,bulk");
    std::fs::write(dir.path().join("manifest.csv"), manifest).unwrap();
    let r = import(db, dir.path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Applied, "{} {:?}", r.message, r.problems);
    assert_eq!(value(db, "users", "s1", "user_master_identifier").await.as_deref(), Some("M-1"));
    assert_eq!(value(db, "users", "s1", "preferred_given_name").await.as_deref(), Some("Patty"));
    assert_eq!(value(db, "users", "s1", "pronouns").await.as_deref(), Some("they/them"));
}

/// Every column of every record (except when and in which revision it changed).
async fn snapshot(db: &TestDb) -> Vec<String> {
    let mut out = Vec::new();
    for table in store::roster::tables::TABLES {
        for id in all_ids(db, table.name).await {
            let mut rec = db.roster_record(table.name, &id).await.unwrap().unwrap();
            rec.remove("revision");
            rec.remove("date_last_modified");
            out.push(format!("{} {rec:?}", table.name));
        }
    }
    out
}

async fn all_ids(db: &TestDb, table: &str) -> Vec<String> {
    // Through the public API: the ids of the samples used here are known.
    let mut ids = Vec::new();
    for dir in ["synthetic/v1p2-bulk", "synthetic/v1p2-delta"] {
        let file = store::roster::tables::by_name(table).unwrap().file;
        let Ok(text) = std::fs::read_to_string(sample(dir).join(file)) else { continue };
        ids.extend(text.lines().skip(1).filter_map(|l| l.split(',').next()).map(String::from));
    }
    ids.sort();
    ids.dedup();
    let mut present = Vec::new();
    for id in ids {
        if db.roster_record(table, &id).await.unwrap().is_some() {
            present.push(id);
        }
    }
    present
}

pub async fn rollback_restores_exactly(db: &TestDb) {
    db.set_import_setting("hold.delete_percent", Some("100")).await.unwrap();
    assert_eq!(import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await.outcome, Outcome::Applied);
    let at1 = snapshot(db).await;
    assert_eq!(import(db, &sample("synthetic/v1p2-delta"), "sis", None).await.outcome, Outcome::Applied);
    let at2 = snapshot(db).await;
    assert_ne!(at1, at2);

    // The preview counts what the rollback then does, and changes nothing.
    let preview = db.rollback_preview(1).await.unwrap();
    assert_eq!((preview.to, preview.current), (1, 2));
    assert_eq!(preview.summary, "rollback to revision 1: 1 restored, 1 updated, 3 deleted");
    assert_eq!(changes(&preview), [("enrollments", 1, 0, 1), ("roles", 0, 0, 1), ("users", 0, 1, 1)]);
    assert_eq!(snapshot(db).await, at2);
    let rb = db.rollback(1, None, "admin@example.org").await.unwrap();
    assert_eq!((rb.id, rb.kind.as_str(), rb.restored_from), (3, "rollback", Some(1)));
    assert_eq!(rb.summary, preview.summary);
    assert_eq!(rb.summary, "rollback to revision 1: 1 restored, 1 updated, 3 deleted", "enr-bio-s200 back; teacher back; new student, role, enrollment gone");
    let after = snapshot(db).await;
    // Records created after revision 1 remain as tombstones; everything else is as it was.
    let (new, without_new): (Vec<&String>, Vec<&String>) = after.iter().partition(|r| r.contains("203"));
    assert_eq!(without_new, at1.iter().collect::<Vec<_>>());
    // The delta's student, role and enrollment, each kept as a tombstone.
    let tables: Vec<&str> = new.iter().map(|r| r.split(' ').next().unwrap()).collect();
    assert_eq!(tables, ["users", "roles", "enrollments"], "{new:#?}");
    assert!(new.iter().all(|r| r.contains(r#""status": Some("tobedeleted")"#)), "{new:#?}");
    assert_eq!(status(db, "users", "usr-s-203").await, "tobedeleted");

    // The rollback is history too: rolling back to 2 brings the delta's state back.
    let rb = db.rollback(2, None, "admin@example.org").await.unwrap();
    assert_eq!(snapshot(db).await, at2);
    // the same rollback again (a double click) changes nothing and adds no revision
    let again = db.rollback(2, None, "admin@example.org").await.unwrap_err();
    assert_eq!(again.to_string(), "the roster is already as it was at revision 2; nothing to roll back");
    assert!(matches!(again, StoreError::Conflict(_)));
    assert_eq!(db.current_revision().await.unwrap(), rb.id);
    assert!(db.rollback(9, None, "x").await.unwrap_err().to_string().contains("cannot be restored"));
    let preview = db.rollback_preview(2).await.unwrap();
    assert_eq!(preview.summary, "the roster is already as it was at revision 2; nothing to roll back");
    assert_eq!(changes(&preview), []);
    let wrong = db.rollback_preview(9).await.unwrap_err();
    assert_eq!(wrong.to_string(), "revision 9 cannot be restored: choose one from 0 to 3 (the current revision is 4)");
    assert!(matches!(wrong, StoreError::Invalid(_)));
}

/// The tables a rollback preview changes: (table, restored, updated, deleted).
fn changes(preview: &store::roster::RollbackPreview) -> Vec<(&str, u64, u64, u64)> {
    preview.counts.iter().filter(|(_, c)| c.created + c.updated + c.deleted > 0).map(|(t, c)| (t.as_str(), c.created, c.updated, c.deleted)).collect()
}

/// Records changed after a revision and changed back count for nothing: a rollback would leave
/// them as they are, and its preview says so.
pub async fn a_rollback_preview_leaves_out_records_changed_back(db: &TestDb) {
    db.set_import_setting("hold.delete_percent", Some("100")).await.unwrap();
    db.set_import_setting("hold.change_percent", Some("100")).await.unwrap();
    let package = |n: usize, renamed: usize| {
        let mut people = users("s", n, "Same");
        for row in people.iter_mut().take(renamed) {
            *row = row.replace(",Same,", ",Renamed,");
        }
        Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &people).file("roles.csv", "bulk", &roles("s", n, "sch1")).write()
    };
    for (n, renamed) in [(6, 0), (6, 4), (5, 1), (7, 1)] {
        let r = import(db, package(n, renamed).path(), "sis", None).await;
        assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    }
    // Since revision 1: s1 renamed (then back, then again), s2-s4 renamed and back, s6
    // deleted and back, s7 new. Every user but s5 was touched.
    assert_eq!(db.changed_since("users", 1).await.unwrap(), 6);
    let preview = db.rollback_preview(1).await.unwrap();
    assert_eq!(preview.current, 4);
    assert_eq!(changes(&preview), [("roles", 0, 0, 1), ("users", 0, 1, 1)], "s1 named back, s7 and its role gone");
    assert_eq!(preview.summary, "rollback to revision 1: 0 restored, 1 updated, 2 deleted");
    let rb = db.rollback(1, Some(preview.current), "admin@example.org").await.unwrap();
    assert_eq!(rb.summary, preview.summary);
    assert_eq!(value(db, "users", "s1", "family_name").await.as_deref(), Some("Same"));
    assert_eq!(status(db, "users", "s7").await, "tobedeleted");

    // Back to revision 3 (s6 deleted): it is restored, s1 renamed, s7 stays deleted.
    let preview = db.rollback_preview(3).await.unwrap();
    assert_eq!(changes(&preview), [("roles", 0, 0, 1), ("users", 0, 1, 1)], "{preview:?}");
    let rb = db.rollback(3, Some(5), "admin@example.org").await.unwrap();
    assert_eq!(rb.summary, preview.summary);
    assert_eq!(status(db, "users", "s6").await, "tobedeleted");
}
