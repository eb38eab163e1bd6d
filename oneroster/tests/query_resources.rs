//! The resources' query field lists agree with the official 1.2 OpenAPI document: every path
//! exists there (1.1's `role`/`orgs` on users aside), and every property can be selected.

use std::path::PathBuf;

use oneroster::query::{resources, Filter, QueryLimits};
use serde_json::Value;

fn oas() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/oneroster/openapi/onerosterv1p2rostersservice_openapi3_v1p0.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn schema_of<'a>(oas: &'a Value, resource: &str) -> &'a Value {
    let name = match resource {
        "orgs" => "OrgDType",
        "academicSessions" => "AcademicSessionDType",
        "courses" => "CourseDType",
        "classes" => "ClassDType",
        "enrollments" => "EnrollmentDType",
        "users" => "UserDType",
        "demographics" => "DemographicsDType",
        other => panic!("no schema for {other}"),
    };
    &oas["components"]["schemas"][name]
}

/// Follows a dotted path through properties, `$ref`s and array items.
fn resolve<'a>(oas: &'a Value, mut schema: &'a Value, path: &str) -> Option<&'a Value> {
    for segment in path.split('.') {
        loop {
            if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
                schema = &oas["components"]["schemas"][r.rsplit('/').next()?];
            } else if schema.get("type").and_then(Value::as_str) == Some("array") {
                schema = &schema["items"];
            } else {
                break;
            }
        }
        schema = schema.get("properties")?.get(segment)?;
    }
    Some(schema)
}

#[test]
fn every_field_path_exists_in_the_openapi_document() {
    let oas = oas();
    for resource in resources::ALL {
        let schema = schema_of(&oas, resource.resource);
        for field in resource.fields {
            if resource.resource == "users" && matches!(field.path, "role" | "orgs.sourcedId") {
                continue; // the 1.1 shape
            }
            assert!(resolve(&oas, schema, field.path).is_some(), "{}.{} is not in the OAS", resource.resource, field.path);
        }
        let properties: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        for property in &properties {
            assert!(resource.is_selectable(property), "{}: `{property}` cannot be selected", resource.resource);
        }
        for name in resource.selectable {
            let known = properties.iter().any(|p| p == name) || (resource.resource == "users" && matches!(*name, "role" | "orgs"));
            assert!(known, "{}: `{name}` is not a property", resource.resource);
        }
    }
}

#[test]
fn typical_client_filters_check_against_real_resources() {
    let l = QueryLimits::default();
    let ok = |resource: &oneroster::query::ResourceFields, f: &str| Filter::parse(f, &l).unwrap().check(resource).map(|_| ());
    ok(&resources::USERS, "roles.role='teacher' AND roles.org.sourcedId='school-1'").unwrap();
    ok(&resources::USERS, "dateLastModified>'2025-09-01T00:00:00.000Z'").unwrap();
    ok(&resources::USERS, "role='student'").unwrap();
    ok(&resources::CLASSES, "school.sourcedId='s1' OR terms.sourcedId='t1'").unwrap();
    ok(&resources::ENROLLMENTS, "primary='true' AND role='teacher'").unwrap();
    ok(&resources::ACADEMIC_SESSIONS, "type='schoolYear' AND schoolYear='2026'").unwrap();
    let err = ok(&resources::CLASSES, "teacher='x'").unwrap_err();
    assert_eq!(err.message, "filter: `teacher` is not a field of classes that can be filtered");
    assert!(ok(&resources::ORGS, "type='campus'").is_err());
    assert!(ok(&resources::ORGS, "type='ext:campus'").is_ok());
}
