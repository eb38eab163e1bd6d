//! Class-list reviews: a teacher attests that a class list is correct or reports what is wrong
//! with it; admins work through the reported roster issues and see how many classes are attested.
//!
//! A review is made at a roster revision. An attestation stops counting once a later import
//! changes the class or its enrollments (the teacher has not seen that list); an issue stays
//! open until an admin resolves it, and shows whether the roster has since fixed it.

use oneroster::model::format_datetime;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::accounts::{Account, Role};
use crate::{db::with_pool, delivery::rows, Store, StoreError};

/// What a teacher can report about a class list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// A student who should be in the class is not on the list (named by the teacher).
    MissingStudent,
    /// A student on the list is not in the class.
    ExtraStudent,
    WrongTeacher,
    WrongPeriod,
    Other,
}

impl IssueKind {
    pub const ALL: [IssueKind; 5] =
        [IssueKind::MissingStudent, IssueKind::ExtraStudent, IssueKind::WrongTeacher, IssueKind::WrongPeriod, IssueKind::Other];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::MissingStudent => "missing_student",
            IssueKind::ExtraStudent => "extra_student",
            IssueKind::WrongTeacher => "wrong_teacher",
            IssueKind::WrongPeriod => "wrong_period",
            IssueKind::Other => "other",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            IssueKind::MissingStudent => "A student is missing",
            IssueKind::ExtraStudent => "A listed student is not in the class",
            IssueKind::WrongTeacher => "Wrong teacher",
            IssueKind::WrongPeriod => "Wrong period",
            IssueKind::Other => "Something else",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(text: &str) -> Result<IssueKind, StoreError> {
        IssueKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or_else(|| StoreError::InvalidField {
            field: "kind",
            message: format!("`{text}` is not a kind of problem; choose one from the list"),
        })
    }
}

/// A problem as the teacher reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIssue {
    pub kind: String,
    /// For a missing student: their name as the teacher knows it.
    pub student_name: String,
    /// For a listed student who is not in the class: their sourcedId (from the list).
    pub student_sourced_id: String,
    pub comment: String,
}

/// Whether the roster still shows a reported problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueCheck {
    /// `Some(true)` when the roster no longer shows the problem, `Some(false)` when it still
    /// does, `None` when that cannot be told (then `text` says whether the class changed).
    pub gone: Option<bool>,
    pub text: String,
}

/// A reported roster issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterIssue {
    pub id: i64,
    pub class_sourced_id: String,
    pub class_title: String,
    pub school: String,
    pub reported_by: String,
    pub reporter_name: String,
    pub kind: IssueKind,
    pub student_name: String,
    pub student_sourced_id: String,
    pub comment: String,
    pub revision: i64,
    pub reported_at: String,
    pub open: bool,
    pub resolved_by: String,
    pub resolved_at: String,
    pub resolution: String,
    pub check: IssueCheck,
}

/// The newest review of a class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassReview {
    /// `correct` or `problems`.
    pub verdict: String,
    pub at: String,
    pub by: String,
    pub revision: i64,
    /// False once a later import changed the class or its enrollments.
    pub current: bool,
}

/// Attestation of one school's classes (or the district's, in [`AttestationSummary::total`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolAttestation {
    pub school: String,
    pub name: String,
    pub classes: i64,
    /// Classes whose newest review says "correct" and that have not changed since.
    pub attested: i64,
    /// Classes with open issues.
    pub flagged: i64,
}

/// Attestation across the district.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationSummary {
    pub total: SchoolAttestation,
    /// Schools with classes, by name.
    pub schools: Vec<SchoolAttestation>,
}

impl AttestationSummary {
    /// Attested classes as a whole percentage of all classes (0 without classes).
    pub fn percent(&self) -> i64 {
        if self.total.classes == 0 { 0 } else { self.total.attested * 100 / self.total.classes }
    }
}

const ISSUE_COLUMNS: [&str; 16] = [
    "CAST(i.id AS TEXT)", "i.class_sourced_id", "c.title", "o.name", "a.email", "a.display_name", "i.kind", "i.student_name",
    "i.student_sourced_id", "i.comment", "CAST(i.revision AS TEXT)", "i.reported_at", "i.status", "i.resolved_by",
    "i.resolved_at", "i.resolution",
];

/// "The class, its enrollments or the people enrolled changed after revision $N" over classes
/// `c` (SQL): any of them changes the list a teacher saw.
fn changed_since(revision: &str) -> String {
    format!(
        "(c.revision > {revision} OR EXISTS (SELECT 1 FROM enrollments e WHERE e.class_sourced_id = c.sourced_id AND e.revision > {revision}) \
         OR EXISTS (SELECT 1 FROM enrollments e JOIN users u ON u.sourced_id = e.user_sourced_id \
                    WHERE e.class_sourced_id = c.sourced_id AND e.status = 'active' AND u.revision > {revision}))"
    )
}

fn clean(text: &str, field: &'static str, max: usize) -> Result<String, StoreError> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(StoreError::InvalidField { field, message: format!("this is too long (at most {max} characters)") });
    }
    Ok(text.to_string())
}

impl Store {
    /// The teacher's user, or a refusal for any other account.
    fn teacher_of(account: &Account) -> Result<&str, StoreError> {
        match (account.role, account.user_sourced_id.as_deref()) {
            (Role::Teacher, Some(user)) => Ok(user),
            _ => Err(StoreError::Invalid("only teachers review their class lists".into())),
        }
    }

    /// Refuses unless `class` is an active class `account` teaches.
    async fn own_class(&self, account: &Account, class: &str) -> Result<(), StoreError> {
        let user = Self::teacher_of(account)?;
        let today = OffsetDateTime::now_utc().date();
        match self.class_for_teacher(user, class, today).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound(format!("{class} is not one of your classes"))),
        }
    }

    async fn add_review(&self, account: &Account, class: &str, verdict: &str, seen: Option<i64>) -> Result<i64, StoreError> {
        let current = self.current_revision().await?;
        let revision = match seen {
            // The list the teacher looked at must still be the list there is.
            Some(seen) if seen < current => {
                let changed = self
                    .cells(
                        &format!("SELECT {} FROM classes c WHERE c.sourced_id = $1 AND {}", rows::columns(&["c.sourced_id".to_string()]), changed_since(&seen.to_string())),
                        &[class.to_string()],
                        1,
                    )
                    .await?;
                if !changed.is_empty() {
                    return Err(StoreError::Conflict("an import has changed this list since you opened it: look at it again first".into()));
                }
                seen
            }
            _ => current,
        };
        let at = format_datetime(OffsetDateTime::now_utc());
        with_pool!(&self.db, pool => sqlx::query("INSERT INTO class_reviews (class_sourced_id, account_id, verdict, revision, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(class).bind(account.id).bind(verdict).bind(revision).bind(&at).execute(pool).await.map(|_| ()))?;
        Ok(revision)
    }

    /// The teacher confirms that the class list is correct: the list as of revision `seen` (the
    /// one their page showed; refused when an import has changed the list since), or as the
    /// roster has it now.
    pub async fn attest_class(&self, account: &Account, class: &str, seen: Option<i64>) -> Result<ClassReview, StoreError> {
        self.own_class(account, class).await?;
        let revision = self.add_review(account, class, "correct", seen).await?;
        self.record_audit(&account.email, "class.attest", &format!("class {class}"), &format!("list correct at revision {revision}")).await?;
        self.class_review(class).await?.ok_or_else(|| StoreError::Internal("the review just made is missing".into()))
    }

    /// The teacher reports a problem with the class list.
    pub async fn flag_class(&self, account: &Account, class: &str, issue: NewIssue) -> Result<RosterIssue, StoreError> {
        self.own_class(account, class).await?;
        let kind = IssueKind::parse(issue.kind.trim())?;
        let comment = clean(&issue.comment, "comment", 2000)?;
        let mut student_name = String::new();
        let mut student = String::new();
        match kind {
            IssueKind::MissingStudent => {
                student_name = clean(&issue.student_name, "student_name", 200)?;
                if student_name.is_empty() {
                    return Err(StoreError::InvalidField { field: "student_name", message: "name the student who is missing".into() });
                }
            }
            IssueKind::ExtraStudent => {
                student = issue.student_sourced_id.trim().to_string();
                let listed = self.class_students(class).await?;
                match listed.iter().find(|s| s.sourced_id == student) {
                    Some(s) => student_name = s.name.clone(),
                    None => return Err(StoreError::InvalidField { field: "student", message: "choose the student from the class list".into() }),
                }
            }
            _ if comment.is_empty() => {
                return Err(StoreError::InvalidField { field: "comment", message: "say what is wrong".into() });
            }
            _ => {}
        }
        // The same report sent again while it is open (a double click, a resent form) is that
        // report, not a second one in the admins' queue.
        let same: Option<i64> = with_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT id FROM roster_issues WHERE class_sourced_id = $1 AND account_id = $2 AND kind = $3 AND student_name = $4 \
             AND student_sourced_id = $5 AND comment = $6 AND status = 'open' ORDER BY id LIMIT 1")
            .bind(class).bind(account.id).bind(kind.as_str()).bind(&student_name).bind(&student).bind(&comment)
            .fetch_optional(pool).await)?;
        if let Some(id) = same {
            return self.roster_issue(id).await;
        }
        let revision = self.add_review(account, class, "problems", None).await?;
        let at = format_datetime(OffsetDateTime::now_utc());
        let id: i64 = with_pool!(&self.db, pool => sqlx::query_scalar(
            "INSERT INTO roster_issues (class_sourced_id, account_id, kind, student_name, student_sourced_id, comment, revision, reported_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(class).bind(account.id).bind(kind.as_str()).bind(&student_name).bind(&student).bind(&comment)
            .bind(revision).bind(&at).fetch_one(pool).await)?;
        let detail = [kind.label().to_string(), student_name.clone(), comment.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(": ");
        self.record_audit(&account.email, "class.flag", &format!("class {class}"), &format!("issue {id}: {detail}")).await?;
        self.roster_issue(id).await
    }

    /// The newest review of `class`, if any.
    pub async fn class_review(&self, class: &str) -> Result<Option<ClassReview>, StoreError> {
        let found = self
            .cells(
                &format!(
                    "SELECT {} FROM class_reviews r JOIN accounts a ON a.id = r.account_id JOIN classes c ON c.sourced_id = r.class_sourced_id \
                     WHERE r.class_sourced_id = $1 ORDER BY r.id DESC LIMIT 1",
                    rows::columns(&[
                        "r.verdict".to_string(), "r.at".into(), "a.display_name".into(), "CAST(r.revision AS TEXT)".into(),
                        format!("CASE WHEN {} THEN 'changed' ELSE 'same' END", changed_since("r.revision")),
                    ])
                ),
                &[class.to_string()],
                5,
            )
            .await?;
        Ok(found.into_iter().next().map(|r| ClassReview {
            verdict: r[0].clone(),
            at: r[1].clone(),
            by: r[2].clone(),
            revision: r[3].parse().unwrap_or_default(),
            current: r[4] == "same",
        }))
    }

    async fn issues_where(&self, condition: &str, binds: &[String]) -> Result<Vec<RosterIssue>, StoreError> {
        let sql = format!(
            "SELECT {} FROM roster_issues i JOIN accounts a ON a.id = i.account_id LEFT JOIN classes c ON c.sourced_id = i.class_sourced_id \
             LEFT JOIN orgs o ON o.sourced_id = c.school_sourced_id WHERE {condition} ORDER BY i.id DESC LIMIT 500",
            rows::columns(&ISSUE_COLUMNS.map(String::from))
        );
        let mut out = Vec::new();
        for r in self.cells(&sql, binds, ISSUE_COLUMNS.len()).await? {
            let kind = IssueKind::parse(&r[6])?;
            let revision = r[10].parse().unwrap_or_default();
            let check = self.issue_check(kind, &r[1], &r[7], &r[8], revision).await?;
            out.push(RosterIssue {
                id: r[0].parse().unwrap_or_default(),
                class_sourced_id: r[1].clone(),
                class_title: r[2].clone(),
                school: r[3].clone(),
                reported_by: r[4].clone(),
                reporter_name: r[5].clone(),
                kind,
                student_name: r[7].clone(),
                student_sourced_id: r[8].clone(),
                comment: r[9].clone(),
                revision,
                reported_at: r[11].clone(),
                open: r[12] == "open",
                resolved_by: r[13].clone(),
                resolved_at: r[14].clone(),
                resolution: r[15].clone(),
                check,
            });
        }
        Ok(out)
    }

    /// Whether the roster as it is now still shows the problem.
    async fn issue_check(&self, kind: IssueKind, class: &str, name: &str, student: &str, revision: i64) -> Result<IssueCheck, StoreError> {
        let listed = || async { self.class_students(class).await };
        Ok(match kind {
            IssueKind::MissingStudent => {
                let wanted = name.trim().to_lowercase();
                let on_list = listed().await?.iter().any(|s| s.name.to_lowercase() == wanted || self_name_matches(&s.name, &wanted));
                if on_list {
                    IssueCheck { gone: Some(true), text: format!("{name} is on the class list now.") }
                } else {
                    IssueCheck { gone: Some(false), text: format!("{name} is still not on the class list.") }
                }
            }
            IssueKind::ExtraStudent => {
                if listed().await?.iter().any(|s| s.sourced_id == student) {
                    IssueCheck { gone: Some(false), text: format!("{name} is still on the class list.") }
                } else {
                    IssueCheck { gone: Some(true), text: format!("{name} is no longer on the class list.") }
                }
            }
            _ => {
                let changed = self
                    .cells(
                        // the revision is our own integer, written into the SQL (used twice there)
                        &format!("SELECT {} FROM classes c WHERE c.sourced_id = $1 AND {}", rows::columns(&["c.sourced_id".to_string()]), changed_since(&revision.to_string())),
                        &[class.to_string()],
                        1,
                    )
                    .await?;
                if changed.is_empty() {
                    IssueCheck { gone: None, text: "No import has changed the class since the report.".into() }
                } else {
                    IssueCheck { gone: None, text: "An import has changed the class since the report: check whether it is right now.".into() }
                }
            }
        })
    }

    /// One roster issue.
    pub async fn roster_issue(&self, id: i64) -> Result<RosterIssue, StoreError> {
        self.issues_where("i.id = CAST($1 AS BIGINT)", &[id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("there is no roster issue {id}")))
    }

    /// Roster issues, newest first: the open ones, or all.
    pub async fn roster_issues(&self, open_only: bool) -> Result<Vec<RosterIssue>, StoreError> {
        if open_only {
            self.issues_where("i.status = 'open'", &[]).await
        } else {
            self.issues_where("1 = 1", &[]).await
        }
    }

    /// The issues reported about `class`, newest first.
    pub async fn class_issues(&self, class: &str) -> Result<Vec<RosterIssue>, StoreError> {
        self.issues_where("i.class_sourced_id = $1", &[class.to_string()]).await
    }

    /// How many roster issues wait for an admin.
    pub async fn open_roster_issue_count(&self) -> Result<i64, StoreError> {
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM roster_issues WHERE status = 'open'").fetch_one(pool).await)?)
    }

    /// Closes an open issue with the admin's note.
    pub async fn resolve_roster_issue(&self, id: i64, by: &str, note: &str) -> Result<RosterIssue, StoreError> {
        let note = clean(note, "resolution", 2000)?;
        if note.is_empty() {
            return Err(StoreError::InvalidField { field: "resolution", message: "say how the issue was resolved".into() });
        }
        let at = format_datetime(OffsetDateTime::now_utc());
        let done = with_pool!(&self.db, pool => sqlx::query(
            "UPDATE roster_issues SET status = 'resolved', resolved_by = $1, resolved_at = $2, resolution = $3 WHERE id = $4 AND status = 'open'")
            .bind(by).bind(&at).bind(&note).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            let issue = self.roster_issue(id).await?;
            return Err(StoreError::Conflict(format!("roster issue {} was resolved already by {}", issue.id, issue.resolved_by)));
        }
        self.record_audit(by, "roster_issue.resolve", &format!("roster issue {id}"), &note).await?;
        self.roster_issue(id).await
    }

    /// Attested and flagged classes per school and in all.
    pub async fn attestation_summary(&self) -> Result<AttestationSummary, StoreError> {
        let mut schools: std::collections::BTreeMap<String, SchoolAttestation> = std::collections::BTreeMap::new();
        let counts = self
            .cells(
                &format!(
                    "SELECT {} FROM classes c LEFT JOIN orgs o ON o.sourced_id = c.school_sourced_id WHERE c.status = 'active' \
                     GROUP BY c.school_sourced_id, o.name",
                    rows::columns(&["COALESCE(c.school_sourced_id, '')", "COALESCE(o.name, '')", "CAST(COUNT(*) AS TEXT)"].map(String::from))
                ),
                &[],
                3,
            )
            .await?;
        for r in counts {
            schools.insert(r[0].clone(), SchoolAttestation { school: r[0].clone(), name: r[1].clone(), classes: r[2].parse().unwrap_or_default(), ..Default::default() });
        }
        let reviewed = self
            .cells(
                &format!(
                    "SELECT {} FROM class_reviews r JOIN classes c ON c.sourced_id = r.class_sourced_id \
                     WHERE c.status = 'active' AND r.id = (SELECT MAX(r2.id) FROM class_reviews r2 WHERE r2.class_sourced_id = r.class_sourced_id)",
                    rows::columns(&[
                        "COALESCE(c.school_sourced_id, '')".to_string(), "r.verdict".into(),
                        format!("CASE WHEN {} THEN 'changed' ELSE 'same' END", changed_since("r.revision")),
                    ])
                ),
                &[],
                3,
            )
            .await?;
        for r in reviewed {
            if r[1] == "correct" && r[2] == "same" {
                if let Some(s) = schools.get_mut(&r[0]) {
                    s.attested += 1;
                }
            }
        }
        let flagged = self
            .cells(
                &format!(
                    "SELECT {} FROM classes c WHERE c.status = 'active' AND EXISTS (SELECT 1 FROM roster_issues i \
                     WHERE i.class_sourced_id = c.sourced_id AND i.status = 'open') GROUP BY c.school_sourced_id",
                    rows::columns(&["COALESCE(c.school_sourced_id, '')", "CAST(COUNT(*) AS TEXT)"].map(String::from))
                ),
                &[],
                2,
            )
            .await?;
        for r in flagged {
            if let Some(s) = schools.get_mut(&r[0]) {
                s.flagged = r[1].parse().unwrap_or_default();
            }
        }
        let mut summary = AttestationSummary::default();
        for s in schools.into_values() {
            summary.total.classes += s.classes;
            summary.total.attested += s.attested;
            summary.total.flagged += s.flagged;
            summary.schools.push(s);
        }
        summary.schools.sort_by(|a, b| a.name.cmp(&b.name).then(a.school.cmp(&b.school)));
        Ok(summary)
    }

    /// (attested classes, classes with open issues) across the district, without counting every
    /// class (the dashboard has the class count already).
    pub async fn attestation_counts(&self) -> Result<(i64, i64), StoreError> {
        let attested = self
            .cells(
                &format!(
                    "SELECT {} FROM class_reviews r JOIN classes c ON c.sourced_id = r.class_sourced_id \
                     WHERE c.status = 'active' AND r.verdict = 'correct' AND NOT {} \
                     AND r.id = (SELECT MAX(r2.id) FROM class_reviews r2 WHERE r2.class_sourced_id = r.class_sourced_id)",
                    rows::columns(&["CAST(COUNT(*) AS TEXT)".to_string()]),
                    changed_since("r.revision")
                ),
                &[],
                1,
            )
            .await?;
        let flagged = with_pool!(&self.db, pool => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(DISTINCT class_sourced_id) FROM roster_issues WHERE status = 'open'").fetch_one(pool).await)?;
        Ok((attested.first().and_then(|r| r[0].parse().ok()).unwrap_or_default(), flagged))
    }

    /// The day "today" is for class lists (UTC).
    pub fn today() -> Date {
        OffsetDateTime::now_utc().date()
    }
}

/// Whether a listed name matches the teacher's words when both are reduced to first and last
/// word ("Ava M. Nguyen" is "Ava Nguyen").
fn self_name_matches(listed: &str, wanted: &str) -> bool {
    let ends = |s: &str| {
        let words: Vec<String> = s.split_whitespace().map(str::to_lowercase).collect();
        (words.first().cloned(), words.last().cloned())
    };
    ends(listed) == ends(wanted) && !wanted.trim().is_empty()
}
