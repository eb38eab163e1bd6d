//! Contract cases for the audit log and the console's roster lookups.

use store::{AuditFilter, NewAccount, Role};

use crate::{
    packages::{import, sample},
    support::TestDb,
};

pub async fn audit_entries_filter_page_and_cannot_be_changed(db: &TestDb) {
    db.record_audit("ana@district.example", "app.create", "app 1", "name \"Reading Coach\"").await.unwrap();
    db.record_audit("ana@district.example", "share.set", "app 1", "before: {}\nafter: {\"all\":true}").await.unwrap();
    db.record_audit("cli:root", "import.approve", "import 7", "applied as revision 3").await.unwrap();
    db.record_audit("ben@district.example", "app.disable", "app 1", "100% off_line").await.unwrap();

    let all = db.audit_entries(&AuditFilter::default(), 100).await.unwrap();
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["app.disable", "import.approve", "share.set", "app.create"], "newest first");
    assert!(all[0].at.ends_with('Z'), "{}", all[0].at);

    let by = |f: AuditFilter| async move {
        db.audit_entries(&f, 100).await.unwrap().into_iter().map(|e| e.action).collect::<Vec<_>>()
    };
    assert_eq!(by(AuditFilter { action: Some("app.".into()), ..Default::default() }).await, ["app.disable", "app.create"]);
    assert_eq!(by(AuditFilter { action: Some("share.set".into()), ..Default::default() }).await, ["share.set"]);
    assert_eq!(by(AuditFilter { actor: Some("cli:root".into()), ..Default::default() }).await, ["import.approve"]);
    assert_eq!(by(AuditFilter { text: Some("REVISION 3".into()), ..Default::default() }).await, ["import.approve"]);
    // LIKE wildcards typed by a person match only themselves
    assert_eq!(by(AuditFilter { text: Some("100%".into()), ..Default::default() }).await, ["app.disable"]);
    assert_eq!(by(AuditFilter { text: Some("f_l".into()), ..Default::default() }).await, ["app.disable"]);
    assert_eq!(by(AuditFilter { text: Some("%".into()), ..Default::default() }).await, ["app.disable"]);
    assert_eq!(by(AuditFilter { text: Some("'; DROP TABLE audit_log; --".into()), ..Default::default() }).await, Vec::<String>::new());

    // paging: older than the second entry
    let older = db.audit_entries(&AuditFilter { before: Some(all[1].id), ..Default::default() }, 1).await.unwrap();
    assert_eq!(older.len(), 1);
    assert_eq!(older[0].action, "share.set");

    assert_eq!(db.audit_actors().await.unwrap(), ["ana@district.example", "ben@district.example", "cli:root"]);

    // The database itself refuses to change or delete entries.
    let url = db.url.clone();
    let refused = if url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'").execute(&pool).await;
        let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
        pool.close().await;
        (update.unwrap_err().to_string(), delete.unwrap_err().to_string())
    } else {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let update = sqlx::query("UPDATE audit_log SET actor = 'someone else'").execute(&pool).await;
        let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
        pool.close().await;
        (update.unwrap_err().to_string(), delete.unwrap_err().to_string())
    };
    assert!(refused.0.contains("audit entries cannot be changed"), "{}", refused.0);
    assert!(refused.1.contains("audit entries cannot be"), "{}", refused.1);
    assert_eq!(db.audit_entries(&AuditFilter::default(), 100).await.unwrap(), all, "nothing changed");
}

pub async fn a_sign_in_is_recorded_with_its_address(db: &TestDb) {
    let email = "carla@district.example";
    db.create_account(NewAccount { email: email.into(), display_name: None, role: Role::Auditor, password: "a long enough passphrase".into() })
        .await
        .unwrap();
    assert!(db.authenticate(email, "wrong password here", None).await.is_err());
    db.authenticate(email, "a long enough passphrase", Some("192.0.2.7".parse().unwrap())).await.unwrap();
    let entries = db.audit_entries(&AuditFilter { action: Some("sign_in".into()), ..Default::default() }, 10).await.unwrap();
    assert_eq!(entries.len(), 1, "only the successful sign-in");
    assert_eq!(entries[0].actor, email);
    assert_eq!(entries[0].detail, "from 192.0.2.7");
}

pub async fn org_tree_class_search_and_student_count(db: &TestDb) {
    let bulk = import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    assert_eq!(bulk.outcome, store::roster::Outcome::Applied, "{}", bulk.message);
    let tree = db.org_tree().await.unwrap();
    assert_eq!(tree[0].org_type, "district", "districts first: {tree:?}");
    let schools: Vec<&str> = tree.iter().filter(|o| o.org_type == "school").map(|o| o.sourced_id.as_str()).collect();
    assert!(schools.contains(&"org-school-hs"), "{schools:?}");
    assert!(tree.iter().filter(|o| o.org_type == "school").all(|o| o.parent.as_deref() == Some(tree[0].sourced_id.as_str())));

    let hits = db.search_classes("HR7", 10).await.unwrap();
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h.sourced_id.to_lowercase().contains("hr7") || h.title.to_lowercase().contains("hr7")));
    assert!(db.search_classes("%", 10).await.unwrap().is_empty(), "a typed % is not a wildcard");

    let students = db.active_students().await.unwrap();
    let counted: i64 = {
        let dir = sample("synthetic/v1p2-bulk");
        let mut rdr = csv::Reader::from_path(dir.join("roles.csv")).unwrap();
        let headers = rdr.headers().unwrap().clone();
        let role = headers.iter().position(|h| h == "role").unwrap();
        let user = headers.iter().position(|h| h == "userSourcedId").unwrap();
        let mut ids: Vec<String> = rdr.records().map(|r| r.unwrap()).filter(|r| &r[role] == "student").map(|r| r[user].to_string()).collect();
        ids.sort();
        ids.dedup();
        ids.len() as i64
    };
    assert_eq!(students, counted);
}

pub async fn the_data_browser_searches_filters_pages_and_details(db: &TestDb) {
    use store::roster::BrowseQuery;
    let bulk = import(db, &sample("synthetic/v1p2-bulk"), "sis", None).await;
    assert_eq!(bulk.outcome, store::roster::Outcome::Applied, "{}", bulk.message);
    let ids = |page: store::roster::BrowsePage<store::roster::UserListRow>| page.rows.into_iter().map(|u| u.sourced_id).collect::<Vec<_>>();
    let q = |f: fn(&mut BrowseQuery)| {
        let mut q = BrowseQuery::default();
        f(&mut q);
        q
    };

    // sorted by family name, then given name
    let all = db.browse_users(&BrowseQuery::default()).await.unwrap();
    assert!(!all.more);
    let names: Vec<String> = all.rows.iter().map(|u| u.family_name.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // prefixes of either name, case-insensitive; exact sourcedId, identifier, e-mail
    assert_eq!(ids(db.browse_users(&q(|q| q.text = Some("LOP".into()))).await.unwrap()), ["usr-t-100"]);
    assert_eq!(ids(db.browse_users(&q(|q| q.text = Some("maria lo".into()))).await.unwrap()), ["usr-t-100"]);
    assert_eq!(ids(db.browse_users(&q(|q| q.text = Some("lopez maria".into()))).await.unwrap()), ["usr-t-100"]);
    assert_eq!(ids(db.browse_users(&q(|q| q.text = Some("usr-s-201".into()))).await.unwrap()), ["usr-s-201"]);
    assert_eq!(ids(db.browse_users(&q(|q| q.text = Some("Ava.Nguyen@students.rusd.example.org".into()))).await.unwrap()), ["usr-s-200"]);
    assert_eq!(ids(db.browse_users(&q(|q| q.text = Some("o'b".into()))).await.unwrap()), ["usr-s-201"]);
    assert!(db.browse_users(&q(|q| q.text = Some("%".into()))).await.unwrap().rows.is_empty());
    // an exact identifier (the district's own number), not a prefix of one
    assert_eq!(ids(db.browse_users(&q(|q| q.text = Some("201".into()))).await.unwrap()), ["usr-s-201"]);
    assert!(db.browse_users(&q(|q| q.text = Some("20".into()))).await.unwrap().rows.is_empty());
    // filters: role, school, grade
    let teachers = ids(db.browse_users(&q(|q| q.role = Some("teacher".into()))).await.unwrap());
    assert!(teachers.iter().all(|id| id.starts_with("usr-t-")) && !teachers.is_empty(), "{teachers:?}");
    let hs_students = db.browse_users(&q(|q| {
        q.role = Some("student".into());
        q.school = Some("org-school-hs".into());
        q.grade = Some("09".into());
    }))
    .await
    .unwrap();
    assert_eq!(ids(hs_students.clone()), ["usr-s-200"]);
    assert!(hs_students.rows[0].roles.iter().any(|(r, _)| r == "student"));
    // paging past the limit is refused, not slow
    assert!(db.browse_users(&q(|q| q.page = 10_000)).await.unwrap().too_deep);

    let classes = db.browse_classes(&q(|q| q.role = Some("homeroom".into()))).await.unwrap();
    assert_eq!(classes.rows.iter().map(|c| c.sourced_id.as_str()).collect::<Vec<_>>(), ["cls-ms-hr7-a"]);
    assert_eq!(db.browse_classes(&q(|q| q.text = Some("algebra".into()))).await.unwrap().rows[0].sourced_id, "cls-hs-alg1-p1");

    // courses, sessions and enrollments lists
    let courses = db.browse_other("courses", &q(|q| q.text = Some("ALG".into()))).await.unwrap();
    assert_eq!(courses.rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["crs-hs-alg1"]);
    let terms = db.browse_other("academicSessions", &q(|q| q.role = Some("term".into()))).await.unwrap();
    assert!(!terms.rows.is_empty() && terms.rows.iter().all(|r| r[2] == "term"), "{:?}", terms.rows);
    let enrollments = db.browse_other("enrollments", &q(|q| q.text = Some("usr-s-200".into()))).await.unwrap();
    assert!(!enrollments.rows.is_empty() && enrollments.rows.iter().all(|r| r[2] == "usr-s-200"));
    let teaching = db.browse_other("enrollments", &q(|q| {
        q.role = Some("teacher".into());
        q.school = Some("org-school-hs".into());
    }))
    .await
    .unwrap();
    assert!(!teaching.rows.is_empty() && teaching.rows.iter().all(|r| r[3] == "teacher" && r[4] == "org-school-hs"));
    assert!(db.browse_other("secrets", &BrowseQuery::default()).await.is_err(), "only the browser's lists");
    // courses by grade (a grade inside the comma-separated list, not a substring of another)
    let grade7 = db.browse_other("courses", &q(|q| q.grade = Some("07".into()))).await.unwrap();
    assert_eq!(grade7.rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["crs-ms-hr7"]);
    let grade10 = db.browse_other("courses", &q(|q| q.grade = Some("10".into()))).await.unwrap();
    assert_eq!(grade10.rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["crs-hs-alg1", "crs-hs-bio"]);
    assert!(db.browse_other("courses", &q(|q| q.grade = Some("0".into()))).await.unwrap().rows.is_empty());
    // a filter a list has no column for is refused with its name, not silently ignored
    let refused = |kind: &'static str, f: fn(&mut BrowseQuery)| async move { db.browse_other(kind, &q(f)).await.err().map(|e| e.to_string()) };
    assert_eq!(refused("academicSessions", |q| q.school = Some("org-school-hs".into())).await.as_deref(), Some("academic sessions cannot be filtered by school"));
    assert_eq!(refused("academicSessions", |q| q.grade = Some("09".into())).await.as_deref(), Some("academic sessions cannot be filtered by grade"));
    assert_eq!(refused("enrollments", |q| q.grade = Some("09".into())).await.as_deref(), Some("enrollments cannot be filtered by grade"));
    assert_eq!(refused("courses", |q| q.role = Some("scheduled".into())).await.as_deref(), Some("courses cannot be filtered by type"));
    assert_eq!(refused("enrollments", |q| q.grade = Some("  ".into())).await, None, "a blank filter is no filter");

    let class = db.class_detail("cls-hs-alg1-p1").await.unwrap().unwrap();
    assert_eq!(class.school.0, "org-school-hs");
    assert_eq!(class.course.0, "crs-hs-alg1");
    assert_eq!(class.terms.len(), 2);
    assert_eq!(class.people[0], ("usr-t-100".to_string(), "Maria Lopez".to_string(), "teacher".to_string()), "teachers first");
    assert!(class.people.iter().any(|p| p.0 == "usr-s-200" && p.2 == "student"));
    assert!(db.class_detail("nope").await.unwrap().is_none());

    let user = db.user_detail("usr-s-200").await.unwrap().unwrap();
    assert!(user.classes.iter().any(|c| c.0 == "cls-hs-alg1-p1" && c.2 == "student"));
    assert_eq!(user.agents.len(), 1);
    assert_eq!(user.agents[0].0, "usr-g-300");
    assert_eq!(user.history.first().map(|h| h.0), Some(bulk.revision.unwrap()));
    assert!(user.apps.is_empty());

    // once shared, the user's page names the app, since when, and what it withholds
    let app = db
        .create_app(store::NewApp { name: "Reader".into(), ..Default::default() }, &store::secret_key::SecretKey::generate())
        .await
        .unwrap()
        .id;
    let share = store::sharing::Share::from_json(r#"{"include":[{"schools":["org-school-hs"]}],"withhold":["users.email"]}"#).unwrap();
    db.set_share(app, &share, "ana").await.unwrap();
    let user = db.user_detail("usr-s-200").await.unwrap().unwrap();
    assert_eq!(user.apps.len(), 1);
    let (id, name, since, withheld) = &user.apps[0];
    assert_eq!((*id, name.as_str()), (app, "Reader"));
    assert!(since.ends_with('Z'), "{since}");
    assert_eq!(withheld, &["users.email".to_string(), "demographics".to_string()]);
    let class = db.class_detail("cls-ms-hr7-a").await.unwrap().unwrap();
    assert!(class.apps.is_empty(), "a middle-school class is not in a high-school share");
    assert_eq!(db.class_detail("cls-hs-alg1-p1").await.unwrap().unwrap().apps.len(), 1);
}
