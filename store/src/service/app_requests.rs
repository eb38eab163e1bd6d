//! App requests: a teacher asks the district for an app for their classes — one the district
//! has registered, or a new one by name and web address — with a reason. Admins approve
//! (then create the app or extend its share, with the usual impact preview) or deny with a
//! reason the teacher sees.

use oneroster::model::format_datetime;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::accounts::{Account, Role};
use crate::{db::with_pool, delivery::rows, Store, StoreError};

/// What a teacher asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAppRequest {
    /// A registered app, or `None` for a new one (then `name` and `web_address` say which).
    pub app_id: Option<i64>,
    pub name: String,
    pub web_address: String,
    pub reason: String,
    /// The teacher's classes it is for (sourcedIds); empty for all of them.
    pub classes: Vec<String>,
}

/// A request as both sides see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRequest {
    pub id: i64,
    pub teacher: String,
    pub teacher_email: String,
    pub app_id: Option<i64>,
    pub app_name: String,
    pub web_address: String,
    pub reason: String,
    pub classes: Vec<String>,
    pub requested_at: String,
    /// `open`, `approved` or `denied`.
    pub status: String,
    pub decided_by: String,
    pub decided_at: String,
    pub decision: String,
}

fn field(field: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::InvalidField { field, message: message.into() }
}

const COLUMNS: [&str; 13] = [
    "CAST(q.id AS TEXT)", "a.display_name", "a.email", "CAST(q.app_id AS TEXT)", "q.app_name", "q.web_address", "q.reason", "q.classes",
    "q.requested_at", "q.status", "q.decided_by", "q.decided_at", "q.decision",
];

impl Store {
    /// Files a teacher's request. Every class named must be one of theirs.
    pub async fn request_app(&self, account: &Account, new: NewAppRequest) -> Result<AppRequest, StoreError> {
        let (Role::Teacher, Some(user)) = (account.role, account.user_sourced_id.as_deref()) else {
            return Err(StoreError::Invalid("only teachers request apps for their classes".into()));
        };
        let reason = new.reason.trim().to_string();
        if reason.is_empty() {
            return Err(field("reason", "say what the app is for"));
        }
        if reason.chars().count() > 2000 {
            return Err(field("reason", "the reason is too long (at most 2000 characters)"));
        }
        let (app_id, name, web_address) = match new.app_id {
            Some(id) => {
                let app = self.app(id).await.map_err(|_| field("app", "choose an app from the list"))?;
                (Some(id), app.name, String::new())
            }
            None => {
                let name = new.name.trim().to_string();
                let address = new.web_address.trim().to_string();
                if name.is_empty() || name.chars().count() > 200 {
                    return Err(field("name", "name the app (at most 200 characters)"));
                }
                let parsed = url::Url::parse(&address).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
                if parsed.is_none() || address.len() > 500 {
                    return Err(field("web_address", format!("`{address}` is not a web address; give one like https://app.example")));
                }
                (None, name, address)
            }
        };
        let today = OffsetDateTime::now_utc().date();
        let mut classes: Vec<String> = Vec::new();
        for class in &new.classes {
            if self.class_for_teacher(user, class, today).await?.is_none() {
                return Err(field("classes", format!("{class} is not one of your classes")));
            }
            if !classes.contains(class) {
                classes.push(class.clone());
            }
        }
        // "All my classes" is the classes they have now, so that an approval can add exactly those.
        if classes.is_empty() {
            classes = self.teacher_classes(user, today).await?.into_iter().map(|c| c.sourced_id).collect();
        }
        // The same request sent again while it is open (a double click, a resent form) is that
        // request, not a second one in the admins' queue.
        let same: Option<i64> = with_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT id FROM app_requests WHERE account_id = $1 AND COALESCE(app_id, 0) = $2 AND app_name = $3 \
             AND web_address = $4 AND reason = $5 AND classes = $6 AND status = 'open' ORDER BY id LIMIT 1")
            .bind(account.id).bind(app_id.unwrap_or(0)).bind(&name).bind(&web_address).bind(&reason).bind(classes.join(","))
            .fetch_optional(pool).await)?;
        if let Some(id) = same {
            return self.app_request(id).await;
        }
        let at = format_datetime(OffsetDateTime::now_utc());
        let id: i64 = with_pool!(&self.db, pool => sqlx::query_scalar(
            "INSERT INTO app_requests (account_id, app_id, app_name, web_address, reason, classes, requested_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(account.id).bind(app_id).bind(&name).bind(&web_address).bind(&reason).bind(classes.join(","))
            .bind(&at).fetch_one(pool).await)?;
        self.record_audit(&account.email, "app_request.create", &format!("app request {id}"), &format!("{name}: {reason}")).await?;
        self.app_request(id).await
    }

    async fn requests_where(&self, condition: &str, binds: &[String]) -> Result<Vec<AppRequest>, StoreError> {
        let sql = format!(
            "SELECT {} FROM app_requests q JOIN accounts a ON a.id = q.account_id WHERE {condition} ORDER BY q.id DESC LIMIT 500",
            rows::columns(&COLUMNS.map(String::from))
        );
        Ok(self
            .cells(&sql, binds, COLUMNS.len())
            .await?
            .into_iter()
            .map(|r| AppRequest {
                id: r[0].parse().unwrap_or_default(),
                teacher: r[1].clone(),
                teacher_email: r[2].clone(),
                app_id: r[3].parse().ok(),
                app_name: r[4].clone(),
                web_address: r[5].clone(),
                reason: r[6].clone(),
                classes: r[7].split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
                requested_at: r[8].clone(),
                status: r[9].clone(),
                decided_by: r[10].clone(),
                decided_at: r[11].clone(),
                decision: r[12].clone(),
            })
            .collect())
    }

    /// One request.
    pub async fn app_request(&self, id: i64) -> Result<AppRequest, StoreError> {
        self.requests_where("q.id = CAST($1 AS BIGINT)", &[id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("there is no app request {id}")))
    }

    /// The requests of one teacher account, newest first.
    pub async fn my_app_requests(&self, account: &Account) -> Result<Vec<AppRequest>, StoreError> {
        self.requests_where("q.account_id = CAST($1 AS BIGINT)", &[account.id.to_string()]).await
    }

    /// The admins' queue: open requests, or all.
    pub async fn app_requests(&self, open_only: bool) -> Result<Vec<AppRequest>, StoreError> {
        self.requests_where(if open_only { "q.status = 'open'" } else { "1 = 1" }, &[]).await
    }

    /// How many requests wait for an admin.
    pub async fn open_app_request_count(&self) -> Result<i64, StoreError> {
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM app_requests WHERE status = 'open'").fetch_one(pool).await)?)
    }

    /// Approves or denies an open request; a denial needs a reason (the teacher sees it).
    pub async fn decide_app_request(&self, id: i64, by: &str, approve: bool, note: &str) -> Result<AppRequest, StoreError> {
        let note = note.trim();
        if !approve && note.is_empty() {
            return Err(field("decision", "say why the request is denied: the teacher sees it"));
        }
        if note.chars().count() > 2000 {
            return Err(field("decision", "this is too long (at most 2000 characters)"));
        }
        let status = if approve { "approved" } else { "denied" };
        let at = format_datetime(OffsetDateTime::now_utc());
        let done = with_pool!(&self.db, pool => sqlx::query(
            "UPDATE app_requests SET status = $1, decided_by = $2, decided_at = $3, decision = $4 WHERE id = $5 AND status = 'open'")
            .bind(status).bind(by).bind(&at).bind(note).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
        if done == 0 {
            let request = self.app_request(id).await?;
            return Err(StoreError::Conflict(format!("app request {id} was {} already by {}", request.status, request.decided_by)));
        }
        let action = if approve { "app_request.approve" } else { "app_request.deny" };
        let request = self.app_request(id).await?;
        self.record_audit(by, action, &format!("app request {id}"), &format!("{}: {note}", request.app_name)).await?;
        Ok(request)
    }
}
