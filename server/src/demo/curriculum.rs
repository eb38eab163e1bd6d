//! What each grade studies and when: the courses of every level, grouped into blocks (one block
//! fills one period of a student's day), and the period each block meets in.
//!
//! Elementary students spend the day with their homeroom teacher (homeroom and the four core
//! subjects) and see specialists for art, music and PE: 8 classes. Middle and high school
//! students have seven periods: core subjects by cohort, a full-year choice (music or a
//! language) and a period holding one semester elective in the fall and another in the spring:
//! 8 classes as well.

use super::district::{Level, GRADES};

/// Who teaches a course. Each department has its own teachers; `Homeroom` courses are taught by
/// the cohort's homeroom teacher.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dept {
    Homeroom,
    English,
    Math,
    Science,
    SocialStudies,
    Languages,
    Arts,
    Music,
    Pe,
    Technology,
    /// Special education and English-learner teachers, who co-teach core classes.
    Support,
}

impl Dept {
    /// A room the whole department shares, where it has one.
    pub(super) fn shared_room(self) -> Option<&'static str> {
        match self {
            Dept::Pe => Some("Gym"),
            Dept::Music => Some("Music Room"),
            _ => None,
        }
    }
}

/// One course of the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CourseDef {
    /// Unique within a school; part of the course's sourcedId, so only `A-Z 0-9 -`.
    pub code: String,
    pub title: String,
    pub subject: Option<&'static str>,
    pub dept: Dept,
    /// How many students choose it, relative to the other options of its block.
    pub weight: u32,
}

/// A course of the tables below (short, so that they stay tables).
fn c(code: impl Into<String>, title: impl Into<String>, subject: &'static str, dept: Dept) -> CourseDef {
    CourseDef { code: code.into(), title: title.into(), subject: Some(subject), dept, weight: 1 }
}

impl CourseDef {
    fn weight(mut self, weight: u32) -> CourseDef {
        self.weight = weight;
        self
    }

    /// The homeroom course (classType homeroom); every other class is scheduled.
    pub(super) fn is_homeroom(&self) -> bool {
        self.subject.is_none()
    }

    /// A core academic course, where support teachers co-teach.
    pub(super) fn is_core(&self) -> bool {
        matches!(self.subject, Some(ELA | MATH | SCIENCE | SOCIAL_STUDIES))
    }
}

const ELA: &str = "English Language Arts";
const MATH: &str = "Mathematics";
const SCIENCE: &str = "Science";
const SOCIAL_STUDIES: &str = "Social Studies";
const ART: &str = "Art";
const MUSIC: &str = "Music";
const PE: &str = "Physical Education";
const LANGUAGES: &str = "World Languages";
const TECHNOLOGY: &str = "Computer Science";
const HEALTH: &str = "Health";

/// One period of a grade's day.
#[derive(Clone, Debug)]
pub(super) enum Block {
    /// Everyone takes it, with their cohort.
    Core(CourseDef),
    /// Each student takes one of these for the year.
    Choice(Vec<CourseDef>),
    /// Each student takes one fall and one spring course in the same period.
    Semesters(Vec<CourseDef>, Vec<CourseDef>),
}

/// The blocks of grade `grade` (index into [`GRADES`]) at a school of `level`.
pub(super) fn blocks(level: Level, grade: u8) -> Vec<Block> {
    use Block::*;
    let code = GRADES[grade as usize];
    match level {
        Level::Elementary => {
            let label = if grade == 0 { "Kindergarten".to_string() } else { format!("Grade {grade}") };
            let homeroom = CourseDef { subject: None, ..c(format!("HR-{code}"), format!("{label} Homeroom"), "", Dept::Homeroom) };
            vec![
                Core(homeroom),
                Core(c(format!("ELA-{code}"), format!("{label} English Language Arts"), ELA, Dept::Homeroom)),
                Core(c(format!("MATH-{code}"), format!("{label} Mathematics"), MATH, Dept::Homeroom)),
                Core(c(format!("SCI-{code}"), format!("{label} Science"), SCIENCE, Dept::Homeroom)),
                Core(c(format!("SS-{code}"), format!("{label} Social Studies"), SOCIAL_STUDIES, Dept::Homeroom)),
                Core(c(format!("ART-{code}"), format!("{label} Art"), ART, Dept::Arts)),
                Core(c(format!("MUS-{code}"), format!("{label} Music"), MUSIC, Dept::Music)),
                Core(c(format!("PE-{code}"), format!("{label} Physical Education"), PE, Dept::Pe)),
            ]
        }
        Level::Middle => {
            let n = grade;
            let (math, science, history) = match grade {
                6 => (("MATH-06", "Math 6"), ("SCI-06", "Earth Science"), ("SS-06", "World Geography")),
                7 => (("MATH-07", "Math 7"), ("SCI-07", "Life Science"), ("SS-07", "World History")),
                _ => (("PREALG", "Pre-Algebra"), ("SCI-08", "Physical Science"), ("SS-08", "U.S. History")),
            };
            vec![
                Core(c(format!("ELA-{code}"), format!("English Language Arts {n}"), ELA, Dept::English)),
                Core(c(math.0, math.1, MATH, Dept::Math)),
                Core(c(science.0, science.1, SCIENCE, Dept::Science)),
                Core(c(history.0, history.1, SOCIAL_STUDIES, Dept::SocialStudies)),
                Core(c(format!("PE-{code}"), format!("Physical Education {n}"), PE, Dept::Pe)),
                Choice(vec![
                    c("BAND-MS", "Band", MUSIC, Dept::Music).weight(25),
                    c("ORCH-MS", "Orchestra", MUSIC, Dept::Music).weight(10),
                    c("CHOIR-MS", "Choir", MUSIC, Dept::Music).weight(15),
                    c("SPAN-MS", "Spanish", LANGUAGES, Dept::Languages).weight(35),
                    c("FREN-MS", "French", LANGUAGES, Dept::Languages).weight(15),
                ]),
                Semesters(
                    vec![
                        c("ART-MS", "Art Exploration", ART, Dept::Arts).weight(35),
                        c("HLTH-MS", "Health", HEALTH, Dept::Pe).weight(35),
                        c("DIGLIT-MS", "Digital Literacy", TECHNOLOGY, Dept::Technology).weight(30),
                    ],
                    vec![
                        c("DRAMA-MS", "Drama", ART, Dept::Arts).weight(30),
                        c("CWRIT-MS", "Creative Writing", ELA, Dept::English).weight(30),
                        c("ROBOT-MS", "Robotics", TECHNOLOGY, Dept::Technology).weight(40),
                    ],
                ),
            ]
        }
        Level::High => {
            let year = grade - 8; // 1..=4: the level of a language
            let roman = ["I", "II", "III", "IV"][year as usize - 1];
            let (science, history) = match grade {
                9 => (("BIO", "Biology"), ("GEOG", "World Geography")),
                10 => (("CHEM", "Chemistry"), ("WHIST", "World History")),
                11 => (("PHYS", "Physics"), ("USHIST", "U.S. History")),
                _ => (("ENVSCI", "Environmental Science"), ("GOVECON", "Government and Economics")),
            };
            let math = match grade {
                9 => Core(c("ALG1", "Algebra I", MATH, Dept::Math)),
                10 => Core(c("GEOM", "Geometry", MATH, Dept::Math)),
                11 => Core(c("ALG2", "Algebra II", MATH, Dept::Math)),
                _ => Choice(vec![
                    c("PRECALC", "Precalculus", MATH, Dept::Math).weight(50),
                    c("APCALC", "AP Calculus AB", MATH, Dept::Math).weight(25),
                    c("APSTAT", "AP Statistics", MATH, Dept::Math).weight(25),
                ]),
            };
            let pe = if grade <= 10 { c("PE-HS", "Physical Education", PE, Dept::Pe) } else { c("FIT-HS", "Lifetime Fitness", PE, Dept::Pe) };
            vec![
                Core(c(format!("ENG-{code}"), format!("English {grade}"), ELA, Dept::English)),
                math,
                Core(c(science.0, science.1, SCIENCE, Dept::Science)),
                Core(c(history.0, history.1, SOCIAL_STUDIES, Dept::SocialStudies)),
                Core(pe),
                Choice(vec![
                    c(format!("SPAN{year}"), format!("Spanish {roman}"), LANGUAGES, Dept::Languages).weight(55),
                    c(format!("FREN{year}"), format!("French {roman}"), LANGUAGES, Dept::Languages).weight(25),
                    c(format!("CHIN{year}"), format!("Mandarin Chinese {roman}"), LANGUAGES, Dept::Languages).weight(10),
                    c("BAND-HS", "Concert Band", MUSIC, Dept::Music).weight(10),
                ]),
                Semesters(
                    vec![
                        c("ART1", "Art I", ART, Dept::Arts).weight(20),
                        c("CERAM", "Ceramics", ART, Dept::Arts).weight(15),
                        c("CSP", "Computer Science Principles", TECHNOLOGY, Dept::Technology).weight(20),
                        c("PSYCH", "Psychology", SOCIAL_STUDIES, Dept::SocialStudies).weight(20),
                        c("JOURN", "Journalism", ELA, Dept::English).weight(10),
                        c("HLTH-HS", "Health", HEALTH, Dept::Pe).weight(15),
                    ],
                    vec![
                        c("PHOTO", "Photography", ART, Dept::Arts).weight(20),
                        c("CHOIR-HS", "Choir", MUSIC, Dept::Music).weight(15),
                        c("WEBDES", "Web Design", TECHNOLOGY, Dept::Technology).weight(20),
                        c("SOCIO", "Sociology", SOCIAL_STUDIES, Dept::SocialStudies).weight(15),
                        c("CWRIT", "Creative Writing", ELA, Dept::English).weight(10),
                        c("FINLIT", "Personal Finance", SOCIAL_STUDIES, Dept::SocialStudies).weight(20),
                    ],
                ),
            ]
        }
    }
}

/// The periods a grade's blocks meet in.
///
/// Secondary: choice blocks meet at one period for the whole grade (students of all cohorts mix
/// in them); the grade's core blocks take the other periods and rotate by cohort, so that one
/// subject's teachers are not all needed in the same period. Which periods the choices get moves
/// with the grade for the same reason. Elementary: a fixed day, with the specials block in the
/// morning for grades K–2 and in the afternoon for 3–5 (specialists rotate classes through it).
#[derive(Clone, Debug)]
pub(super) struct Timetable {
    /// The period of each non-rotating block (`None` for rotating core blocks).
    fixed: Vec<Option<u8>>,
    /// The position of each rotating block among them, and the periods they rotate through.
    rotation: Vec<usize>,
    rotating_periods: Vec<u8>,
}

/// Periods in a secondary school day.
pub(super) const PERIODS: u8 = 7;

impl Timetable {
    pub(super) fn new(level: Level, grade: u8, blocks: &[Block]) -> Timetable {
        if level == Level::Elementary {
            let specials = if grade <= 2 { 4 } else { 7 };
            let day = [1, 2, 3, 5, 6, specials, specials, specials];
            let fixed = (0..blocks.len()).map(|b| Some(day[b.min(day.len() - 1)])).collect();
            return Timetable { fixed, rotation: vec![0; blocks.len()], rotating_periods: Vec::new() };
        }
        let position = (grade - *level.grades().start()) as usize;
        let mut taken = [false; PERIODS as usize];
        let mut fixed = Vec::with_capacity(blocks.len());
        let mut choices = 0;
        for block in blocks {
            if matches!(block, Block::Core(_)) {
                fixed.push(None);
            } else {
                // Steps of 3 in 7 never repeat within a day.
                let p = (position * 2 + choices * 3) % PERIODS as usize;
                taken[p] = true;
                fixed.push(Some(p as u8 + 1));
                choices += 1;
            }
        }
        let rotating_periods: Vec<u8> = (1..=PERIODS).filter(|p| !taken[*p as usize - 1]).collect();
        let mut next = 0;
        let rotation = fixed
            .iter()
            .map(|f| {
                let i = next;
                next += usize::from(f.is_none());
                i
            })
            .collect();
        Timetable { fixed, rotation, rotating_periods }
    }

    /// The period block `block` meets in for cohort `cohort`.
    pub(super) fn period(&self, block: usize, cohort: usize) -> u8 {
        match self.fixed[block] {
            Some(p) => p,
            None => self.rotating_periods[(self.rotation[block] + cohort) % self.rotating_periods.len()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secondary_days_have_seven_periods_without_clashes() {
        for level in [Level::Middle, Level::High] {
            for grade in level.grades() {
                let blocks = blocks(level, grade);
                assert_eq!(blocks.len(), PERIODS as usize, "{level:?} grade {grade}");
                let t = Timetable::new(level, grade, &blocks);
                for cohort in 0..10 {
                    let mut periods: Vec<u8> = (0..blocks.len()).map(|b| t.period(b, cohort)).collect();
                    periods.sort_unstable();
                    assert_eq!(periods, (1..=PERIODS).collect::<Vec<_>>(), "{level:?} grade {grade} cohort {cohort}");
                }
            }
        }
    }

    #[test]
    fn every_student_takes_eight_classes_and_codes_are_safe_ids() {
        for level in Level::ALL {
            for grade in level.grades() {
                let blocks = blocks(level, grade);
                let classes: usize = blocks.iter().map(|b| if matches!(b, Block::Semesters(..)) { 2 } else { 1 }).sum();
                assert_eq!(classes, 8, "{level:?} grade {grade}");
                for b in &blocks {
                    let courses: Vec<&CourseDef> = match b {
                        Block::Core(c) => vec![c],
                        Block::Choice(o) => o.iter().collect(),
                        Block::Semesters(a, b) => a.iter().chain(b).collect(),
                    };
                    for c in courses {
                        assert!(c.code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'), "{}", c.code);
                        assert!(!c.title.contains(','));
                    }
                }
            }
        }
    }
}
