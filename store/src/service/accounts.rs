//! Console accounts: creation, password changes, sign-in with throttling, session checks.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::OnceCell;

use crate::{
    password,
    repo::{
        accounts::{self as repo, AccountRow, InsertAccount},
        sign_in_failures,
    },
    Store, StoreError,
};

pub use super::throttle::ThrottlePolicy;

/// The session key under which a signed-in console session stores its [`SessionAuth`].
pub const SESSION_AUTH_KEY: &str = "rollbook.auth";

/// What a console session remembers about who signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAuth {
    pub account_id: i64,
    /// The account's session epoch at sign-in; a password change bumps it and ends the session.
    pub epoch: i64,
}

/// What an account may do in the console.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    DistrictAdmin,
    /// Read-only, including the audit log.
    Auditor,
    /// A teacher of the roster: only their own classes (see `service::teachers`).
    Teacher,
}

impl Role {
    /// The stored and CLI spelling (`district_admin`, `auditor`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::DistrictAdmin => "district_admin",
            Role::Auditor => "auditor",
            Role::Teacher => "teacher",
        }
    }

    /// Whether the account is district staff (admin or auditor), who see the whole console;
    /// teachers see only their own classes.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::DistrictAdmin | Role::Auditor)
    }

    /// A label for people ("District admin").
    pub fn label(self) -> &'static str {
        match self {
            Role::DistrictAdmin => "District admin",
            Role::Auditor => "Auditor",
            Role::Teacher => "Teacher",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "district_admin" => Ok(Role::DistrictAdmin),
            "auditor" => Ok(Role::Auditor),
            "teacher" => Ok(Role::Teacher),
            other => Err(StoreError::Invalid(format!(
                "`{other}` is not a role; expected district_admin or auditor"
            ))),
        }
    }
}

/// A console account as the rest of Rollbook sees it (never with its password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sign_in_at: Option<OffsetDateTime>,
    #[serde(skip)]
    pub session_epoch: i64,
    /// The roster user (sourcedId) of a teacher account.
    pub user_sourced_id: Option<String>,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(row: AccountRow) -> Result<Self, StoreError> {
        Ok(Account {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            role: row.role.parse()?,
            disabled: row.disabled,
            created_at: row.created_at,
            updated_at: row.updated_at,
            last_sign_in_at: row.last_sign_in_at,
            session_epoch: row.session_epoch,
            user_sourced_id: row.user_sourced_id,
        })
    }
}

/// Input for [`Store::create_account`].
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub email: String,
    /// Shown in the console; defaults to the part of the e-mail before `@`.
    pub display_name: Option<String>,
    pub role: Role,
    pub password: String,
}

/// Why a sign-in was refused. The two variants a person sees never say whether the e-mail exists.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("The e-mail address or password is incorrect.")]
    InvalidCredentials,
    #[error("Too many failed sign-in attempts. Wait {retry_after_secs} seconds, then try again.")]
    Throttled { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Store(e.into())
    }
}

/// Trims and lower-cases an e-mail address and checks its basic shape.
pub fn normalize_email(email: &str) -> Result<String, StoreError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@'));
    if valid {
        Ok(email)
    } else {
        Err(StoreError::InvalidField { field: "email", message: format!("`{email}` is not an e-mail address") })
    }
}

// A hash to verify against when the e-mail is unknown, so that unknown and known addresses
// take the same time to refuse.
static DUMMY_HASH: OnceCell<String> = OnceCell::const_new();

impl Store {
    /// Creates an account. Fails with [`StoreError::Conflict`] when the e-mail is taken.
    #[tracing::instrument(skip_all, fields(role = new.role.as_str()))]
    pub async fn create_account(&self, new: NewAccount) -> Result<Account, StoreError> {
        if new.role == Role::Teacher {
            return Err(StoreError::InvalidField {
                field: "role",
                message: "teacher accounts come from the roster: invite the teacher instead".into(),
            });
        }
        let email = normalize_email(&new.email)?;
        password::check_strength(&new.password)?;
        let display_name = display_name_or_default(new.display_name.as_deref(), &email)?;
        let hash = password::hash(new.password).await?;
        let insert = InsertAccount {
            email: &email,
            display_name: &display_name,
            role: new.role.as_str(),
            password_hash: &hash,
            now: OffsetDateTime::now_utc(),
        };
        match repo::insert(&self.db, insert).await {
            Ok(row) => row.try_into(),
            Err(e) if StoreError::is_unique_violation(&e) => {
                Err(StoreError::Conflict(format!("an account for {email} exists already")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// On a database without accounts, creates a district admin with a generated password and
    /// returns it with that password (the only time it is ever available). Returns `None` when
    /// any account exists, also when another process created the first one a moment earlier.
    pub async fn create_first_admin(&self, email: &str) -> Result<Option<(Account, String)>, StoreError> {
        // Checked first so that a normal start does not pay for hashing a password.
        if repo::any(&self.db).await? {
            return Ok(None);
        }
        let email = normalize_email(email)?;
        let display_name = display_name_or_default(None, &email)?;
        let generated = password::generate();
        let hash = password::hash(generated.clone()).await?;
        let insert = InsertAccount {
            email: &email,
            display_name: &display_name,
            role: Role::DistrictAdmin.as_str(),
            password_hash: &hash,
            now: OffsetDateTime::now_utc(),
        };
        match repo::insert_if_none(&self.db, insert).await? {
            Some(row) => Ok(Some((row.try_into()?, generated))),
            None => Ok(None),
        }
    }

    /// Every account, ordered by e-mail.
    pub async fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
        repo::list(&self.db).await?.into_iter().map(Account::try_from).collect()
    }

    /// The account with this e-mail (case-insensitive), if any.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let email = normalize_email(email)?;
        repo::by_email(&self.db, &email).await?.map(Account::try_from).transpose()
    }

    /// Sets a new password, ends every session of the account and lifts its sign-in throttle.
    #[tracing::instrument(skip_all)]
    pub async fn reset_password(&self, email: &str, new_password: String) -> Result<Account, StoreError> {
        let email = normalize_email(email)?;
        password::check_strength(&new_password)?;
        let row = repo::by_email(&self.db, &email)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no account for {email}")))?;
        let hash = password::hash(new_password).await?;
        let row = repo::set_password(&self.db, row.id, &hash, OffsetDateTime::now_utc())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no account for {email}")))?;
        sign_in_failures::clear(&self.db, &account_subject(&email)).await?;
        row.try_into()
    }

    /// Disables or re-enables an account. A disabled account cannot sign in and its sessions stop
    /// working at their next request.
    pub async fn set_account_disabled(&self, email: &str, disabled: bool) -> Result<Account, StoreError> {
        let email = normalize_email(email)?;
        let row = repo::by_email(&self.db, &email)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no account for {email}")))?;
        repo::set_disabled(&self.db, row.id, disabled, OffsetDateTime::now_utc())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no account for {email}")))?
            .try_into()
    }

    /// Checks an e-mail and password for the console.
    ///
    /// Unknown e-mail, wrong password and disabled account all give
    /// [`AuthError::InvalidCredentials`] after the same amount of work. After repeated failures
    /// for the e-mail or for `address`, attempts are refused with [`AuthError::Throttled`]
    /// without checking the password at all.
    #[tracing::instrument(skip_all)]
    pub async fn authenticate(
        &self,
        email: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<(Account, SessionAuth), AuthError> {
        // A malformed e-mail is just another wrong e-mail: same message, same throttling.
        let email = normalize_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
        let now = OffsetDateTime::now_utc();
        let subjects = subjects(&self.throttle, &email, address);

        // Every attempt is recorded as a failure first and judged by the failures recorded
        // before it, so that parallel guesses see each other; a throttled attempt is then
        // forgotten again (waiting must end), and a success takes its record back.
        let forget_before = now - self.throttle.window;
        let mut attempts = Vec::with_capacity(subjects.len());
        for (subject, _) in &subjects {
            attempts.push(sign_in_failures::record(&self.db, subject, now, forget_before).await?);
        }
        let mut wait = None;
        for ((subject, free), id) in subjects.iter().zip(&attempts) {
            let prior = sign_in_failures::times_before(&self.db, subject, *id).await?;
            wait = wait.max(self.throttle.wait(&prior, *free, now));
        }
        if let Some(retry_after_secs) = wait {
            for id in &attempts {
                sign_in_failures::delete(&self.db, *id).await?;
            }
            tracing::warn!(retry_after_secs, "sign-in throttled");
            return Err(AuthError::Throttled { retry_after_secs });
        }

        // Made before the lookup (once per process), so that even the first unknown e-mail
        // costs the same as a known one.
        let dummy = DUMMY_HASH.get_or_try_init(|| password::hash("rollbook-timing-equaliser".into())).await?;
        let row = repo::by_email(&self.db, &email).await?;
        // An account without a usable hash (a teacher who has not accepted the invitation yet)
        // is checked against the dummy too, so that it takes as long as any other refusal, and
        // never matches.
        let usable = row.as_ref().is_some_and(|r| r.password_hash.starts_with('$'));
        let phc = match &row {
            Some(row) if usable => row.password_hash.clone(),
            _ => dummy.clone(),
        };
        let matches = password::verify(password.to_owned(), phc).await? && usable;
        match row {
            Some(row) if matches && !row.disabled && self.account_row_may_work(&row).await? => {
                sign_in_failures::clear(&self.db, &subjects[0].0).await?;
                for id in attempts.iter().skip(1) {
                    sign_in_failures::delete(&self.db, *id).await?;
                }
                repo::touch_sign_in(&self.db, row.id, now).await?;
                let auth = SessionAuth { account_id: row.id, epoch: row.session_epoch };
                let mut account = Account::try_from(row)?;
                account.last_sign_in_at = Some(now);
                let from = address.map(|a| format!("from {a}")).unwrap_or_else(|| "address unknown".into());
                self.record_audit(&account.email, "sign_in", &format!("account {}", account.id), &from).await?;
                Ok((account, auth))
            }
            _ => {
                tracing::info!("sign-in refused");
                Err(AuthError::InvalidCredentials)
            }
        }
    }

    /// Forgets sign-in failures older than the throttling window (run periodically: subjects
    /// that never fail again are otherwise only pruned on their next failure).
    pub async fn purge_sign_in_failures(&self) -> Result<u64, StoreError> {
        let before = OffsetDateTime::now_utc() - self.throttle.window;
        Ok(sign_in_failures::purge_before(&self.db, before).await?)
    }

    /// The account behind a console session, or `None` when the session no longer grants access
    /// (account gone or disabled, or its password changed since sign-in).
    pub async fn session_account(&self, auth: SessionAuth) -> Result<Option<Account>, StoreError> {
        match repo::by_id(&self.db, auth.account_id).await? {
            Some(row) if !row.disabled && row.session_epoch == auth.epoch && self.account_row_may_work(&row).await? => {
                Ok(Some(row.try_into()?))
            }
            _ => Ok(None),
        }
    }
}

impl Store {
    /// Staff accounts work while enabled; a teacher account also needs the roster to list its
    /// user as an active teacher (checked at every request, so a roster change ends it at once).
    async fn account_row_may_work(&self, row: &AccountRow) -> Result<bool, StoreError> {
        match (row.role.as_str(), row.user_sourced_id.as_deref()) {
            ("teacher", Some(user)) => self.is_active_teacher(user).await,
            ("teacher", None) => Ok(false),
            _ => Ok(true),
        }
    }
}

fn account_subject(email: &str) -> String {
    // Garbage of any length must not become a row of that length: every over-long "e-mail"
    // shares one subject (no real address is that long).
    if email.len() > 254 {
        "account:<over-long>".to_string()
    } else {
        format!("account:{email}")
    }
}

/// The throttling subjects of one attempt, each with its number of free failures.
fn subjects(policy: &ThrottlePolicy, email: &str, address: Option<IpAddr>) -> Vec<(String, u32)> {
    let mut subjects = vec![(account_subject(email), policy.free_attempts_per_account)];
    if let Some(addr) = address {
        subjects.push((format!("address:{addr}"), policy.free_attempts_per_address));
    }
    subjects
}

fn display_name_or_default(name: Option<&str>, email: &str) -> Result<String, StoreError> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    let name = name.map(str::to_owned).unwrap_or_else(|| {
        email.split('@').next().unwrap_or(email).to_owned()
    });
    if name.chars().count() > 120 {
        return Err(StoreError::InvalidField { field: "display_name", message: "the display name is too long (at most 120 characters)".into() });
    }
    Ok(name)
}
