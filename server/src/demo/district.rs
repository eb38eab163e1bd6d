//! The district's shape: how many schools of each level, which grades and how many students each
//! school has, their names and ids; and the rows that belong to the district as a whole (orgs,
//! the school year's sessions, district staff).

use std::io;

use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};

use super::{
    names::{ascii_slug, DISTRICT_KINDS, DISTRICT_STEMS, SCHOOL_PREFIXES, SCHOOL_STEMS, STATES},
    people::{self, Staff},
    sink::Files,
    Tally,
};

/// Grade codes by index: 0 is kindergarten, 12 is twelfth grade.
pub(super) const GRADES: [&str; 13] = ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"];

/// The org sourcedId of the district.
pub(super) const DISTRICT_ID: &str = "org-district";
/// The school year every course belongs to.
pub(super) const SCHOOL_YEAR: &str = "as-2027";
pub(super) const FALL: &str = "as-2027-s1";
pub(super) const SPRING: &str = "as-2027-s2";
/// The first day of the school year; birth dates are counted back from it.
pub(super) const FIRST_DAY: (i32, u8, u8) = (2026, 8, 17);

/// (sourcedId, title, type, start, end, parent) of the school year, its semesters (typed `term`,
/// what the REST `/terms` endpoints list) and quarters.
const SESSIONS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (SCHOOL_YEAR, "2026-2027", "schoolYear", "2026-08-17", "2027-06-11", ""),
    (FALL, "Fall Semester 2026", "term", "2026-08-17", "2027-01-15", SCHOOL_YEAR),
    (SPRING, "Spring Semester 2027", "term", "2027-01-19", "2027-06-11", SCHOOL_YEAR),
    ("as-2027-q1", "Quarter 1 2026-2027", "gradingPeriod", "2026-08-17", "2026-10-23", FALL),
    ("as-2027-q2", "Quarter 2 2026-2027", "gradingPeriod", "2026-10-26", "2027-01-15", FALL),
    ("as-2027-q3", "Quarter 3 2026-2027", "gradingPeriod", "2027-01-19", "2027-03-26", SPRING),
    ("as-2027-q4", "Quarter 4 2026-2027", "gradingPeriod", "2027-03-29", "2027-06-11", SPRING),
];

/// A kind of school by the grades it serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Level {
    Elementary,
    Middle,
    High,
}

impl Level {
    pub(super) const ALL: [Level; 3] = [Level::Elementary, Level::Middle, Level::High];

    /// Grade indexes (see [`GRADES`]).
    pub(super) fn grades(self) -> std::ops::RangeInclusive<u8> {
        match self {
            Level::Elementary => 0..=5,
            Level::Middle => 6..=8,
            Level::High => 9..=12,
        }
    }

    /// Students a school of this level typically has.
    fn typical_size(self) -> u64 {
        match self {
            Level::Elementary => 500,
            Level::Middle => 800,
            Level::High => 1500,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Level::Elementary => "Elementary School",
            Level::Middle => "Middle School",
            Level::High => "High School",
        }
    }
}

/// One school of the district, before its people are generated.
#[derive(Clone, Debug)]
pub(super) struct School {
    /// 1-based, in the order schools are written.
    pub number: u32,
    pub id: String,
    pub name: String,
    pub level: Level,
    /// (grade index, students) for every grade the school serves.
    pub grade_counts: Vec<(u8, u32)>,
    /// How many students all earlier schools have, so student numbers run on across schools.
    pub first_student: u64,
}

impl School {
    pub(super) fn students(&self) -> u64 {
        self.grade_counts.iter().map(|(_, n)| u64::from(*n)).sum()
    }
}

/// The whole district's plan; small (a few hundred bytes per school) even for a million students.
#[derive(Clone, Debug)]
pub(super) struct District {
    pub name: String,
    /// The town it serves (also a birthplace of many students).
    pub town: &'static str,
    /// Staff e-mail domain; students use `students.<domain>`.
    pub domain: String,
    pub state: &'static str,
    pub area_code: u16,
    /// NCES-style LEA id (state FIPS code and five digits).
    pub identifier: String,
    pub schools: Vec<School>,
}

impl District {
    /// Splits `students` over grades KG–12 and schools of typical sizes, with at least one
    /// school of each level.
    pub(super) fn plan(students: u64, seed: u64) -> District {
        let mut rng = StdRng::seed_from_u64(seed);
        let town = *DISTRICT_STEMS.choose(&mut rng).expect("names");
        let kind = DISTRICT_KINDS.choose(&mut rng).expect("names");
        let (state, area_code, fips) = *STATES.choose(&mut rng).expect("states");
        let identifier = format!("{fips}{:05}", rng.gen_range(10000..100000));
        let per_grade = split(students, 13);
        let mut schools = Vec::new();
        let mut first_student = 0;
        for level in Level::ALL {
            let grades: Vec<u8> = level.grades().collect();
            let level_students: u64 = grades.iter().map(|&g| per_grade[g as usize]).sum();
            let count = ((level_students as f64 / level.typical_size() as f64).round() as usize).max(1);
            let mut stems = SCHOOL_STEMS.to_vec();
            stems.shuffle(&mut rng);
            let splits: Vec<Vec<u64>> = grades.iter().map(|&g| split(per_grade[g as usize], count)).collect();
            for i in 0..count {
                let number = schools.len() as u32 + 1;
                let grade_counts: Vec<(u8, u32)> = grades.iter().zip(&splits).map(|(&g, s)| (g, s[i] as u32)).collect();
                let school = School {
                    number,
                    id: format!("sch-{number:04}"),
                    name: school_name(&stems, i, level),
                    level,
                    grade_counts,
                    first_student,
                };
                first_student += school.students();
                schools.push(school);
            }
        }
        District {
            name: format!("{town} {kind}"),
            town,
            domain: format!("{}.k12.example", ascii_slug(town)),
            state,
            area_code,
            identifier,
            schools,
        }
    }

    /// The NCES-style id of a school: the district's id and five more digits.
    pub(super) fn school_identifier(&self, school: &School) -> String {
        format!("{}{:05}", self.identifier, school.number)
    }

    /// Writes the orgs, the academic sessions and the district office staff.
    pub(super) fn write(&self, files: &mut Files, tally: &mut Tally, seed: u64) -> io::Result<()> {
        files.orgs.write(DISTRICT_ID, &[&self.name, "district", &self.identifier, ""])?;
        for school in &self.schools {
            files.orgs.write(&school.id, &[&school.name, "school", &self.school_identifier(school), DISTRICT_ID])?;
        }
        for (id, title, kind, start, end, parent) in SESSIONS {
            files.sessions.write(id, &[title, kind, start, end, parent, "2027"])?;
        }
        // Superintendent, deputies and directors, plus the people who run the district's systems.
        let mut rng = StdRng::seed_from_u64(seed ^ 0xD157_21C7);
        let office = 3 + self.schools.len() / 25;
        for i in 0..office + 2 {
            let role = if i < office { "districtAdministrator" } else { "systemAdministrator" };
            let person = people::adult(&mut rng);
            people::write_staff(files, self, &Staff { kind: 'a', number: tally.next_admin(), person: &person, role, org: DISTRICT_ID, grades: "" })?;
        }
        Ok(())
    }
}

/// `total` split into `parts` near-equal shares, the larger ones first.
pub(super) fn split(total: u64, parts: usize) -> Vec<u64> {
    let parts_u = parts as u64;
    (0..parts_u).map(|i| total / parts_u + u64::from(i < total % parts_u)).collect()
}

/// The `i`-th name of a level: every stem, then the stems again with North, South, ..., then
/// numbered (a district this large names schools like that anyway).
fn school_name(stems: &[&str], i: usize, level: Level) -> String {
    let (round, stem) = (i / stems.len(), stems[i % stems.len()]);
    match SCHOOL_PREFIXES.get(round) {
        Some(prefix) => format!("{prefix}{stem} {}", level.name()),
        None => format!("{stem} {} No. {}", level.name(), round - SCHOOL_PREFIXES.len() + 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_student_is_placed_and_every_level_has_a_school() {
        for n in [1, 20, 2000, 123_457, 1_000_000] {
            let d = District::plan(n, 7);
            assert_eq!(d.schools.iter().map(School::students).sum::<u64>(), n, "n = {n}");
            for level in Level::ALL {
                assert!(d.schools.iter().any(|s| s.level == level), "n = {n}: no {level:?} school");
            }
            let last = d.schools.last().unwrap();
            assert_eq!(last.first_student + last.students(), n);
        }
    }

    #[test]
    fn schools_have_typical_sizes() {
        let d = District::plan(1_000_000, 1);
        for level in Level::ALL {
            let sizes: Vec<u64> = d.schools.iter().filter(|s| s.level == level).map(School::students).collect();
            let mean = sizes.iter().sum::<u64>() / sizes.len() as u64;
            let typical = level.typical_size();
            assert!(mean > typical * 9 / 10 && mean < typical * 11 / 10, "{level:?}: {mean}");
        }
        let mut names: Vec<&str> = d.schools.iter().map(|s| s.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), d.schools.len(), "school names are unique");
    }

    #[test]
    fn splits_are_fair() {
        assert_eq!(split(10, 3), vec![4, 3, 3]);
        assert_eq!(split(2, 4), vec![1, 1, 0, 0]);
    }
}
