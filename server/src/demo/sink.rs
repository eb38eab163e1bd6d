//! The package folder: one open [`FileWriter`] per data file, written row by row as schools are
//! generated, and `manifest.csv` last (so an interrupted run leaves no package that looks whole).

use std::{
    fs::File,
    io::{self, BufWriter},
    path::{Path, PathBuf},
};

use oneroster::{
    csv::{file_spec, FileWriter, Manifest, Mode, Row, Values},
    Version,
};

/// The version every demo package is written in.
const VERSION: Version = Version::V1p2;

// The columns each file is written with, after sourcedId, status and dateLastModified. Write
// sites pass their cells in this order; `Sink::create` checks it against the crate's catalog, so
// a change in the standard's column order cannot silently shift values.
pub(super) const ORGS: &[&str] = &["name", "type", "identifier", "parentSourcedId"];
pub(super) const SESSIONS: &[&str] = &["title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"];
pub(super) const COURSES: &[&str] =
    &["schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"];
pub(super) const CLASSES: &[&str] = &[
    "title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
    "subjects", "subjectCodes", "periods",
];
pub(super) const USERS: &[&str] = &[
    "enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms",
    "phone", "agentSourcedIds", "grades", "password", "userMasterIdentifier", "preferredGivenName",
    "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns",
];
pub(super) const ROLES: &[&str] =
    &["userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"];
pub(super) const ENROLLMENTS: &[&str] =
    &["classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"];
pub(super) const DEMOGRAPHICS: &[&str] = &[
    "birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity",
    "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus",
];

/// One data file being written in bulk mode.
pub(super) struct Sink {
    name: &'static str,
    writer: FileWriter<BufWriter<File>>,
    /// Reused for every row, so that writing millions of rows allocates once.
    row: Row,
    /// How many columns the file has.
    columns: usize,
    rows: u64,
}

impl Sink {
    fn create(dir: &Path, name: &'static str, columns: &[&str]) -> io::Result<Sink> {
        let spec = file_spec(VERSION, name).ok_or_else(|| io::Error::other(format!("{name} is not a OneRoster file")))?;
        let expected: Vec<&str> = ["sourcedId", "status", "dateLastModified"].into_iter().chain(columns.iter().copied()).collect();
        let actual: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
        if expected != actual {
            return Err(io::Error::other(format!("the demo writes {name} as {expected:?}, but the standard has {actual:?}")));
        }
        let out = BufWriter::with_capacity(1 << 16, File::create(dir.join(name))?);
        let writer = FileWriter::new(spec, Vec::new(), out).map_err(io::Error::other)?;
        let row = Row { line: 0, values: Values::with_capacity(actual.len(), 256), metadata: Vec::new() };
        Ok(Sink { name, writer, row, columns: actual.len(), rows: 0 })
    }

    /// Writes one row: its sourcedId and the cells after the common columns, in the order of the
    /// file's column list above. Bulk files leave status and dateLastModified blank.
    pub(super) fn write(&mut self, sourced_id: &str, cells: &[&str]) -> io::Result<()> {
        let values = &mut self.row.values;
        values.clear();
        // sourcedId, then status and dateLastModified blank (bulk), then the cells.
        for value in [sourced_id, "", ""].iter().chain(cells) {
            values.push(value);
        }
        debug_assert_eq!(values.len(), self.columns, "{}", self.name);
        self.rows += 1;
        self.writer.write(&self.row).map_err(io::Error::other)
    }
}

/// Every data file of a demo package, open at once.
pub(super) struct Files {
    dir: PathBuf,
    pub orgs: Sink,
    pub sessions: Sink,
    pub courses: Sink,
    pub classes: Sink,
    pub users: Sink,
    pub roles: Sink,
    pub enrollments: Sink,
    pub demographics: Sink,
}

impl Files {
    /// Prepares `dir` (see [`prepare_dir`]) and opens every data file in it.
    pub(super) fn create(dir: &Path) -> io::Result<Files> {
        prepare_dir(dir)?;
        Ok(Files {
            dir: dir.to_path_buf(),
            orgs: Sink::create(dir, "orgs.csv", ORGS)?,
            sessions: Sink::create(dir, "academicSessions.csv", SESSIONS)?,
            courses: Sink::create(dir, "courses.csv", COURSES)?,
            classes: Sink::create(dir, "classes.csv", CLASSES)?,
            users: Sink::create(dir, "users.csv", USERS)?,
            roles: Sink::create(dir, "roles.csv", ROLES)?,
            enrollments: Sink::create(dir, "enrollments.csv", ENROLLMENTS)?,
            demographics: Sink::create(dir, "demographics.csv", DEMOGRAPHICS)?,
        })
    }

    /// Flushes every file, writes `manifest.csv` and returns the rows written per file.
    pub(super) fn finish(self) -> io::Result<Vec<(&'static str, u64)>> {
        let sinks = [self.orgs, self.sessions, self.courses, self.classes, self.users, self.roles, self.enrollments, self.demographics];
        let mut manifest = Manifest::new(VERSION);
        manifest.source_system_name = Some("Rollbook demo generator".into());
        let mut counts = Vec::new();
        for sink in sinks {
            manifest.set(sink.name, Mode::Bulk);
            counts.push((sink.name, sink.rows));
            sink.writer.finish()?.into_inner().map_err(|e| e.into_error())?;
        }
        std::fs::write(self.dir.join("manifest.csv"), manifest.to_csv())?;
        Ok(counts)
    }
}

/// Creates `dir`, or empties it of an earlier package. Anything else in it is refused, so that a
/// mistyped `--out` cannot clobber unrelated files (a stray file would also fail validation).
fn prepare_dir(dir: &Path) -> io::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(io::Error::other(format!("{} exists and is not a folder", dir.display())));
    }
    std::fs::create_dir_all(dir)?;
    let mut package_files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_package_file = entry.file_type()?.is_file() && (name == "manifest.csv" || file_spec(VERSION, &name).is_some());
        if !is_package_file {
            return Err(io::Error::other(format!(
                "{} holds other things than a OneRoster package (such as `{name}`); choose a new or empty folder",
                dir.display()
            )));
        }
        package_files.push(entry.path());
    }
    // The manifest goes first: a half-removed package must not look complete.
    package_files.sort_by_key(|p| p.file_name().is_some_and(|n| n != "manifest.csv"));
    for path in package_files {
        std::fs::remove_file(path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_package_is_replaced_but_other_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("rollbook-demo-sink-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("manifest.csv"), "old").unwrap();
        std::fs::write(dir.join("userProfiles.csv"), "old").unwrap();
        prepare_dir(&dir).unwrap();
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "the old package is gone");

        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        let err = prepare_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("notes.txt") && err.contains("new or empty folder"), "{err}");
        assert!(dir.join("notes.txt").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_column_lists_match_the_standard() {
        let dir = std::env::temp_dir().join(format!("rollbook-demo-columns-{}", std::process::id()));
        let files = Files::create(&dir).unwrap();
        let counts = files.finish().unwrap();
        assert_eq!(counts.len(), 8);
        let report = oneroster::csv::validate(&dir).unwrap();
        assert_eq!(report.diagnostics.errors + report.diagnostics.warnings, 0, "{:?}", report.diagnostics.items());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
