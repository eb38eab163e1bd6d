//! Teacher-approved sharing: an admin may let teachers share their own classes with an app.
//! Each class a teacher switches on is a grant; while the app allows it and the teacher still
//! teaches the class, the grant counts as an include rule of the app's share (one rule per
//! teacher, labelled with their name, so "why" names the teacher). The share's roles and field
//! rules stay the admin's: that is the fixed field set a grant shares with. Switching a class
//! off recomputes the share, so the records leave it and deltas report them as tobedeleted.

use oneroster::model::format_datetime;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{rules::SENSITIVE, ClassRule, PersonRole, RefreshCounts, Share, ShareTx};
use crate::{db::with_pool, delivery::rows, service::accounts::{Account, Role}, Store, StoreError};

/// One class a teacher shares with an app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherGrant {
    pub app_id: i64,
    pub class_sourced_id: String,
    pub class_title: String,
    pub user_sourced_id: String,
    pub teacher_name: String,
    pub granted_at: String,
    /// False while the app does not allow teacher sharing or the teacher no longer teaches
    /// the class (the grant then gives nothing).
    pub applies: bool,
}

/// The grant rules of `app_id` (one per teacher), read inside the share's transaction.
pub(super) async fn grant_rules(tx: &mut ShareTx, app_id: i64) -> Result<Vec<ClassRule>, StoreError> {
    let rows: Vec<(String, String, String)> = on_tx!(tx, t => sqlx::query_as(
        "SELECT g.user_sourced_id, g.teacher_name, g.class_sourced_id FROM teacher_grants g JOIN apps a ON a.id = g.app_id \
         WHERE g.app_id = $1 AND a.teacher_sharing \
         AND EXISTS (SELECT 1 FROM accounts t WHERE t.user_sourced_id = g.user_sourced_id AND NOT t.disabled) \
         AND EXISTS (SELECT 1 FROM enrollments e \
           WHERE e.class_sourced_id = g.class_sourced_id AND e.user_sourced_id = g.user_sourced_id \
           AND e.status = 'active' AND e.role = 'teacher') \
         ORDER BY g.user_sourced_id, g.class_sourced_id")
        .bind(app_id).fetch_all(&mut **t).await?);
    let mut rules: Vec<(String, ClassRule)> = Vec::new();
    for (user, name, class) in rows {
        match rules.last_mut() {
            Some((u, rule)) if *u == user => rule.classes.push(class),
            _ => rules.push((
                user.clone(),
                ClassRule { label: Some(format!("{name}'s teacher grant ({user})")), classes: vec![class], ..Default::default() },
            )),
        }
    }
    Ok(rules.into_iter().map(|(_, r)| r).collect())
}

/// `share` with the app's teacher grants added as include rules.
pub(super) async fn with_grants(tx: &mut ShareTx, app_id: i64, share: &Share) -> Result<Share, StoreError> {
    let mut effective = share.clone();
    effective.include.extend(grant_rules(tx, app_id).await?);
    Ok(effective)
}

impl Store {
    /// The share as it applies: the admin's rules plus the teacher grants in force.
    pub async fn effective_share(&self, app_id: i64) -> Result<Share, StoreError> {
        let share = self.share(app_id).await?;
        let mut tx = ShareTx::begin(&self.db).await?;
        let effective = with_grants(&mut tx, app_id, &share).await;
        tx.rollback().await?;
        effective
    }

    /// Whether teachers may share their own classes with the app.
    pub async fn teacher_sharing(&self, app_id: i64) -> Result<bool, StoreError> {
        self.app(app_id).await?;
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar::<_, bool>("SELECT teacher_sharing FROM apps WHERE id = $1")
            .bind(app_id).fetch_one(pool).await)?)
    }

    /// Lets teachers share their own classes with the app, or stops it (their grants then give
    /// nothing, and the records leave the share). An app whose share was never set gets the
    /// careful default first: students and teachers, the sensitive fields withheld.
    pub async fn set_teacher_sharing(&self, app_id: i64, allowed: bool, actor: &str) -> Result<RefreshCounts, StoreError> {
        let app = self.app(app_id).await?;
        with_pool!(&self.db, pool => sqlx::query("UPDATE apps SET teacher_sharing = $1 WHERE id = $2")
            .bind(allowed).bind(app_id).execute(pool).await.map(|_| ()))?;
        // Stopping withdraws every grant: allowing it again later must not share a class again
        // without its teacher switching it on anew.
        let withdrawn = if allowed {
            0
        } else {
            with_pool!(&self.db, pool => sqlx::query("DELETE FROM teacher_grants WHERE app_id = $1")
                .bind(app_id).execute(pool).await.map(|r| r.rows_affected()))?
        };
        let stored: Option<String> = with_pool!(&self.db, pool => sqlx::query_scalar("SELECT rules FROM app_shares WHERE app_id = $1")
            .bind(app_id).fetch_optional(pool).await)?;
        let counts = match stored {
            Some(_) => self.refresh_app(app_id).await?,
            None => {
                let careful = Share {
                    roles: vec![PersonRole::Student, PersonRole::Teacher],
                    withhold: SENSITIVE.iter().filter(|f| f.starts_with("users.")).map(|f| f.to_string()).collect(),
                    ..Default::default()
                };
                self.set_share(app_id, &careful, actor).await?
            }
        };
        let detail = if allowed {
            "teachers may share their own classes".to_string()
        } else {
            format!("teachers may no longer share their classes ({withdrawn} teacher grant(s) withdrawn)")
        };
        self.record_audit(actor, "app.teacher_sharing", &format!("app {app_id}"), &format!("{}: {detail}", app.name)).await?;
        Ok(counts)
    }

    /// Every grant of the app, in force or not.
    pub async fn teacher_grants(&self, app_id: i64) -> Result<Vec<TeacherGrant>, StoreError> {
        self.grants_where("g.app_id = CAST($1 AS BIGINT)", &[app_id.to_string()]).await
    }

    async fn grants_where(&self, condition: &str, binds: &[String]) -> Result<Vec<TeacherGrant>, StoreError> {
        let sql = format!(
            "SELECT {} FROM teacher_grants g JOIN apps a ON a.id = g.app_id LEFT JOIN classes c ON c.sourced_id = g.class_sourced_id \
             WHERE {condition} ORDER BY g.teacher_name, g.class_sourced_id",
            rows::columns(&[
                "CAST(g.app_id AS TEXT)", "g.class_sourced_id", "COALESCE(c.title, '')", "g.user_sourced_id", "g.teacher_name",
                "g.granted_at",
                "CASE WHEN a.teacher_sharing AND EXISTS (SELECT 1 FROM enrollments e WHERE e.class_sourced_id = g.class_sourced_id \
                 AND e.user_sourced_id = g.user_sourced_id AND e.status = 'active' AND e.role = 'teacher') \
                 AND EXISTS (SELECT 1 FROM accounts t WHERE t.user_sourced_id = g.user_sourced_id AND NOT t.disabled) THEN 'yes' ELSE 'no' END",
            ].map(String::from))
        );
        Ok(self
            .cells(&sql, binds, 7)
            .await?
            .into_iter()
            .map(|r| TeacherGrant {
                app_id: r[0].parse().unwrap_or_default(),
                class_sourced_id: r[1].clone(),
                class_title: r[2].clone(),
                user_sourced_id: r[3].clone(),
                teacher_name: r[4].clone(),
                granted_at: r[5].clone(),
                applies: r[6] == "yes",
            })
            .collect())
    }

    /// The grants a teacher made, over every app.
    pub async fn grants_of_teacher(&self, user: &str) -> Result<Vec<TeacherGrant>, StoreError> {
        self.grants_where("g.user_sourced_id = $1", &[user.to_string()]).await
    }

    /// A teacher switches `app_id` on (`on`) or off for one of their own classes.
    pub async fn set_class_grant(&self, account: &Account, app_id: i64, class: &str, on: bool) -> Result<RefreshCounts, StoreError> {
        let (Role::Teacher, Some(user)) = (account.role, account.user_sourced_id.clone()) else {
            return Err(StoreError::Invalid("only teachers switch apps on for their classes".into()));
        };
        let app = self.app(app_id).await?;
        // Switching on needs the district's permission; switching off never does.
        if on && (!self.teacher_sharing(app_id).await? || !app.enabled) {
            return Err(StoreError::Invalid(format!("{} is not an app teachers may share their classes with", app.name)));
        }
        if self.class_for_teacher(&user, class, OffsetDateTime::now_utc().date()).await?.is_none() {
            return Err(StoreError::NotFound(format!("{class} is not one of your classes")));
        }
        let existing = self.grants_where("g.app_id = CAST($1 AS BIGINT) AND g.class_sourced_id = $2", &[app_id.to_string(), class.to_string()]).await?;
        if let Some(g) = existing.first().filter(|g| g.user_sourced_id != user) {
            // A co-teacher's grant in force is theirs to withdraw; one that no longer applies
            // (they left the class, or their account is off) may be taken over.
            if g.applies {
                return Err(StoreError::Conflict(format!(
                    "{} switched {} on for this class; they or the district can switch it off", g.teacher_name, app.name
                )));
            }
            self.delete_grant(app_id, class).await?;
        }
        let mine = existing.iter().any(|g| g.user_sourced_id == user);
        if on {
            if mine {
                return Ok(RefreshCounts::default());
            }
            let now = format_datetime(OffsetDateTime::now_utc());
            with_pool!(&self.db, pool => sqlx::query(
                "INSERT INTO teacher_grants (app_id, class_sourced_id, user_sourced_id, teacher_name, granted_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (app_id, class_sourced_id) DO NOTHING")
                .bind(app_id).bind(class).bind(&user).bind(&account.display_name).bind(&now).execute(pool).await.map(|_| ()))?;
        } else {
            if !mine {
                return Ok(RefreshCounts::default());
            }
            self.delete_grant(app_id, class).await?;
        }
        let counts = self.refresh_app(app_id).await?;
        let (action, verb) = if on { ("share.teacher_grant", "shared") } else { ("share.teacher_revoke", "stopped sharing") };
        self.record_audit(&account.email, action, &format!("app {app_id}"), &format!("{verb} class {class} with {} (+{} -{} records)", app.name, counts.entered, counts.left)).await?;
        Ok(counts)
    }

    /// An admin withdraws a teacher's grant.
    pub async fn revoke_grant(&self, app_id: i64, class: &str, actor: &str) -> Result<RefreshCounts, StoreError> {
        let app = self.app(app_id).await?;
        let existing = self.grants_where("g.app_id = CAST($1 AS BIGINT) AND g.class_sourced_id = $2", &[app_id.to_string(), class.to_string()]).await?;
        let Some(grant) = existing.into_iter().next() else {
            return Err(StoreError::NotFound(format!("{} has no teacher grant for class {class}", app.name)));
        };
        self.delete_grant(app_id, class).await?;
        let counts = self.refresh_app(app_id).await?;
        self.record_audit(actor, "share.teacher_revoke", &format!("app {app_id}"), &format!("withdrew {}'s grant of class {class} ({} records left)", grant.teacher_name, counts.left)).await?;
        Ok(counts)
    }

    async fn delete_grant(&self, app_id: i64, class: &str) -> Result<(), StoreError> {
        with_pool!(&self.db, pool => sqlx::query("DELETE FROM teacher_grants WHERE app_id = $1 AND class_sourced_id = $2")
            .bind(app_id).bind(class).execute(pool).await.map(|_| ()))?;
        Ok(())
    }
}

/// One of a teacher's classes as it stands with one app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherAppClass {
    pub class_sourced_id: String,
    pub title: String,
    /// The app receives the class now (by the district's rules or a grant).
    pub shared: bool,
    /// This teacher's grant switched it on.
    pub granted: bool,
}

/// An app as a teacher sees it: which of their classes it receives, with which fields, and
/// whether they may switch it on themselves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherApp {
    pub app_id: i64,
    pub name: String,
    pub teacher_sharing: bool,
    /// User fields the app does not get.
    pub withheld: Vec<String>,
    pub demographics: bool,
    pub classes: Vec<TeacherAppClass>,
}

impl Store {
    /// The enabled apps that receive some class of `user` or that teachers may share with,
    /// each with the teacher's classes (of `today`'s view: current and upcoming first).
    pub async fn apps_for_teacher(&self, user: &str, today: time::Date) -> Result<Vec<TeacherApp>, StoreError> {
        let classes = self.teacher_classes(user, today).await?;
        let mut out = Vec::new();
        for app in self.apps().await?.into_iter().filter(|a| a.enabled) {
            let teacher_sharing = self.teacher_sharing(app.id).await?;
            let mut rows = Vec::new();
            for class in &classes {
                let shared = !self
                    .cells(
                        &format!(
                            "SELECT {} FROM share_members m WHERE m.app_id = CAST($1 AS BIGINT) AND m.entity = 'classes' \
                             AND m.sourced_id = $2 AND m.left_at IS NULL",
                            rows::columns(&["m.sourced_id".to_string()])
                        ),
                        &[app.id.to_string(), class.sourced_id.clone()],
                        1,
                    )
                    .await?
                    .is_empty();
                let granted = !self
                    .cells(
                        &format!(
                            "SELECT {} FROM teacher_grants g WHERE g.app_id = CAST($1 AS BIGINT) AND g.class_sourced_id = $2 AND g.user_sourced_id = $3",
                            rows::columns(&["g.class_sourced_id".to_string()])
                        ),
                        &[app.id.to_string(), class.sourced_id.clone(), user.to_string()],
                        1,
                    )
                    .await?
                    .is_empty();
                rows.push(TeacherAppClass { class_sourced_id: class.sourced_id.clone(), title: class.title.clone(), shared, granted });
            }
            if !teacher_sharing && !rows.iter().any(|r| r.shared) {
                continue;
            }
            let share = self.share(app.id).await?;
            out.push(TeacherApp {
                app_id: app.id,
                name: app.name,
                teacher_sharing,
                withheld: share.withhold.iter().filter_map(|f| f.strip_prefix("users.")).map(str::to_string).collect(),
                demographics: share.demographics,
                classes: rows,
            });
        }
        Ok(out)
    }
}
