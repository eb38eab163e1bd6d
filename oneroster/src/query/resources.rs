//! The field lists of the rostering resources (1.2 names; the 1.1 `role`/`orgs` of users too),
//! as the query language sees them. Enum fields take their values from the model's
//! vocabularies, so a filter value is checked exactly as a stored value would be.

use super::fields::{FieldDef, FieldKind, ResourceFields};
use crate::model::{ClassType, EnrollmentRole, OrgType, RoleName, RoleType, SessionType, Sex, Status, UserRoleV1p1};

const fn text(path: &'static str) -> FieldDef {
    FieldDef { path, kind: FieldKind::Text, many: false }
}
const fn texts(path: &'static str) -> FieldDef {
    FieldDef { path, kind: FieldKind::Text, many: true }
}
const fn date(path: &'static str) -> FieldDef {
    FieldDef { path, kind: FieldKind::Date, many: false }
}
const fn boolean(path: &'static str) -> FieldDef {
    FieldDef { path, kind: FieldKind::Boolean, many: false }
}
const fn vocab(path: &'static str, values: &'static [&'static str], extensible: bool, many: bool) -> FieldDef {
    FieldDef { path, kind: FieldKind::Enum { values, extensible }, many }
}

/// `sourcedId`, `status`, `dateLastModified`: on every resource.
macro_rules! base_fields {
    ($($rest:expr),* $(,)?) => {
        &[
            text("sourcedId"),
            vocab("status", Status::VALUES, false, false),
            FieldDef { path: "dateLastModified", kind: FieldKind::DateTime, many: false },
            $($rest),*
        ]
    };
}

/// A reference: filterable by `<name>.sourcedId` (and `<name>.type`).
macro_rules! guid {
    ($name:literal, many = $many:expr) => {
        FieldDef { path: concat!($name, ".sourcedId"), kind: FieldKind::Text, many: $many }
    };
}

pub static ORGS: ResourceFields = ResourceFields {
    resource: "orgs",
    fields: base_fields![
        text("name"),
        vocab("type", OrgType::VALUES, true, false),
        text("identifier"),
        guid!("parent", many = false),
        guid!("children", many = true),
    ],
    selectable: &["sourcedId", "status", "dateLastModified", "metadata", "name", "type", "identifier", "parent", "children"],
};

pub static ACADEMIC_SESSIONS: ResourceFields = ResourceFields {
    resource: "academicSessions",
    fields: base_fields![
        text("title"),
        date("startDate"),
        date("endDate"),
        vocab("type", SessionType::VALUES, true, false),
        guid!("parent", many = false),
        guid!("children", many = true),
        FieldDef { path: "schoolYear", kind: FieldKind::Integer, many: false },
    ],
    selectable: &[
        "sourcedId", "status", "dateLastModified", "metadata", "title", "startDate", "endDate", "type", "parent",
        "children", "schoolYear",
    ],
};

pub static COURSES: ResourceFields = ResourceFields {
    resource: "courses",
    fields: base_fields![
        text("title"),
        guid!("schoolYear", many = false),
        text("courseCode"),
        texts("grades"),
        texts("subjects"),
        guid!("org", many = false),
        texts("subjectCodes"),
        guid!("resources", many = true),
    ],
    selectable: &[
        "sourcedId", "status", "dateLastModified", "metadata", "title", "schoolYear", "courseCode", "grades", "subjects",
        "org", "subjectCodes", "resources",
    ],
};

pub static CLASSES: ResourceFields = ResourceFields {
    resource: "classes",
    fields: base_fields![
        text("title"),
        text("classCode"),
        vocab("classType", ClassType::VALUES, true, false),
        text("location"),
        texts("grades"),
        texts("subjects"),
        guid!("course", many = false),
        guid!("school", many = false),
        guid!("terms", many = true),
        texts("subjectCodes"),
        texts("periods"),
        guid!("resources", many = true),
    ],
    selectable: &[
        "sourcedId", "status", "dateLastModified", "metadata", "title", "classCode", "classType", "location", "grades",
        "subjects", "course", "school", "terms", "subjectCodes", "periods", "resources",
    ],
};

pub static ENROLLMENTS: ResourceFields = ResourceFields {
    resource: "enrollments",
    fields: base_fields![
        guid!("user", many = false),
        guid!("class", many = false),
        guid!("school", many = false),
        vocab("role", EnrollmentRole::VALUES, true, false),
        boolean("primary"),
        date("beginDate"),
        date("endDate"),
    ],
    selectable: &[
        "sourcedId", "status", "dateLastModified", "metadata", "user", "class", "school", "role", "primary", "beginDate",
        "endDate",
    ],
};

pub static USERS: ResourceFields = ResourceFields {
    resource: "users",
    fields: base_fields![
        text("userMasterIdentifier"),
        text("username"),
        texts("userIds.type"),
        texts("userIds.identifier"),
        boolean("enabledUser"),
        text("givenName"),
        text("familyName"),
        text("middleName"),
        text("preferredFirstName"),
        text("preferredMiddleName"),
        text("preferredLastName"),
        text("pronouns"),
        vocab("roles.roleType", RoleType::VALUES, false, true),
        vocab("roles.role", RoleName::VALUES, true, true),
        guid!("roles.org", many = true),
        guid!("primaryOrg", many = false),
        text("identifier"),
        text("email"),
        text("sms"),
        text("phone"),
        guid!("agents", many = true),
        texts("grades"),
        // 1.1 names, so that 1.1 clients can filter as they know it
        vocab("role", UserRoleV1p1::VALUES, false, false),
        guid!("orgs", many = true),
    ],
    selectable: &[
        "sourcedId", "status", "dateLastModified", "metadata", "userMasterIdentifier", "username", "userIds",
        "enabledUser", "givenName", "familyName", "middleName", "preferredFirstName", "preferredMiddleName",
        "preferredLastName", "pronouns", "roles", "userProfiles", "primaryOrg", "identifier", "email", "sms", "phone",
        "agents", "grades", "password", "resources", "role", "orgs",
    ],
};

pub static DEMOGRAPHICS: ResourceFields = ResourceFields {
    resource: "demographics",
    fields: base_fields![
        date("birthDate"),
        vocab("sex", Sex::VALUES, true, false),
        boolean("americanIndianOrAlaskaNative"),
        boolean("asian"),
        boolean("blackOrAfricanAmerican"),
        boolean("nativeHawaiianOrOtherPacificIslander"),
        boolean("white"),
        boolean("demographicRaceTwoOrMoreRaces"),
        boolean("hispanicOrLatinoEthnicity"),
        text("countryOfBirthCode"),
        text("stateOfBirthAbbreviation"),
        text("cityOfBirth"),
        text("publicSchoolResidenceStatus"),
    ],
    selectable: &[
        "sourcedId", "status", "dateLastModified", "metadata", "birthDate", "sex", "americanIndianOrAlaskaNative",
        "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white",
        "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation",
        "cityOfBirth", "publicSchoolResidenceStatus",
    ],
};

/// Every rostering resource's fields, by collection name.
pub static ALL: &[&ResourceFields] = &[&ORGS, &ACADEMIC_SESSIONS, &COURSES, &CLASSES, &ENROLLMENTS, &USERS, &DEMOGRAPHICS];
