//! Contract cases for the safety holds: the thresholds, approve and discard.

use store::roster::{Outcome, Silent};

use crate::{
    packages::{import, orgs, roles, users, Pkg},
    roster::value,
    support::TestDb,
};

/// Every column of users `s1..=sN` and their roles (None where there is no record).
async fn people(db: &TestDb, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for i in 1..=n {
        out.push(format!("{:?}", db.roster_record("users", &format!("s{i}")).await.unwrap()));
        out.push(format!("{:?}", db.roster_record("roles", &format!("role-s{i}")).await.unwrap()));
    }
    out
}

pub async fn holds_trigger_above_the_threshold_only(db: &TestDb) {
    let pkg = |n| Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", n, "A")).file("roles.csv", "bulk", &roles("s", n, "sch1")).write();
    assert_eq!(import(db, pkg(20).path(), "sis", None).await.outcome, Outcome::Applied);
    // Exactly 10% (2 of 20): applied.
    let r = import(db, pkg(18).path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    assert_eq!(r.entities["users"].deleted, 2);
    // 2 of 18 (11.1%): held, with a sample of what would go.
    let before = people(db, 20).await;
    let r = import(db, pkg(16).path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Held);
    let kept = db.data.path().join("holds").join(r.id.to_string());
    assert_eq!(std::fs::read_dir(&kept).map(|d| d.count()).unwrap_or(0), 1, "the held package is kept in {kept:?}");
    assert!(r.hold_reasons.contains(&"it deletes 2 of 18 users (11.1%, more than the 10% allowed)".to_string()), "{:?}", r.hold_reasons);
    let deleted: Vec<&str> = r.samples["users"].iter().filter(|s| s.change == "deleted").map(|s| s.sourced_id.as_str()).collect();
    assert_eq!(deleted, ["s17", "s18"]);
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 18, "held means not applied");
    // Discard: everything stays as it was.
    let discarded = db.discard_import(r.id, "admin@example.org").await.unwrap();
    assert_eq!(discarded.outcome, Outcome::Discarded);
    let filter = store::AuditFilter { action: Some("import.discard".into()), ..Default::default() };
    let entries = db.audit_entries(&filter, 10).await.unwrap();
    let recorded: Vec<(&str, String, &str)> = entries.iter().map(|e| (e.actor.as_str(), e.target.clone(), e.detail.as_str())).collect();
    assert_eq!(recorded, [("admin@example.org", format!("import {}", r.id), "discarded by admin@example.org; nothing was applied")]);
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 18);
    assert_eq!(db.current_revision().await.unwrap(), 2);
    assert_eq!(people(db, 20).await, before, "every record as it was, to its revision and date");
    assert!(!kept.exists(), "the discarded package is not kept");
    assert!(db.approve_import(r.id, "x", &Silent).await.unwrap_err().to_string().contains("is discarded, not held"));
    // Held again, approved this time: by two admins at once (or a double click). Only one
    // decision goes through; the other is refused and applies nothing.
    let r = import(db, pkg(16).path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Held);
    let (first, second) = tokio::join!(db.approve_import(r.id, "admin@example.org", &Silent), db.approve_import(r.id, "other@example.org", &Silent));
    let mut outcomes = [first, second].map(|o| o.map(|r| r.outcome).map_err(|e| e.to_string()));
    outcomes.sort_by_key(|o| o.is_err());
    assert_eq!(outcomes[0], Ok(Outcome::Applied));
    let refused = outcomes[1].clone().unwrap_err();
    assert!(refused.starts_with(&format!("import {} ", r.id)) && refused.contains(", not held"), "{refused}");
    assert_eq!(db.current_revision().await.unwrap(), 3, "applied once");
    let filter = store::AuditFilter { action: Some("import.approve".into()), ..Default::default() };
    let approvals: Vec<String> = db.audit_entries(&filter, 10).await.unwrap().into_iter().map(|e| e.target).collect();
    assert_eq!(approvals, [format!("import {}", r.id)], "the refused approval is not recorded");
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 16);
    // An approval and a discard at once: whichever comes first decides, the roster agrees with it.
    let r = import(db, pkg(14).path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Held);
    let (approved, discarded) = tokio::join!(db.approve_import(r.id, "admin@example.org", &Silent), db.discard_import(r.id, "other@example.org"));
    match (approved, discarded) {
        (Ok(a), Err(d)) => {
            assert_eq!(a.outcome, Outcome::Applied);
            assert!(d.to_string().contains(", not held"), "{d}");
            assert_eq!((db.current_revision().await.unwrap(), db.roster_counts().await.unwrap()["users"].active), (4, 14));
        }
        (Err(a), Ok(d)) => {
            assert_eq!(d.outcome, Outcome::Discarded);
            assert!(a.to_string().contains(", not held"), "{a}");
            assert_eq!((db.current_revision().await.unwrap(), db.roster_counts().await.unwrap()["users"].active), (3, 16));
        }
        (a, d) => panic!("exactly one decision goes through: {:?} / {:?}", a.map(|r| r.outcome), d.map(|r| r.outcome)),
    }
    // Per-entity thresholds: users may change freely now.
    db.set_import_setting("hold.users.delete_percent", Some("100")).await.unwrap();
    db.set_import_setting("hold.roles.delete_percent", Some("100")).await.unwrap();
    db.set_import_setting("hold.users.change_percent", Some("100")).await.unwrap();
    db.set_import_setting("hold.roles.change_percent", Some("100")).await.unwrap();
    let r = import(db, pkg(1).path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    // An empty users.csv (the summer-rollover accident) is held under the default rules.
    db.set_import_setting("hold.users.delete_percent", None).await.unwrap();
    let empty = Pkg::new().file("users.csv", "bulk", &[]).write();
    let r = import(db, empty.path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Held, "{}", r.message);
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 1);
}

/// The change rule (updates and deletions together, default 75%) holds above its threshold
/// only, counts deletions with updates, and yields to an entity's own setting.
pub async fn the_change_threshold_holds_above_it_only(db: &TestDb) {
    // `renamed` of 20 users get the family name `family`; the rest keep "A"; the first `kept` stay.
    let pkg = |kept: usize, renamed: usize, family: &str| {
        let mut rows = users("s", renamed, family);
        rows.extend(users("s", kept, "A").into_iter().skip(renamed));
        Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &rows).file("roles.csv", "bulk", &roles("s", kept, "sch1")).write()
    };
    assert_eq!(import(db, pkg(20, 0, "A").path(), "sis", None).await.outcome, Outcome::Applied);
    // Exactly 75% (15 of 20 renamed): applied.
    let r = import(db, pkg(20, 15, "B").path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Applied, "{}", r.message);
    assert_eq!((r.entities["users"].updated, r.entities["users"].unchanged), (15, 5));
    assert_eq!(value(db, "users", "s15", "family_name").await.as_deref(), Some("B"));
    // 16 of 20 (80%): held, and nothing of it applied.
    let r = import(db, pkg(20, 16, "C").path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Held, "{}", r.message);
    assert_eq!(r.hold_reasons, ["it changes 16 of 20 users (80.0%, more than the 75% allowed)"]);
    let changed: Vec<&str> = r.samples["users"].iter().filter(|s| s.change == "updated").map(|s| s.sourced_id.as_str()).collect();
    // A sample (10 a kind), all of them among the 16 renamed.
    assert_eq!(changed.len(), 10, "{changed:?}");
    assert!(changed.iter().all(|id| (1..=16).any(|i| *id == format!("s{i}"))), "{changed:?}");
    assert_eq!(value(db, "users", "s1", "family_name").await.as_deref(), Some("B"));
    assert_eq!(value(db, "users", "s16", "family_name").await.as_deref(), Some("A"));
    assert_eq!(db.current_revision().await.unwrap(), 2);
    db.discard_import(r.id, "admin@example.org").await.unwrap();
    // Deletions count as changes: 15 renamed (75%, allowed alone) and 2 removed (10%, allowed
    // alone) is 17 of 20.
    let r = import(db, pkg(18, 15, "C").path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Held, "{}", r.message);
    assert_eq!(r.hold_reasons, ["it changes 17 of 20 users (85.0%, more than the 75% allowed)"]);
    db.discard_import(r.id, "admin@example.org").await.unwrap();
    // The users' own threshold overrides the district's: at 80%, 16 of 20 is allowed.
    db.set_import_setting("hold.users.change_percent", Some("80")).await.unwrap();
    let r = import(db, pkg(20, 16, "C").path(), "sis", None).await;
    assert_eq!(r.outcome, Outcome::Applied, "{} {:?}", r.message, r.hold_reasons);
    assert_eq!(r.entities["users"].updated, 16);
    assert_eq!(value(db, "users", "s16", "family_name").await.as_deref(), Some("C"));
    assert_eq!(db.current_revision().await.unwrap(), 3);
}

/// A hold whose package cannot be kept (the holds folder is not writable) could never be
/// approved: the import fails, says why, and applies nothing.
pub async fn a_hold_that_cannot_keep_its_package_fails(db: &TestDb) {
    let pkg = |n| Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", n, "A")).file("roles.csv", "bulk", &roles("s", n, "sch1")).write();
    assert_eq!(import(db, pkg(20).path(), "sis", None).await.outcome, Outcome::Applied);
    std::fs::write(db.data.path().join("holds"), "not a folder").unwrap();
    let options = store::roster::ImportOptions::new("sis", db.data.path());
    let err = db.import_package(pkg(10).path(), &options, &Silent).await.unwrap_err();
    assert!(err.to_string().contains("cannot keep the held package"), "{err}");
    let last = &db.imports(1).await.unwrap()[0];
    assert_eq!(last.outcome, Outcome::Failed);
    assert!(last.message.starts_with("the import was to be held, but its package could not be kept, so nothing was applied: "), "{}", last.message);
    assert_eq!((db.current_revision().await.unwrap(), db.roster_counts().await.unwrap()["users"].active), (1, 20));
}

/// An approval applies what the admin reviewed. If the roster changed after the hold (another
/// import went in), the held package would now do something else: the thresholds apply again,
/// and it stays held with the new counts until approved once more.
pub async fn an_approval_after_the_roster_changed_is_checked_again(db: &TestDb) {
    let pkg = |n| Pkg::new().file("orgs.csv", "bulk", &orgs()).file("users.csv", "bulk", &users("s", n, "A")).file("roles.csv", "bulk", &roles("s", n, "sch1")).write();
    assert_eq!(import(db, pkg(20).path(), "sis", None).await.outcome, Outcome::Applied);
    let held = import(db, pkg(16).path(), "sis", None).await;
    assert_eq!(held.hold_reasons, ["it deletes 4 of 20 roles (20.0%, more than the 10% allowed)", "it deletes 4 of 20 users (20.0%, more than the 10% allowed)"]);
    assert_eq!(held.held_at_revision, Some(1));
    // The next night's package adds five students; it applies.
    assert_eq!(import(db, pkg(25).path(), "sis", None).await.revision, Some(2));
    // Approving the old package now would delete 9 of 25, not the 4 of 20 reviewed.
    let again = db.approve_import(held.id, "admin@example.org", &Silent).await.unwrap();
    assert_eq!(again.outcome, Outcome::Held);
    assert_eq!(
        again.message,
        "not applied: the roster changed since this import was held (revision 1 then, 2 now); held for review: \
         it deletes 9 of 25 roles (36.0%, more than the 10% allowed); it deletes 9 of 25 users (36.0%, more than the 10% allowed); \
         nothing was applied until an admin approves it"
    );
    assert_eq!((db.current_revision().await.unwrap(), db.roster_counts().await.unwrap()["users"].active), (2, 25));
    let (summary, stored) = db.import(held.id).await.unwrap();
    assert_eq!((summary.outcome, stored.unwrap().held_at_revision), (Outcome::Held, Some(2)));
    // Approved again with the roster unchanged since: applied as now reviewed.
    let applied = db.approve_import(held.id, "admin@example.org", &Silent).await.unwrap();
    assert_eq!((applied.outcome, applied.revision, applied.entities["users"].deleted), (Outcome::Applied, Some(3), 9));
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 16);
    // Both decisions are in the audit log, the one that applied dated with its revision.
    let filter = store::AuditFilter { action: Some("import.approve".into()), ..Default::default() };
    let entries = db.audit_entries(&filter, 10).await.unwrap();
    let target = format!("import {}", held.id);
    let recorded: Vec<(&str, &str, &str)> = entries.iter().map(|e| (e.actor.as_str(), e.target.as_str(), e.detail.as_str())).collect();
    assert_eq!(recorded, [("admin@example.org", target.as_str(), "applied as revision 3"), ("admin@example.org", target.as_str(), again.message.as_str())]);
    assert_eq!(entries[0].at, db.revision(3).await.unwrap().unwrap().created_at);
}
