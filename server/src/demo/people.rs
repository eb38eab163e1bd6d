//! Generated people and their rows: users.csv, roles.csv (one primary role each) and, for
//! students, demographics.csv and an optional guardian.

use std::io;

use oneroster::model::format_date;
use rand::{seq::SliceRandom, Rng};
use time::{Date, Duration, Month};

use super::{
    district::{District, FIRST_DAY, GRADES},
    names::{ascii_slug, nickname, BIRTH_COUNTRIES, FAMILY, FEMALE_GIVEN, MALE_GIVEN, STATES},
    sink::Files,
};

/// A person's sex as demographics.csv spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sex {
    Female,
    Male,
    Unspecified,
    Other,
}

impl Sex {
    fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Unspecified => "unspecified",
            Sex::Other => "other",
        }
    }
}

/// A generated name.
#[derive(Clone, Debug)]
pub(super) struct Person {
    pub given: &'static str,
    pub middle: Option<&'static str>,
    pub family: &'static str,
    pub sex: Sex,
}

impl Person {
    /// How students address a teacher.
    pub(super) fn honorific(&self) -> &'static str {
        match self.sex {
            Sex::Female => "Ms.",
            Sex::Male => "Mr.",
            Sex::Unspecified | Sex::Other => "Mx.",
        }
    }

    /// `egarcia10000123`: first initial, family name, a number that makes it unique.
    fn username(&self, number: u64) -> String {
        format!("{}{number}", self.handle())
    }

    fn handle(&self) -> String {
        let initial = ascii_slug(self.given).chars().next().unwrap_or('x');
        format!("{initial}{}", ascii_slug(self.family))
    }
}

fn person(rng: &mut impl Rng, middle_chance: f64) -> Person {
    let sex = match rng.gen_range(0..1000) {
        0..=487 => Sex::Female,
        488..=975 => Sex::Male,
        976..=993 => Sex::Unspecified,
        _ => Sex::Other,
    };
    let female = match sex {
        Sex::Female => true,
        Sex::Male => false,
        _ => rng.gen_bool(0.5),
    };
    let names = if female { FEMALE_GIVEN } else { MALE_GIVEN };
    let given = *names.choose(rng).expect("names");
    let middle = rng.gen_bool(middle_chance).then(|| *names.choose(rng).expect("names")).filter(|m| *m != given);
    Person { given, middle, family: FAMILY.choose(rng).expect("names"), sex }
}

/// A staff member or guardian.
pub(super) fn adult(rng: &mut impl Rng) -> Person {
    person(rng, 0.2)
}

/// A student enrolled in grade `grade` (index into [`GRADES`]).
#[derive(Clone, Debug)]
pub(super) struct Student {
    pub id: String,
    /// The district's student number (identifier and SIS id): eight digits, so that it never
    /// equals a six-digit employee number.
    pub number: u64,
    pub grade: u8,
    pub person: Person,
}

impl Student {
    /// The `index`-th student of the district (0-based).
    pub(super) fn new(rng: &mut impl Rng, index: u64, grade: u8) -> Student {
        Student { id: format!("usr-s-{:07}", index + 1), number: 10_000_000 + index + 1, grade, person: person(rng, 0.6) }
    }
}

/// A staff member to write: `kind` is `a` (administrator) or `t` (teacher).
pub(super) struct Staff<'a> {
    pub kind: char,
    pub number: u64,
    pub person: &'a Person,
    /// The roles.csv role (`teacher`, `principal`, ...).
    pub role: &'a str,
    pub org: &'a str,
    /// Grades taught, comma-joined (blank for administrators).
    pub grades: &'a str,
}

impl Staff<'_> {
    /// The sourcedId this staff member gets (used in enrollments before the user is written).
    pub(super) fn id(kind: char, number: u64) -> String {
        match kind {
            'a' => format!("usr-a-{number:05}"),
            _ => format!("usr-t-{number:06}"),
        }
    }
}

/// Writes a staff member's user and their one primary role.
pub(super) fn write_staff(files: &mut Files, district: &District, s: &Staff) -> io::Result<()> {
    let id = Staff::id(s.kind, s.number);
    // Six digits: teachers from 100001, administrators from 900001 (apart up to the largest
    // district the command accepts).
    let employee = s.number + if s.kind == 'a' { 900_000 } else { 100_000 };
    let username = s.person.username(employee);
    let email = format!("{username}@{}", district.domain);
    let user_ids = format!("{{EMP:{employee}}}");
    let employee = employee.to_string();
    let p = s.person;
    files.users.write(&id, &[
        "true", &username, &user_ids, p.given, p.family, p.middle.unwrap_or(""), &employee, &email, "",
        "", "", s.grades, "", "", "",
        "", "", s.org, "",
    ])?;
    write_role(files, &id, s.role, s.org)
}

/// One primary role; its sourcedId follows the user's (`usr-t-000012` → `rol-t-000012`).
fn write_role(files: &mut Files, user: &str, role: &str, org: &str) -> io::Result<()> {
    let id = format!("rol-{}", user.trim_start_matches("usr-"));
    files.roles.write(&id, &[user, "primary", role, "", "", org, ""])
}

/// Writes a student (user, role, demographics) and, when `guardian` is given, their guardian
/// (linked both ways through agentSourcedIds). `guardian_rng` is separate so that turning
/// guardians off leaves every other row as it was.
pub(super) fn write_student(
    files: &mut Files,
    district: &District,
    school: &str,
    student: &Student,
    rng: &mut impl Rng,
    guardian_rng: Option<&mut impl Rng>,
) -> io::Result<bool> {
    let p = &student.person;
    let id = &student.id;
    let guardian_id = format!("usr-g-{}", id.trim_start_matches("usr-s-"));
    // About seven in ten students have a guardian on file.
    let guardian = guardian_rng.and_then(|g| g.gen_bool(0.7).then(|| (adult(g), g.gen_range(0..100u32), g.gen_bool(0.85), g.gen_range(0..3usize))));
    let username = p.username(student.number);
    let email = format!("{username}@students.{}", district.domain);
    let number = student.number.to_string();
    let user_ids = format!("{{SIS:{number}}}");
    let preferred = nickname(p.given).filter(|_| rng.gen_bool(0.3)).unwrap_or("");
    let agents = if guardian.is_some() { guardian_id.as_str() } else { "" };
    files.users.write(id, &[
        "true", &username, &user_ids, p.given, p.family, p.middle.unwrap_or(""), &number, &email, "",
        "", agents, GRADES[student.grade as usize], "", "", preferred,
        "", "", school, "",
    ])?;
    write_role(files, id, "student", school)?;
    write_demographics(files, district, student, rng)?;

    let Some((mut adult, nn, same_family, domain)) = guardian else { return Ok(false) };
    if same_family {
        adult.family = p.family;
    }
    // The guardian's username carries the child's number: `lgarcia.p10000123`.
    let username = format!("{}.p{}", adult.handle(), student.number);
    let email = format!(
        "{}.{}{nn}@{}",
        ascii_slug(adult.given),
        ascii_slug(adult.family),
        ["example.com", "example.net", "example.org"][domain]
    );
    let phone = format!("({}) 555-01{nn:02}", district.area_code);
    files.users.write(&guardian_id, &[
        "true", &username, "", adult.given, adult.family, adult.middle.unwrap_or(""), "", &email, &phone,
        &phone, id, "", "", "", "",
        "", "", "", "",
    ])?;
    write_role(files, &guardian_id, "guardian", school)?;
    Ok(true)
}

/// A birth date that fits the grade (a child starts kindergarten at five), with a few students a
/// year older; sex; race and ethnicity in proportions like those of US public schools.
fn write_demographics(files: &mut Files, district: &District, student: &Student, rng: &mut impl Rng) -> io::Result<()> {
    let birth = format_date(birth_date(student.grade, rng.gen_bool(0.04), rng.gen_range(0..365)));
    // One race (or two, flagged as two or more); Hispanic or Latino ethnicity is asked separately.
    let mut race = [false; 6]; // AIAN, Asian, Black, NHPI, White, two or more
    match rng.gen_range(0..1000) {
        0..=11 => race[0] = true,
        12..=71 => race[1] = true,
        72..=231 => race[2] = true,
        232..=236 => race[3] = true,
        237..=286 => {
            race[5] = true;
            let first = rng.gen_range(0..5);
            race[first] = true;
            race[(first + rng.gen_range(1..5)) % 5] = true;
        }
        _ => race[4] = true,
    }
    let hispanic = rng.gen_bool(0.28);
    let flags = race.map(|r| if r { "true" } else { "false" });
    let (country, state, city) = if rng.gen_bool(0.91) {
        let in_state = rng.gen_bool(0.85);
        let state = if in_state { district.state } else { STATES.choose(rng).expect("states").0 };
        let city = if in_state && rng.gen_bool(0.7) { district.town } else { "" };
        ("US", state, city)
    } else {
        (*BIRTH_COUNTRIES.choose(rng).expect("countries"), "", "")
    };
    // CEDS public school residence status: in the attendance area, another area of the
    // district, or from outside the district.
    let residence = match rng.gen_range(0..100) {
        0..=91 => "01652",
        92..=97 => "01653",
        _ => "01654",
    };
    files.demographics.write(&student.id, &[
        &birth, student.person.sex.as_str(), flags[0], flags[1], flags[2], flags[3], flags[4], flags[5],
        if hispanic { "true" } else { "false" }, country, state, city, residence,
    ])
}

/// Born in the twelve months before the kindergarten cut-off (1 September) of the grade's
/// cohort; `older` moves that a year back (a student who repeated a year or started late).
pub(super) fn birth_date(grade: u8, older: bool, day: u16) -> Date {
    let (year, _, _) = FIRST_DAY;
    let cohort = year - 6 - i32::from(grade) - i32::from(older);
    let start = Date::from_calendar_date(cohort, Month::September, 2).expect("valid date");
    start + Duration::days(i64::from(day.min(364)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_dates_fit_the_grade() {
        // A kindergartner in 2026-27 turned five by 1 September 2026.
        assert_eq!(format_date(birth_date(0, false, 0)), "2020-09-02");
        assert_eq!(format_date(birth_date(0, false, 364)), "2021-09-01");
        assert_eq!(format_date(birth_date(12, false, 0)), "2008-09-02");
        assert_eq!(format_date(birth_date(3, true, 10)), "2016-09-12");
    }

    #[test]
    fn ids_and_usernames() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let s = Student::new(&mut rng, 122, 4);
        assert_eq!(s.id, "usr-s-0000123");
        assert_eq!(s.number, 10_000_123);
        let name = s.person.username(s.number);
        assert!(name.ends_with("10000123") && name.bytes().all(|b| b.is_ascii_alphanumeric()), "{name}");
        assert_eq!(Staff::id('t', 42), "usr-t-000042");
        assert_eq!(Staff::id('a', 7), "usr-a-00007");
    }
}
