//! The 41 rostering operations of each version, read from the path after the base path.
//! 1.1 and 1.2 have the same paths; only the base path and the parameter names differ.

use store::delivery::{Collection, Link};

/// Which scopes open an operation (SPEC-NOTES §6.3): any one of them suffices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Collections and single records: roster-core or roster.
    Core,
    /// The relationship endpoints: roster.
    Roster,
    /// Demographics: roster-demographics.
    Demographics,
}

/// A resolved operation.
#[derive(Clone, Debug)]
pub struct Operation {
    /// The operationId of the spec (`getStudentsForClass`), for the disclosure log.
    pub id: &'static str,
    pub collection: Collection,
    /// `Some` for a single-record operation.
    pub single: Option<String>,
    /// Parents named in the path, checked to be visible to the app first (404 otherwise).
    pub parents: Vec<(Collection, String)>,
    /// The class of `/schools/{s}/classes/{c}/...` must be of that school.
    pub class_in_school: Option<(String, String)>,
    pub links: Vec<Link>,
    pub needs: Needs,
}

fn collection_of(name: &str) -> Option<(Collection, &'static str, &'static str)> {
    Some(match name {
        "academicSessions" => (Collection::AcademicSessions, "getAllAcademicSessions", "getAcademicSession"),
        "terms" => (Collection::Terms, "getAllTerms", "getTerm"),
        "gradingPeriods" => (Collection::GradingPeriods, "getAllGradingPeriods", "getGradingPeriod"),
        "orgs" => (Collection::Orgs, "getAllOrgs", "getOrg"),
        "schools" => (Collection::Schools, "getAllSchools", "getSchool"),
        "courses" => (Collection::Courses, "getAllCourses", "getCourse"),
        "classes" => (Collection::Classes, "getAllClasses", "getClass"),
        "enrollments" => (Collection::Enrollments, "getAllEnrollments", "getEnrollment"),
        "users" => (Collection::Users, "getAllUsers", "getUser"),
        "students" => (Collection::Students, "getAllStudents", "getStudent"),
        "teachers" => (Collection::Teachers, "getAllTeachers", "getTeacher"),
        "demographics" => (Collection::Demographics, "getAllDemographics", "getDemographics"),
        _ => return None,
    })
}

fn op(id: &'static str, collection: Collection, parents: Vec<(Collection, String)>, links: Vec<Link>) -> Operation {
    Operation { id, collection, single: None, parents, class_in_school: None, links, needs: Needs::Roster }
}

/// The operation a path (segments after the base path, percent-decoded) names, if any.
pub fn resolve(segments: &[String]) -> Option<Operation> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let id = |i: usize| segments[i].clone();
    Some(match s.as_slice() {
        [name] => {
            let (collection, list, _) = collection_of(name)?;
            let needs = if collection == Collection::Demographics { Needs::Demographics } else { Needs::Core };
            Operation { id: list, collection, single: None, parents: vec![], class_in_school: None, links: vec![], needs }
        }
        [name, _] => {
            let (collection, _, get) = collection_of(name)?;
            let needs = if collection == Collection::Demographics { Needs::Demographics } else { Needs::Core };
            Operation { id: get, collection, single: Some(id(1)), parents: vec![], class_in_school: None, links: vec![], needs }
        }
        ["classes", _, "students"] => op(
            "getStudentsForClass",
            Collection::Users,
            vec![(Collection::Classes, id(1))],
            vec![Link::EnrolledIn { class: id(1), role: "student" }],
        ),
        ["classes", _, "teachers"] => op(
            "getTeachersForClass",
            Collection::Users,
            vec![(Collection::Classes, id(1))],
            vec![Link::EnrolledIn { class: id(1), role: "teacher" }],
        ),
        ["courses", _, "classes"] => {
            op("getClassesForCourse", Collection::Classes, vec![(Collection::Courses, id(1))], vec![Link::Course(id(1))])
        }
        ["schools", _, "classes"] => {
            op("getClassesForSchool", Collection::Classes, vec![(Collection::Schools, id(1))], vec![Link::School(id(1))])
        }
        ["schools", _, "classes", _, what] => {
            let (operation, collection, link) = match *what {
                "enrollments" => ("getEnrollmentsForClassInSchool", Collection::Enrollments, Link::Class(id(3))),
                "students" => (
                    "getStudentsForClassInSchool",
                    Collection::Users,
                    Link::EnrolledIn { class: id(3), role: "student" },
                ),
                "teachers" => (
                    "getTeachersForClassInSchool",
                    Collection::Users,
                    Link::EnrolledIn { class: id(3), role: "teacher" },
                ),
                _ => return None,
            };
            let mut o = op(operation, collection, vec![(Collection::Schools, id(1)), (Collection::Classes, id(3))], vec![link]);
            o.class_in_school = Some((id(1), id(3)));
            o
        }
        ["schools", _, "courses"] => {
            op("getCoursesForSchool", Collection::Courses, vec![(Collection::Schools, id(1))], vec![Link::School(id(1))])
        }
        ["schools", _, "enrollments"] => op(
            "getEnrollmentsForSchool",
            Collection::Enrollments,
            vec![(Collection::Schools, id(1))],
            vec![Link::School(id(1))],
        ),
        ["schools", _, "students"] => op(
            "getStudentsForSchool",
            Collection::Users,
            vec![(Collection::Schools, id(1))],
            vec![Link::RoleAt { org: id(1), role: "student" }],
        ),
        ["schools", _, "teachers"] => op(
            "getTeachersForSchool",
            Collection::Users,
            vec![(Collection::Schools, id(1))],
            vec![Link::RoleAt { org: id(1), role: "teacher" }],
        ),
        ["schools", _, "terms"] => op(
            "getTermsForSchool",
            Collection::Terms,
            vec![(Collection::Schools, id(1))],
            vec![Link::TermOfSchool(id(1))],
        ),
        ["students", _, "classes"] => op(
            "getClassesForStudent",
            Collection::Classes,
            vec![(Collection::Students, id(1))],
            vec![Link::ClassesOf { user: id(1), role: Some("student") }],
        ),
        ["teachers", _, "classes"] => op(
            "getClassesForTeacher",
            Collection::Classes,
            vec![(Collection::Teachers, id(1))],
            vec![Link::ClassesOf { user: id(1), role: Some("teacher") }],
        ),
        ["terms", _, "classes"] => {
            op("getClassesForTerm", Collection::Classes, vec![(Collection::Terms, id(1))], vec![Link::Term(id(1))])
        }
        ["terms", _, "gradingPeriods"] => op(
            "getGradingPeriodsForTerm",
            Collection::GradingPeriods,
            vec![(Collection::Terms, id(1))],
            vec![Link::Parent(id(1))],
        ),
        ["users", _, "classes"] => op(
            "getClassesForUser",
            Collection::Classes,
            vec![(Collection::Users, id(1))],
            vec![Link::ClassesOf { user: id(1), role: None }],
        ),
        _ => return None,
    })
}

/// The JSON keys of a collection: (collection envelope, single envelope).
pub fn keys(collection: Collection) -> (&'static str, &'static str) {
    match collection {
        Collection::Orgs | Collection::Schools => ("orgs", "org"),
        Collection::AcademicSessions | Collection::Terms | Collection::GradingPeriods => {
            ("academicSessions", "academicSession")
        }
        Collection::Courses => ("courses", "course"),
        Collection::Classes => ("classes", "class"),
        Collection::Enrollments => ("enrollments", "enrollment"),
        Collection::Users | Collection::Students | Collection::Teachers => ("users", "user"),
        Collection::Demographics => ("demographics", "demographics"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(path: &str) -> Option<&'static str> {
        let segments: Vec<String> = path.trim_matches('/').split('/').map(String::from).collect();
        resolve(&segments).map(|o| o.id)
    }

    #[test]
    fn all_41_operations_resolve() {
        let table = [
            ("/academicSessions", "getAllAcademicSessions"),
            ("/academicSessions/x", "getAcademicSession"),
            ("/classes", "getAllClasses"),
            ("/classes/x", "getClass"),
            ("/classes/x/students", "getStudentsForClass"),
            ("/classes/x/teachers", "getTeachersForClass"),
            ("/courses", "getAllCourses"),
            ("/courses/x", "getCourse"),
            ("/courses/x/classes", "getClassesForCourse"),
            ("/demographics", "getAllDemographics"),
            ("/demographics/x", "getDemographics"),
            ("/enrollments", "getAllEnrollments"),
            ("/enrollments/x", "getEnrollment"),
            ("/gradingPeriods", "getAllGradingPeriods"),
            ("/gradingPeriods/x", "getGradingPeriod"),
            ("/orgs", "getAllOrgs"),
            ("/orgs/x", "getOrg"),
            ("/schools", "getAllSchools"),
            ("/schools/x", "getSchool"),
            ("/schools/x/classes", "getClassesForSchool"),
            ("/schools/x/classes/y/enrollments", "getEnrollmentsForClassInSchool"),
            ("/schools/x/classes/y/students", "getStudentsForClassInSchool"),
            ("/schools/x/classes/y/teachers", "getTeachersForClassInSchool"),
            ("/schools/x/courses", "getCoursesForSchool"),
            ("/schools/x/enrollments", "getEnrollmentsForSchool"),
            ("/schools/x/students", "getStudentsForSchool"),
            ("/schools/x/teachers", "getTeachersForSchool"),
            ("/schools/x/terms", "getTermsForSchool"),
            ("/students", "getAllStudents"),
            ("/students/x", "getStudent"),
            ("/students/x/classes", "getClassesForStudent"),
            ("/teachers", "getAllTeachers"),
            ("/teachers/x", "getTeacher"),
            ("/teachers/x/classes", "getClassesForTeacher"),
            ("/terms", "getAllTerms"),
            ("/terms/x", "getTerm"),
            ("/terms/x/classes", "getClassesForTerm"),
            ("/terms/x/gradingPeriods", "getGradingPeriodsForTerm"),
            ("/users", "getAllUsers"),
            ("/users/x", "getUser"),
            ("/users/x/classes", "getClassesForUser"),
        ];
        assert_eq!(table.len(), 41);
        for (path, id) in table {
            assert_eq!(ids(path), Some(id), "{path}");
        }
        for path in ["/lineItems", "/classes/x/enrollments", "/schools/x/classes/y/results", "/users/x/classes/y"] {
            assert_eq!(ids(path), None, "{path}");
        }
    }
}
