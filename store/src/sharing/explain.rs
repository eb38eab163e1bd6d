//! "Why is record R (not) visible to app A?": the rule that shares it, or the reason none does.

use serde::Serialize;

use super::{compute, Share};
use crate::{db::with_pool, Store, StoreError};

/// The answer for one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub entity: String,
    pub sourced_id: String,
    pub shared: bool,
    /// The rule that shares it, or why it is not shared.
    pub reason: String,
    /// When it entered the share (while shared).
    pub since: Option<String>,
    /// When it left the share (if it was shared before).
    pub left_at: Option<String>,
}

/// The roster table behind a shared entity's JSON name.
fn table_of(entity: &str) -> Option<&'static str> {
    Some(match entity {
        "orgs" => "orgs",
        "academicSessions" => "academic_sessions",
        "courses" => "courses",
        "classes" => "classes",
        "users" => "users",
        "demographics" => "demographics",
        "enrollments" => "enrollments",
        _ => return None,
    })
}

impl Store {
    /// Explains why `sourced_id` of `entity` (orgs, academicSessions, courses, classes, users,
    /// enrollments, demographics) is or is not visible to the app.
    pub async fn explain_share(&self, app_id: i64, entity: &str, sourced_id: &str) -> Result<Explanation, StoreError> {
        let share = self.effective_share(app_id).await?;
        let Some(table) = table_of(entity) else {
            return Err(StoreError::Invalid(format!(
                "`{entity}` is not a shared entity; use orgs, academicSessions, courses, classes, users, enrollments or demographics"
            )));
        };
        let answer = |shared: bool, reason: String, since: Option<String>, left_at: Option<String>| Explanation {
            entity: entity.to_string(),
            sourced_id: sourced_id.to_string(),
            shared,
            reason,
            since,
            left_at,
        };

        let status: Option<String> = with_pool!(&self.db, pool => sqlx::query_scalar(
            &format!("SELECT status FROM {table} WHERE sourced_id = $1")).bind(sourced_id).fetch_optional(pool).await?);
        let Some(status) = status else {
            return Ok(answer(false, format!("there is no {entity} record `{sourced_id}` in the roster"), None, None));
        };

        if entity == "enrollments" {
            return self.explain_enrollment(app_id, &share, sourced_id, &status).await.map(|(shared, reason)| answer(shared, reason, None, None));
        }

        let member: Option<(String, String, Option<String>)> = with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT rule, since, left_at FROM share_members WHERE app_id = $1 AND entity = $2 AND sourced_id = $3")
            .bind(app_id).bind(entity).bind(sourced_id).fetch_optional(pool).await?);
        let left_at = match member {
            Some((rule, since, None)) => return Ok(answer(true, format!("shared by {rule}"), Some(since), None)),
            Some((_, _, left)) => left,
            None => None,
        };
        let reason = if status != "active" {
            "it is deleted in the roster (tobedeleted)".to_string()
        } else if share.is_empty() {
            "the app's share gives no classes (a new app shares nothing)".to_string()
        } else {
            match entity {
                "classes" => self.why_class_is_out(&share, sourced_id).await?,
                "users" => self.why_user_is_out(app_id, &share, sourced_id).await?,
                "demographics" if !share.demographics => "the share does not include demographics".into(),
                "demographics" => "its user is not shared".into(),
                _ => "no shared class, course or school refers to it".into(),
            }
        };
        Ok(answer(false, reason, None, left_at))
    }

    async fn why_class_is_out(&self, share: &Share, id: &str) -> Result<String, StoreError> {
        for (i, rule) in share.exclude.iter().enumerate() {
            let one = Share { include: vec![rule.clone()], roles: vec![], ..Default::default() };
            if self.class_matches(&one, id).await? {
                return Ok(format!("excluded by {}", rule.name("exclude", i)));
            }
        }
        Ok("no include rule matches it".into())
    }

    /// Whether the first class statement of `share` selects class `id`.
    async fn class_matches(&self, share: &Share, id: &str) -> Result<bool, StoreError> {
        let dialect = match self.db {
            crate::db::Db::Sqlite(_) => compute::Dialect::Sqlite,
            crate::db::Db::Postgres(_) => compute::Dialect::Postgres,
        };
        let Some(first) = compute::statements(share, dialect).into_iter().next() else { return Ok(false) };
        // The INSERT's SELECT part, narrowed to this class.
        let select = first.text.split_once(" SELECT ").map(|(_, s)| s).unwrap_or_default();
        let select = select.trim_end_matches(" ON CONFLICT DO NOTHING");
        let sql = format!("SELECT COUNT(*) FROM (SELECT {select} AND c.sourced_id = ${}) x", first.binds.len() + 1);
        let count: i64 = with_pool!(&self.db, pool => {
            let mut q = sqlx::query_scalar::<_, i64>(&sql);
            for b in &first.binds {
                q = q.bind(b);
            }
            q.bind(id).fetch_one(pool).await?
        });
        Ok(count > 0)
    }

    async fn why_user_is_out(&self, app_id: i64, share: &Share, id: &str) -> Result<String, StoreError> {
        // Enrolled in a shared class, but with a role the share does not give?
        let other: Option<(String, String)> = with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT e.role, e.class_sourced_id FROM enrollments e JOIN share_members m ON m.app_id = $2 \
             AND m.entity = 'classes' AND m.sourced_id = e.class_sourced_id AND m.left_at IS NULL \
             WHERE e.user_sourced_id = $1 AND e.status = 'active' ORDER BY e.class_sourced_id LIMIT 1")
            .bind(id).bind(app_id).fetch_optional(pool).await?);
        let roles: Vec<String> = share.roles.iter().map(|r| format!("{r:?}").to_lowercase()).collect();
        Ok(match other {
            Some((role, class)) => format!(
                "enrolled as {role} in shared class {class}, but the share gives only these roles: {}",
                roles.join(", ")
            ),
            None => format!("not enrolled in any shared class (the share gives these roles: {})", roles.join(", ")),
        })
    }

    async fn explain_enrollment(&self, app_id: i64, share: &Share, id: &str, status: &str) -> Result<(bool, String), StoreError> {
        if status != "active" {
            return Ok((false, "it is deleted in the roster (tobedeleted)".into()));
        }
        let (class, user, role): (String, String, String) = with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT COALESCE(class_sourced_id, ''), COALESCE(user_sourced_id, ''), COALESCE(role, '') FROM enrollments WHERE sourced_id = $1")
            .bind(id).fetch_one(pool).await?);
        let shared = |entity: &'static str, sid: String| async move {
            let n: i64 = with_pool!(&self.db, pool => sqlx::query_scalar(
                "SELECT COUNT(*) FROM share_members WHERE app_id = $1 AND entity = $2 AND sourced_id = $3 AND left_at IS NULL")
                .bind(app_id).bind(entity).bind(sid).fetch_one(pool).await?);
            Ok::<bool, StoreError>(n > 0)
        };
        if !shared("classes", class.clone()).await? {
            return Ok((false, format!("its class {class} is not shared")));
        }
        if !compute::enrollment_roles(share).contains(&role.as_str()) {
            return Ok((false, format!("the share does not give the role {role}")));
        }
        if !shared("users", user.clone()).await? {
            return Ok((false, format!("its user {user} is not shared")));
        }
        Ok((true, format!("its class {class} and its user {user} are shared")))
    }
}
