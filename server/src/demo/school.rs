//! One school, generated and written in one go: its students, classes, teachers and
//! administrators exist in memory only while the school is written.

use std::io;

use rand::{rngs::StdRng, SeedableRng};

use super::{
    district::{District, School, GRADES, SCHOOL_YEAR},
    people::{self, Person, Staff, Student},
    schedule::{self, Class, Course, Schedule},
    sink::Files,
    staffing::{self, Teacher},
    DemoOptions, Tally,
};

/// Keeps the guardian stream apart from the school's own.
const GUARDIAN_STREAM: u64 = 0x6A09_E667_F3BC_C908;

/// A seed for one school's stream: schools differ from each other and from seed to seed.
pub(super) fn school_seed(seed: u64, school: u32, stream: u64) -> u64 {
    splitmix(splitmix(seed ^ stream) ^ u64::from(school))
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Generates `school` and writes all its rows.
pub(super) fn write(district: &District, school: &School, opts: &DemoOptions, files: &mut Files, tally: &mut Tally) -> io::Result<()> {
    let mut rng = StdRng::seed_from_u64(school_seed(opts.seed, school.number, 0));
    let mut guardian_rng = StdRng::seed_from_u64(school_seed(opts.seed, school.number, GUARDIAN_STREAM));

    let mut students = Vec::with_capacity(school.students() as usize);
    for &(grade, count) in &school.grade_counts {
        for _ in 0..count {
            students.push(Student::new(&mut rng, school.first_student + students.len() as u64, grade));
        }
    }
    let mut schedule = schedule::build(school.level, &students, &mut rng);
    let teachers = staffing::assign(school.level, &mut schedule, students.len());
    let first_teacher = tally.teachers;
    tally.teachers += teachers.len() as u64;
    let staff: Vec<(Person, String)> = teachers.iter().enumerate().map(|(i, t)| (people::adult(&mut rng), room(t, i))).collect();
    let teacher_id = |t: u32| Staff::id('t', first_teacher + u64::from(t) + 1);

    for course in &schedule.courses {
        write_course(files, school, course)?;
    }
    for (i, class) in schedule.classes.iter().enumerate() {
        write_class(files, school, &schedule, class, i, &staff[class.teacher as usize])?;
    }

    // A principal, and an assistant principal for about every 500 students.
    let assistants = students.len() / 500;
    for i in 0..=assistants {
        let person = people::adult(&mut rng);
        let role = if i == 0 { "principal" } else { "siteAdministrator" };
        people::write_staff(files, district, &Staff { kind: 'a', number: tally.next_admin(), person: &person, role, org: &school.id, grades: "" })?;
    }
    for (i, (teacher, (person, _))) in teachers.iter().zip(&staff).enumerate() {
        let grades = grade_list(teacher.grades);
        let number = first_teacher + i as u64 + 1;
        people::write_staff(files, district, &Staff { kind: 't', number, person, role: "teacher", org: &school.id, grades: &grades })?;
    }
    let mut guardians = opts.guardians.then_some(&mut guardian_rng);
    for student in &students {
        if people::write_student(files, district, &school.id, student, &mut rng, guardians.as_deref_mut())? {
            tally.guardians += 1;
        }
    }
    tally.students += students.len() as u64;

    let mut n = 0u64;
    let mut enroll = |files: &mut Files, class_id: &str, user: &str, role: &str, primary: &str| {
        n += 1;
        let id = format!("enr-{:04}-{n:06}", school.number);
        files.enrollments.write(&id, &[class_id, &school.id, user, role, primary, "", ""])
    };
    for (i, class) in schedule.classes.iter().enumerate() {
        let class_id = class_id(school, i);
        enroll(files, &class_id, &teacher_id(class.teacher), "teacher", "true")?;
        if let Some(co) = class.co_teacher {
            enroll(files, &class_id, &teacher_id(co), "teacher", "false")?;
        }
        for &s in &class.students {
            enroll(files, &class_id, &students[s as usize].id, "student", "")?;
        }
    }
    Ok(())
}

fn class_id(school: &School, index: usize) -> String {
    format!("cls-{:04}-{:05}", school.number, index + 1)
}

fn course_id(school: &School, course: &Course) -> String {
    format!("crs-{:04}-{}", school.number, course.def.code)
}

/// A teacher's room: the department's shared space, or a numbered classroom (30 to a floor).
fn room(teacher: &Teacher, index: usize) -> String {
    match teacher.dept.shared_room() {
        Some(room) => room.to_string(),
        None => format!("Room {}{:02}", 1 + index / 30, 1 + index % 30),
    }
}

/// Grade codes of a grade bit set, comma-joined in grade order.
fn grade_list(bits: u16) -> String {
    let codes: Vec<&str> = (0..GRADES.len()).filter(|g| bits & (1 << g) != 0).map(|g| GRADES[g]).collect();
    codes.join(",")
}

fn write_course(files: &mut Files, school: &School, course: &Course) -> io::Result<()> {
    let def = &course.def;
    files.courses.write(&course_id(school, course), &[
        SCHOOL_YEAR, &def.title, &def.code, &grade_list(course.grades), &school.id, def.subject.unwrap_or(""), "",
    ])
}

fn write_class(files: &mut Files, school: &School, schedule: &Schedule, class: &Class, index: usize, teacher: &(Person, String)) -> io::Result<()> {
    let course = &schedule.courses[class.course];
    let def = &course.def;
    let (person, room) = teacher;
    let (title, class_type) = if def.is_homeroom() {
        (format!("{} - {} {}", def.title, person.honorific(), person.family), "homeroom")
    } else {
        (format!("{} - {:02}", def.title, class.section), "scheduled")
    };
    let code = format!("{}-{:02}", def.code, class.section);
    let period = class.period.to_string();
    files.classes.write(&class_id(school, index), &[
        &title, GRADES[class.grade as usize], &course_id(school, course), &code, class_type, room, &school.id,
        class.term.ids(), def.subject.unwrap_or(""), "", &period,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_separate_schools_and_streams() {
        let seeds = [school_seed(1, 1, 0), school_seed(1, 2, 0), school_seed(2, 1, 0), school_seed(1, 1, GUARDIAN_STREAM)];
        for (i, a) in seeds.iter().enumerate() {
            for b in &seeds[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(grade_list(0b1_0000_0000_0001), "KG,12");
    }
}
