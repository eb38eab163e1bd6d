//! A teacher's view of the roster: their classes and the students in them. Every query here
//! starts from the teacher's own enrollments, so a teacher can only ever reach their classes.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::{delivery::rows, Store, StoreError};

/// When a class meets, relative to the day asked about (from its terms' dates).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassWhen {
    /// Some term of the class includes the day (or the class names no dated term).
    Current,
    /// Every term starts after the day.
    Upcoming,
    /// Every term ended before the day.
    Earlier,
}

/// One term of a class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRef {
    pub sourced_id: String,
    pub title: String,
    pub start_date: String,
    pub end_date: String,
}

/// Someone named by sourcedId with a display name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub sourced_id: String,
    pub name: String,
}

/// A class as its teacher sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherClass {
    pub sourced_id: String,
    pub title: String,
    pub class_code: String,
    pub periods: Vec<String>,
    pub course: String,
    pub school: String,
    pub terms: Vec<TermRef>,
    pub when: ClassWhen,
    /// The other teachers of the class.
    pub co_teachers: Vec<PersonRef>,
    pub student_count: i64,
}

/// A student on a class list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedStudent {
    pub sourced_id: String,
    /// Preferred first name (else given name) and family name.
    pub name: String,
    pub grades: String,
    /// The roster's `identifier` (district student number), `username` and `email`; the
    /// console shows teachers the ones the district chose ([`Store::teacher_student_fields`]).
    pub identifier: String,
    pub username: String,
    pub email: String,
}

/// Identifiers of students a district may show teachers on class lists.
pub const STUDENT_FIELDS: [&str; 3] = ["identifier", "username", "email"];

const STUDENT_FIELDS_KEY: &str = "teacher.student_fields";

/// The teacher's name (preferred first name when there is one) as SQL over users `u`.
const NAME: &str = "COALESCE(u.preferred_given_name, u.given_name, '') || ' ' || COALESCE(u.family_name, '')";

fn list(cell: &str) -> Vec<String> {
    cell.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Where the class's terms put it relative to `today` (ISO dates compare as text).
fn when_of(terms: &[TermRef], today: Date) -> ClassWhen {
    let day = today.to_string();
    let dated: Vec<&TermRef> = terms.iter().filter(|t| !t.start_date.is_empty() && !t.end_date.is_empty()).collect();
    if dated.is_empty() || dated.iter().any(|t| t.start_date.as_str() <= day.as_str() && day.as_str() <= t.end_date.as_str()) {
        ClassWhen::Current
    } else if dated.iter().all(|t| t.end_date.as_str() < day.as_str()) {
        ClassWhen::Earlier
    } else {
        ClassWhen::Upcoming
    }
}

impl Store {
    /// Whether the roster lists `user` as an active, enabled user with an active teacher role.
    pub async fn is_active_teacher(&self, user: &str) -> Result<bool, StoreError> {
        let found = self
            .cells(
                &format!(
                    "SELECT {} FROM users u WHERE u.sourced_id = $1 AND u.status = 'active' \
                     AND COALESCE(LOWER(u.enabled_user), 'true') <> 'false' \
                     AND EXISTS (SELECT 1 FROM roles r WHERE r.user_sourced_id = u.sourced_id \
                                 AND r.status = 'active' AND r.role = 'teacher')",
                    rows::columns(&["u.sourced_id".to_string()])
                ),
                &[user.to_string()],
                1,
            )
            .await?;
        Ok(!found.is_empty())
    }

    /// Every active class `teacher` teaches, current ones first, each with its terms, course,
    /// school, co-teachers and number of students; `today` decides current, upcoming, earlier.
    pub async fn teacher_classes(&self, teacher: &str, today: Date) -> Result<Vec<TeacherClass>, StoreError> {
        let found = self
            .cells(
                &format!(
                    "SELECT {} FROM enrollments e JOIN classes c ON c.sourced_id = e.class_sourced_id \
                     WHERE e.user_sourced_id = $1 AND e.status = 'active' AND e.role = 'teacher' AND c.status = 'active' \
                     ORDER BY c.periods, c.title, c.sourced_id",
                    rows::columns(&["c.sourced_id".to_string()])
                ),
                &[teacher.to_string()],
                1,
            )
            .await?;
        let mut classes = Vec::new();
        for row in found {
            if let Some(class) = self.class_for_teacher(teacher, &row[0], today).await? {
                if classes.iter().all(|c: &TeacherClass| c.sourced_id != class.sourced_id) {
                    classes.push(class);
                }
            }
        }
        classes.sort_by(|a, b| a.when.cmp(&b.when));
        Ok(classes)
    }

    /// Class `class` as `teacher` sees it, or `None` when it is not an active class of theirs.
    pub async fn class_for_teacher(&self, teacher: &str, class: &str, today: Date) -> Result<Option<TeacherClass>, StoreError> {
        let binds = [teacher.to_string(), class.to_string()];
        let found = self
            .cells(
                &format!(
                    "SELECT {} FROM classes c LEFT JOIN courses co ON co.sourced_id = c.course_sourced_id \
                     LEFT JOIN orgs o ON o.sourced_id = c.school_sourced_id \
                     WHERE c.sourced_id = $2 AND c.status = 'active' AND EXISTS (SELECT 1 FROM enrollments e \
                       WHERE e.class_sourced_id = c.sourced_id AND e.user_sourced_id = $1 AND e.status = 'active' AND e.role = 'teacher')",
                    rows::columns(
                        &["c.sourced_id", "c.title", "c.class_code", "c.periods", "co.title", "o.name", "c.term_sourced_ids"]
                            .map(String::from)
                    )
                ),
                &binds,
                7,
            )
            .await?;
        let Some(row) = found.into_iter().next() else { return Ok(None) };
        let mut terms = Vec::new();
        for term in list(&row[6]) {
            let t = self
                .cells(
                    &format!(
                        "SELECT {} FROM academic_sessions s WHERE s.sourced_id = $1",
                        rows::columns(&["s.title", "s.start_date", "s.end_date"].map(String::from))
                    ),
                    &[term.clone()],
                    3,
                )
                .await?;
            let (title, start_date, end_date) = match t.into_iter().next() {
                Some(t) => (t[0].clone(), t[1].clone(), t[2].clone()),
                None => (term.clone(), String::new(), String::new()),
            };
            terms.push(TermRef { sourced_id: term, title, start_date, end_date });
        }
        let co_teachers = self
            .cells(
                &format!(
                    "SELECT {} FROM enrollments e JOIN users u ON u.sourced_id = e.user_sourced_id \
                     WHERE e.class_sourced_id = $2 AND e.status = 'active' AND e.role = 'teacher' AND e.user_sourced_id <> $1 \
                     ORDER BY u.family_name, u.given_name",
                    rows::columns(&["u.sourced_id".to_string(), NAME.to_string()])
                ),
                &binds,
                2,
            )
            .await?
            .into_iter()
            .map(|r| PersonRef { sourced_id: r[0].clone(), name: r[1].trim().to_string() })
            .collect();
        let count = self
            .cells(
                &format!(
                    "SELECT {} FROM enrollments e WHERE e.class_sourced_id = $1 AND e.status = 'active' AND e.role = 'student'",
                    rows::columns(&["CAST(COUNT(*) AS TEXT)".to_string()])
                ),
                &[class.to_string()],
                1,
            )
            .await?;
        let when = when_of(&terms, today);
        Ok(Some(TeacherClass {
            sourced_id: row[0].clone(),
            title: row[1].clone(),
            class_code: row[2].clone(),
            periods: list(&row[3]),
            course: row[4].clone(),
            school: row[5].clone(),
            terms,
            when,
            co_teachers,
            student_count: count.first().and_then(|r| r[0].parse().ok()).unwrap_or_default(),
        }))
    }

    /// The students actively enrolled in `class`, by family name. Callers check that the class is
    /// the teacher's first ([`Store::class_for_teacher`]).
    pub async fn class_students(&self, class: &str) -> Result<Vec<ListedStudent>, StoreError> {
        Ok(self
            .cells(
                &format!(
                    "SELECT {} FROM enrollments e JOIN users u ON u.sourced_id = e.user_sourced_id \
                     WHERE e.class_sourced_id = $1 AND e.status = 'active' AND e.role = 'student' AND u.status = 'active' \
                     ORDER BY u.family_name, u.given_name, u.sourced_id",
                    rows::columns(&[
                        "u.sourced_id".to_string(), NAME.to_string(), "u.grades".into(), "u.identifier".into(), "u.username".into(), "u.email".into(),
                    ])
                ),
                &[class.to_string()],
                6,
            )
            .await?
            .into_iter()
            .map(|r| ListedStudent {
                sourced_id: r[0].clone(),
                name: r[1].trim().to_string(),
                grades: r[2].clone(),
                identifier: r[3].clone(),
                username: r[4].clone(),
                email: r[5].clone(),
            })
            .collect())
    }

    /// Which student identifiers teachers see on class lists (of [`STUDENT_FIELDS`]; the
    /// roster's `identifier` until the district chooses).
    pub async fn teacher_student_fields(&self) -> Result<Vec<String>, StoreError> {
        let stored: Option<String> = crate::db::with_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT value FROM roster_settings WHERE key = $1").bind(STUDENT_FIELDS_KEY).fetch_optional(pool).await?);
        Ok(match stored {
            None => vec!["identifier".to_string()],
            Some(v) => v.split(',').filter(|f| STUDENT_FIELDS.contains(f)).map(str::to_string).collect(),
        })
    }

    /// Chooses the student identifiers teachers see (an empty choice shows names and grades only).
    pub async fn set_teacher_student_fields(&self, fields: &[String], actor: &str) -> Result<(), StoreError> {
        if let Some(bad) = fields.iter().find(|f| !STUDENT_FIELDS.contains(&f.as_str())) {
            return Err(StoreError::InvalidField { field: "fields", message: format!("`{bad}` is not one of identifier, username, email") });
        }
        let value: Vec<&str> = STUDENT_FIELDS.iter().copied().filter(|f| fields.iter().any(|x| x == f)).collect();
        let value = value.join(",");
        crate::db::with_pool!(&self.db, pool => sqlx::query(
            "INSERT INTO roster_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(STUDENT_FIELDS_KEY).bind(&value).execute(pool).await.map(|_| ()))?;
        let shown = if value.is_empty() { "names and grades only".to_string() } else { value.replace(',', ", ") };
        self.record_audit(actor, "settings.teacher_fields", "class lists", &format!("teachers see {shown}")).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::{when_of, ClassWhen, TermRef};

    fn term(start: &str, end: &str) -> TermRef {
        TermRef { sourced_id: "t".into(), title: "T".into(), start_date: start.into(), end_date: end.into() }
    }

    #[test]
    fn a_class_is_current_upcoming_or_earlier_by_its_terms() {
        let fall = term("2025-08-18", "2025-12-19");
        let spring = term("2026-01-05", "2026-06-05");
        assert_eq!(when_of(&[fall.clone()], date!(2025 - 12 - 19)), ClassWhen::Current);
        assert_eq!(when_of(&[fall.clone()], date!(2026 - 01 - 02)), ClassWhen::Earlier);
        assert_eq!(when_of(&[spring.clone()], date!(2025 - 09 - 01)), ClassWhen::Upcoming);
        assert_eq!(when_of(&[fall.clone(), spring.clone()], date!(2026 - 03 - 01)), ClassWhen::Current);
        // between the two terms: not every term is over
        assert_eq!(when_of(&[fall, spring], date!(2026 - 01 - 02)), ClassWhen::Upcoming);
        assert_eq!(when_of(&[], date!(2026 - 01 - 02)), ClassWhen::Current, "an undated class counts as current");
    }
}
