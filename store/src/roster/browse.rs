//! Reading the roster for people: the organization tree, class search.

use serde::{Deserialize, Serialize};

use crate::{db::with_pool, Store, StoreError};

/// An active organization, for trees and pickers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgNode {
    pub sourced_id: String,
    pub name: String,
    /// `district`, `school`, ...
    pub org_type: String,
    pub parent: Option<String>,
}

/// An active class found by search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassHit {
    pub sourced_id: String,
    pub title: String,
    pub school: String,
    pub class_type: String,
}

impl Store {
    /// Every active organization, districts first, then by name.
    pub async fn org_tree(&self) -> Result<Vec<OrgNode>, StoreError> {
        type Row = (String, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT sourced_id, name, type, parent_sourced_id FROM orgs WHERE status = 'active' \
             ORDER BY CASE type WHEN 'national' THEN 0 WHEN 'state' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, name, sourced_id")
            .fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(sourced_id, name, org_type, parent)| OrgNode {
                name: name.unwrap_or_else(|| sourced_id.clone()),
                sourced_id,
                org_type: org_type.unwrap_or_default(),
                parent,
            })
            .collect())
    }

    /// Active users holding an active student role.
    pub async fn active_students(&self) -> Result<i64, StoreError> {
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM users u WHERE u.status = 'active' AND EXISTS (SELECT 1 FROM roles r \
             WHERE r.user_sourced_id = u.sourced_id AND r.status = 'active' AND r.role = 'student')")
            .fetch_one(pool).await?))
    }

    /// Active classes whose title, class code or sourcedId contains `text` (case-insensitive),
    /// by title; at most `limit` (1..=200).
    pub async fn search_classes(&self, text: &str, limit: i64) -> Result<Vec<ClassHit>, StoreError> {
        let pattern = format!("%{}%", crate::service::audit::escape_like(&text.trim().to_lowercase()));
        type Row = (String, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT c.sourced_id, c.title, o.name, c.class_type FROM classes c \
             LEFT JOIN orgs o ON o.sourced_id = c.school_sourced_id \
             WHERE c.status = 'active' AND (LOWER(c.title) LIKE $1 ESCAPE '\\' OR LOWER(c.class_code) LIKE $1 ESCAPE '\\' \
                OR LOWER(c.sourced_id) LIKE $1 ESCAPE '\\') \
             ORDER BY c.title, c.sourced_id LIMIT $2")
            .bind(&pattern).bind(limit.clamp(1, 200)).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(sourced_id, title, school, class_type)| ClassHit {
                title: title.unwrap_or_default(),
                school: school.unwrap_or_default(),
                class_type: class_type.unwrap_or_default(),
                sourced_id,
            })
            .collect())
    }
}
