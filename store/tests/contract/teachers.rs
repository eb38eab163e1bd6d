//! Contract cases for teachers: invitations, their own classes only, reviews and roster issues.

use store::{
    roster::{ClassWhen, Outcome, Silent},
    service::{
        reviews::{IssueKind, NewIssue},
        teachers::{TeacherAccess, INVALID_LINK},
    },
    Account, AuthError, NewAccount, Role, Store, StoreError,
};
use time::macros::date;

use crate::{
    packages::{import, sample, Pkg},
    support::TestDb,
};

const ADMIN: &str = "dana@district.example";
const PASSWORD: &str = "correct horse battery";

/// Applies a delta package, approving it when the hold thresholds stop it.
async fn apply(db: &TestDb, pkg: Pkg) {
    let dir = pkg.write();
    let report = import(db, dir.path(), "sis", None).await;
    match report.outcome {
        Outcome::Applied => {}
        Outcome::Held => {
            db.approve_import(report.id, ADMIN, &Silent).await.unwrap();
        }
        other => panic!("{other:?}: {}", report.message),
    }
}

/// Moves the expiry of every unused invitation into the past, as if its days had gone by.
async fn expire_open_invitations(db: &TestDb) {
    let sql = "UPDATE invitations SET expires_at = '2020-01-01T00:00:00.000Z' WHERE used_at IS NULL";
    if db.url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

/// Invites `user` and sets the password with the link.
async fn teacher(db: &Store, user: &str) -> Account {
    let invitation = db.invite_teacher(user, ADMIN).await.unwrap();
    db.accept_invitation(&invitation.token, PASSWORD.into()).await.unwrap()
}

pub async fn a_teacher_is_invited_sets_a_password_and_sees_only_own_classes(db: &TestDb) {
    let bulk = import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    assert_eq!(bulk.outcome, Outcome::Applied, "{}", bulk.message);

    // only active teachers of the roster, with an e-mail address, can be invited
    let err = db.invite_teacher("usr-s-200", ADMIN).await.unwrap_err();
    assert_eq!(err.to_string(), "Ava Nguyen (usr-s-200) is not an active teacher in the roster, so cannot get a teacher account");
    assert!(matches!(db.invite_teacher("usr-nobody", ADMIN).await, Err(StoreError::NotFound(_))));
    assert_eq!(db.teacher_access("usr-t-100").await.unwrap(), TeacherAccess::None);

    // a newer invitation replaces the older one
    let first = db.invite_teacher("usr-t-100", ADMIN).await.unwrap();
    assert_eq!(first.account.role, Role::Teacher);
    assert_eq!(first.account.email, "mlopez@rusd.example.org");
    assert_eq!(first.account.display_name, "Maria Lopez");
    assert_eq!(first.account.user_sourced_id.as_deref(), Some("usr-t-100"));
    let second = db.invite_teacher("usr-t-100", ADMIN).await.unwrap();
    assert_ne!(first.token, second.token);
    assert!(matches!(db.teacher_access("usr-t-100").await.unwrap(), TeacherAccess::Invited { .. }));
    assert_eq!(db.invitation(&first.token).await.unwrap_err().to_string(), INVALID_LINK);
    assert_eq!(db.invitation(&second.token).await.unwrap().email, "mlopez@rusd.example.org");

    // no password before the invitation is accepted
    assert!(matches!(db.authenticate("mlopez@rusd.example.org", "", None).await, Err(AuthError::InvalidCredentials)));
    // (checked against the timing dummy, whose own password must not open it either)
    let dummy = db.authenticate("mlopez@rusd.example.org", "rollbook-timing-equaliser", None).await;
    assert!(matches!(dummy, Err(AuthError::InvalidCredentials)));
    let weak = db.accept_invitation(&second.token, "short".into()).await.unwrap_err();
    assert!(matches!(weak, StoreError::InvalidField { field: "password", .. }), "{weak:?}");
    let account = db.accept_invitation(&second.token, PASSWORD.into()).await.unwrap();
    assert_eq!(account.role, Role::Teacher);
    // the link works once
    assert_eq!(db.accept_invitation(&second.token, PASSWORD.into()).await.unwrap_err().to_string(), INVALID_LINK);
    assert!(matches!(db.teacher_access("usr-t-100").await.unwrap(), TeacherAccess::Active { disabled: false, .. }));
    let (signed_in, auth) = db.authenticate("mlopez@rusd.example.org", PASSWORD, None).await.unwrap();
    assert_eq!(signed_in.id, account.id);
    assert!(db.session_account(auth).await.unwrap().is_some());

    // an invitation nobody used stops working when it expires
    let late = db.invite_teacher("usr-t-101", ADMIN).await.unwrap();
    assert_eq!(db.invitation(&late.token).await.unwrap().email, "dokafor@rusd.example.org");
    expire_open_invitations(db).await;
    assert_eq!(db.invitation(&late.token).await.unwrap_err().to_string(), INVALID_LINK);
    assert_eq!(db.accept_invitation(&late.token, PASSWORD.into()).await.unwrap_err().to_string(), INVALID_LINK);
    assert!(matches!(db.authenticate("dokafor@rusd.example.org", PASSWORD, None).await, Err(AuthError::InvalidCredentials)));
    assert_eq!(
        db.teacher_access("usr-t-101").await.unwrap(),
        TeacherAccess::Expired { expired_at: "2020-01-01T00:00:00.000Z".into() },
        "the admin sees that the link ran out"
    );
    // a new invitation works again
    let again = db.invite_teacher("usr-t-101", ADMIN).await.unwrap();
    assert_eq!(db.invitation(&again.token).await.unwrap().email, "dokafor@rusd.example.org");

    // the staff way of making accounts cannot make teachers
    let refused = db
        .create_account(NewAccount { email: "t@x.example".into(), display_name: None, role: Role::Teacher, password: PASSWORD.into() })
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::InvalidField { field: "role", .. }));

    // her classes: Algebra (both semesters) and Biology (fall); never the middle school homeroom
    let fall = db.teacher_classes("usr-t-100", date!(2025 - 11 - 01)).await.unwrap();
    let summary: Vec<(&str, ClassWhen, i64, Vec<String>)> =
        fall.iter().map(|c| (c.sourced_id.as_str(), c.when, c.student_count, c.periods.clone())).collect();
    assert_eq!(
        summary,
        [
            ("cls-hs-alg1-p1", ClassWhen::Current, 2, vec!["1".to_string()]),
            ("cls-hs-bio-p3", ClassWhen::Current, 1, vec!["3".to_string(), "4".to_string()]),
        ]
    );
    let alg = &fall[0];
    assert_eq!((alg.title.as_str(), alg.course.as_str(), alg.school.as_str()), ("Algebra I - Period 1", "Algebra I", "Riverbend High School"));
    assert_eq!(alg.terms.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Fall 2025", "Spring 2026"]);
    assert!(alg.co_teachers.is_empty());
    let spring = db.teacher_classes("usr-t-100", date!(2026 - 03 - 01)).await.unwrap();
    assert_eq!(spring.iter().map(|c| (c.sourced_id.as_str(), c.when)).collect::<Vec<_>>(), [
        ("cls-hs-alg1-p1", ClassWhen::Current),
        ("cls-hs-bio-p3", ClassWhen::Earlier),
    ]);
    assert_eq!(db.class_for_teacher("usr-t-100", "cls-ms-hr7-a", date!(2025 - 11 - 01)).await.unwrap(), None);
    let students = db.class_students("cls-hs-alg1-p1").await.unwrap();
    assert_eq!(
        students.iter().map(|s| (s.name.as_str(), s.grades.as_str(), s.identifier.as_str())).collect::<Vec<_>>(),
        [("Ava Nguyen", "09", "200"), ("Liam O'Brien", "10", "201")]
    );

    // what teachers see of students is the district's choice (the roster's identifier at first)
    assert_eq!(db.teacher_student_fields().await.unwrap(), ["identifier"]);
    db.set_teacher_student_fields(&["email".into(), "identifier".into()], ADMIN).await.unwrap();
    assert_eq!(db.teacher_student_fields().await.unwrap(), ["identifier", "email"]);
    assert_eq!(students[0].email, "ava.nguyen@students.rusd.example.org");
    let bad = db.set_teacher_student_fields(&["birthDate".into()], ADMIN).await.unwrap_err();
    assert!(matches!(bad, StoreError::InvalidField { field: "fields", .. }));
    db.set_teacher_student_fields(&[], ADMIN).await.unwrap();
    assert!(db.teacher_student_fields().await.unwrap().is_empty());
    assert!(db.import_policy().await.unwrap().settings().is_empty(), "not an import setting");

    // a co-teacher sees the other teacher of the class
    let t = "2025-11-03T08:00:00.000Z";
    apply(db, Pkg::new().file("enrollments.csv", "delta", &[format!("enr-alg1-t101,active,{t},cls-hs-alg1-p1,org-school-hs,usr-t-101,teacher,false,,")])).await;
    let alg = db.class_for_teacher("usr-t-100", "cls-hs-alg1-p1", date!(2025 - 11 - 01)).await.unwrap().unwrap();
    assert_eq!(alg.co_teachers.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Daniel Okafor"]);

    // a whole school: the high school's only other teacher is Maria, who has an account now
    let school = db.invite_school_teachers("org-school-hs", ADMIN).await.unwrap();
    assert_eq!(school.iter().map(|s| (s.user_sourced_id.as_str(), s.outcome.clone().err())).collect::<Vec<_>>(), [
        ("usr-t-100", Some("has an account already".to_string()))
    ]);
    let ms = db.invite_school_teachers("org-school-ms", ADMIN).await.unwrap();
    assert_eq!(ms.len(), 2, "Daniel (primary) and Maria (secondary role)");
    assert!(ms.iter().any(|s| s.user_sourced_id == "usr-t-101" && s.outcome.is_ok()));

    // once the roster no longer lists her as a teacher, the account stops working at once
    let t = "2025-11-04T08:00:00.000Z";
    apply(
        db,
        Pkg::new().file("roles.csv", "delta", &[
            format!("rol-usr-t-100,tobedeleted,{t},usr-t-100,primary,teacher,2025-08-18,,org-school-hs,"),
            format!("rol-usr-t-100-ms,tobedeleted,{t},usr-t-100,secondary,teacher,,,org-school-ms,"),
        ]),
    )
    .await;
    assert!(!db.is_active_teacher("usr-t-100").await.unwrap());
    assert_eq!(db.session_account(auth).await.unwrap(), None, "the session ends");
    assert!(matches!(db.authenticate("mlopez@rusd.example.org", PASSWORD, None).await, Err(AuthError::InvalidCredentials)));
    let actions: Vec<String> = db.audit_entries(&Default::default(), 100).await.unwrap().into_iter().map(|e| e.action).collect();
    assert!(actions.contains(&"teacher.invite".to_string()) && actions.contains(&"teacher.accept".to_string()), "{actions:?}");
}

pub async fn teachers_review_their_lists_and_admins_resolve_the_issues(db: &TestDb) {
    let bulk = import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    assert_eq!(bulk.outcome, Outcome::Applied, "{}", bulk.message);
    let maria = teacher(db, "usr-t-100").await;
    let daniel = teacher(db, "usr-t-101").await;
    assert_eq!(db.attestation_summary().await.unwrap().total.classes, 3);

    // Maria attests Algebra
    let review = db.attest_class(&maria, "cls-hs-alg1-p1", None).await.unwrap();
    assert_eq!((review.verdict.as_str(), review.by.as_str(), review.current), ("correct", "Maria Lopez", true));
    let summary = db.attestation_summary().await.unwrap();
    assert_eq!((summary.total.attested, summary.total.classes, summary.percent()), (1, 3, 33));
    let hs = summary.schools.iter().find(|s| s.school == "org-school-hs").unwrap();
    assert_eq!((hs.classes, hs.attested, hs.flagged), (2, 1, 0));

    // ... and reports two problems
    let missing = NewIssue { kind: "missing_student".into(), student_name: "Liam O'Brien".into(), comment: "he moved into my section".into(), ..Default::default() };
    let issue = db.flag_class(&maria, "cls-hs-bio-p3", missing.clone()).await.unwrap();
    assert_eq!((issue.kind, issue.open, issue.reporter_name.as_str()), (IssueKind::MissingStudent, true, "Maria Lopez"));
    // sent twice (a double click): one report
    assert_eq!(db.flag_class(&maria, "cls-hs-bio-p3", missing).await.unwrap().id, issue.id);
    assert_eq!(issue.check.gone, Some(false));
    assert_eq!(issue.check.text, "Liam O'Brien is still not on the class list.");
    let nobody = NewIssue { kind: "extra_student".into(), student_sourced_id: "usr-s-202".into(), ..Default::default() };
    let err = db.flag_class(&maria, "cls-hs-alg1-p1", nobody).await.unwrap_err();
    assert!(matches!(err, StoreError::InvalidField { field: "student", .. }), "a student not on the list: {err:?}");
    let unnamed = NewIssue { kind: "missing_student".into(), ..Default::default() };
    assert!(matches!(db.flag_class(&maria, "cls-hs-bio-p3", unnamed).await, Err(StoreError::InvalidField { field: "student_name", .. })));
    let vague = NewIssue { kind: "wrong_period".into(), ..Default::default() };
    assert!(matches!(db.flag_class(&maria, "cls-hs-bio-p3", vague).await, Err(StoreError::InvalidField { field: "comment", .. })));
    let bogus = NewIssue { kind: "drop table".into(), comment: "x".into(), ..Default::default() };
    assert!(matches!(db.flag_class(&maria, "cls-hs-bio-p3", bogus).await, Err(StoreError::InvalidField { field: "kind", .. })));
    let extra = NewIssue { kind: "extra_student".into(), student_sourced_id: "usr-s-201".into(), ..Default::default() };
    let extra = db.flag_class(&maria, "cls-hs-alg1-p1", extra).await.unwrap();
    assert_eq!((extra.student_name.as_str(), extra.check.gone), ("Liam O'Brien", Some(false)));

    // nobody else's classes: another teacher, and staff, are refused
    let other = NewIssue { kind: "other".into(), comment: "not mine".into(), ..Default::default() };
    let refused = db.flag_class(&daniel, "cls-hs-alg1-p1", other.clone()).await.unwrap_err();
    assert_eq!(refused.to_string(), "cls-hs-alg1-p1 is not one of your classes");
    assert!(matches!(db.attest_class(&daniel, "cls-hs-bio-p3", None).await, Err(StoreError::NotFound(_))));
    let admin = db
        .create_account(NewAccount { email: ADMIN.into(), display_name: None, role: Role::DistrictAdmin, password: PASSWORD.into() })
        .await
        .unwrap();
    assert!(matches!(db.flag_class(&admin, "cls-hs-alg1-p1", other).await, Err(StoreError::Invalid(_))));

    // the queue
    assert_eq!(db.open_roster_issue_count().await.unwrap(), 2);
    let queue = db.roster_issues(true).await.unwrap();
    assert_eq!(queue.iter().map(|i| (i.id, i.class_sourced_id.as_str())).collect::<Vec<_>>(), [
        (extra.id, "cls-hs-alg1-p1"),
        (issue.id, "cls-hs-bio-p3"),
    ]);
    let summary = db.attestation_summary().await.unwrap();
    // Algebra's newest review is now the problem report
    assert_eq!((summary.total.attested, summary.total.flagged), (0, 2));
    assert_eq!(db.class_issues("cls-hs-bio-p3").await.unwrap().len(), 1);

    // a later import moves Liam: both problems are gone from the roster
    let t = "2025-11-05T08:00:00.000Z";
    apply(
        db,
        Pkg::new().file("enrollments.csv", "delta", &[
            format!("enr-alg1-s201,tobedeleted,{t},cls-hs-alg1-p1,org-school-hs,usr-s-201,student,,,"),
            format!("enr-bio-s201,active,{t},cls-hs-bio-p3,org-school-hs,usr-s-201,student,,,"),
        ]),
    )
    .await;
    let now = db.roster_issue(issue.id).await.unwrap();
    assert_eq!((now.check.gone, now.check.text.as_str()), (Some(true), "Liam O'Brien is on the class list now."));
    assert_eq!(db.roster_issue(extra.id).await.unwrap().check.text, "Liam O'Brien is no longer on the class list.");

    // Daniel's attestation of his homeroom goes stale when the homeroom changes
    let seen = db.current_revision().await.unwrap();
    db.attest_class(&daniel, "cls-ms-hr7-a", Some(seen)).await.unwrap();
    assert_eq!(db.attestation_summary().await.unwrap().total.attested, 1);
    apply(db, Pkg::new().file("enrollments.csv", "delta", &[format!("enr-hr7a-s200,active,{t},cls-ms-hr7-a,org-school-ms,usr-s-200,student,,,")])).await;
    assert!(!db.class_review("cls-ms-hr7-a").await.unwrap().unwrap().current);
    assert_eq!(db.attestation_summary().await.unwrap().total.attested, 0);
    // confirming the list as it was before that import is refused; as it is now, accepted
    let stale = db.attest_class(&daniel, "cls-ms-hr7-a", Some(seen)).await.unwrap_err();
    assert_eq!(stale.to_string(), "an import has changed this list since you opened it: look at it again first");
    let now = db.current_revision().await.unwrap();
    assert!(db.attest_class(&daniel, "cls-ms-hr7-a", Some(now)).await.unwrap().current);
    // a student's own record changing (here: her name) changes the list too
    let t2 = "2025-11-06T08:00:00.000Z";
    apply(db, Pkg::new().file("users.csv", "delta", &[format!("usr-s-200,active,{t2},true,ava.nguyen,,Avery,Nguyen,,200,,,,usr-g-300,09,,,,,,org-school-hs,")])).await;
    assert!(!db.class_review("cls-ms-hr7-a").await.unwrap().unwrap().current);

    // resolving needs a note, and happens once
    assert!(matches!(db.resolve_roster_issue(issue.id, ADMIN, " ").await, Err(StoreError::InvalidField { field: "resolution", .. })));
    let resolved = db.resolve_roster_issue(issue.id, ADMIN, "fixed in the SIS").await.unwrap();
    assert_eq!((resolved.open, resolved.resolved_by.as_str(), resolved.resolution.as_str()), (false, ADMIN, "fixed in the SIS"));
    assert!(matches!(db.resolve_roster_issue(issue.id, ADMIN, "again").await, Err(StoreError::Conflict(_))));
    assert_eq!(db.open_roster_issue_count().await.unwrap(), 1);
    assert_eq!(db.roster_issues(false).await.unwrap().len(), 2);
    let actions: Vec<String> = db.audit_entries(&Default::default(), 100).await.unwrap().into_iter().map(|e| e.action).collect();
    for action in ["class.attest", "class.flag", "roster_issue.resolve"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
}

pub async fn teachers_share_their_own_classes_and_request_apps(db: &TestDb) {
    use store::{secret_key::SecretKey, service::app_requests::NewAppRequest, sharing::{ClassRule, Share}, NewApp};
    let bulk = import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    assert_eq!(bulk.outcome, Outcome::Applied, "{}", bulk.message);
    let maria = teacher(db, "usr-t-100").await;
    let daniel = teacher(db, "usr-t-101").await;
    let app = db.create_app(NewApp { name: "Quiz Club".into(), ..Default::default() }, &SecretKey::generate()).await.unwrap().id;
    let ids = |entity: &'static str| async move { db.shared_ids(app, entity).await.unwrap() };

    // not before the admin allows it
    let refused = db.set_class_grant(&maria, app, "cls-hs-alg1-p1", true).await.unwrap_err();
    assert_eq!(refused.to_string(), "Quiz Club is not an app teachers may share their classes with");
    db.set_teacher_sharing(app, true, ADMIN).await.unwrap();
    assert!(db.teacher_sharing(app).await.unwrap());
    // the careful default share: nothing yet, the sensitive fields withheld
    let share = db.share(app).await.unwrap();
    assert!(share.include.is_empty() && !share.demographics);
    assert_eq!(share.withhold, ["users.email", "users.phone", "users.sms"]);

    // Maria switches the app on for Algebra: the class and its people enter the share
    let counts = db.set_class_grant(&maria, app, "cls-hs-alg1-p1", true).await.unwrap();
    assert!(counts.entered > 0 && counts.left == 0);
    assert_eq!(ids("classes").await, ["cls-hs-alg1-p1"]);
    assert_eq!(ids("users").await, ["usr-s-200", "usr-s-201", "usr-t-100"]);
    assert_eq!(db.explain_share(app, "classes", "cls-hs-alg1-p1").await.unwrap().reason, "shared by Maria Lopez's teacher grant (usr-t-100)");
    let grants = db.teacher_grants(app).await.unwrap();
    assert_eq!(grants.iter().map(|g| (g.class_sourced_id.as_str(), g.teacher_name.as_str(), g.applies)).collect::<Vec<_>>(), [
        ("cls-hs-alg1-p1", "Maria Lopez", true)
    ]);
    assert!(matches!(db.set_class_grant(&daniel, app, "cls-hs-alg1-p1", true).await, Err(StoreError::NotFound(_))), "only own classes");

    // switched off: the records leave the share (a delta reports them as tobedeleted)
    let counts = db.set_class_grant(&maria, app, "cls-hs-alg1-p1", false).await.unwrap();
    assert!(counts.left > 0);
    assert!(ids("classes").await.is_empty());
    let gone = db.explain_share(app, "classes", "cls-hs-alg1-p1").await.unwrap();
    assert!(!gone.shared && gone.left_at.is_some(), "{gone:?}");

    // grants survive the admin's edits of the share, and show in its impact preview
    db.set_class_grant(&maria, app, "cls-hs-alg1-p1", true).await.unwrap();
    let by_ms = Share { include: vec![ClassRule { schools: vec!["org-school-ms".into()], ..Default::default() }], ..share.clone() };
    let impact = db.share_impact(app, &by_ms).await.unwrap();
    assert_eq!((impact.added["classes"], impact.removed.get("classes").copied().unwrap_or(0)), (1, 0));
    db.set_share(app, &by_ms, ADMIN).await.unwrap();
    assert_eq!(ids("classes").await, ["cls-hs-alg1-p1", "cls-ms-hr7-a"]);
    // the admin can withdraw a grant
    db.revoke_grant(app, "cls-hs-alg1-p1", ADMIN).await.unwrap();
    assert_eq!(ids("classes").await, ["cls-ms-hr7-a"]);
    assert!(db.teacher_grants(app).await.unwrap().is_empty());
    // and stopping teacher sharing stops every grant
    db.set_class_grant(&maria, app, "cls-hs-bio-p3", true).await.unwrap();
    assert_eq!(ids("classes").await, ["cls-hs-bio-p3", "cls-ms-hr7-a"]);
    // a co-teacher cannot undo Maria's switch (she or the district can)
    let t = "2025-11-07T08:00:00.000Z";
    apply(db, Pkg::new().file("enrollments.csv", "delta", &[format!("enr-bio-t101,active,{t},cls-hs-bio-p3,org-school-hs,usr-t-101,teacher,false,,")])).await;
    let theirs = db.set_class_grant(&daniel, app, "cls-hs-bio-p3", false).await.unwrap_err();
    assert_eq!(theirs.to_string(), "Maria Lopez switched Quiz Club on for this class; they or the district can switch it off");
    assert_eq!(ids("classes").await, ["cls-hs-bio-p3", "cls-ms-hr7-a"]);
    // stopping teacher sharing withdraws every grant, so allowing it again shares nothing anew
    db.set_teacher_sharing(app, false, ADMIN).await.unwrap();
    assert_eq!(ids("classes").await, ["cls-ms-hr7-a"]);
    assert!(db.teacher_grants(app).await.unwrap().is_empty());
    db.set_teacher_sharing(app, true, ADMIN).await.unwrap();
    assert_eq!(ids("classes").await, ["cls-ms-hr7-a"]);
    // a grant whose teacher's account is disabled gives nothing, and a co-teacher may take it over
    db.set_class_grant(&maria, app, "cls-hs-bio-p3", true).await.unwrap();
    db.set_account_disabled(&maria.email, true).await.unwrap();
    db.refresh_shares().await.unwrap();
    assert_eq!(ids("classes").await, ["cls-ms-hr7-a"]);
    assert!(!db.teacher_grants(app).await.unwrap()[0].applies);
    db.set_class_grant(&daniel, app, "cls-hs-bio-p3", true).await.unwrap();
    assert_eq!(ids("classes").await, ["cls-hs-bio-p3", "cls-ms-hr7-a"]);
    assert_eq!(db.grants_of_teacher("usr-t-101").await.unwrap().len(), 1);
    assert!(db.grants_of_teacher("usr-t-100").await.unwrap().is_empty());
    db.set_account_disabled(&maria.email, false).await.unwrap();

    // requests
    let m = &maria;
    let ask = |req: NewAppRequest| async move { db.request_app(m, req).await };
    let bad = ask(NewAppRequest { app_id: Some(app), ..Default::default() }).await.unwrap_err();
    assert!(matches!(bad, StoreError::InvalidField { field: "reason", .. }), "{bad:?}");
    let bad = ask(NewAppRequest { name: "Flashcards".into(), web_address: "javascript:alert(1)".into(), reason: "vocab".into(), ..Default::default() })
        .await
        .unwrap_err();
    assert!(matches!(bad, StoreError::InvalidField { field: "web_address", .. }), "{bad:?}");
    let bad = ask(NewAppRequest { app_id: Some(app), reason: "quizzes".into(), classes: vec!["cls-ms-hr7-a".into()], ..Default::default() })
        .await
        .unwrap_err();
    assert!(matches!(bad, StoreError::InvalidField { field: "classes", .. }), "{bad:?}");
    let registered = ask(NewAppRequest { app_id: Some(app), reason: "weekly quizzes".into(), classes: vec!["cls-hs-alg1-p1".into()], ..Default::default() })
        .await
        .unwrap();
    assert_eq!((registered.app_name.as_str(), registered.status.as_str(), registered.classes.clone()), ("Quiz Club", "open", vec!["cls-hs-alg1-p1".to_string()]));
    let flashcards = NewAppRequest { name: "Flashcards".into(), web_address: "https://flashcards.example".into(), reason: "vocab practice".into(), ..Default::default() };
    let new = ask(flashcards.clone()).await.unwrap();
    // sent twice (a double click): one request
    assert_eq!(ask(flashcards).await.unwrap().id, new.id);
    let again = ask(NewAppRequest { app_id: Some(app), reason: "weekly quizzes".into(), classes: vec!["cls-hs-alg1-p1".into()], ..Default::default() });
    assert_eq!(again.await.unwrap().id, registered.id);
    assert_eq!((new.app_id, new.web_address.as_str(), new.teacher.as_str()), (None, "https://flashcards.example", "Maria Lopez"));
    assert_eq!(new.classes, ["cls-hs-alg1-p1", "cls-hs-bio-p3"], "all of her classes, by id");
    assert_eq!(db.open_app_request_count().await.unwrap(), 2);
    let staff = db
        .create_account(NewAccount { email: ADMIN.into(), display_name: None, role: Role::DistrictAdmin, password: PASSWORD.into() })
        .await
        .unwrap();
    let req = NewAppRequest { app_id: Some(app), reason: "x".into(), ..Default::default() };
    assert_eq!(db.request_app(&staff, req).await.unwrap_err().to_string(), "only teachers request apps for their classes");
    assert!(matches!(db.decide_app_request(new.id, ADMIN, false, "").await, Err(StoreError::InvalidField { field: "decision", .. })));
    let denied = db.decide_app_request(new.id, ADMIN, false, "we have a vocabulary app already").await.unwrap();
    assert_eq!((denied.status.as_str(), denied.decision.as_str()), ("denied", "we have a vocabulary app already"));
    assert!(matches!(db.decide_app_request(new.id, ADMIN, true, "").await, Err(StoreError::Conflict(_))));
    db.decide_app_request(registered.id, ADMIN, true, "").await.unwrap();
    assert_eq!(db.open_app_request_count().await.unwrap(), 0);
    let mine = db.my_app_requests(&maria).await.unwrap();
    assert_eq!(mine.iter().map(|r| r.status.as_str()).collect::<Vec<_>>(), ["denied", "approved"]);
    assert!(db.my_app_requests(&daniel).await.unwrap().is_empty());
}
