//! Who teaches what: a teacher for every class, and support teachers who co-teach core classes
//! so that a school has about one teacher per 13 students, as US public schools do.

use std::collections::BTreeMap;

use super::{
    curriculum::Dept,
    district::Level,
    schedule::{Class, Schedule},
};

/// Students per teacher in the district as a whole.
pub(super) const STUDENTS_PER_TEACHER: f64 = 13.0;
/// A secondary teacher teaches at most six of seven periods (loads count half-year periods).
const SECONDARY_LOAD: u32 = 12;
/// Elementary specialists rotate classes through the specials block: many classes, one period.
const SPECIALIST_LOAD: u32 = 48;

/// A teacher and what they teach.
#[derive(Clone, Debug)]
pub(super) struct Teacher {
    pub dept: Dept,
    /// Bit `2·(period-1) + half` is set when they teach then.
    busy: u16,
    /// Half-year periods taught.
    load: u32,
    /// Bit `g` set when they teach grade `g`.
    pub grades: u16,
}

impl Teacher {
    fn new(dept: Dept) -> Teacher {
        Teacher { dept, busy: 0, load: 0, grades: 0 }
    }

    fn slots(class: &Class) -> u16 {
        class.term.halves() << (2 * (u16::from(class.period) - 1))
    }

    /// Whether they can take `class` on without two classes at once or more than `max` load.
    fn can_take(&self, class: &Class, exclusive: bool, max: u32) -> bool {
        let load = class.term.halves().count_ones();
        self.load + load <= max && !(exclusive && self.busy & Self::slots(class) != 0)
    }

    fn take(&mut self, class: &Class) {
        self.busy |= Self::slots(class);
        self.load += class.term.halves().count_ones();
        self.grades |= 1 << class.grade;
    }
}

/// Assigns a teacher to every class of `schedule` (setting `teacher` and `co_teacher`) and
/// returns the school's teachers: homeroom teachers, department teachers, then support teachers.
pub(super) fn assign(level: Level, schedule: &mut Schedule, students: usize) -> Vec<Teacher> {
    let mut teachers: Vec<Teacher> = Vec::new();
    let mut homerooms: BTreeMap<(u8, u32), u32> = BTreeMap::new();
    let elementary = level == Level::Elementary;
    for class in &mut schedule.classes {
        let dept = schedule.courses[class.course].def.dept;
        let t = if dept == Dept::Homeroom {
            // The cohort's own teacher, for its homeroom and core subjects.
            let key = (class.grade, class.cohort.unwrap_or(0));
            *homerooms.entry(key).or_insert_with(|| {
                teachers.push(Teacher::new(Dept::Homeroom));
                teachers.len() as u32 - 1
            })
        } else {
            let (exclusive, max) = if elementary { (false, SPECIALIST_LOAD) } else { (true, SECONDARY_LOAD) };
            match teachers.iter().position(|t| t.dept == dept && t.can_take(class, exclusive, max)) {
                Some(t) => t as u32,
                None => {
                    teachers.push(Teacher::new(dept));
                    teachers.len() as u32 - 1
                }
            }
        };
        teachers[t as usize].take(class);
        class.teacher = t;
    }
    add_support(&mut teachers, schedule, students);
    teachers
}

/// Adds support teachers until the school has about one teacher per 13 students, each
/// co-teaching core classes in turn (never two at once).
fn add_support(teachers: &mut Vec<Teacher>, schedule: &mut Schedule, students: usize) {
    let target = (students as f64 / STUDENTS_PER_TEACHER).round() as usize;
    let core: Vec<usize> = (0..schedule.classes.len()).filter(|&c| schedule.courses[schedule.classes[c].course].def.is_core()).collect();
    let extra = target.saturating_sub(teachers.len()).min(core.len());
    if extra == 0 {
        return;
    }
    let first = teachers.len();
    teachers.extend((0..extra).map(|_| Teacher::new(Dept::Support)));
    let mut next = 0;
    for c in core {
        let class = &mut schedule.classes[c];
        for attempt in 0..extra {
            let t = first + (next + attempt) % extra;
            if teachers[t].can_take(class, true, SECONDARY_LOAD) {
                teachers[t].take(class);
                class.co_teacher = Some(t as u32);
                next = (t - first + 1) % extra;
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{people::Student, schedule::build};
    use rand::{rngs::StdRng, SeedableRng};

    fn staff(level: Level, per_grade: u32) -> (usize, Schedule, Vec<Teacher>) {
        let mut rng = StdRng::seed_from_u64(9);
        let mut students = Vec::new();
        for grade in level.grades() {
            for _ in 0..per_grade {
                let index = students.len() as u64;
                students.push(Student::new(&mut rng, index, grade));
            }
        }
        let mut schedule = build(level, &students, &mut rng);
        let teachers = assign(level, &mut schedule, students.len());
        (students.len(), schedule, teachers)
    }

    #[test]
    fn typical_schools_have_one_teacher_per_thirteen_students() {
        for (level, per_grade) in [(Level::Elementary, 83), (Level::Middle, 267), (Level::High, 375)] {
            let (students, _, teachers) = staff(level, per_grade);
            let ratio = students as f64 / teachers.len() as f64;
            assert!((12.0..=14.0).contains(&ratio), "{level:?}: {students} students, {} teachers", teachers.len());
        }
    }

    #[test]
    fn no_teacher_is_in_two_places_at_once() {
        for level in [Level::Middle, Level::High] {
            let (_, schedule, teachers) = staff(level, 300);
            let mut seen = std::collections::HashSet::new();
            for class in &schedule.classes {
                for t in std::iter::once(class.teacher).chain(class.co_teacher) {
                    for half in 0..2 {
                        if class.term.halves() & (1 << half) != 0 {
                            assert!(seen.insert((t, class.period, half)), "{level:?}: teacher {t} twice in period {}", class.period);
                        }
                    }
                }
            }
            assert!(teachers.iter().all(|t| t.load > 0), "every teacher teaches");
        }
    }
}
