//! The OneRoster REST API (1.2 and 1.1) as an app's client calls it, on the synthetic district
//! with a share of one school: exact sourcedIds per operation, nested routes, paging headers,
//! field selection, withheld fields, scope, and every error code.

mod support;

use oneroster::Version;
use reqwest::{header, Client, StatusCode};
use serde_json::Value;
use support::{district::district, TestApp};

const V12: &str = "/ims/oneroster/rostering/v1p2";
const V11: &str = "/ims/oneroster/v1p1";

struct Answer {
    status: StatusCode,
    headers: header::HeaderMap,
    body: Value,
}

async fn get(app: &TestApp, token: &str, path: &str) -> Answer {
    let response = Client::new().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    Answer { status, headers, body }
}

/// The sourcedIds under `key`, in order.
fn ids(answer: &Answer, key: &str) -> Vec<String> {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let object = answer.body.as_object().unwrap();
    assert_eq!(object.len(), 1, "exactly one envelope key: {}", answer.body);
    object[key].as_array().unwrap().iter().map(|r| r["sourcedId"].as_str().unwrap().to_string()).collect()
}

fn minor(answer: &Answer) -> &str {
    answer.body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"].as_str().unwrap_or("")
}

#[tokio::test]
async fn every_collection_and_single_operation_returns_exactly_the_share() {
    let (app, token, _) = district(None).await;
    collections(&app, &token).await;
}

async fn collections(app: &TestApp, token: &str) {
    let (app, token) = (app, token);
    let cases: &[(&str, &str, &[&str])] = &[
        ("/users", "users", &["usr-g-300", "usr-s-200", "usr-s-201", "usr-t-100"]),
        ("/students", "users", &["usr-s-200", "usr-s-201"]),
        ("/teachers", "users", &["usr-t-100"]),
        ("/orgs", "orgs", &["org-district-1", "org-school-hs"]),
        ("/schools", "orgs", &["org-school-hs"]),
        (
            "/academicSessions",
            "academicSessions",
            &["as-gp-fall-q1", "as-gp-fall-q2", "as-sy-2026", "as-term-fall-2025", "as-term-spring-2026"],
        ),
        ("/terms", "academicSessions", &["as-term-fall-2025", "as-term-spring-2026"]),
        ("/gradingPeriods", "academicSessions", &["as-gp-fall-q1", "as-gp-fall-q2"]),
        ("/courses", "courses", &["crs-hs-alg1", "crs-hs-bio"]),
        ("/classes", "classes", &["cls-hs-alg1-p1", "cls-hs-bio-p3"]),
        (
            "/enrollments",
            "enrollments",
            &["enr-alg1-s200", "enr-alg1-s201", "enr-alg1-t100", "enr-bio-s200", "enr-bio-t100"],
        ),
        ("/demographics", "demographics", &[]),
    ];
    for (base, version) in [(V12, Version::V1p2), (V11, Version::V1p1)] {
        for (path, key, expected) in cases {
            let answer = get(&app, &token, &format!("{base}{path}")).await;
            assert_eq!(ids(&answer, key), *expected, "{version} {path}");
            assert_eq!(answer.headers["x-total-count"], expected.len().to_string().as_str(), "{path}");
            assert_eq!(answer.headers[header::CONTENT_TYPE], "application/json");
            // and each record singly, under the singular key
            let single_key = match *key {
                "users" => "user",
                "orgs" => "org",
                "academicSessions" => "academicSession",
                "courses" => "course",
                "classes" => "class",
                "enrollments" => "enrollment",
                _ => "demographics",
            };
            for id in *expected {
                let one = get(&app, &token, &format!("{base}{path}/{id}")).await;
                assert_eq!(one.status, StatusCode::OK, "{path}/{id}: {}", one.body);
                assert_eq!(one.body[single_key]["sourcedId"], *id, "{path}/{id}");
            }
        }
    }

    // a record that exists but is not shared answers exactly like one that does not exist
    for (path, id) in [("/users", "usr-s-202"), ("/users", "no-such-user"), ("/schools", "org-school-ms"), ("/schools", "org-district-1")] {
        let answer = get(&app, &token, &format!("{V12}{path}/{id}")).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}/{id}");
        assert_eq!(minor(&answer), "unknownobject");
        assert_eq!(answer.body["imsx_codeMajor"], "failure");
        assert_eq!(answer.body["imsx_severity"], "error");
        let kind = if path == "/users" { "user" } else { "school" };
        assert_eq!(answer.body["imsx_description"], format!("Unknown Object: there is no {kind} `{id}`"));
    }
}

#[tokio::test]
async fn records_have_the_version_shape_without_withheld_fields() {
    let (app, token, _) = district(None).await;
    shapes(&app, &token).await;
}

async fn shapes(app: &TestApp, token: &str) {
    let (app, token) = (app, token);
    let user = get(&app, &token, &format!("{V12}/users/usr-s-200")).await.body["user"].clone();
    assert_eq!(user["givenName"], "Ava");
    assert_eq!(user["username"], "ava.nguyen");
    assert!(user.get("email").is_none(), "e-mail is withheld: {user}");
    assert!(user.get("password").is_none());
    assert_eq!(user["enabledUser"], "true");
    assert_eq!(user["roles"][0]["role"], "student");
    assert_eq!(user["roles"][0]["org"]["sourcedId"], "org-school-hs");
    assert_eq!(user["agents"][0]["sourcedId"], "usr-g-300");
    assert_eq!(user["agents"][0]["href"], format!("{}{V12}/users/usr-g-300", app.base));
    assert_eq!(user["userProfiles"][0]["profileId"], "upf-usr-s-200-lms");
    assert_eq!(user["status"], "active");

    // 1.1: one role and the orgs list
    let user = get(&app, &token, &format!("{V11}/users/usr-t-100")).await.body["user"].clone();
    assert_eq!(user["role"], "teacher");
    assert_eq!(user["orgs"][0]["sourcedId"], "org-school-hs");
    assert!(user.get("roles").is_none());
    assert!(user.get("email").is_none());

    // a guardian of a student outside the share is no reference the app can follow
    let answer = get(&app, &token, &format!("{V12}/orgs/org-district-1")).await;
    let children: Vec<&str> =
        answer.body["org"]["children"].as_array().unwrap().iter().map(|c| c["sourcedId"].as_str().unwrap()).collect();
    assert_eq!(children, ["org-school-hs"], "the middle school is not shared");

    // fields: exactly the members asked for, in both forms
    for query in ["fields=sourcedId,givenName", "fields=sourcedId&fields=givenName", "fields=sourcedId,givenName,bogus"] {
        let answer = get(&app, &token, &format!("{V12}/users?{query}")).await;
        for user in answer.body["users"].as_array().unwrap() {
            let keys: Vec<&String> = user.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["givenName", "sourcedId"], "{query}");
        }
    }
}

#[tokio::test]
async fn nested_operations_and_their_parents() {
    let (app, token, _) = district(None).await;
    nested(&app, &token).await;
}

async fn nested(app: &TestApp, token: &str) {
    let (app, token) = (app, token);
    let cases: &[(&str, &str, &[&str])] = &[
        ("/classes/cls-hs-alg1-p1/students", "users", &["usr-s-200", "usr-s-201"]),
        ("/classes/cls-hs-alg1-p1/teachers", "users", &["usr-t-100"]),
        ("/courses/crs-hs-alg1/classes", "classes", &["cls-hs-alg1-p1"]),
        ("/schools/org-school-hs/classes", "classes", &["cls-hs-alg1-p1", "cls-hs-bio-p3"]),
        (
            "/schools/org-school-hs/classes/cls-hs-alg1-p1/enrollments",
            "enrollments",
            &["enr-alg1-s200", "enr-alg1-s201", "enr-alg1-t100"],
        ),
        ("/schools/org-school-hs/classes/cls-hs-bio-p3/students", "users", &["usr-s-200"]),
        ("/schools/org-school-hs/classes/cls-hs-bio-p3/teachers", "users", &["usr-t-100"]),
        ("/schools/org-school-hs/courses", "courses", &["crs-hs-alg1", "crs-hs-bio"]),
        (
            "/schools/org-school-hs/enrollments",
            "enrollments",
            &["enr-alg1-s200", "enr-alg1-s201", "enr-alg1-t100", "enr-bio-s200", "enr-bio-t100"],
        ),
        ("/schools/org-school-hs/students", "users", &["usr-s-200", "usr-s-201"]),
        ("/schools/org-school-hs/teachers", "users", &["usr-t-100"]),
        ("/schools/org-school-hs/terms", "academicSessions", &["as-term-fall-2025", "as-term-spring-2026"]),
        ("/students/usr-s-200/classes", "classes", &["cls-hs-alg1-p1", "cls-hs-bio-p3"]),
        ("/students/usr-s-201/classes", "classes", &["cls-hs-alg1-p1"]),
        ("/teachers/usr-t-100/classes", "classes", &["cls-hs-alg1-p1", "cls-hs-bio-p3"]),
        ("/terms/as-term-fall-2025/classes", "classes", &["cls-hs-alg1-p1", "cls-hs-bio-p3"]),
        ("/terms/as-term-spring-2026/classes", "classes", &["cls-hs-alg1-p1"]),
        ("/terms/as-term-fall-2025/gradingPeriods", "academicSessions", &["as-gp-fall-q1", "as-gp-fall-q2"]),
        ("/terms/as-term-spring-2026/gradingPeriods", "academicSessions", &[]),
        ("/users/usr-s-201/classes", "classes", &["cls-hs-alg1-p1"]),
    ];
    for base in [V12, V11] {
        for (path, key, expected) in cases {
            let answer = get(&app, &token, &format!("{base}{path}")).await;
            assert_eq!(ids(&answer, key), *expected, "{base}{path}");
        }
    }
    // parents outside the share, unknown, or of the wrong kind: 404
    for path in [
        "/schools/org-school-ms/classes",
        "/schools/org-district-1/students",
        "/classes/cls-ms-hr7-a/students",
        "/schools/org-school-hs/classes/cls-ms-hr7-a/enrollments",
        "/students/usr-t-100/classes",
        "/teachers/usr-s-200/classes",
        "/terms/as-sy-2026/classes",
        "/users/nobody/classes",
        "/courses/crs-ms-hr7/classes",
    ] {
        let answer = get(&app, &token, &format!("{V12}{path}")).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}: {}", answer.body);
        assert_eq!(minor(&answer), "unknownobject", "{path}");
    }
}

#[tokio::test]
async fn filters_sorting_and_paging_stay_inside_the_share() {
    let (app, token, _) = district(None).await;
    filters(&app, &token).await;
}

async fn filters(app: &TestApp, token: &str) {
    let (app, token) = (app, token);
    // an OR cannot reach a record outside the share
    let answer = get(&app, &token, &format!("{V12}/users?filter=sourcedId%3D%27usr-s-202%27%20OR%20sourcedId%3D%27usr-s-200%27")).await;
    assert_eq!(ids(&answer, "users"), ["usr-s-200"]);
    let answer = get(&app, &token, &format!("{V12}/users?filter=familyName~%27n%27%20OR%20status%3D%27active%27")).await;
    assert_eq!(ids(&answer, "users"), ["usr-g-300", "usr-s-200", "usr-s-201", "usr-t-100"]);
    // nested fields, lists, booleans, 1.1 names
    let cases = [
        ("roles.role='guardian'", vec!["usr-g-300"]),
        ("role='student'", vec!["usr-s-200", "usr-s-201"]),
        ("orgs.sourcedId='org-school-hs' AND givenName~'LI'", vec!["usr-s-201"]),
        ("grades='10'", vec!["usr-s-201"]),
        ("agents.sourcedId='usr-s-200'", vec!["usr-g-300"]),
        ("userIds.identifier='201'", vec!["usr-s-201"]),
        ("enabledUser='true' AND familyName!='Nguyen'", vec!["usr-s-201", "usr-t-100"]),
        ("familyName='O''Brien'", vec!["usr-s-201"]),
        ("familyName='O'Brien'", vec!["usr-s-201"]),
    ];
    for (filter, expected) in cases {
        let url = format!("{V12}/users?filter={}", urlencode(filter));
        assert_eq!(ids(&get(&app, &token, &url).await, "users"), expected, "{filter}");
    }
    let answer = get(&app, &token, &format!("{V12}/classes?filter={}", urlencode("terms.sourcedId='as-term-spring-2026'"))).await;
    assert_eq!(ids(&answer, "classes"), ["cls-hs-alg1-p1"]);
    let answer = get(&app, &token, &format!("{V12}/academicSessions?filter={}", urlencode("schoolYear>='2026' AND type='term'"))).await;
    assert_eq!(ids(&answer, "academicSessions"), ["as-term-fall-2025", "as-term-spring-2026"]);

    // sort
    let answer = get(&app, &token, &format!("{V12}/users?sort=givenName&orderBy=desc")).await;
    assert_eq!(ids(&answer, "users"), ["usr-g-300", "usr-t-100", "usr-s-201", "usr-s-200"], "Thi, Maria, Liam, Ava");

    // paging: totals, Link relations that keep the caller's parameters
    let answer = get(&app, &token, &format!("{V12}/users?limit=2&offset=1&sort=sourcedId")).await;
    assert_eq!(ids(&answer, "users"), ["usr-s-200", "usr-s-201"]);
    assert_eq!(answer.headers["x-total-count"], "4");
    let link = answer.headers[header::LINK].to_str().unwrap();
    let u = format!("{}{V12}/users?sort=sourcedId", app.base);
    assert_eq!(
        link,
        format!(
            "<{u}&limit=2&offset=0>; rel=\"first\", <{u}&limit=2&offset=0>; rel=\"prev\", \
             <{u}&limit=2&offset=3>; rel=\"next\", <{u}&limit=2&offset=2>; rel=\"last\""
        )
    );
    let answer = get(&app, &token, &format!("{V12}/users?offset=10")).await;
    assert_eq!(ids(&answer, "users"), Vec::<String>::new());
    assert_eq!(answer.headers["x-total-count"], "4");

    // errors name the parameter
    let bad: &[(&str, StatusCode, &str, &str)] = &[
        ("/users?limit=0", StatusCode::BAD_REQUEST, "invaliddata", "limit: `0` is not a page size; use a whole number from 1 to 10000"),
        ("/users?limit=abc", StatusCode::BAD_REQUEST, "invaliddata", "limit: `abc` is not a page size; use a whole number from 1 to 10000"),
        ("/users?offset=-1", StatusCode::BAD_REQUEST, "invaliddata", "offset: `-1` is not a position; use a whole number from 0"),
        ("/users?orderBy=up", StatusCode::BAD_REQUEST, "invaliddata", "orderBy: `up` is not a direction; use asc or desc"),
        ("/users?filter=shoeSize%3D%2742%27", StatusCode::BAD_REQUEST, "invalid_filter_field", "filter: `shoeSize` is not a field of users that can be filtered"),
        // a withheld field cannot be probed with a filter
        ("/users?filter=email~%27rusd%27", StatusCode::BAD_REQUEST, "invalid_filter_field", "filter: `email` is not a field of users that can be filtered"),
        ("/users?filter=grades%3E%2709%27", StatusCode::BAD_REQUEST, "invalid_filter_field", "filter: `>` does not apply to the list `grades`; use =, != or ~"),
    ];
    for (path, status, code, description) in bad {
        let answer = get(&app, &token, &format!("{V12}{path}")).await;
        assert_eq!(answer.status, *status, "{path}");
        assert_eq!(minor(&answer), *code, "{path}");
        assert_eq!(answer.body["imsx_description"], *description, "{path}");
    }
    for filter in ["status='active", "status='active' AND", "status"] {
        let answer = get(&app, &token, &format!("{V12}/users?filter={}", urlencode(filter))).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{filter}");
        assert_eq!(minor(&answer), "invalid_filter_field", "{filter}");
    }
}

#[tokio::test]
async fn authentication_scope_methods_and_the_disclosure_log() {
    let (app, token, app_id) = district(Some("https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly")).await;
    // core scope: collections yes, relationships and demographics no
    assert_eq!(get(&app, &token, &format!("{V12}/classes")).await.status, StatusCode::OK);
    for path in ["/schools/org-school-hs/classes", "/demographics"] {
        let answer = get(&app, &token, &format!("{V12}{path}")).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(minor(&answer), "forbidden");
    }
    // no credentials, a bad token
    let answer = Client::new().get(app.url(&format!("{V12}/users"))).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers()[header::WWW_AUTHENTICATE], "Bearer realm=\"rollbook\"");
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["imsx_CodeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"], "unauthorisedrequest");
    let answer = get(&app, "not-a-token", &format!("{V11}/users")).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers[header::WWW_AUTHENTICATE], "Bearer realm=\"rollbook\", OAuth realm=\"rollbook\"");
    // write methods: 405 with Allow
    for method in [reqwest::Method::POST, reqwest::Method::PUT, reqwest::Method::DELETE, reqwest::Method::PATCH] {
        let answer = Client::new().request(method.clone(), app.url(&format!("{V12}/users/usr-s-200"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(answer.headers()[header::ALLOW], "GET, HEAD");
    }
    // unknown paths; a trailing slash is tolerated
    let answer = get(&app, &token, &format!("{V12}/lineItems")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(minor(&answer), "unknownobject");
    assert_eq!(ids(&get(&app, &token, &format!("{V12}/schools/")).await, "orgs"), ["org-school-hs"]);

    // the disclosure log has the answers the app got (not the refused ones without an app)
    let mut log = Vec::new();
    for _ in 0..50 {
        log = app.store.disclosures(app_id, 100).await.unwrap();
        if log.len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let seen: Vec<(&str, u16, u64)> = log.iter().rev().map(|d| (d.operation.as_str(), d.status, d.records)).collect();
    assert_eq!(
        seen,
        [("getAllClasses", 200, 2), ("getClassesForSchool", 403, 0), ("getAllDemographics", 403, 0), ("getAllSchools", 200, 1)]
    );
    assert!(log.iter().all(|d| d.channel == "rest-1.2" && d.path.starts_with(V12)));
}

/// The same answers from a server on PostgreSQL.
#[tokio::test]
async fn the_api_answers_alike_on_postgresql() {
    let url = support::fresh_postgres_database().await;
    let (app, creds) = support::district::district_with(support::Spawn { database_url: Some(url.clone()), ..Default::default() }).await;
    let token = support::district::token(&app, &creds.client_id, &creds.client_secret, None).await;
    collections(&app, &token).await;
    nested(&app, &token).await;
    filters(&app, &token).await;
    shapes(&app, &token).await;
    drop(app);
    support::drop_postgres_database(&url).await;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Filters on relationships see only what the share gives, and odd input is a 4xx.
#[tokio::test]
async fn relationship_filters_and_odd_input_stay_inside_the_share() {
    let (app, _, _) = district(None).await;
    let creds = app
        .store
        .create_app(
            store::NewApp { name: "Students Only".into(), versions: vec![Version::V1p1, Version::V1p2], ..Default::default() },
            &app.secret_key,
        )
        .await
        .unwrap();
    let share = serde_json::from_value(serde_json::json!({ "include": [{ "schools": ["org-school-hs"] }], "roles": ["student"] })).unwrap();
    app.store.set_share(creds.id, &share, "dana").await.unwrap();
    let token = support::district::token(&app, &creds.client_id, &creds.client_secret, None).await;
    let empty: Vec<String> = Vec::new();
    for filter in [
        "agents.sourcedId='usr-g-300'",   // a guardian the share does not give
        "agents.sourcedId~'usr-g'",
        "roles.org.sourcedId='org-school-ms'", // an org it does not give
        "orgs.sourcedId~'school-ms'",
        "role='teacher'",
    ] {
        let answer = get(&app, &token, &format!("{V12}/users?filter={}", urlencode(filter))).await;
        assert_eq!(ids(&answer, "users"), empty, "{filter}");
    }
    let answer = get(&app, &token, &format!("{V12}/users?filter={}", urlencode("agents.sourcedId!='usr-g-300'"))).await;
    assert_eq!(ids(&answer, "users"), ["usr-s-200", "usr-s-201"]);
    assert_eq!(get(&app, &token, &format!("{V12}/users/usr-t-100")).await.status, StatusCode::NOT_FOUND);
    let user = get(&app, &token, &format!("{V12}/users/usr-s-200")).await.body["user"].clone();
    assert!(user.get("agents").is_none(), "no reference to an unshared guardian: {user}");

    // NUL characters, which no database takes as text: 404 in a path, 400 in a parameter
    assert_eq!(get(&app, &token, &format!("{V12}/users/%00")).await.status, StatusCode::NOT_FOUND);
    let answer = get(&app, &token, &format!("{V12}/users?filter=givenName%3D%27%00%27")).await;
    assert_eq!((answer.status, minor(&answer)), (StatusCode::BAD_REQUEST, "invaliddata"));
    // OAuth 1.0a with a NUL key or an absurd timestamp: refused, not a crash
    for (key, ts) in [("%00", "1700000000"), (creds.client_id.as_str(), "-9223372036854775808")] {
        let response = Client::new()
            .get(app.url(&format!("{V11}/users")))
            .header(
                header::AUTHORIZATION,
                format!("OAuth oauth_consumer_key=\"{key}\", oauth_nonce=\"n\", oauth_signature_method=\"HMAC-SHA256\", oauth_timestamp=\"{ts}\", oauth_version=\"1.0\", oauth_signature=\"eA%3D%3D\""),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{key} {ts}");
    }
    // the documented largest page, and one past it
    assert_eq!(get(&app, &token, &format!("{V12}/users?limit=10000")).await.status, StatusCode::OK);
    assert_eq!(get(&app, &token, &format!("{V12}/users?limit=10001")).await.status, StatusCode::BAD_REQUEST);
}

/// Repeated requests may be answered from the answer cache; a changed share and a new
/// revision must still show at once, on the very same URL.
#[tokio::test]
async fn the_same_request_sees_a_changed_share_and_a_new_revision_at_once() {
    use store::{roster::{ImportOptions, Outcome, Silent}, sharing::Share};
    let (app, token, app_id) = district(None).await;
    let path = format!("{V12}/users/usr-s-200");
    let first = get(&app, &token, &path).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body["user"].get("email").is_none(), "the share withholds e-mail: {}", first.body);
    assert_eq!(get(&app, &token, &path).await.body, first.body, "a repeated request gets the same answer");

    // The share stops withholding e-mail: the next identical request has it.
    let share: Share = serde_json::from_value(serde_json::json!({
        "include": [{ "schools": ["org-school-hs"] }],
        "roles": ["student", "teacher", "guardian"],
    }))
    .unwrap();
    app.store.set_share(app_id, &share, "dana").await.unwrap();
    let after_share = get(&app, &token, &path).await;
    assert!(after_share.body["user"]["email"].is_string(), "e-mail shared now: {}", after_share.body);

    // A new revision (the SIS delta renames Maria and adds Noah to Biology): the same URLs
    // answer anew.
    let list = format!("{V12}/users?limit=100");
    let maria = format!("{V12}/users/usr-t-100");
    assert!(!ids(&get(&app, &token, &list).await, "users").contains(&"usr-s-203".to_string()));
    assert_eq!(get(&app, &token, &maria).await.body["user"]["familyName"], "Lopez");
    let options = ImportOptions::new("sis", &app.dir);
    let delta = app
        .store
        .import_package(&support::district::sample("synthetic/v1p2-delta"), &options, &Silent)
        .await
        .unwrap();
    if delta.outcome == Outcome::Held {
        app.store.approve_import(delta.id, "dana", &Silent).await.unwrap();
    }
    assert!(ids(&get(&app, &token, &list).await, "users").contains(&"usr-s-203".to_string()), "Noah is listed now");
    assert_eq!(get(&app, &token, &maria).await.body["user"]["familyName"], "Lopez-Garcia");
}
