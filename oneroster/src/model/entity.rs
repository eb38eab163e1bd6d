//! The rostering entities in one canonical form (a superset of 1.1 and 1.2; field names follow
//! 1.2 JSON). References hold the target's sourcedId; the JSON writer turns them into GUIDRefs
//! with the `href` and `type` each version wants.

use serde_json::{Map, Value};
use time::{Date, OffsetDateTime};

use super::vocab::{ClassType, EnrollmentRole, OrgType, RoleName, RoleType, SessionType, Sex, Status};

/// Vendor extensions (`metadata`), kept exactly as received.
pub type Metadata = Map<String, Value>;

/// The fields every entity has.
#[derive(Clone, Debug, PartialEq)]
pub struct Base {
    pub sourced_id: String,
    pub status: Status,
    /// `None` only while reading a bulk CSV row, which leaves it blank.
    pub date_last_modified: Option<OffsetDateTime>,
    pub metadata: Metadata,
}

impl Base {
    /// An active record with no modification time and no metadata.
    pub fn new(sourced_id: impl Into<String>) -> Self {
        Base { sourced_id: sourced_id.into(), status: Status::Active, date_last_modified: None, metadata: Metadata::new() }
    }
}

/// `org`, also served as `school`.
#[derive(Clone, Debug, PartialEq)]
pub struct Org {
    pub base: Base,
    pub name: String,
    pub org_type: OrgType,
    /// Required in 1.2 JSON (written as `""` when unknown), optional elsewhere.
    pub identifier: Option<String>,
    pub parent: Option<String>,
    pub children: Vec<String>,
}

/// `academicSession`, also served as `term` and `gradingPeriod`.
#[derive(Clone, Debug, PartialEq)]
pub struct AcademicSession {
    pub base: Base,
    pub title: String,
    pub start_date: Date,
    pub end_date: Date,
    pub session_type: SessionType,
    pub parent: Option<String>,
    pub children: Vec<String>,
    /// The year in which the school year ends (`YYYY`).
    pub school_year: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Course {
    pub base: Base,
    pub title: String,
    /// An academicSession of type schoolYear.
    pub school_year: Option<String>,
    /// Required in 1.2 JSON (written as `""` when unknown).
    pub course_code: Option<String>,
    pub grades: Vec<String>,
    pub subjects: Vec<String>,
    pub subject_codes: Vec<String>,
    /// Required in CSV, optional in JSON; always written when known.
    pub org: Option<String>,
    pub resources: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Class {
    pub base: Base,
    pub title: String,
    pub class_code: Option<String>,
    pub class_type: Option<ClassType>,
    pub location: Option<String>,
    pub grades: Vec<String>,
    pub subjects: Vec<String>,
    pub course: String,
    pub school: String,
    /// At least one.
    pub terms: Vec<String>,
    pub subject_codes: Vec<String>,
    pub periods: Vec<String>,
    pub resources: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Enrollment {
    pub base: Base,
    pub user: String,
    pub class: String,
    pub school: String,
    pub role: EnrollmentRole,
    pub primary: Option<bool>,
    pub begin_date: Option<Date>,
    pub end_date: Option<Date>,
}

/// One `userIds` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserId {
    pub id_type: String,
    pub identifier: String,
}

/// One of a user's roles (1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub role_type: RoleType,
    pub role: RoleName,
    pub org: String,
    pub user_profile: Option<String>,
    pub begin_date: Option<Date>,
    pub end_date: Option<Date>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub credential_type: String,
    pub username: String,
    pub password: Option<String>,
}

/// A user's profile in some system (1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserProfile {
    pub profile_id: String,
    pub profile_type: String,
    pub vendor_id: String,
    pub application_id: Option<String>,
    pub description: Option<String>,
    pub credentials: Vec<Credential>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub base: Base,
    pub user_master_identifier: Option<String>,
    pub username: Option<String>,
    pub user_ids: Vec<UserId>,
    pub enabled_user: bool,
    pub given_name: String,
    pub family_name: String,
    pub middle_name: Option<String>,
    pub preferred_first_name: Option<String>,
    pub preferred_middle_name: Option<String>,
    pub preferred_last_name: Option<String>,
    pub pronouns: Option<String>,
    /// At least one. A 1.1 user's `role` and `orgs` become one role per org.
    pub roles: Vec<Role>,
    pub user_profiles: Vec<UserProfile>,
    pub primary_org: Option<String>,
    pub identifier: Option<String>,
    pub email: Option<String>,
    pub sms: Option<String>,
    pub phone: Option<String>,
    pub agents: Vec<String>,
    pub grades: Vec<String>,
    pub password: Option<String>,
    pub resources: Vec<String>,
}

/// Demographics of one user (same sourcedId as the user).
#[derive(Clone, Debug, PartialEq)]
pub struct Demographics {
    pub base: Base,
    pub birth_date: Option<Date>,
    pub sex: Option<Sex>,
    pub american_indian_or_alaska_native: Option<bool>,
    pub asian: Option<bool>,
    pub black_or_african_american: Option<bool>,
    pub native_hawaiian_or_other_pacific_islander: Option<bool>,
    pub white: Option<bool>,
    pub demographic_race_two_or_more_races: Option<bool>,
    pub hispanic_or_latino_ethnicity: Option<bool>,
    pub country_of_birth_code: Option<String>,
    pub state_of_birth_abbreviation: Option<String>,
    pub city_of_birth: Option<String>,
    pub public_school_residence_status: Option<String>,
}
