//! A property test of the API over a generated district: random shares × random filters, sorts
//! and pages. Every record returned is one the share gives, withheld fields never appear, totals
//! equal the scoped count, and a filter returns exactly the shared records it matches (checked
//! against an evaluator written here). The seed is printed; `ROLLBOOK_PROPERTY_SEED` replays it.

mod support;

use std::collections::BTreeSet;

use oneroster::Version;
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use store::{roster::{ImportOptions, Silent}, sharing::Share, NewApp};
use support::{district::token, spawn_app, TestApp};

const V12: &str = "/ims/oneroster/rostering/v1p2";

async fn fetch(app: &TestApp, token: &str, path_and_query: &str) -> (StatusCode, Option<u64>, Value) {
    let response = Client::new().get(app.url(path_and_query)).bearer_auth(token).send().await.unwrap();
    let status = response.status();
    let total = response.headers().get("x-total-count").map(|v| v.to_str().unwrap().parse().unwrap());
    (status, total, response.json().await.unwrap_or(Value::Null))
}

/// Every record of a collection, paged with `limit`, checking that the total stays put.
async fn all_pages(app: &TestApp, token: &str, path: &str, query: &str, limit: u32) -> (u64, Vec<Value>) {
    let key = path.rsplit('/').next().unwrap();
    let key = match key {
        "students" | "teachers" => "users",
        "schools" => "orgs",
        "terms" | "gradingPeriods" => "academicSessions",
        k => k,
    };
    let mut out = Vec::new();
    let mut offset = 0u64;
    let mut total = None;
    loop {
        let sep = if query.is_empty() { "" } else { "&" };
        let (status, t, body) = fetch(app, token, &format!("{V12}{path}?{query}{sep}limit={limit}&offset={offset}")).await;
        assert_eq!(status, StatusCode::OK, "{path}?{query}: {body}");
        let t = t.unwrap();
        assert!(total.is_none_or(|old| old == t), "the total changed between pages");
        total = Some(t);
        let page = body[key].as_array().unwrap().clone();
        assert!(page.len() <= limit as usize);
        offset += page.len() as u64;
        let done = page.len() < limit as usize;
        out.extend(page);
        if done || offset >= t {
            break;
        }
    }
    (total.unwrap(), out)
}

fn ids(records: &[Value]) -> BTreeSet<String> {
    records.iter().map(|r| r["sourcedId"].as_str().unwrap().to_string()).collect()
}

/// One predicate of the filters generated here: `field=value` or `field~value` on a string
/// member.
#[derive(Clone, Debug)]
struct Pred {
    field: &'static str,
    contains: bool,
    value: String,
}

impl Pred {
    fn text(&self) -> String {
        format!("{}{}'{}'", self.field, if self.contains { "~" } else { "=" }, self.value.replace('\'', "''"))
    }
    fn matches(&self, record: &Value) -> bool {
        let Some(v) = record.get(self.field).and_then(Value::as_str) else { return false };
        // `~` ignores the case of ASCII letters (SQLite's lower() folds only those)
        if self.contains { v.to_ascii_lowercase().contains(&self.value.to_ascii_lowercase()) } else { v == self.value }
    }
}

#[tokio::test]
async fn random_shares_and_queries_never_leave_the_share() {
    let seed: u64 = std::env::var("ROLLBOOK_PROPERTY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    println!("ROLLBOOK_PROPERTY_SEED={seed}");
    let mut rng = StdRng::seed_from_u64(seed);

    let app = spawn_app().await;
    let pkg = app.dir.join("demo");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rollbook"))
        .args(["demo", "--students", "250", "--seed", "11", "--out"])
        .arg(&pkg)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    app.store.import_package(&pkg, &ImportOptions::new("sis", &app.dir), &Silent).await.unwrap();

    // the universe, as an app sharing everything sees it
    let all = app
        .store
        .create_app(NewApp { name: "Everything".into(), versions: vec![Version::V1p2], ..Default::default() }, &app.secret_key)
        .await
        .unwrap();
    app.store.set_share(all.id, &serde_json::from_value(json!({"all": true})).unwrap(), "dana").await.unwrap();
    let all_token = token(&app, &all.client_id, &all.client_secret, None).await;
    let (_, classes) = all_pages(&app, &all_token, "/classes", "", 1000).await;
    let (_, users) = all_pages(&app, &all_token, "/users", "", 1000).await;
    let schools: Vec<String> = {
        let (_, s) = all_pages(&app, &all_token, "/schools", "", 1000).await;
        ids(&s).into_iter().collect()
    };
    let class_ids: Vec<String> = ids(&classes).into_iter().collect();
    let subjects: Vec<String> = classes.iter().filter_map(|c| c["subjects"][0].as_str().map(String::from)).collect::<BTreeSet<_>>().into_iter().collect();
    let grades: Vec<String> = classes.iter().filter_map(|c| c["grades"][0].as_str().map(String::from)).collect::<BTreeSet<_>>().into_iter().collect();
    let withholdable = ["users.username", "users.identifier", "users.email", "users.grades", "classes.location", "classes.classCode", "courses.courseCode"];
    let roles = ["student", "teacher", "guardian", "administrator", "unenrolled_staff"];

    for round in 0..12 {
        // a random share
        let mut include = Vec::new();
        for _ in 0..rng.gen_range(1..=2) {
            include.push(match rng.gen_range(0..4) {
                0 => json!({ "schools": [schools.choose(&mut rng).unwrap()] }),
                1 => json!({ "classes": class_ids.choose_multiple(&mut rng, 5).collect::<Vec<_>>() }),
                2 => json!({ "subjects": [subjects.choose(&mut rng).unwrap()] }),
                _ => json!({ "grades": grades.choose_multiple(&mut rng, 2).collect::<Vec<_>>(), "schools": [schools.choose(&mut rng).unwrap()] }),
            });
        }
        let exclude = if rng.gen_bool(0.4) { vec![json!({ "class_types": ["homeroom"] })] } else { vec![] };
        let n = rng.gen_range(1..=3);
        let share_roles: Vec<&str> = roles.choose_multiple(&mut rng, n).copied().collect();
        let n = rng.gen_range(0..=3);
        let withhold: Vec<&str> = withholdable.choose_multiple(&mut rng, n).copied().collect();
        let share: Share = serde_json::from_value(json!({
            "include": include, "exclude": exclude, "roles": share_roles, "withhold": withhold,
        }))
        .unwrap();
        let creds = app
            .store
            .create_app(NewApp { name: format!("App {round}"), versions: vec![Version::V1p2], ..Default::default() }, &app.secret_key)
            .await
            .unwrap();
        app.store.set_share(creds.id, &share, "dana").await.unwrap();
        let bearer = token(&app, &creds.client_id, &creds.client_secret, None).await;
        let context = format!("seed {seed}, round {round}, share {}", serde_json::to_string(&share).unwrap());

        for (path, entity, text_fields) in [
            ("/users", "users", &["givenName", "familyName", "username", "identifier"][..]),
            ("/classes", "classes", &["title", "classCode", "location"][..]),
            ("/courses", "courses", &["title", "courseCode"][..]),
            ("/enrollments", "enrollments", &["sourcedId"][..]),
            ("/orgs", "orgs", &["name"][..]),
            ("/academicSessions", "academicSessions", &["title"][..]),
        ] {
            let scoped: BTreeSet<String> = app.store.shared_ids(creds.id, entity).await.unwrap().into_iter().collect();
            let withheld: Vec<&str> =
                withhold.iter().filter_map(|w| w.strip_prefix(&format!("{entity}."))).collect();
            // unfiltered: exactly the share, in any page size
            let limit = rng.gen_range(1..=60);
            let (total, records) = all_pages(&app, &bearer, path, "sort=sourcedId", limit).await;
            if entity != "enrollments" {
                assert_eq!(ids(&records), scoped, "{path}: {context}");
            } else {
                assert!(ids(&records).is_superset(&scoped), "{path}: {context}");
            }
            assert_eq!(total as usize, records.len(), "{path}: {context}");
            for r in &records {
                for w in &withheld {
                    // a member 1.2 requires (course.courseCode) is sent empty, never with data
                    let required = entity == "courses" && *w == "courseCode";
                    let ok = r.get(*w).is_none() || (required && r[*w] == "");
                    assert!(ok, "{path} served withheld {w}: {context}");
                }
            }
            // random filters: exactly the matching shared records, whatever the page size
            for _ in 0..4 {
                let pick = |rng: &mut StdRng| {
                    let field = *text_fields.choose(rng).unwrap();
                    // values from the whole district, so that filters also aim outside the share
                    let source = if entity == "users" { &users } else { &records };
                    let value = source
                        .choose(rng)
                        .and_then(|r| r.get(field).and_then(Value::as_str).map(String::from))
                        .unwrap_or_else(|| "zz".into());
                    let contains = rng.gen_bool(0.5);
                    let value = if contains && value.len() > 2 { value[..2.min(value.len())].to_string() } else { value };
                    Pred { field, contains, value }
                };
                let a = pick(&mut rng);
                let id_outside = users.choose(&mut rng).unwrap()["sourcedId"].as_str().unwrap().to_string();
                let b = if rng.gen_bool(0.5) { pick(&mut rng) } else { Pred { field: "sourcedId", contains: false, value: id_outside } };
                let or = rng.gen_bool(0.5);
                let filter = format!("{} {} {}", a.text(), if or { "OR" } else { "AND" }, b.text());
                let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
                let mut query = format!("filter={encoded}");
                if rng.gen_bool(0.5) {
                    // a sort on a field with ties still pages without repeats or gaps
                    query += &format!("&sort={}&orderBy={}", b.field, if rng.gen_bool(0.5) { "asc" } else { "desc" });
                }
                if withheld.contains(&a.field) || withheld.contains(&b.field) {
                    let (status, _, _) = fetch(&app, &bearer, &format!("{V12}{path}?{query}")).await;
                    assert_eq!(status, StatusCode::BAD_REQUEST, "a withheld field cannot be filtered: {filter}; {context}");
                    continue;
                }
                let expected: BTreeSet<String> = records
                    .iter()
                    .filter(|r| if or { a.matches(r) || b.matches(r) } else { a.matches(r) && b.matches(r) })
                    .map(|r| r["sourcedId"].as_str().unwrap().to_string())
                    .collect();
                let (total, got) = all_pages(&app, &bearer, path, &query, rng.gen_range(1..=40)).await;
                assert_eq!(ids(&got), expected, "{path}?filter={filter}: {context}");
                assert_eq!(total as usize, expected.len(), "{path}?filter={filter}: {context}");
                assert!(ids(&got).is_subset(&ids(&records)));
            }
        }
    }
}
