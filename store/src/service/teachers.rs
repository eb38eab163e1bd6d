//! Teacher accounts: an admin invites a teacher of the roster; the invitation is a single-use,
//! expiring link; the teacher sets a password with it and signs in like everyone else. The
//! account works only while the roster lists its user as an active teacher (checked on every
//! request by `Store::session_account`).

use oneroster::model::format_datetime;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::accounts::{normalize_email, Account};
use crate::{
    db::with_pool,
    delivery::rows,
    password,
    repo::accounts as repo,
    Store, StoreError,
};

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

/// What every unusable link gets: the same words whether it never existed, was used, expired or
/// was replaced, so that a link reveals nothing.
pub const INVALID_LINK: &str =
    "This invitation link does not work: it was used already, it has expired, or a newer invitation replaced it. Ask your district for a new one.";

/// A fresh invitation. `token` goes into the link and is available only now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Invitation {
    pub token: String,
    pub account: Account,
    /// When the link stops working (ms-Z text).
    pub expires_at: String,
}

/// What the invitation page shows before the password is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub email: String,
    pub display_name: String,
    pub expires_at: String,
}

/// One teacher of a school-wide invitation: invited, or why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchoolInvite {
    pub user_sourced_id: String,
    pub name: String,
    pub outcome: Result<Invitation, String>,
}

/// A teacher's console access as the admin sees it on the user's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TeacherAccess {
    /// No account yet.
    None,
    /// Invited; the link works until `expires_at`.
    Invited { expires_at: String },
    /// Invited, but the link expired at `expired_at` unused (invite again for a new one).
    Expired { expired_at: String },
    /// The teacher has set a password.
    Active { email: String, disabled: bool, last_sign_in_at: Option<String> },
}

fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Invites roster user `user` (an active teacher with an e-mail address) to the console:
    /// makes (or refreshes) their teacher account and a new link; older links stop working.
    #[tracing::instrument(skip_all)]
    pub async fn invite_teacher(&self, user: &str, invited_by: &str) -> Result<Invitation, StoreError> {
        let found = self
            .cells(
                &format!(
                    "SELECT {} FROM users u WHERE u.sourced_id = $1",
                    rows::columns(&["COALESCE(u.preferred_given_name, u.given_name, '') || ' ' || COALESCE(u.family_name, '')", "u.email"].map(String::from))
                ),
                &[user.to_string()],
                2,
            )
            .await?;
        let Some(row) = found.into_iter().next() else {
            return Err(StoreError::NotFound(format!("there is no user {user} in the roster")));
        };
        let name = row[0].trim().to_string();
        if !self.is_active_teacher(user).await? {
            return Err(StoreError::Invalid(format!("{name} ({user}) is not an active teacher in the roster, so cannot get a teacher account")));
        }
        if row[1].trim().is_empty() {
            return Err(StoreError::Invalid(format!("{name} ({user}) has no e-mail address in the roster; teachers sign in with it")));
        }
        let email = normalize_email(&row[1]).map_err(|_| {
            StoreError::Invalid(format!("the roster's e-mail address of {name} ({user}), `{}`, is not usable", row[1]))
        })?;
        let display_name = if name.is_empty() { email.clone() } else { name.clone() };
        let now = OffsetDateTime::now_utc();
        let taken = || StoreError::Conflict(format!("the e-mail address {email} of {name} ({user}) belongs to another Rollbook account already"));
        let account = match repo::by_user(&self.db, user).await? {
            Some(existing) => match repo::refresh_teacher(&self.db, existing.id, &email, &display_name, now).await {
                Ok(row) => row.ok_or_else(|| StoreError::NotFound(format!("the account of {user} was removed")))?,
                Err(e) if StoreError::is_unique_violation(&e) => return Err(taken()),
                Err(e) => return Err(e.into()),
            },
            None => match repo::insert_teacher(&self.db, &email, &display_name, user, now).await {
                Ok(row) => row,
                Err(e) if StoreError::is_unique_violation(&e) => return Err(taken()),
                Err(e) => return Err(e.into()),
            },
        };
        let token = super::apps::random_token(32);
        let created = format_datetime(now);
        let expires_at = format_datetime(now + Duration::days(INVITATION_DAYS));
        with_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE invitations SET replaced = TRUE WHERE account_id = $1 AND used_at IS NULL")
                .bind(account.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO invitations (account_id, token_hash, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(account.id)
                .bind(token_digest(&token))
                .bind(invited_by)
                .bind(&created)
                .bind(&expires_at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        let account: Account = account.try_into()?;
        self.record_audit(invited_by, "teacher.invite", &format!("user {user}"), &format!("{} <{}>, link valid until {expires_at}", account.display_name, account.email)).await?;
        Ok(Invitation { token, account, expires_at })
    }

    /// Invites every active teacher of school `school` who has no working account yet.
    pub async fn invite_school_teachers(&self, school: &str, invited_by: &str) -> Result<Vec<SchoolInvite>, StoreError> {
        let teachers = self
            .cells(
                &format!(
                    "SELECT DISTINCT {} FROM roles r JOIN users u ON u.sourced_id = r.user_sourced_id \
                     WHERE r.org_sourced_id = $1 AND r.role = 'teacher' AND r.status = 'active' AND u.status = 'active' \
                     ORDER BY c1, c0",
                    rows::columns(&["u.sourced_id", "COALESCE(u.preferred_given_name, u.given_name, '') || ' ' || COALESCE(u.family_name, '')"].map(String::from))
                ),
                &[school.to_string()],
                2,
            )
            .await?;
        if teachers.is_empty() {
            return Err(StoreError::NotFound(format!("the roster lists no active teachers at {school}")));
        }
        let mut out = Vec::new();
        for t in teachers {
            let (user, name) = (t[0].clone(), t[1].trim().to_string());
            let outcome = match repo::by_user(&self.db, &user).await? {
                Some(existing) if existing.password_hash != "!" => Err("has an account already".to_string()),
                // One teacher's failure must not lose the links already made for the others.
                _ => self.invite_teacher(&user, invited_by).await.map_err(|e| {
                    if !matches!(e, StoreError::Invalid(_) | StoreError::Conflict(_) | StoreError::NotFound(_)) {
                        tracing::error!(error = %e, "inviting one teacher of a school failed");
                    }
                    e.to_string()
                }),
            };
            out.push(SchoolInvite { user_sourced_id: user, name, outcome });
        }
        Ok(out)
    }

    /// The invitation behind `token`, while its link works.
    pub async fn invitation(&self, token: &str) -> Result<InvitationView, StoreError> {
        Ok(self.live_invitation(token).await?.1)
    }

    /// (account id, view) of the invitation behind `token`, while its link works.
    async fn live_invitation(&self, token: &str) -> Result<(i64, InvitationView), StoreError> {
        let now = format_datetime(OffsetDateTime::now_utc());
        let found = self
            .cells(
                &format!(
                    "SELECT {} FROM invitations i JOIN accounts a ON a.id = i.account_id \
                     WHERE i.token_hash = $1 AND i.used_at IS NULL AND NOT i.replaced AND i.expires_at > $2",
                    rows::columns(&["CAST(a.id AS TEXT)", "a.email", "a.display_name", "i.expires_at"].map(String::from))
                ),
                &[token_digest(token), now],
                4,
            )
            .await?;
        let row = found.into_iter().next().ok_or_else(|| StoreError::NotFound(INVALID_LINK.into()))?;
        let id = row[0].parse().map_err(|_| StoreError::Internal("invitation without an account id".into()))?;
        Ok((id, InvitationView { email: row[1].clone(), display_name: row[2].clone(), expires_at: row[3].clone() }))
    }

    /// Sets the password of the invited teacher and uses the link up (once: a second use, or
    /// two at the same moment, find it used). Every earlier session of the account ends.
    #[tracing::instrument(skip_all)]
    pub async fn accept_invitation(&self, token: &str, new_password: String) -> Result<Account, StoreError> {
        password::check_strength(&new_password).map_err(|e| StoreError::InvalidField { field: "password", message: e.to_string() })?;
        let (account_id, _) = self.live_invitation(token).await?;
        let row = repo::by_id(&self.db, account_id).await?.ok_or_else(|| StoreError::NotFound(INVALID_LINK.into()))?;
        if row.user_sourced_id.is_none() || row.role != "teacher" {
            return Err(StoreError::NotFound(INVALID_LINK.into()));
        }
        if row.disabled {
            return Err(StoreError::Invalid("this account is disabled; ask your district".into()));
        }
        let user = row.user_sourced_id.clone().unwrap_or_default();
        if !self.is_active_teacher(&user).await? {
            return Err(StoreError::Invalid("the roster no longer lists you as an active teacher; ask your district".into()));
        }
        let hash = password::hash(new_password).await?;
        let now = OffsetDateTime::now_utc();
        let stamp = format_datetime(now);
        let used = with_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let claimed = sqlx::query(
                "UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND NOT replaced AND expires_at > $1",
            )
            .bind(&stamp)
            .bind(token_digest(token))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 1 {
                // Any other link of the account (one made in the same moment) stops working too.
                sqlx::query("UPDATE invitations SET replaced = TRUE WHERE account_id = $1 AND used_at IS NULL")
                    .bind(row.id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("UPDATE accounts SET password_hash = $1, session_epoch = session_epoch + 1, updated_at = $2 WHERE id = $3")
                    .bind(&hash)
                    .bind(now)
                    .bind(row.id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            claimed == 1
        });
        if !used {
            return Err(StoreError::NotFound(INVALID_LINK.into()));
        }
        let account: Account = repo::by_id(&self.db, row.id).await?.ok_or_else(|| StoreError::NotFound(INVALID_LINK.into()))?.try_into()?;
        self.record_audit(&account.email, "teacher.accept", &format!("user {user}"), "set a password with an invitation").await?;
        Ok(account)
    }

    /// The console access of roster user `user`.
    pub async fn teacher_access(&self, user: &str) -> Result<TeacherAccess, StoreError> {
        let Some(row) = repo::by_user(&self.db, user).await? else { return Ok(TeacherAccess::None) };
        if row.password_hash != "!" {
            return Ok(TeacherAccess::Active {
                email: row.email,
                disabled: row.disabled,
                last_sign_in_at: row.last_sign_in_at.map(format_datetime),
            });
        }
        let now = format_datetime(OffsetDateTime::now_utc());
        let pending = self
            .cells(
                &format!(
                    "SELECT {} FROM invitations i WHERE i.account_id = CAST($1 AS BIGINT) AND i.used_at IS NULL \
                     AND NOT i.replaced AND i.expires_at > $2",
                    rows::columns(&["i.expires_at".to_string()])
                ),
                &[row.id.to_string(), now],
                1,
            )
            .await?;
        if let Some(r) = pending.into_iter().next() {
            return Ok(TeacherAccess::Invited { expires_at: r[0].clone() });
        }
        // The latest link, if it ran out unused: the admin should know to send a new one.
        let lapsed = self
            .cells(
                &format!(
                    "SELECT {} FROM invitations i WHERE i.account_id = CAST($1 AS BIGINT) AND i.used_at IS NULL \
                     AND NOT i.replaced ORDER BY i.expires_at DESC LIMIT 1",
                    rows::columns(&["i.expires_at".to_string()])
                ),
                &[row.id.to_string()],
                1,
            )
            .await?;
        Ok(match lapsed.into_iter().next() {
            Some(r) => TeacherAccess::Expired { expired_at: r[0].clone() },
            None => TeacherAccess::None,
        })
    }
}
