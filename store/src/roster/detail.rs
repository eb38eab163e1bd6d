//! One user or one class with everything around it, for the console's detail pages.

use serde::{Deserialize, Serialize};

use crate::{delivery::rows, Store, StoreError};

/// A user's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    /// Stored columns and their values (column names as stored).
    pub fields: Vec<(String, String)>,
    /// (role, roleType, org sourcedId, org name).
    pub roles: Vec<(String, String, String, String)>,
    /// (class sourcedId, class title, enrollment role).
    pub classes: Vec<(String, String, String)>,
    /// Guardians and other agents: (sourcedId, name).
    pub agents: Vec<(String, String)>,
    /// Revisions that changed the record: (revision, when, what), oldest first.
    pub history: Vec<(i64, String, String)>,
    /// Apps that receive the user: (app id, app name, since, withheld fields).
    pub apps: Vec<(i64, String, String, Vec<String>)>,
}

/// A class's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassDetail {
    pub fields: Vec<(String, String)>,
    pub school: (String, String),
    pub course: (String, String),
    /// (sourcedId, title) of each term.
    pub terms: Vec<(String, String)>,
    /// (user sourcedId, name, role) of every active enrollment, teachers first.
    pub people: Vec<(String, String, String)>,
    /// Apps that receive the class: (app id, app name, since).
    pub apps: Vec<(i64, String, String)>,
}

fn text(cell: Option<String>) -> String {
    cell.unwrap_or_default()
}

impl Store {
    pub(crate) async fn cells(&self, select: &str, binds: &[String], width: usize) -> Result<Vec<Vec<String>>, StoreError> {
        Ok(rows::fetch(&self.db, select, binds, width).await?.into_iter().map(|r| r.into_iter().map(text).collect()).collect())
    }

    async fn stored_fields(&self, table: &str, sourced_id: &str) -> Result<Option<Vec<(String, String)>>, StoreError> {
        Ok(self.roster_record(table, sourced_id).await?.map(|record| {
            record.into_iter().filter(|(k, _)| !matches!(k.as_str(), "hash" | "source_id")).map(|(k, v)| (k, v.unwrap_or_default())).collect()
        }))
    }

    async fn history_of(&self, table: &str, sourced_id: &str, created: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
        let sql = format!(
            "SELECT {} FROM revisions v WHERE v.id = CAST($1 AS BIGINT) OR v.id IN \
             (SELECT h.revision FROM record_history h WHERE h.entity = $2 AND h.sourced_id = $3) ORDER BY v.id",
            rows::columns(&["CAST(v.id AS TEXT)", "v.created_at", "v.summary"].map(String::from))
        );
        let found = self.cells(&sql, &[created.to_string(), table.to_string(), sourced_id.to_string()], 3).await?;
        Ok(found.into_iter().map(|r| (r[0].parse().unwrap_or_default(), r[1].clone(), r[2].clone())).collect())
    }

    /// (app id, app name, since, the app's share rules) of every app that receives the record.
    async fn apps_receiving(&self, entity: &str, sourced_id: &str) -> Result<Vec<(i64, String, String, Option<String>)>, StoreError> {
        let apps_sql = format!(
            "SELECT {} FROM apps a LEFT JOIN app_shares s ON s.app_id = a.id ORDER BY a.name",
            rows::columns(&["CAST(a.id AS TEXT)", "a.name", "s.rules"].map(String::from))
        );
        // One point look-up per app, with the app id as a constant: as a join, SQLite may
        // choose to scan every share member (a whole district per app) for the record.
        let member_sql = format!(
            "SELECT {} FROM share_members m WHERE m.app_id = CAST($1 AS BIGINT) AND m.entity = $2 AND m.sourced_id = $3 \
             AND m.left_at IS NULL",
            rows::columns(&["m.since".to_string()])
        );
        let mut out = Vec::new();
        for mut app in rows::fetch(&self.db, &apps_sql, &[], 3).await? {
            let rules = app.pop().flatten();
            let name = text(app.pop().flatten());
            let id = text(app.pop().flatten());
            let since = self.cells(&member_sql, &[id.clone(), entity.to_string(), sourced_id.to_string()], 1).await?;
            if let Some(since) = since.into_iter().next().and_then(|mut r| r.pop()) {
                out.push((id.parse().unwrap_or_default(), name, since, rules));
            }
        }
        Ok(out)
    }

    /// A user with roles, classes, agents, history and the apps that receive them.
    pub async fn user_detail(&self, sourced_id: &str) -> Result<Option<UserDetail>, StoreError> {
        let Some(fields) = self.stored_fields("users", sourced_id).await? else { return Ok(None) };
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let created: i64 = get("created_revision").parse().unwrap_or_default();
        let id = [sourced_id.to_string()];
        let roles = self
            .cells(
                &format!(
                    "SELECT {} FROM roles r LEFT JOIN orgs o ON o.sourced_id = r.org_sourced_id \
                     WHERE r.user_sourced_id = $1 AND r.status = 'active' ORDER BY r.role_type, r.role",
                    rows::columns(&["r.role", "r.role_type", "r.org_sourced_id", "o.name"].map(String::from))
                ),
                &id,
                4,
            )
            .await?
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
            .collect();
        let classes = self
            .cells(
                &format!(
                    "SELECT {} FROM enrollments e LEFT JOIN classes c ON c.sourced_id = e.class_sourced_id \
                     WHERE e.user_sourced_id = $1 AND e.status = 'active' ORDER BY c.title, e.class_sourced_id",
                    rows::columns(&["e.class_sourced_id", "c.title", "e.role"].map(String::from))
                ),
                &id,
                3,
            )
            .await?
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
            .collect();
        let mut agents = Vec::new();
        for agent in get("agent_sourced_ids").split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let name = self
                .cells(
                    &format!(
                        "SELECT {} FROM users u WHERE u.sourced_id = $1",
                        rows::columns(&["u.given_name || ' ' || u.family_name".to_string()])
                    ),
                    &[agent.to_string()],
                    1,
                )
                .await?
                .pop()
                .and_then(|mut r| r.pop())
                .unwrap_or_default();
            agents.push((agent.to_string(), name));
        }
        let history = self.history_of("users", sourced_id, created).await?;
        let apps = self
            .apps_receiving("users", sourced_id)
            .await?
            .into_iter()
            .map(|(id, name, since, rules)| {
                let share = rules.and_then(|r| serde_json::from_str::<crate::sharing::Share>(&r).ok()).unwrap_or_default();
                let mut withheld: Vec<String> = share.withhold.into_iter().filter(|f| f.starts_with("users.")).collect();
                if !share.demographics {
                    withheld.push("demographics".into());
                }
                (id, name, since, withheld)
            })
            .collect();
        Ok(Some(UserDetail { fields, roles, classes, agents, history, apps }))
    }

    /// The apps that receive class `class`: (app name, since, fields of users withheld, whether
    /// demographics go too). For a teacher's view of their class: no app ids or rules.
    pub async fn class_apps(&self, class: &str) -> Result<Vec<(String, String, Vec<String>, bool)>, StoreError> {
        Ok(self
            .apps_receiving("classes", class)
            .await?
            .into_iter()
            .map(|(_, name, since, rules)| {
                let share = rules.and_then(|r| serde_json::from_str::<crate::sharing::Share>(&r).ok()).unwrap_or_default();
                let withheld = share.withhold.iter().filter_map(|f| f.strip_prefix("users.")).map(str::to_string).collect();
                (name, since, withheld, share.demographics)
            })
            .collect())
    }

    /// A class with its school, course, terms, people and the apps that receive it.
    pub async fn class_detail(&self, sourced_id: &str) -> Result<Option<ClassDetail>, StoreError> {
        let Some(fields) = self.stored_fields("classes", sourced_id).await? else { return Ok(None) };
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let title_of = |table: &'static str, col: &'static str, id: String| async move {
            let sql = format!("SELECT {} FROM {table} t WHERE t.sourced_id = $1", rows::columns(&[format!("t.{col}")]));
            let name = self.cells(&sql, std::slice::from_ref(&id), 1).await?.pop().and_then(|mut r| r.pop()).unwrap_or_default();
            Ok::<_, StoreError>((id, name))
        };
        let school = title_of("orgs", "name", get("school_sourced_id")).await?;
        let course = title_of("courses", "title", get("course_sourced_id")).await?;
        let mut terms = Vec::new();
        for term in get("term_sourced_ids").split(',').map(str::trim).filter(|s| !s.is_empty()) {
            terms.push(title_of("academic_sessions", "title", term.to_string()).await?);
        }
        let people = self
            .cells(
                &format!(
                    "SELECT {} FROM enrollments e LEFT JOIN users u ON u.sourced_id = e.user_sourced_id \
                     WHERE e.class_sourced_id = $1 AND e.status = 'active' \
                     ORDER BY CASE e.role WHEN 'teacher' THEN 0 ELSE 1 END, lower(u.family_name), lower(u.given_name), e.user_sourced_id",
                    rows::columns(&["e.user_sourced_id", "u.given_name || ' ' || u.family_name", "e.role"].map(String::from))
                ),
                &[sourced_id.to_string()],
                3,
            )
            .await?
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
            .collect();
        let apps = self.apps_receiving("classes", sourced_id).await?.into_iter().map(|(id, name, since, _)| (id, name, since)).collect();
        Ok(Some(ClassDetail { fields, school, course, terms, people, apps }))
    }
}
