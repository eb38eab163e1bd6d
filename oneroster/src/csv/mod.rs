//! OneRoster CSV packages: the file catalog, `manifest.csv`, and a streaming file reader that
//! checks every row and reports each problem as a [`Diagnostic`] a district admin understands.
//!
//! Errors change meaning (unknown vocabulary, bad date, missing required value, wrong header);
//! warnings are harmless deviations seen in real exports, accepted with normalisation (a UTF-8
//! BOM, `TRUE` for `true`, `Scheduled` for `scheduled`, 1.0's `inactive`).
//!
//! Decisions where the sources leave room (SPEC-NOTES §7):
//! - LF and CRLF line ends are both accepted without a diagnostic (the notes allow both); a bare
//!   CR is an error. Files are always written with CRLF.
//! - `status`/`dateLastModified` filled in a bulk file: an error in 1.2 (the 1.2.1 validator's
//!   rule), a warning in 1.1, whose producers commonly fill them; the values are ignored.
//! - A date-only or offset `dateLastModified` is read as UTC midnight / UTC with a warning.
//! - sourcedIds outside `0-9 A-Z a-z . - _ / @` (or longer than 255): an error in 1.2, a warning
//!   in 1.1, which had no such rule.
//! - Line breaks inside a value: an error in 1.2 (the 1.2.1 validator rejects them), a warning in
//!   1.1.
//! - References must resolve inside the package (the strict validator's rule, delta files too);
//!   the importer may later resolve delta references against the store instead.
//! - Gradebook and resources files are checked for their header, required values and the common
//!   columns; their value types are not verified in the reference material, so they are not
//!   guessed. Only rostering rows become entities ([`record_from_row`]).

mod bytes;
mod catalog;
mod cell;
mod diagnostic;
mod manifest;
mod package;
mod package_writer;
mod reader;
mod records;
mod validate;
mod values;
mod writer;

pub use catalog::{V1P1_FILES, V1P2_FILES, V1P2_USERS_WITH_RESOURCES};
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use manifest::{Manifest, Mode};
pub use package::{Package, Unusable};
pub use package_writer::PackageWriter;
pub use reader::{FileReader, Row};
pub use records::{record_from_row, record_to_row, Record, RoleRecord, UserProfileRecord};
pub use validate::{validate, validate_each, validate_with, FileSummary, Options, Report, UnresolvedRef, Visit};
pub use values::Values;
pub use writer::FileWriter;

use crate::Version;

/// Whether a column must have a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Req {
    Required,
    Optional,
    /// `status` and `dateLastModified`: blank in bulk files, required in delta files.
    BulkBlankDeltaRequired,
}

/// A controlled vocabulary a column takes its values from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vocab {
    SessionType,
    OrgType,
    ClassType,
    EnrollmentRole,
    UserRoleV1p1,
    RoleName,
    RoleType,
    Sex,
    /// 1.1 demographics: male or female only.
    SexV1p1,
}

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A sourcedId (`0-9 A-Z a-z . - _ / @`, 1–255 characters in 1.2.1).
    Id,
    Status,
    /// `YYYY-MM-DDTHH:MM:SS.sssZ`.
    DateTime,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY`.
    Year,
    /// `true` / `false`.
    Bool,
    Text,
    /// A comma-joined list of free values.
    List,
    /// A comma-joined list of grade codes.
    Grades,
    /// `{type:identifier}` items, comma-joined.
    UserIds,
    Vocab(Vocab),
    /// The sourcedId of a record in the named file (without `.csv`).
    Ref(&'static str),
    /// Comma-joined sourcedIds of records in the named file.
    RefList(&'static str),
}

/// One spec column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub req: Req,
    pub kind: Kind,
}

/// One data file of a version's catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileSpec {
    /// The exact file name (`userProfiles.csv`).
    pub name: &'static str,
    pub columns: &'static [Column],
}

impl FileSpec {
    /// The manifest key (`file.userProfiles`).
    pub fn manifest_key(&self) -> String {
        format!("file.{}", self.name.trim_end_matches(".csv"))
    }
}

/// Every data file of `version`, in canonical (alphabetical) order.
pub fn catalog(version: Version) -> &'static [FileSpec] {
    match version {
        Version::V1p1 => V1P1_FILES,
        Version::V1p2 => V1P2_FILES,
    }
}

/// The spec of one file of `version` by exact name.
pub fn file_spec(version: Version, name: &str) -> Option<&'static FileSpec> {
    catalog(version).iter().find(|f| f.name == name)
}
