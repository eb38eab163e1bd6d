//! The console's data browser: users and classes by search, filters, sorting and pages, and
//! one user or class with everything around it.
//!
//! Searches are prefix searches on lower-cased names (range comparisons on expression indexes,
//! which both databases use), or exact matches on sourcedId, identifier and e-mail, so a page
//! stays fast on a 1M-student roster. Typed text is always bound, never spliced into SQL.

use serde::{Deserialize, Serialize};

use crate::{delivery::rows, Store, StoreError};

/// Rows per page in the browser.
pub const BROWSE_PAGE: i64 = 50;
/// Pages go this deep at most; past it the search must be narrowed (deep offsets are slow).
pub const BROWSE_MAX_OFFSET: i64 = 10_000;

/// What to list. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowseQuery {
    /// A name prefix ("lop", "ana lop"), or an exact sourcedId, identifier or e-mail.
    pub text: Option<String>,
    /// Users: a role (`student`, `teacher`, ...). Classes: a class type.
    pub role: Option<String>,
    /// A school's sourcedId.
    pub school: Option<String>,
    /// A grade (`09`).
    pub grade: Option<String>,
    /// `active` or `tobedeleted`.
    pub status: Option<String>,
    /// `name` (default) or `id`.
    pub sort: Option<String>,
    /// Zero-based page.
    pub page: i64,
}

/// One user in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserListRow {
    pub sourced_id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub identifier: String,
    pub grades: String,
    pub status: String,
    /// `role at org` for each role.
    pub roles: Vec<(String, String)>,
}

/// One class in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassListRow {
    pub sourced_id: String,
    pub title: String,
    pub class_code: String,
    pub class_type: String,
    pub school: String,
    pub grades: String,
    pub status: String,
}

/// A page of rows; `more` when a next page exists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowsePage<T> {
    pub rows: Vec<T>,
    pub more: bool,
    /// The page asked for lies past [`BROWSE_MAX_OFFSET`].
    pub too_deep: bool,
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The first string after every string starting with `prefix` (for a range search).
fn prefix_end(prefix: &str) -> String {
    let mut out = prefix.to_string();
    out.push(char::MAX);
    out
}

/// A statement being written: its text and its (text) binds, `$1..` in order.
#[derive(Default)]
struct Sql {
    text: String,
    binds: Vec<String>,
}

impl Sql {
    fn new(text: &str) -> Sql {
        Sql { text: text.to_string(), binds: vec![] }
    }

    fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: impl Into<String>) -> &mut Sql {
        self.binds.push(value.into());
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    /// Records of `alias` with this status. Deleted records are few, and a page of them is not
    /// found by walking the list order (1.8M users at 1M students: 2.2 s to find there are
    /// none): they are looked up through the table's index of deleted records and then sorted.
    /// That index is partial (`WHERE status = 'tobedeleted'`), and the planner uses it only
    /// when the query says so literally, not through a bound value. Active records are most
    /// of a roster; the walk finds a page of them at once.
    fn status(&mut self, alias: &str, status: String) -> &mut Sql {
        if status == "tobedeleted" {
            self.push(&format!(" AND {alias}.status = 'tobedeleted' AND {alias}.source_id IN (SELECT id FROM sources)"));
        } else {
            self.push(&format!(" AND {alias}.status = ")).bind(status);
        }
        self
    }

    /// `(lower(col) >= p AND lower(col) < p+MAX)`.
    fn prefix(&mut self, col: &str, prefix: &str) -> &mut Sql {
        self.push(&format!("(lower({col}) >= ")).bind(prefix).push(&format!(" AND lower({col}) < ")).bind(prefix_end(prefix)).push(")")
    }
}

/// Text cells of a row, `None` as empty.
fn cells<const N: usize>(row: Vec<Option<String>>) -> [String; N] {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for (slot, cell) in out.iter_mut().zip(row) {
        *slot = cell.unwrap_or_default();
    }
    out
}

impl Store {
    /// Users matching `query`, a page at a time.
    pub async fn browse_users(&self, query: &BrowseQuery) -> Result<BrowsePage<UserListRow>, StoreError> {
        let offset = query.page.max(0) * BROWSE_PAGE;
        if offset > BROWSE_MAX_OFFSET {
            return Ok(BrowsePage { rows: vec![], more: false, too_deep: true });
        }
        let mut q = Sql::new(&format!(
            "SELECT {} FROM users u WHERE 1 = 1",
            rows::columns(&["u.sourced_id", "u.given_name", "u.family_name", "u.email", "u.identifier", "u.grades", "u.status"].map(String::from))
        ));
        if let Some(text) = clean(&query.text) {
            let lower = text.to_lowercase();
            q.push(" AND (u.sourced_id = ").bind(text.clone());
            q.push(" OR u.identifier = ").bind(text.clone());
            q.push(" OR lower(u.email) = ").bind(lower.clone());
            let words: Vec<&str> = lower.split_whitespace().collect();
            if words.len() >= 2 {
                // "ana lop": given name and family name prefixes, either order
                let (a, b) = (words[0], words[words.len() - 1]);
                q.push(" OR (").prefix("u.given_name", a).push(" AND ").prefix("u.family_name", b);
                q.push(") OR (").prefix("u.family_name", a).push(" AND ").prefix("u.given_name", b).push(")");
            } else {
                q.push(" OR ").prefix("u.family_name", &lower).push(" OR ").prefix("u.given_name", &lower);
            }
            q.push(")");
        }
        let role = clean(&query.role);
        let school = clean(&query.school);
        if let Some(school) = school {
            // A school's people drive the query from the roles index: a few thousand users
            // to sort, instead of testing every user of the district in name order.
            q.push(" AND u.sourced_id IN (SELECT r.user_sourced_id FROM roles r WHERE r.status = 'active' AND r.org_sourced_id = ").bind(school);
            if let Some(role) = role {
                q.push(" AND r.role = ").bind(role);
            }
            q.push(")");
        } else if let Some(role) = role {
            // A role alone is common (students, teachers): walking users in name order finds a
            // page of them quickly.
            q.push(" AND EXISTS (SELECT 1 FROM roles r WHERE r.user_sourced_id = u.sourced_id AND r.status = 'active' AND r.role = ").bind(role);
            q.push(")");
        }
        if let Some(grade) = clean(&query.grade) {
            q.push(" AND (',' || COALESCE(u.grades, '') || ',') LIKE ").bind(format!("%,{},%", crate::service::audit::escape_like(&grade)));
            q.push(" ESCAPE '\\'");
        }
        if let Some(status) = clean(&query.status) {
            q.status("u", status);
        }
        match clean(&query.sort).as_deref() {
            Some("id") => q.push(" ORDER BY u.sourced_id"),
            _ => q.push(" ORDER BY lower(u.family_name), lower(u.given_name), u.sourced_id"),
        };
        // computed numbers, not input
        q.push(&format!(" LIMIT {} OFFSET {offset}", BROWSE_PAGE + 1));
        let found = rows::fetch(&self.db, &q.text, &q.binds, 7).await?;
        let more = found.len() as i64 > BROWSE_PAGE;
        let mut list: Vec<UserListRow> = found
            .into_iter()
            .take(BROWSE_PAGE as usize)
            .map(cells::<7>)
            .map(|[sourced_id, given_name, family_name, email, identifier, grades, status]| UserListRow {
                sourced_id,
                given_name,
                family_name,
                email,
                identifier,
                grades,
                status,
                roles: vec![],
            })
            .collect();
        if !list.is_empty() {
            let mut r = Sql::new(&format!(
                "SELECT {} FROM roles r LEFT JOIN orgs o ON o.sourced_id = r.org_sourced_id \
                 WHERE r.status = 'active' AND r.user_sourced_id IN (",
                rows::columns(&["r.user_sourced_id", "r.role", "COALESCE(o.name, r.org_sourced_id)"].map(String::from))
            ));
            for (i, u) in list.iter().enumerate() {
                if i > 0 {
                    r.push(", ");
                }
                r.bind(u.sourced_id.clone());
            }
            r.push(") ORDER BY r.user_sourced_id, r.role");
            for row in rows::fetch(&self.db, &r.text, &r.binds, 3).await? {
                let [user, role, org] = cells::<3>(row);
                if let Some(u) = list.iter_mut().find(|u| u.sourced_id == user) {
                    u.roles.push((role, org));
                }
            }
        }
        Ok(BrowsePage { rows: list, more, too_deep: false })
    }

    /// Courses, academic sessions or enrollments (`kind`) matching `query`, a page at a time, as
    /// rows of text cells (the first is the sourcedId). Courses: title prefix or exact
    /// sourcedId / course code, school = org, grade. Sessions: title prefix or exact sourcedId,
    /// `role` = session type. Enrollments: exact sourcedId, class or user, `role` = enrollment
    /// role, school. A filter the list has no column for is refused, not ignored.
    pub async fn browse_other(&self, kind: &str, query: &BrowseQuery) -> Result<BrowsePage<Vec<String>>, StoreError> {
        let offset = query.page.max(0) * BROWSE_PAGE;
        if offset > BROWSE_MAX_OFFSET {
            return Ok(BrowsePage { rows: vec![], more: false, too_deep: true });
        }
        let (columns, from, title, school, kind_col, order): (&[&str], &str, Option<&str>, Option<&str>, &str, &str) = match kind {
            "courses" => (
                &["t.sourced_id", "t.title", "t.course_code", "t.grades", "COALESCE(o.name, t.org_sourced_id)", "t.status"],
                "courses t LEFT JOIN orgs o ON o.sourced_id = t.org_sourced_id",
                Some("t.title"),
                Some("t.org_sourced_id"),
                "",
                "lower(t.title), t.sourced_id",
            ),
            "academicSessions" => (
                &["t.sourced_id", "t.title", "t.type", "t.start_date", "t.end_date", "t.parent_sourced_id", "t.status"],
                "academic_sessions t",
                Some("t.title"),
                None,
                "t.type",
                "t.start_date, lower(t.title), t.sourced_id",
            ),
            "enrollments" => (
                &["t.sourced_id", "t.class_sourced_id", "t.user_sourced_id", "t.role", "t.school_sourced_id", "t.begin_date", "t.end_date", "t.status"],
                "enrollments t",
                None,
                Some("t.school_sourced_id"),
                "t.role",
                "t.sourced_id",
            ),
            other => return Err(StoreError::Invalid(format!("`{other}` is not a list of the data browser"))),
        };
        let unsupported = match kind {
            "academicSessions" => [("school", &query.school), ("grade", &query.grade)].into_iter().find(|(_, v)| clean(v).is_some()),
            "enrollments" => clean(&query.grade).map(|_| ("grade", &query.grade)),
            "courses" => clean(&query.role).map(|_| ("type", &query.role)),
            _ => None,
        };
        if let Some((name, _)) = unsupported {
            let list = if kind == "academicSessions" { "academic sessions" } else { kind };
            return Err(StoreError::Invalid(format!("{list} cannot be filtered by {name}")));
        }
        let width = columns.len();
        let mut q = Sql::new(&format!("SELECT {} FROM {from} WHERE 1 = 1", rows::columns(&columns.iter().map(|c| c.to_string()).collect::<Vec<_>>())));
        if let Some(text) = clean(&query.text) {
            q.push(" AND (t.sourced_id = ").bind(text.clone());
            match kind {
                "courses" => {
                    q.push(" OR t.course_code = ").bind(text.clone());
                }
                "enrollments" => {
                    q.push(" OR t.class_sourced_id = ").bind(text.clone()).push(" OR t.user_sourced_id = ").bind(text.clone());
                }
                _ => {}
            }
            if let Some(col) = title {
                q.push(" OR ").prefix(col, &text.to_lowercase());
            }
            q.push(")");
        }
        if let (Some(col), Some(school)) = (school, clean(&query.school)) {
            q.push(&format!(" AND {col} = ")).bind(school.clone());
            if kind == "enrollments" {
                // Enrollments have no school index (one more index on 8M rows would slow every
                // import); the school's classes lead to them through the class index.
                q.push(" AND t.class_sourced_id IN (SELECT c.sourced_id FROM classes c WHERE c.school_sourced_id = ").bind(school).push(")");
            }
        }
        if let (true, Some(grade)) = (kind == "courses", clean(&query.grade)) {
            q.push(" AND (',' || COALESCE(t.grades, '') || ',') LIKE ").bind(format!("%,{},%", crate::service::audit::escape_like(&grade)));
            q.push(" ESCAPE '\\'");
        }
        if let (false, Some(value)) = (kind_col.is_empty(), clean(&query.role)) {
            q.push(&format!(" AND {kind_col} = ")).bind(value);
        }
        if let Some(status) = clean(&query.status) {
            q.status("t", status);
        }
        let order = if clean(&query.sort).as_deref() == Some("id") { "t.sourced_id" } else { order };
        q.push(&format!(" ORDER BY {order} LIMIT {} OFFSET {offset}", BROWSE_PAGE + 1));
        let found = rows::fetch(&self.db, &q.text, &q.binds, width).await?;
        let more = found.len() as i64 > BROWSE_PAGE;
        Ok(BrowsePage {
            rows: found.into_iter().take(BROWSE_PAGE as usize).map(|r| r.into_iter().map(|c| c.unwrap_or_default()).collect()).collect(),
            more,
            too_deep: false,
        })
    }

    /// Classes matching `query` (`role` is the class type), a page at a time.
    pub async fn browse_classes(&self, query: &BrowseQuery) -> Result<BrowsePage<ClassListRow>, StoreError> {
        let offset = query.page.max(0) * BROWSE_PAGE;
        if offset > BROWSE_MAX_OFFSET {
            return Ok(BrowsePage { rows: vec![], more: false, too_deep: true });
        }
        let mut q = Sql::new(&format!(
            "SELECT {} FROM classes c LEFT JOIN orgs o ON o.sourced_id = c.school_sourced_id WHERE 1 = 1",
            rows::columns(
                &["c.sourced_id", "c.title", "c.class_code", "c.class_type", "COALESCE(o.name, c.school_sourced_id)", "c.grades", "c.status"]
                    .map(String::from)
            )
        ));
        if let Some(text) = clean(&query.text) {
            q.push(" AND (c.sourced_id = ").bind(text.clone()).push(" OR c.class_code = ").bind(text.clone()).push(" OR ");
            q.prefix("c.title", &text.to_lowercase()).push(")");
        }
        if let Some(kind) = clean(&query.role) {
            q.push(" AND c.class_type = ").bind(kind);
        }
        if let Some(school) = clean(&query.school) {
            q.push(" AND c.school_sourced_id = ").bind(school);
        }
        if let Some(grade) = clean(&query.grade) {
            q.push(" AND (',' || COALESCE(c.grades, '') || ',') LIKE ").bind(format!("%,{},%", crate::service::audit::escape_like(&grade)));
            q.push(" ESCAPE '\\'");
        }
        if let Some(status) = clean(&query.status) {
            q.status("c", status);
        }
        match clean(&query.sort).as_deref() {
            Some("id") => q.push(" ORDER BY c.sourced_id"),
            _ => q.push(" ORDER BY lower(c.title), c.sourced_id"),
        };
        q.push(&format!(" LIMIT {} OFFSET {offset}", BROWSE_PAGE + 1));
        let found = rows::fetch(&self.db, &q.text, &q.binds, 7).await?;
        let more = found.len() as i64 > BROWSE_PAGE;
        Ok(BrowsePage {
            rows: found
                .into_iter()
                .take(BROWSE_PAGE as usize)
                .map(cells::<7>)
                .map(|[sourced_id, title, class_code, class_type, school, grades, status]| ClassListRow {
                    sourced_id,
                    title,
                    class_code,
                    class_type,
                    school,
                    grades,
                    status,
                })
                .collect(),
            more,
            too_deep: false,
        })
    }
}
