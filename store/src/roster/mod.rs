//! The roster: every rostering record the district's feeds delivered, with its history.
//!
//! - [`tables`]: one table per OneRoster 1.2.1 rostering file (1.1 packages are converted).
//! - [`import`](Store::import_package): validate, check references against the roster, apply
//!   as one revision in one transaction, or hold it when it deletes or changes too much.
//! - [`history`](Store::rollback): every change keeps the record's values from before it, so
//!   any earlier revision can be restored (as a new revision).
//! - Sources: every record belongs to the feed it came from; a bulk file replaces only its own
//!   source's records.

mod browse;
mod detail;
mod history;
mod people;
mod import;
mod index;
mod policy;
mod queries;
mod report;
mod rows;
pub(crate) mod shadow;
pub mod tables;
mod teaching;
pub mod tuning;
pub(crate) mod tx;

pub use browse::{ClassHit, OrgNode};
pub use detail::{ClassDetail, UserDetail};
pub use people::{BrowsePage, BrowseQuery, ClassListRow, UserListRow, BROWSE_MAX_OFFSET, BROWSE_PAGE};
pub use import::{ImportOptions, Progress, Silent};
pub(crate) use import::LiveRunners;
pub use policy::{ImportPolicy, DEFAULT_CHANGE_PERCENT, DEFAULT_DELETE_PERCENT};
pub use queries::{RosterCounts, TableCount};
pub use teaching::{ClassWhen, ListedStudent, PersonRef, TeacherClass, TermRef, STUDENT_FIELDS};
pub use history::RollbackPreview;
pub use report::{EntityCounts, FileLine, ImportReport, ImportSummary, Outcome, Problem, RevisionSummary, Sample};
