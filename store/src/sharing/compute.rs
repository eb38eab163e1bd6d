//! Computing a share inside the database: the records a rule set gives, written to the
//! connection's temporary table `share_new (entity, sourced_id, rule)`.
//!
//! Everything is set-based SQL over the roster tables, so a district-wide share of a
//! 1M-student roster is a handful of statements, never a loop over records. The first rule that
//! gives a record is kept as the reason (`ON CONFLICT DO NOTHING`).

use super::rules::{ClassRule, PersonRole, Share};

/// SQL text with `$n` placeholders and the values to bind, in order.
pub(crate) struct Sql {
    pub text: String,
    pub binds: Vec<String>,
    dialect: Dialect,
}

impl Sql {
    fn bind(&mut self, value: &str) -> String {
        self.binds.push(value.to_string());
        format!("${}", self.binds.len())
    }

    fn list(&mut self, values: &[String]) -> String {
        values.iter().map(|v| self.bind(v)).collect::<Vec<_>>().join(", ")
    }

    fn new(dialect: Dialect) -> Sql {
        Sql { text: String::new(), binds: Vec::new(), dialect }
    }

    /// `column` holds a comma-separated list with any of `values` (exact, case-sensitive
    /// substring search for `,value,`: no LIKE, whose wildcards and case rules differ).
    fn list_has_any(&mut self, column: &str, values: &[String]) -> String {
        let find = match self.dialect {
            Dialect::Sqlite => "instr",
            Dialect::Postgres => "strpos",
        };
        let tests: Vec<String> = values
            .iter()
            .map(|v| {
                let p = self.bind(&format!(",{v},"));
                format!("{find}(',' || REPLACE(COALESCE({column}, ''), ', ', ',') || ',', {p}) > 0")
            })
            .collect();
        format!("({})", tests.join(" OR "))
    }

    /// The condition of one rule on the class aliased `c`.
    fn rule(&mut self, rule: &ClassRule) -> String {
        let mut parts = Vec::new();
        if !rule.schools.is_empty() {
            parts.push(format!("c.school_sourced_id IN ({})", self.list(&rule.schools)));
        }
        if !rule.classes.is_empty() {
            parts.push(format!("c.sourced_id IN ({})", self.list(&rule.classes)));
        }
        if !rule.courses.is_empty() {
            parts.push(format!("c.course_sourced_id IN ({})", self.list(&rule.courses)));
        }
        if !rule.class_types.is_empty() {
            parts.push(format!("c.class_type IN ({})", self.list(&rule.class_types)));
        }
        if !rule.subjects.is_empty() {
            parts.push(self.list_has_any("c.subjects", &rule.subjects));
        }
        if !rule.grades.is_empty() {
            parts.push(self.list_has_any("c.grades", &rule.grades));
        }
        if !rule.terms.is_empty() {
            parts.push(self.list_has_any("c.term_sourced_ids", &rule.terms));
        }
        // A class with a blank column does not match a condition on it (rather than NULL,
        // which would make `NOT (exclude)` drop the class).
        format!("COALESCE(({}), 1 = 0)", parts.join(" AND "))
    }
}

/// The two SQL dialects differ only in how a comma-separated cell is split into rows.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// A FROM item with one row per value of the list in `column`, as `alias.value`.
    fn split(self, column: &str, alias: &str) -> String {
        match self {
            // The list becomes a JSON array of strings for json_each (quotes and backslashes
            // escaped first).
            Dialect::Sqlite => format!(
                "json_each('[\"' || REPLACE(REPLACE(REPLACE(COALESCE({column}, ''), '\\', '\\\\'), '\"', '\\\"'), ',', '\",\"') || '\"]') AS {alias}"
            ),
            Dialect::Postgres => format!("unnest(string_to_array(COALESCE({column}, ''), ',')) AS {alias}(value)"),
        }
    }
}

const INSERT: &str = "INSERT INTO share_new (entity, sourced_id, rule)";
/// Staff roles of "unenrolled staff" (administrators have their own role in a share).
const STAFF_ROLES: &str = "'teacher', 'aide', 'proctor'";

/// The statements that fill `share_new` for `share`, in order.
pub(crate) fn statements(share: &Share, dialect: Dialect) -> Vec<Sql> {
    let mut out = Vec::new();
    if share.is_empty() {
        return out;
    }

    // Classes: each include rule in turn (so the first match names the reason), minus excludes.
    let mut includes: Vec<(String, Option<&ClassRule>)> = Vec::new();
    if share.all {
        includes.push(("all classes".into(), None));
    }
    for (i, rule) in share.include.iter().enumerate() {
        includes.push((rule.name("include", i), Some(rule)));
    }
    for (name, rule) in includes {
        let mut sql = Sql::new(dialect);
        let reason = sql.bind(&name);
        let matches = rule.map_or_else(|| "1 = 1".to_string(), |r| sql.rule(r));
        let excluded: Vec<String> = share.exclude.iter().map(|r| sql.rule(r)).collect();
        let not_excluded = if excluded.is_empty() { "1 = 1".to_string() } else { format!("NOT ({})", excluded.join(" OR ")) };
        sql.text = format!(
            "{INSERT} SELECT 'classes', c.sourced_id, {reason} FROM classes c \
             WHERE c.status = 'active' AND {matches} AND {not_excluded} ON CONFLICT DO NOTHING"
        );
        out.push(sql);
    }

    let simple = |text: String| Sql { text, binds: Vec::new(), dialect };

    // Courses and schools of the shared classes.
    out.push(simple(format!(
        "{INSERT} SELECT 'courses', c.course_sourced_id, 'course of class ' || MIN(c.sourced_id) \
         FROM share_new s JOIN classes c ON c.sourced_id = s.sourced_id \
         JOIN courses co ON co.sourced_id = c.course_sourced_id AND co.status = 'active' \
         WHERE s.entity = 'classes' GROUP BY c.course_sourced_id ON CONFLICT DO NOTHING"
    )));
    out.push(simple(format!(
        "{INSERT} SELECT 'orgs', c.school_sourced_id, 'school of class ' || MIN(c.sourced_id) \
         FROM share_new s JOIN classes c ON c.sourced_id = s.sourced_id \
         JOIN orgs o ON o.sourced_id = c.school_sourced_id AND o.status = 'active' \
         WHERE s.entity = 'classes' GROUP BY c.school_sourced_id ON CONFLICT DO NOTHING"
    )));

    // People enrolled in shared classes, by role.
    let enrolled: Vec<&str> = share.roles.iter().flat_map(|r| r.enrollment_roles().iter().copied()).collect();
    if !enrolled.is_empty() {
        let mut sql = Sql::new(dialect);
        let roles = sql.list(&enrolled.iter().map(|r| r.to_string()).collect::<Vec<_>>());
        sql.text = format!(
            "{INSERT} SELECT 'users', e.user_sourced_id, MIN(e.role || ' in class ' || e.class_sourced_id) \
             FROM share_new s JOIN enrollments e ON e.class_sourced_id = s.sourced_id \
             JOIN users u ON u.sourced_id = e.user_sourced_id AND u.status = 'active' \
             WHERE s.entity = 'classes' AND e.status = 'active' AND e.role IN ({roles}) \
             GROUP BY e.user_sourced_id ON CONFLICT DO NOTHING"
        );
        out.push(sql);
    }
    if share.roles.contains(&PersonRole::Administrator) {
        out.push(simple(format!(
            "{INSERT} SELECT 'users', r.user_sourced_id, 'administrator at ' || MIN(r.org_sourced_id) \
             FROM share_new s JOIN roles r ON r.org_sourced_id = s.sourced_id \
             JOIN users u ON u.sourced_id = r.user_sourced_id AND u.status = 'active' \
             WHERE s.entity = 'orgs' AND r.status = 'active' AND r.role IN ('administrator', 'principal', 'siteAdministrator') \
             GROUP BY r.user_sourced_id ON CONFLICT DO NOTHING"
        )));
    }
    if share.roles.contains(&PersonRole::UnenrolledStaff) {
        out.push(simple(format!(
            "{INSERT} SELECT 'users', r.user_sourced_id, 'staff at ' || MIN(r.org_sourced_id) \
             FROM share_new s JOIN roles r ON r.org_sourced_id = s.sourced_id \
             JOIN users u ON u.sourced_id = r.user_sourced_id AND u.status = 'active' \
             WHERE s.entity = 'orgs' AND r.status = 'active' AND r.role IN ({STAFF_ROLES}) \
             AND NOT EXISTS (SELECT 1 FROM enrollments e JOIN share_new sc ON sc.entity = 'classes' \
                             AND sc.sourced_id = e.class_sourced_id \
                             WHERE e.user_sourced_id = r.user_sourced_id AND e.status = 'active') \
             GROUP BY r.user_sourced_id ON CONFLICT DO NOTHING"
        )));
    }
    if share.roles.contains(&PersonRole::Guardian) && share.roles.contains(&PersonRole::Student) {
        let agents = dialect.split("u.agent_sourced_ids", "a");
        out.push(simple(format!(
            "{INSERT} SELECT 'users', g.sourced_id, 'guardian of ' || MIN(u.sourced_id) \
             FROM share_new s JOIN users u ON u.sourced_id = s.sourced_id CROSS JOIN {agents} \
             JOIN users g ON g.sourced_id = TRIM(a.value) AND g.status = 'active' \
             WHERE s.entity = 'users' AND s.rule LIKE 'student in class %' \
             AND EXISTS (SELECT 1 FROM roles r WHERE r.user_sourced_id = g.sourced_id AND r.status = 'active' \
                         AND r.role IN ('guardian', 'parent', 'relative')) \
             GROUP BY g.sourced_id ON CONFLICT DO NOTHING"
        )));
    }

    // Academic sessions: the terms of shared classes, the school years of their courses.
    let terms = dialect.split("c.term_sourced_ids", "t");
    out.push(simple(format!(
        "{INSERT} SELECT 'academicSessions', a.sourced_id, 'term of class ' || MIN(c.sourced_id) \
         FROM share_new s JOIN classes c ON c.sourced_id = s.sourced_id CROSS JOIN {terms} \
         JOIN academic_sessions a ON a.sourced_id = TRIM(t.value) AND a.status = 'active' \
         WHERE s.entity = 'classes' GROUP BY a.sourced_id ON CONFLICT DO NOTHING"
    )));
    // The grading periods of those terms: an app that knows a class's term can fetch its
    // grading periods (`/terms/{id}/gradingPeriods`).
    out.push(simple(format!(
        "{INSERT} SELECT 'academicSessions', g.sourced_id, 'grading period of term ' || MIN(s.sourced_id) \
         FROM share_new s JOIN academic_sessions g ON g.parent_sourced_id = s.sourced_id \
         AND g.status = 'active' AND g.type = 'gradingPeriod' \
         WHERE s.entity = 'academicSessions' GROUP BY g.sourced_id ON CONFLICT DO NOTHING"
    )));
    out.push(simple(format!(
        "{INSERT} SELECT 'academicSessions', a.sourced_id, 'school year of course ' || MIN(co.sourced_id) \
         FROM share_new s JOIN courses co ON co.sourced_id = s.sourced_id \
         JOIN academic_sessions a ON a.sourced_id = co.school_year_sourced_id AND a.status = 'active' \
         WHERE s.entity = 'courses' GROUP BY a.sourced_id ON CONFLICT DO NOTHING"
    )));

    // Parents of shared orgs and sessions, up to the top, so that every reference resolves.
    for (entity, table) in [("orgs", "orgs"), ("academicSessions", "academic_sessions")] {
        out.push(simple(format!(
            "WITH RECURSIVE up (id, via) AS ( \
               SELECT x.parent_sourced_id, x.sourced_id FROM share_new s JOIN {table} x ON x.sourced_id = s.sourced_id \
               WHERE s.entity = '{entity}' AND x.parent_sourced_id IS NOT NULL \
               UNION SELECT x.parent_sourced_id, up.id FROM up JOIN {table} x ON x.sourced_id = up.id \
               WHERE x.parent_sourced_id IS NOT NULL) \
             {INSERT} SELECT '{entity}', up.id, 'parent of ' || MIN(up.via) FROM up \
             JOIN {table} x ON x.sourced_id = up.id AND x.status = 'active' WHERE 1 = 1 GROUP BY up.id \
             ON CONFLICT DO NOTHING"
        )));
    }

    if share.demographics {
        out.push(simple(format!(
            "{INSERT} SELECT 'demographics', d.sourced_id, 'demographics of a shared user' \
             FROM share_new s JOIN demographics d ON d.sourced_id = s.sourced_id AND d.status = 'active' \
             WHERE s.entity = 'users' ON CONFLICT DO NOTHING"
        )));
    }
    out
}

/// Enrollment roles an app receives with `share` (enrollments follow their class and user).
pub(crate) fn enrollment_roles(share: &Share) -> Vec<&'static str> {
    let mut roles: Vec<&'static str> = share.roles.iter().flat_map(|r| r.enrollment_roles().iter().copied()).collect();
    if share.roles.contains(&PersonRole::Administrator) {
        roles.push("administrator");
    }
    roles
}
