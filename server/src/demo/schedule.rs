//! A school's classes: its students split into cohorts per grade, one class per cohort for every
//! core course, and sections sized by demand for the courses students choose.

use rand::Rng;

use super::{
    curriculum::{blocks, Block, CourseDef, Timetable},
    district::{Level, FALL, SPRING},
    people::Student,
};

/// Largest homeroom or core class. Elementary classes are kept smaller.
const ELEMENTARY_CLASS: usize = 26;
const SECONDARY_CLASS: usize = 30;
/// Largest section of a chosen course.
const CHOICE_SECTION: usize = 32;
/// A chosen course with fewer takers in a grade is not offered to it; its students get another.
const MIN_CHOICE: usize = 12;

/// When a class meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Term {
    Year,
    Fall,
    Spring,
}

impl Term {
    /// The classes.csv termSourcedIds.
    pub(super) fn ids(self) -> &'static str {
        match self {
            Term::Year => "as-2027-s1,as-2027-s2",
            Term::Fall => FALL,
            Term::Spring => SPRING,
        }
    }

    /// The halves of the year it takes: bit 0 fall, bit 1 spring.
    pub(super) fn halves(self) -> u16 {
        match self {
            Term::Year => 0b11,
            Term::Fall => 0b01,
            Term::Spring => 0b10,
        }
    }
}

/// A course the school offers, with the grades that take it.
#[derive(Clone, Debug)]
pub(super) struct Course {
    pub def: CourseDef,
    /// Bit `g` set when grade `g` takes it.
    pub grades: u16,
    /// Sections so far (numbers the classes of the course).
    pub sections: u32,
}

/// One class: a section of a course.
#[derive(Clone, Debug)]
pub(super) struct Class {
    pub course: usize,
    pub section: u32,
    pub grade: u8,
    pub period: u8,
    pub term: Term,
    /// The cohort a core class belongs to (homeroom teachers teach their cohort's classes).
    pub cohort: Option<u32>,
    /// Indexes into the school's students.
    pub students: Vec<u32>,
    /// Indexes into the school's teachers, set by staffing.
    pub teacher: u32,
    pub co_teacher: Option<u32>,
}

/// Everything a school teaches.
#[derive(Clone, Debug, Default)]
pub(super) struct Schedule {
    pub courses: Vec<Course>,
    pub classes: Vec<Class>,
}

impl Schedule {
    fn course(&mut self, def: &CourseDef, grade: u8) -> usize {
        let i = match self.courses.iter().position(|c| c.def.code == def.code) {
            Some(i) => i,
            None => {
                self.courses.push(Course { def: def.clone(), grades: 0, sections: 0 });
                self.courses.len() - 1
            }
        };
        self.courses[i].grades |= 1 << grade;
        i
    }

    fn add(&mut self, def: &CourseDef, grade: u8, period: u8, term: Term, cohort: Option<u32>, students: Vec<u32>) {
        let course = self.course(def, grade);
        self.courses[course].sections += 1;
        let section = self.courses[course].sections;
        self.classes.push(Class { course, section, grade, period, term, cohort, students, teacher: 0, co_teacher: None });
    }
}

/// Builds the classes of a school of `level` for `students` (grouped by grade, as generated).
pub(super) fn build(level: Level, students: &[Student], rng: &mut impl Rng) -> Schedule {
    let mut schedule = Schedule::default();
    let limit = if level == Level::Elementary { ELEMENTARY_CLASS } else { SECONDARY_CLASS };
    for grade in level.grades() {
        let members: Vec<u32> = (0..students.len() as u32).filter(|&i| students[i as usize].grade == grade).collect();
        if members.is_empty() {
            continue;
        }
        let cohorts = members.len().div_ceil(limit);
        // Students were generated at random, so dealing them out in turn mixes the cohorts.
        let cohort_members = |k: usize| members.iter().copied().skip(k).step_by(cohorts).collect::<Vec<u32>>();
        let blocks = blocks(level, grade);
        let timetable = Timetable::new(level, grade, &blocks);
        for (b, block) in blocks.iter().enumerate() {
            let period = timetable.period(b, 0);
            match block {
                Block::Core(def) => {
                    for k in 0..cohorts {
                        let period = timetable.period(b, k);
                        schedule.add(def, grade, period, Term::Year, Some(k as u32), cohort_members(k));
                    }
                }
                Block::Choice(options) => sections(&mut schedule, options, grade, period, Term::Year, &members, rng),
                Block::Semesters(fall, spring) => {
                    sections(&mut schedule, fall, grade, period, Term::Fall, &members, rng);
                    sections(&mut schedule, spring, grade, period, Term::Spring, &members, rng);
                }
            }
        }
    }
    schedule
}

/// Lets every student of a grade choose one of `options` and opens as many sections of each
/// chosen course as its takers need.
fn sections(schedule: &mut Schedule, options: &[CourseDef], grade: u8, period: u8, term: Term, members: &[u32], rng: &mut impl Rng) {
    let weights: Vec<u32> = options.iter().map(|o| o.weight).collect();
    let mut choice: Vec<usize> = members.iter().map(|_| pick(&weights, rng)).collect();
    let mut takers = vec![0usize; options.len()];
    choice.iter().for_each(|&c| takers[c] += 1);
    // Courses too few students chose are not offered; those students choose again among the rest.
    let mut offered: Vec<u32> = weights.iter().zip(&takers).map(|(&w, &n)| if n >= MIN_CHOICE { w } else { 0 }).collect();
    if offered.iter().all(|&w| w == 0) {
        let most = (0..options.len()).max_by_key(|&i| (takers[i], std::cmp::Reverse(i))).expect("options");
        offered[most] = 1;
    }
    for c in choice.iter_mut() {
        if offered[*c] == 0 {
            *c = pick(&offered, rng);
        }
    }
    for (o, def) in options.iter().enumerate() {
        let takers: Vec<u32> = members.iter().zip(&choice).filter(|(_, &c)| c == o).map(|(&m, _)| m).collect();
        if takers.is_empty() {
            continue;
        }
        let count = takers.len().div_ceil(CHOICE_SECTION);
        for s in 0..count {
            let section = takers.iter().copied().skip(s).step_by(count).collect();
            schedule.add(def, grade, period, term, None, section);
        }
    }
}

/// An index drawn with the given weights (at least one of them non-zero).
fn pick(weights: &[u32], rng: &mut impl Rng) -> usize {
    let total: u32 = weights.iter().sum();
    let mut x = rng.gen_range(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if x < w {
            return i;
        }
        x -= w;
    }
    unreachable!("x < total")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::curriculum::Dept;
    use rand::{rngs::StdRng, SeedableRng};

    fn school(level: Level, per_grade: u32) -> (Vec<Student>, Schedule) {
        let mut rng = StdRng::seed_from_u64(5);
        let mut students = Vec::new();
        for grade in level.grades() {
            for _ in 0..per_grade {
                let index = students.len() as u64;
                students.push(Student::new(&mut rng, index, grade));
            }
        }
        let schedule = build(level, &students, &mut rng);
        (students, schedule)
    }

    #[test]
    fn every_student_has_eight_classes_without_clashes() {
        for level in Level::ALL {
            for per_grade in [1, 7, 90, 380] {
                let (students, schedule) = school(level, per_grade);
                let mut taken: Vec<Vec<(u8, u16, bool)>> = vec![Vec::new(); students.len()];
                for class in &schedule.classes {
                    assert!(!class.students.is_empty());
                    // Elementary specials share their block on different days of the week.
                    let special = level == Level::Elementary && schedule.courses[class.course].def.dept != Dept::Homeroom;
                    for &s in &class.students {
                        let slots = &mut taken[s as usize];
                        let clash = slots.iter().any(|&(p, h, sp)| p == class.period && h & class.term.halves() != 0 && !(sp && special));
                        assert!(!clash, "{level:?}: student {s} has two classes in period {}", class.period);
                        slots.push((class.period, class.term.halves(), special));
                    }
                }
                assert!(taken.iter().all(|t| t.len() == 8), "{level:?} {per_grade}");
            }
        }
    }

    #[test]
    fn classes_have_realistic_sizes() {
        for level in Level::ALL {
            let (_, schedule) = school(level, 380);
            let sizes: Vec<usize> = schedule.classes.iter().map(|c| c.students.len()).collect();
            let mean = sizes.iter().sum::<usize>() as f64 / sizes.len() as f64;
            assert!((20.0..=32.0).contains(&mean), "{level:?}: mean {mean}");
            assert!(sizes.iter().all(|&n| (MIN_CHOICE / 2..=CHOICE_SECTION).contains(&n)), "{level:?}: {sizes:?}");
        }
    }
}
