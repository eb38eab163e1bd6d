//! Contract cases for the sharing engine on the synthetic district (../shared samples).

use store::{
    roster::{Outcome, Silent},
    secret_key::SecretKey,
    sharing::{ClassRule, PersonRole, Share},
    NewApp,
};

use crate::{
    packages::{import, sample},
    support::TestDb,
};

async fn app(db: &TestDb, name: &str) -> i64 {
    db.create_app(NewApp { name: name.into(), ..Default::default() }, &SecretKey::generate()).await.unwrap().id
}

fn by_school(school: &str, roles: &[PersonRole]) -> Share {
    Share {
        include: vec![ClassRule { schools: vec![school.into()], ..Default::default() }],
        roles: roles.to_vec(),
        ..Default::default()
    }
}

async fn ids(db: &TestDb, app: i64, entity: &str) -> Vec<String> {
    db.shared_ids(app, entity).await.unwrap()
}

pub async fn a_share_by_school_gives_its_classes_people_and_references(db: &TestDb) {
    let bulk = import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    assert_eq!(bulk.outcome, Outcome::Applied, "{}", bulk.message);
    let a = app(db, "Reading Coach").await;

    // a new app shares nothing
    assert_eq!(db.share(a).await.unwrap(), Share::default());
    assert!(db.share_counts(a).await.unwrap().entities.values().all(|n| *n == 0));
    let why = db.explain_share(a, "users", "usr-s-200").await.unwrap();
    assert!(!why.shared);
    assert_eq!(why.reason, "the app's share gives no classes (a new app shares nothing)");

    // the impact preview, then the share itself
    let share = by_school("org-school-hs", &[PersonRole::Student, PersonRole::Teacher, PersonRole::Guardian]);
    let impact = db.share_impact(a, &share).await.unwrap();
    let expected: Vec<(&str, i64)> =
        vec![("academicSessions", 5), ("classes", 2), ("courses", 2), ("enrollments", 5), ("orgs", 2), ("users", 4)];
    assert_eq!(impact.added.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), expected);
    assert!(impact.removed.is_empty());
    assert_eq!((impact.students_added, impact.students_removed), (2, 0));
    // a first share gives the sensitive fields it does not withhold: they count as added
    assert_eq!(impact.fields_added, ["users.email", "users.phone", "users.sms"]);
    assert_eq!(impact.sensitive_added, impact.fields_added);
    assert_eq!(db.shared_ids(a, "users").await.unwrap().len(), 0, "a preview changes nothing");

    let refresh = db.set_share(a, &share, "dana@district.example").await.unwrap();
    assert_eq!((refresh.entered, refresh.left), (15, 0));
    assert_eq!(ids(db, a, "classes").await, ["cls-hs-alg1-p1", "cls-hs-bio-p3"]);
    assert_eq!(ids(db, a, "users").await, ["usr-g-300", "usr-s-200", "usr-s-201", "usr-t-100"]);
    assert_eq!(ids(db, a, "orgs").await, ["org-district-1", "org-school-hs"]);
    assert_eq!(ids(db, a, "courses").await, ["crs-hs-alg1", "crs-hs-bio"]);
    assert_eq!(
        ids(db, a, "academicSessions").await,
        ["as-gp-fall-q1", "as-gp-fall-q2", "as-sy-2026", "as-term-fall-2025", "as-term-spring-2026"]
    );
    assert_eq!(
        ids(db, a, "enrollments").await,
        ["enr-alg1-s200", "enr-alg1-s201", "enr-alg1-t100", "enr-bio-s200", "enr-bio-t100"]
    );
    assert!(ids(db, a, "demographics").await.is_empty(), "demographics are off unless on");
    let counts = db.share_counts(a).await.unwrap();
    assert_eq!((counts.entities["users"], counts.entities["enrollments"], counts.students), (4, 5, 2));

    // why (not)
    let why = |entity: &'static str, id: &'static str| async move { db.explain_share(a, entity, id).await.unwrap() };
    let w = why("users", "usr-s-200").await;
    assert!(w.shared && w.since.is_some());
    assert_eq!(w.reason, "shared by student in class cls-hs-alg1-p1");
    assert_eq!(why("users", "usr-g-300").await.reason, "shared by guardian of usr-s-200");
    assert_eq!(why("orgs", "org-district-1").await.reason, "shared by parent of org-school-hs");
    assert_eq!(why("classes", "cls-hs-bio-p3").await.reason, "shared by include[0]");
    assert_eq!(why("classes", "cls-ms-hr7-a").await.reason, "no include rule matches it");
    assert_eq!(
        why("users", "usr-s-202").await.reason,
        "not enrolled in any shared class (the share gives these roles: student, teacher, guardian)"
    );
    assert_eq!(why("enrollments", "enr-hr7a-s202").await.reason, "its class cls-ms-hr7-a is not shared");
    assert_eq!(why("enrollments", "enr-bio-t100").await.reason, "its class cls-hs-bio-p3 and its user usr-t-100 are shared");
    assert_eq!(why("users", "nobody").await.reason, "there is no users record `nobody` in the roster");
    assert!(db.explain_share(a, "widgets", "x").await.is_err());

    // only students: teachers and guardians leave, with a removal preview first
    let students = by_school("org-school-hs", &[PersonRole::Student]);
    let impact = db.share_impact(a, &students).await.unwrap();
    assert_eq!(impact.removed.get("users"), Some(&2));
    assert_eq!(impact.removed.get("enrollments"), Some(&2));
    db.set_share(a, &students, "dana").await.unwrap();
    assert_eq!(ids(db, a, "users").await, ["usr-s-200", "usr-s-201"]);
    let w = why("users", "usr-t-100").await;
    assert!(!w.shared && w.left_at.is_some(), "{w:?}");
    assert_eq!(w.reason, "enrolled as teacher in shared class cls-hs-alg1-p1, but the share gives only these roles: student");
}

pub async fn rules_exclusions_fields_and_roster_changes(db: &TestDb) {
    import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    let a = app(db, "Math Lab").await;

    // everything but homerooms, with demographics and e-mail withheld
    let share = Share::from_json(
        r#"{ "all": true, "exclude": [ { "label": "no homerooms", "class_types": ["homeroom"] } ],
             "roles": ["student", "teacher", "administrator", "unenrolled_staff"],
             "withhold": ["users.email"], "demographics": true }"#,
    )
    .unwrap();
    let impact = db.share_impact(a, &share).await.unwrap();
    // a first share: the sensitive fields it gives count as added
    assert_eq!(impact.fields_added, ["demographics", "demographics.birthDate", "users.phone", "users.sms"]);
    assert_eq!(impact.sensitive_added, impact.fields_added);
    db.set_share(a, &share, "dana").await.unwrap();
    assert_eq!(ids(db, a, "classes").await, ["cls-hs-alg1-p1", "cls-hs-bio-p3"]);
    assert_eq!(db.explain_share(a, "classes", "cls-ms-hr7-a").await.unwrap().reason, "excluded by no homerooms");
    // usr-t-101 teaches only the homeroom, at a school with no shared class: not staff of a
    // shared school. The district admin usr-a-400 has no role at a shared school either.
    assert_eq!(ids(db, a, "users").await, ["usr-s-200", "usr-s-201", "usr-t-100"]);
    assert_eq!(ids(db, a, "demographics").await, ["usr-s-200", "usr-s-201"]);

    // conditions: grade 07 classes only (subject lists, grade lists and terms are list cells)
    let grade7 = Share::from_json(r#"{ "include": [ { "grades": ["07"] } ] }"#).unwrap();
    let impact = db.share_impact(a, &grade7).await.unwrap();
    assert_eq!(impact.added.get("classes"), Some(&1));
    assert_eq!(impact.removed.get("classes"), Some(&2));
    assert_eq!(impact.fields_removed, ["demographics"]);
    assert_eq!(impact.fields_added, ["users.email"]);
    // values match exactly: no wildcards, no case folding (SQLite and PostgreSQL alike)
    for literal in [r#"{ "include": [ { "terms": ["as-term-fall%"] } ] }"#, r#"{ "include": [ { "subjects": ["mathematics"] } ] }"#,
                    r#"{ "include": [ { "grades": ["0_"] } ] }"#] {
        let impact = db.share_impact(a, &Share::from_json(literal).unwrap()).await.unwrap();
        assert_eq!(impact.added.get("classes"), None, "{literal}");
    }
    // a blank column never matches an exclude rule (the classes keep their place)
    let exclude_blank = Share::from_json(r#"{ "all": true, "exclude": [ { "subjects": ["Art"] } ] }"#).unwrap();
    db.set_share(a, &exclude_blank, "dana").await.unwrap();
    assert_eq!(ids(db, a, "classes").await, ["cls-hs-alg1-p1", "cls-hs-bio-p3", "cls-ms-hr7-a"]);
    // unenrolled staff: teachers of shared schools who teach no shared class
    let staff = Share::from_json(
        r#"{ "include": [ { "classes": ["cls-hs-bio-p3"] } ], "roles": ["student", "unenrolled_staff"] }"#,
    )
    .unwrap();
    db.set_share(a, &staff, "dana").await.unwrap();
    assert_eq!(ids(db, a, "users").await, ["usr-s-200"], "usr-t-100 teaches the shared class: not unenrolled staff");
    let spring = Share::from_json(r#"{ "include": [ { "terms": ["as-term-spring-2026"], "subjects": ["Mathematics"] } ] }"#).unwrap();
    db.set_share(a, &spring, "dana").await.unwrap();
    assert_eq!(ids(db, a, "classes").await, ["cls-hs-alg1-p1"]);

    // bio only; then the roster changes: usr-s-200 leaves Biology and usr-s-203 joins
    let bio = Share::from_json(r#"{ "include": [ { "classes": ["cls-hs-bio-p3"] } ] }"#).unwrap();
    db.set_share(a, &bio, "dana").await.unwrap();
    assert_eq!(ids(db, a, "users").await, ["usr-s-200", "usr-t-100"]);
    let delta = import(db, &sample("synthetic/v1p2-delta"), "sis", None).await;
    assert_eq!(delta.outcome, Outcome::Held);
    db.approve_import(delta.id, "dana", &Silent).await.unwrap();
    assert_eq!(ids(db, a, "users").await, ["usr-s-203", "usr-t-100"], "the import recomputed the share");
    let left = db.explain_share(a, "users", "usr-s-200").await.unwrap();
    assert!(!left.shared && left.left_at.is_some(), "{left:?}");
    let entered = db.explain_share(a, "users", "usr-s-203").await.unwrap();
    assert!(entered.shared);
    let stayed = db.explain_share(a, "users", "usr-t-100").await.unwrap();
    assert!(stayed.since.unwrap() < entered.since.unwrap(), "a record that stays keeps its since");

    // a rollback recomputes too
    db.rollback(1, None, "dana").await.unwrap();
    assert_eq!(ids(db, a, "users").await, ["usr-s-200", "usr-t-100"]);

    // bad shares are refused with the part named, and nothing changes
    let bad = Share { withhold: vec!["users.password".into()], ..bio.clone() };
    assert!(db.set_share(a, &bad, "dana").await.unwrap_err().to_string().starts_with("withhold: `users.password`"));
    assert_eq!(db.share(a).await.unwrap(), bio);
}
