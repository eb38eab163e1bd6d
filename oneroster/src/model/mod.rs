//! The OneRoster rostering model.
//!
//! [`entity`] holds the records in one canonical form, [`json`] their exact 1.1 and 1.2 JSON
//! shapes; the controlled vocabularies are spelled exactly as the spec, and dates and times use
//! the formats shared by JSON and CSV.

mod datetime;
pub mod entity;
pub mod json;
mod vocab;

pub use datetime::{format_date, format_datetime, parse_date, parse_datetime, DateTimeStrictness};
pub use vocab::{
    ClassType, EnrollmentRole, Grade, OrgType, RoleName, RoleType, SessionType, Sex, Status, UserRoleV1p1,
    VocabError,
};
