//! The OneRoster rostering model.
//!
//! So far: the controlled vocabularies (spelled exactly as the spec) and the date/time formats
//! shared by JSON and CSV. Entities build on these.

mod datetime;
mod vocab;

pub use datetime::{format_date, format_datetime, parse_date, parse_datetime, DateTimeStrictness};
pub use vocab::{
    ClassType, EnrollmentRole, Grade, OrgType, RoleName, RoleType, SessionType, Sex, Status, UserRoleV1p1,
    VocabError,
};
