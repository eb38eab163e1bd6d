//! A generated school district as a valid OneRoster 1.2 CSV package (`rollbook demo`): for
//! trying Rollbook, demos and load tests without real student data.
//!
//! The district has elementary (KG–5), middle (6–8) and high schools (9–12) of typical sizes, one
//! school year with two semesters and four grading periods, courses and classes with periods,
//! rooms and terms, teachers (about one per 13 students), administrators, students with
//! demographics, guardians, and enrollments (8 classes per student).
//!
//! Memory stays flat however many students are asked for: the district plan is a few hundred
//! bytes per school, and each school is generated, written row by row into the open files, and
//! dropped before the next. Every random choice comes from a generator seeded by the seed and
//! the school's number, so the same students and seed give byte-identical packages (with this
//! build: a different `rand` release may change the streams).

mod curriculum;
mod district;
mod names;
mod people;
mod schedule;
mod school;
mod sink;
mod staffing;

use std::{io, path::Path};

use district::District;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    /// Students in the district (at least 1).
    pub students: u64,
    /// Seeds every random choice; the same seed gives the same package.
    pub seed: u64,
    /// Give about seven in ten students a guardian (users.csv agents, roles.csv `guardian`).
    pub guardians: bool,
}

/// What was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    pub district: String,
    pub schools: u64,
    pub students: u64,
    pub teachers: u64,
    /// District and school administrators.
    pub administrators: u64,
    pub guardians: u64,
    /// Rows per data file, in the order the files are listed.
    pub files: Vec<(&'static str, u64)>,
}

impl DemoSummary {
    /// Rows written to `file` (`classes.csv`).
    pub fn rows(&self, file: &str) -> u64 {
        self.files.iter().find(|(name, _)| *name == file).map_or(0, |(_, n)| *n)
    }
}

/// Running counts that number people across schools.
#[derive(Debug, Default)]
struct Tally {
    admins: u64,
    teachers: u64,
    students: u64,
    guardians: u64,
}

impl Tally {
    fn next_admin(&mut self) -> u64 {
        self.admins += 1;
        self.admins
    }
}

/// Writes the package as a folder at `out` (created; an earlier package there is replaced, any
/// other content is refused). `manifest.csv` is written last.
pub fn generate(opts: &DemoOptions, out: &Path) -> io::Result<DemoSummary> {
    if opts.students == 0 {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "a district needs at least one student"));
    }
    let district = District::plan(opts.students, opts.seed);
    let mut files = sink::Files::create(out)?;
    let mut tally = Tally::default();
    district.write(&mut files, &mut tally, opts.seed)?;
    for school in &district.schools {
        school::write(&district, school, opts, &mut files, &mut tally)?;
    }
    Ok(DemoSummary {
        district: district.name.clone(),
        schools: district.schools.len() as u64,
        students: tally.students,
        teachers: tally.teachers,
        administrators: tally.admins,
        guardians: tally.guardians,
        files: files.finish()?,
    })
}
