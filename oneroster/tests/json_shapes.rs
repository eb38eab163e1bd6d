//! The JSON shapes: real 1.1 sample data reads, the broken copy is refused with the field named,
//! 1.2 output is valid against the official OpenAPI schemas, and both versions round-trip.

use std::path::PathBuf;

use oneroster::{
    model::{
        entity::*,
        json::{read_collection, write_collection, write_single, JsonContext, JsonEntity},
        RoleName, RoleType, Status, UserRoleV1p1,
    },
    Version,
};
use serde_json::{json, Value};
use time::macros::{date, datetime};

fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster").join(path)
}

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(shared(path)).unwrap_or_else(|e| panic!("{path}: {e} (tests read ../shared)"));
    serde_json::from_str(&text).unwrap()
}

fn ctx(version: Version) -> JsonContext {
    JsonContext::new("https://rollbook.district.example", version)
}

const OR11: &str = "samples/1edtech-or11-conformance-json/1574845678";

#[test]
fn the_1edtech_v1p1_samples_read_completely() {
    let (orgs, w1) = read_collection::<Org>(&load(&format!("{OR11}/orgs.json")), Version::V1p1).unwrap();
    let (sessions, w2) = read_collection::<AcademicSession>(&load(&format!("{OR11}/academicSessions.json")), Version::V1p1).unwrap();
    let (courses, w3) = read_collection::<Course>(&load(&format!("{OR11}/courses.json")), Version::V1p1).unwrap();
    let (classes, w4) = read_collection::<Class>(&load(&format!("{OR11}/classes.json")), Version::V1p1).unwrap();
    let (users, w5) = read_collection::<User>(&load(&format!("{OR11}/users.json")), Version::V1p1).unwrap();
    let (demographics, w6) = read_collection::<Demographics>(&load(&format!("{OR11}/demographics.json")), Version::V1p1).unwrap();
    for w in [w1, w2, w3, w4, w5, w6] {
        assert!(w.is_empty(), "no unknown fields: {w:?}");
    }
    assert_eq!((orgs.len(), sessions.len(), courses.len(), classes.len()), (1, 26, 80, 320));
    assert_eq!((users.len(), demographics.len()), (1599, 1599));
    let roles = |r: UserRoleV1p1| users.iter().filter(|u| u.v1p1_role() == Some(r.clone())).count();
    assert_eq!((roles(UserRoleV1p1::Parent), roles(UserRoleV1p1::Student), roles(UserRoleV1p1::Teacher)), (964, 601, 34));
    assert_eq!(users.iter().filter(|u| !u.agents.is_empty()).count(), 587);
    assert_eq!(classes.iter().filter(|c| c.class_type.as_ref().map(|t| t.as_str()) == Some("homeroom")).count(), 20);

    let harriet = &users[0];
    assert_eq!(harriet.given_name, "Harriet");
    assert!(harriet.enabled_user, "JSON booleans are accepted");
    assert_eq!(harriet.roles[0].role, RoleName::Teacher);
    assert_eq!(harriet.roles[0].role_type, RoleType::Primary);
    assert_eq!(harriet.base.date_last_modified, Some(datetime!(2021-03-12 09:21:22.110 UTC)));
    assert_eq!(demographics[0].white, Some(true));
}

/// The second 1EdTech folder: a district with nine schools, and the same school calendar.
#[test]
fn the_1edtech_district_sample_reads_with_its_parents() {
    const DISTRICT: &str = "samples/1edtech-or11-conformance-json/1598444198";
    let (orgs, w1) = read_collection::<Org>(&load(&format!("{DISTRICT}/orgs.json")), Version::V1p1).unwrap();
    let (sessions, w2) = read_collection::<AcademicSession>(&load(&format!("{DISTRICT}/academicSessions.json")), Version::V1p1).unwrap();
    assert!(w1.is_empty() && w2.is_empty(), "no unknown fields: {w1:?} {w2:?}");
    let district = &orgs[0];
    assert_eq!((district.name.as_str(), district.org_type.as_str(), district.parent.as_deref()), ("Pine Grove District", "district", None));
    let schools: Vec<&Org> = orgs.iter().filter(|o| o.org_type.as_str() == "school").collect();
    assert_eq!((orgs.len(), schools.len()), (10, 9));
    assert!(schools.iter().all(|s| s.parent.as_deref() == Some(district.base.sourced_id.as_str())), "every school's parent is the district");
    assert_eq!(schools[0].name, "North Drive School");
    let count = |t: &str| sessions.iter().filter(|s| s.session_type.as_str() == t).count();
    assert_eq!((sessions.len(), count("schoolYear"), count("term"), count("gradingPeriod")), (26, 1, 3, 22));
    let year = sessions.iter().find(|s| s.session_type.as_str() == "schoolYear").unwrap();
    assert_eq!((year.title.as_str(), year.school_year.as_str(), year.start_date, year.end_date), ("2020 School Year", "2020", date!(2019 - 09 - 01), date!(2020 - 07 - 16)));
    let fall = sessions.iter().find(|s| s.title == "2020 Fall term").unwrap();
    assert_eq!(fall.parent.as_deref(), Some(year.base.sourced_id.as_str()));
}

#[test]
fn the_broken_sample_is_refused_naming_the_field() {
    let err = read_collection::<AcademicSession>(&load(&format!("{OR11}/academicSessions-invalid.json")), Version::V1p1)
        .unwrap_err();
    assert_eq!(err.path, "academicSessions[0].sourcedId");
    assert_eq!(err.to_string(), "academicSessions[0].sourcedId: is required");
    // with the id restored, the next problem is named
    let mut doc = load(&format!("{OR11}/academicSessions-invalid.json"));
    doc["academicSessions"][0]["sourcedId"] = json!("x");
    let err = read_collection::<AcademicSession>(&doc, Version::V1p1).unwrap_err();
    assert_eq!(err.to_string(), "academicSessions[0].status: expected a string, got 234");
}

/// A JSON-schema validator for one component of the official 1.2 OpenAPI document.
fn oas_validator(component: &str) -> jsonschema::Validator {
    let mut oas = load("openapi/onerosterv1p2rostersservice_openapi3_v1p0.json");
    let components = oas["components"].take();
    let schema = json!({ "$ref": format!("#/components/schemas/{component}"), "components": components });
    jsonschema::options().with_draft(jsonschema::Draft::Draft7).build(&schema).expect("schema compiles")
}

fn assert_valid(component: &str, doc: &Value) {
    let validator = oas_validator(component);
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{component}: {errors:#?}\n{doc:#}");
}

type District = (Vec<Org>, Vec<AcademicSession>, Vec<Course>, Vec<Class>, Vec<Enrollment>, Vec<User>, Vec<Demographics>);

fn district() -> District {
    let base = |id: &str| {
        let mut b = Base::new(id);
        b.date_last_modified = Some(datetime!(2025-09-02 14:05:00 UTC));
        b
    };
    let mut school_base = base("school-1");
    school_base.metadata.insert("nces".into(), json!({"id": "123"}));
    let orgs = vec![
        Org { base: base("district-1"), name: "Lakeside USD".into(), org_type: "district".parse().unwrap(), identifier: None, parent: None, children: vec!["school-1".into()] },
        Org { base: school_base, name: "Lakeside High".into(), org_type: "school".parse().unwrap(), identifier: Some("0601".into()), parent: Some("district-1".into()), children: vec![] },
    ];
    let sessions = vec![AcademicSession {
        base: base("term-1"), title: "Fall 2025".into(), start_date: date!(2025 - 08 - 20), end_date: date!(2025 - 12 - 19),
        session_type: "term".parse().unwrap(), parent: None, children: vec![], school_year: "2026".into(),
    }];
    let courses = vec![Course {
        base: base("course-1"), title: "Algebra I".into(), school_year: None, course_code: None, grades: vec!["09".into()],
        subjects: vec!["Math".into()], subject_codes: vec!["02052".into()], org: Some("school-1".into()), resources: vec![],
    }];
    let classes = vec![Class {
        base: base("class-1"), title: "Algebra I - P1".into(), class_code: Some("ALG1-1".into()), class_type: Some("scheduled".parse().unwrap()),
        location: None, grades: vec!["09".into()], subjects: vec![], course: "course-1".into(), school: "school-1".into(),
        terms: vec!["term-1".into()], subject_codes: vec![], periods: vec!["1".into()], resources: vec![],
    }];
    let enrollments = vec![Enrollment {
        base: base("enr-1"), user: "user-1".into(), class: "class-1".into(), school: "school-1".into(),
        role: "teacher".parse().unwrap(), primary: Some(true), begin_date: Some(date!(2025 - 08 - 20)), end_date: None,
    }];
    let users = vec![User {
        base: base("user-1"), user_master_identifier: None, username: Some("zmuller".into()),
        user_ids: vec![UserId { id_type: "SIS".into(), identifier: "9981".into() }], enabled_user: true,
        given_name: "Zoë".into(), family_name: "Müller".into(), middle_name: None, preferred_first_name: Some("Zo".into()),
        preferred_middle_name: None, preferred_last_name: None, pronouns: Some("she/her".into()),
        roles: vec![
            Role { role_type: RoleType::Primary, role: RoleName::Teacher, org: "school-1".into(), user_profile: None, begin_date: None, end_date: None },
            Role { role_type: RoleType::Secondary, role: RoleName::Principal, org: "district-1".into(), user_profile: None, begin_date: Some(date!(2025 - 01 - 01)), end_date: None },
        ],
        user_profiles: vec![UserProfile {
            profile_id: "https://rollbook.district.example/profiles/1".into(), profile_type: "lms".into(), vendor_id: "acme".into(),
            application_id: None, description: None,
            credentials: vec![Credential { credential_type: "password".into(), username: "zm".into(), password: None }],
        }],
        primary_org: Some("school-1".into()), identifier: Some("T-1".into()), email: Some("zoe@lakeside.example".into()),
        sms: None, phone: None, agents: vec![], grades: vec![], password: None, resources: vec![],
    }];
    let demographics = vec![Demographics {
        base: base("user-1"), birth_date: Some(date!(1990 - 05 - 01)), sex: Some("unspecified".parse().unwrap()),
        american_indian_or_alaska_native: None, asian: Some(false), black_or_african_american: None,
        native_hawaiian_or_other_pacific_islander: None, white: Some(true), demographic_race_two_or_more_races: None,
        hispanic_or_latino_ethnicity: Some(false), country_of_birth_code: Some("US".into()), state_of_birth_abbreviation: None,
        city_of_birth: None, public_school_residence_status: None,
    }];
    (orgs, sessions, courses, classes, enrollments, users, demographics)
}

#[test]
fn v1p2_output_is_valid_against_the_official_openapi_schemas() {
    let (orgs, sessions, courses, classes, enrollments, users, demographics) = district();
    let c = ctx(Version::V1p2);
    assert_valid("OrgSetDType", &write_collection(&orgs, Version::V1p2, &c));
    assert_valid("AcademicSessionSetDType", &write_collection(&sessions, Version::V1p2, &c));
    assert_valid("CourseSetDType", &write_collection(&courses, Version::V1p2, &c));
    assert_valid("ClassSetDType", &write_collection(&classes, Version::V1p2, &c));
    assert_valid("EnrollmentSetDType", &write_collection(&enrollments, Version::V1p2, &c));
    assert_valid("UserSetDType", &write_collection(&users, Version::V1p2, &c));
    assert_valid("DemographicsSetDType", &write_collection(&demographics, Version::V1p2, &c));
    assert_valid("SingleUserDType", &write_single(&users[0], Version::V1p2, &c));
    assert_valid("SingleOrgDType", &write_single(&orgs[0], Version::V1p2, &c));
}

#[test]
fn v1p2_shapes_are_exact() {
    let (orgs, _, courses, classes, enrollments, users, _) = district();
    let c = ctx(Version::V1p2);
    let user = users[0].to_json(Version::V1p2, &c);
    assert_eq!(user["enabledUser"], "true", "1.2 booleans are strings");
    assert_eq!(user["preferredFirstName"], "Zo");
    assert_eq!(user["roles"][1]["role"], "principal");
    assert_eq!(user["roles"][0]["org"], json!({
        "href": "https://rollbook.district.example/ims/oneroster/rostering/v1p2/orgs/school-1",
        "sourcedId": "school-1", "type": "org"}));
    assert!(user.get("role").is_none() && user.get("orgs").is_none());
    assert_eq!(orgs[0].to_json(Version::V1p2, &c)["identifier"], "", "required in 1.2");
    assert_eq!(courses[0].to_json(Version::V1p2, &c)["courseCode"], "");
    let class = classes[0].to_json(Version::V1p2, &c);
    assert_eq!(class["terms"][0]["type"], "academicSession");
    assert_eq!(class["school"]["href"], "https://rollbook.district.example/ims/oneroster/rostering/v1p2/schools/school-1");
    assert_eq!(enrollments[0].to_json(Version::V1p2, &c)["primary"], "true");
    assert_eq!(orgs[1].to_json(Version::V1p2, &c)["metadata"], json!({"nces": {"id": "123"}}), "metadata kept");
    assert_eq!(user["dateLastModified"], "2025-09-02T14:05:00.000Z");
}

#[test]
fn v1p1_shapes_and_what_is_lost_going_down() {
    let (orgs, _, _, classes, enrollments, users, demographics) = district();
    let c = ctx(Version::V1p1);
    let user = users[0].to_json(Version::V1p1, &c);
    assert_eq!(user["role"], "teacher", "the primary role");
    assert_eq!(user["enabledUser"], true, "1.1 booleans are JSON booleans by default");
    let orgs_ref: Vec<&str> = user["orgs"].as_array().unwrap().iter().map(|o| o["sourcedId"].as_str().unwrap()).collect();
    assert_eq!(orgs_ref, ["school-1", "district-1"]);
    for lost in ["roles", "userProfiles", "primaryOrg", "preferredFirstName", "pronouns", "userMasterIdentifier"] {
        assert!(user.get(lost).is_none(), "{lost} does not exist in 1.1");
    }
    assert_eq!(user["orgs"][0]["href"], "https://rollbook.district.example/ims/oneroster/v1p1/orgs/school-1");
    let class = classes[0].to_json(Version::V1p1, &c);
    assert_eq!(class["terms"][0]["type"], "term", "1.1 GUIDRef vocabulary");
    assert!(orgs[0].to_json(Version::V1p1, &c).get("identifier").is_none(), "optional in 1.1");
    assert_eq!(enrollments[0].to_json(Version::V1p1, &c)["primary"], true);
    assert!(demographics[0].to_json(Version::V1p1, &c).get("sex").is_none(), "unspecified has no 1.1 value");

    let mut strings = c.clone();
    strings.v1p1_booleans = oneroster::model::json::BoolStyle::String;
    assert_eq!(users[0].to_json(Version::V1p1, &strings)["enabledUser"], "true");
}

#[test]
fn both_versions_round_trip() {
    let (orgs, sessions, courses, classes, enrollments, users, demographics) = district();
    fn again<T: JsonEntity + PartialEq + std::fmt::Debug>(records: &[T], version: Version) {
        let doc = write_collection(records, version, &ctx(version));
        let (back, warnings) = read_collection::<T>(&doc, version).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(back, records);
    }
    let v = Version::V1p2;
    again(&orgs, v);
    again(&sessions, v);
    again(&courses, v);
    again(&classes, v);
    again(&enrollments, v);
    again(&users, v);
    again(&demographics, v);
    // 1.1 keeps everything but the documented losses
    again(&sessions, Version::V1p1);
    again(&classes, Version::V1p1);
    again(&enrollments, Version::V1p1);
    let doc = write_collection(&users, Version::V1p1, &ctx(Version::V1p1));
    let (back, _) = read_collection::<User>(&doc, Version::V1p1).unwrap();
    assert_eq!(back[0].given_name, "Zoë");
    assert_eq!(back[0].v1p1_role(), Some(UserRoleV1p1::Teacher));
    assert_eq!(back[0].roles.len(), 2);
    assert_eq!(back[0].roles[1].role, RoleName::Teacher, "1.1 has one role for all orgs");
    assert_eq!(back[0].base.status, Status::Active);
}

#[test]
fn unknown_fields_are_reported_not_silently_dropped() {
    let doc = json!({"orgs": [{"sourcedId": "o1", "status": "active", "dateLastModified": "2025-09-02T14:05:00.000Z",
        "name": "X", "type": "school", "identifier": "1", "nickname": "Ex"}]});
    let (_, warnings) = read_collection::<Org>(&doc, Version::V1p2).unwrap();
    assert_eq!(warnings, ["orgs[0].nickname: unknown field, ignored"]);
    let bad = json!({"users": [{"sourcedId": "u", "enabledUser": "maybe", "givenName": "A", "familyName": "B",
        "roles": [{"roleType": "primary", "role": "teacher", "org": {"sourcedId": "o"}}]}]});
    assert_eq!(
        read_collection::<User>(&bad, Version::V1p2).unwrap_err().to_string(),
        "users[0].enabledUser: expected true or false, got \"maybe\""
    );
}

/// Every record of `items` written as text equals its [`JsonEntity::to_json`] value, whole and
/// with a field selection.
fn text_matches_value<T: JsonEntity>(items: &[T], version: Version, ctx: &JsonContext) {
    let selection = oneroster::query::Selection { fields: vec!["sourcedId", "status", "name", "title", "user", "roles", "orgs"] };
    for item in items {
        let value = item.to_json(version, ctx);
        let mut out = Vec::new();
        item.write_json(version, ctx, &mut out, None);
        let text: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(text, value, "{}", String::from_utf8_lossy(&out));

        let mut out = Vec::new();
        item.write_json(version, ctx, &mut out, Some(&selection));
        let selected: Value = serde_json::from_slice(&out).unwrap();
        let expected: serde_json::Map<String, Value> =
            value.as_object().unwrap().iter().filter(|(k, _)| selection.includes(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        assert_eq!(selected, Value::Object(expected));
    }
}

#[test]
fn records_written_as_text_are_exactly_their_json_values() {
    let v11 = |name: &str| load(&format!("{OR11}/{name}.json"));
    let (orgs, _) = read_collection::<Org>(&v11("orgs"), Version::V1p1).unwrap();
    let (sessions, _) = read_collection::<AcademicSession>(&v11("academicSessions"), Version::V1p1).unwrap();
    let (courses, _) = read_collection::<Course>(&v11("courses"), Version::V1p1).unwrap();
    let (classes, _) = read_collection::<Class>(&v11("classes"), Version::V1p1).unwrap();
    let (users, _) = read_collection::<User>(&v11("users"), Version::V1p1).unwrap();
    let (demographics, _) = read_collection::<Demographics>(&v11("demographics"), Version::V1p1).unwrap();
    let (s_orgs, s_sessions, s_courses, s_classes, s_enrollments, s_users, s_demographics) = district();
    for version in [Version::V1p1, Version::V1p2] {
        for booleans in [oneroster::model::json::BoolStyle::Json, oneroster::model::json::BoolStyle::String] {
            let mut ctx = ctx(version);
            ctx.v1p1_booleans = booleans;
            text_matches_value(&orgs, version, &ctx);
            text_matches_value(&sessions, version, &ctx);
            text_matches_value(&courses, version, &ctx);
            text_matches_value(&classes, version, &ctx);
            text_matches_value(&users, version, &ctx);
            text_matches_value(&demographics, version, &ctx);
            text_matches_value(&s_orgs, version, &ctx);
            text_matches_value(&s_sessions, version, &ctx);
            text_matches_value(&s_courses, version, &ctx);
            text_matches_value(&s_classes, version, &ctx);
            text_matches_value(&s_enrollments, version, &ctx);
            text_matches_value(&s_users, version, &ctx);
            text_matches_value(&s_demographics, version, &ctx);
        }
    }
}
