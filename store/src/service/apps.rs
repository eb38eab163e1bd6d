//! Apps (publishers) and their credentials: create, edit, enable/disable, rotate, revoke.
//!
//! An app has one client id for its whole life and one current secret. The secret is shown once
//! when it is issued and stored as an argon2id hash (what OAuth 2 client authentication checks);
//! when the app is offered OneRoster 1.1, the secret is also kept encrypted with the server key,
//! because OAuth 1.0a signs requests with the secret itself. Rotating issues a new secret and lets
//! the previous one work until a grace period ends; revoking stops every secret and token at once.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use oneroster::Version;
use rand::RngCore;
use serde::Serialize;
use time::{format_description::well_known::Rfc3339, Duration, OffsetDateTime};

use crate::{
    password,
    repo::apps::{self as repo, AppRow, InsertApp, SecretRow},
    sealed,
    secret_key::SecretKey,
    Store, StoreError,
};

/// How long a replaced secret keeps working unless the admin says otherwise: long enough for a
/// vendor to deploy the new one during the next working day.
pub const DEFAULT_GRACE: Duration = Duration::hours(24);
/// The longest grace period accepted.
pub const MAX_GRACE: Duration = Duration::days(30);

const MAX_TEXT: usize = 200;

/// An app as the rest of Rollbook sees it (never with secrets or hashes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct App {
    pub id: i64,
    pub name: String,
    pub vendor: String,
    pub contact: String,
    /// The OneRoster versions the app is offered.
    pub versions: Vec<Version>,
    pub enabled: bool,
    /// The OAuth client id (also the OAuth 1.0a consumer key).
    pub client_id: String,
    /// Requests per minute; `None` is the server's default.
    pub rate_limit: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub last_access_at: Option<String>,
    /// Newest first.
    pub secrets: Vec<AppSecret>,
}

/// One issued secret (its value is never stored in the clear, so never shown again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppSecret {
    pub id: i64,
    pub created_at: String,
    /// When a replaced secret stops working.
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub state: SecretState,
    /// Whether it can sign OAuth 1.0a requests (the app offered 1.1 when it was issued).
    pub oauth1: bool,
}

/// Where a secret is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretState {
    /// The app's current secret.
    Current,
    /// Replaced, still working until `expires_at`.
    Grace,
    Expired,
    Revoked,
}

/// A new app's details.
#[derive(Clone, Debug, Default)]
pub struct NewApp {
    pub name: String,
    pub vendor: String,
    pub contact: String,
    /// Empty means both versions.
    pub versions: Vec<Version>,
}

/// Changes to an app; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct AppPatch {
    pub name: Option<String>,
    pub vendor: Option<String>,
    pub contact: Option<String>,
    pub versions: Option<Vec<Version>>,
    /// `Some(None)` returns to the server's default.
    pub rate_limit: Option<Option<i64>>,
}

/// A freshly issued secret: shown once, to hand to the vendor.
#[derive(Clone, Debug, Serialize)]
pub struct Credentials {
    /// The app's id.
    pub id: i64,
    pub client_id: String,
    pub client_secret: String,
}

/// Current time to the second: stored timestamps then compare correctly as text in SQLite.
pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).expect("0 is a valid nanosecond")
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A new client id: random, and never starting with `-` or `_`, so that it can be given to the
/// CLI (`rollbook app rotate ID`) and pasted anywhere without being taken for an option.
fn client_id() -> String {
    loop {
        let id = random_token(18);
        if id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return id;
        }
    }
}

/// Parses a comma-separated version list (`1.1`, `1.2`, `1.1,1.2`).
pub fn parse_versions(text: &str) -> Result<Vec<Version>, StoreError> {
    let mut versions = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let v = match part {
            "1.1" | "v1p1" => Version::V1p1,
            "1.2" | "v1p2" => Version::V1p2,
            other => {
                return Err(StoreError::Invalid(format!(
                    "`{other}` is not a OneRoster version Rollbook serves; use 1.1, 1.2 or 1.1,1.2"
                )))
            }
        };
        if !versions.contains(&v) {
            versions.push(v);
        }
    }
    if versions.is_empty() {
        return Err(StoreError::Invalid("name at least one OneRoster version: 1.1, 1.2 or 1.1,1.2".into()));
    }
    versions.sort_by_key(|v| v.as_str());
    Ok(versions)
}

fn versions_text(versions: &[Version]) -> String {
    versions.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(",")
}

fn clean(field: &'static str, value: &str, required: bool) -> Result<String, StoreError> {
    let value = value.trim();
    let invalid = |message: String| Err(StoreError::InvalidField { field, message });
    if required && value.is_empty() {
        return invalid(format!("the app's {field} must not be empty"));
    }
    if value.chars().count() > MAX_TEXT {
        return invalid(format!("the app's {field} is too long: at most {MAX_TEXT} characters"));
    }
    if value.chars().any(char::is_control) {
        return invalid(format!("the app's {field} must not contain control characters"));
    }
    Ok(value.to_string())
}

fn conflict_or(err: sqlx::Error, name: &str) -> StoreError {
    if StoreError::is_unique_violation(&err) {
        StoreError::Conflict(format!("an app named `{name}` exists already"))
    } else {
        err.into()
    }
}

pub(crate) fn secret_view(row: &SecretRow, now: OffsetDateTime) -> AppSecret {
    let state = match (row.revoked_at, row.expires_at) {
        (Some(_), _) => SecretState::Revoked,
        (None, Some(at)) if at <= now => SecretState::Expired,
        (None, Some(_)) => SecretState::Grace,
        (None, None) => SecretState::Current,
    };
    AppSecret {
        id: row.id,
        created_at: rfc3339(row.created_at),
        expires_at: row.expires_at.map(rfc3339),
        revoked_at: row.revoked_at.map(rfc3339),
        state,
        oauth1: row.sealed_secret.is_some(),
    }
}

pub(crate) fn app_versions(row: &AppRow) -> Vec<Version> {
    parse_versions(&row.versions).unwrap_or_default()
}

impl Store {
    /// Whether `key` is the server key this database's secrets are sealed with. The first key
    /// checked is recorded; `false` means another key was recorded before.
    pub async fn check_secret_key(&self, key: &SecretKey) -> Result<bool, StoreError> {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"rollbook server key check\0");
        h.update(key.as_bytes());
        let fingerprint = hex::encode(&h.finalize()[..16]);
        crate::db::with_pool!(&self.db, pool => sqlx::query(
            "INSERT INTO server_key_check (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
            .bind(&fingerprint).execute(pool).await?.rows_affected());
        let stored: String = crate::db::with_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT fingerprint FROM server_key_check WHERE id = 1").fetch_one(pool).await?);
        Ok(stored == fingerprint)
    }

    async fn app_view(&self, row: AppRow) -> Result<App, StoreError> {
        let now = now();
        let secrets = repo::secrets(&self.db, row.id).await?.iter().map(|s| secret_view(s, now)).collect();
        Ok(App {
            id: row.id,
            versions: app_versions(&row),
            name: row.name,
            vendor: row.vendor,
            contact: row.contact,
            enabled: row.enabled,
            client_id: row.client_id,
            rate_limit: row.rate_limit,
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
            last_access_at: row.last_access_at.map(rfc3339),
            secrets,
        })
    }

    async fn app_row(&self, id: i64) -> Result<AppRow, StoreError> {
        repo::by_id(&self.db, id).await?.ok_or_else(|| StoreError::NotFound(format!("there is no app {id}")))
    }

    /// Registers an app and issues its client id and first secret.
    #[tracing::instrument(skip_all, fields(name = %new.name))]
    pub async fn create_app(&self, new: NewApp, key: &SecretKey) -> Result<Credentials, StoreError> {
        let name = clean("name", &new.name, true)?;
        let vendor = clean("vendor", &new.vendor, false)?;
        let contact = clean("contact", &new.contact, false)?;
        let versions = if new.versions.is_empty() { vec![Version::V1p1, Version::V1p2] } else { new.versions };
        let client_id = client_id();
        let row = repo::insert(
            &self.db,
            InsertApp { name: &name, vendor: &vendor, contact: &contact, versions: &versions_text(&versions), client_id: &client_id, now: now() },
        )
        .await
        .map_err(|e| conflict_or(e, &name))?;
        self.issue_secret(&row, None, key).await
    }

    /// Issues a new secret; the earlier one keeps working until `grace` has passed (zero: it
    /// stops now, with its tokens).
    #[tracing::instrument(skip(self, key))]
    pub async fn rotate_app_secret(&self, id: i64, grace: Duration, key: &SecretKey) -> Result<Credentials, StoreError> {
        if grace.is_negative() || grace > MAX_GRACE {
            return Err(StoreError::Invalid(format!(
                "the grace period must be between 0 and {} hours",
                MAX_GRACE.whole_hours()
            )));
        }
        let row = self.app_row(id).await?;
        let until = (!grace.is_zero()).then(|| now() + grace);
        self.issue_secret(&row, Some(until), key).await
    }

    /// `replacing`: `None` for the first secret, `Some(grace end)` for a rotation.
    async fn issue_secret(
        &self,
        row: &AppRow,
        replacing: Option<Option<OffsetDateTime>>,
        key: &SecretKey,
    ) -> Result<Credentials, StoreError> {
        let secret = random_token(32);
        let hash = password::hash(secret.clone()).await?;
        let sealed = app_versions(row).contains(&Version::V1p1).then(|| sealed::seal(key, &row.client_id, &secret));
        let grace_until = match replacing {
            None | Some(None) => None,
            Some(Some(until)) => Some(until),
        };
        repo::add_secret(&self.db, row.id, &hash, sealed.as_deref(), grace_until, now()).await?;
        self.forget_tokens();
        Ok(Credentials { id: row.id, client_id: row.client_id.clone(), client_secret: secret })
    }

    /// Stops every secret and token of the app at once (a leaked secret). `rotate` issues a new one.
    #[tracing::instrument(skip(self))]
    pub async fn revoke_app_credentials(&self, id: i64) -> Result<App, StoreError> {
        let row = self.app_row(id).await?;
        repo::revoke_all(&self.db, id, now()).await?;
        self.forget_tokens();
        self.app_view(row).await
    }

    /// Every app, by name.
    pub async fn apps(&self) -> Result<Vec<App>, StoreError> {
        let mut apps = Vec::new();
        for row in repo::list(&self.db).await? {
            apps.push(self.app_view(row).await?);
        }
        Ok(apps)
    }

    /// One app by id.
    pub async fn app(&self, id: i64) -> Result<App, StoreError> {
        let row = self.app_row(id).await?;
        self.app_view(row).await
    }

    /// Finds an app the way people name it on the command line: its id, name or client id.
    pub async fn find_app(&self, text: &str) -> Result<App, StoreError> {
        let text = text.trim();
        if let Ok(id) = text.parse::<i64>() {
            if let Some(row) = repo::by_id(&self.db, id).await? {
                return self.app_view(row).await;
            }
        }
        match repo::by_name_or_client_id(&self.db, text).await? {
            Some(row) => self.app_view(row).await,
            None => Err(StoreError::NotFound(format!(
                "there is no app `{text}` (give its id, name or client id; `rollbook app list` shows them)"
            ))),
        }
    }

    /// Edits an app's details.
    #[tracing::instrument(skip(self, patch))]
    pub async fn update_app(&self, id: i64, patch: AppPatch) -> Result<App, StoreError> {
        let mut row = self.app_row(id).await?;
        if let Some(name) = patch.name {
            row.name = clean("name", &name, true)?;
        }
        if let Some(vendor) = patch.vendor {
            row.vendor = clean("vendor", &vendor, false)?;
        }
        if let Some(contact) = patch.contact {
            row.contact = clean("contact", &contact, false)?;
        }
        if let Some(versions) = patch.versions {
            if versions.is_empty() {
                return Err(StoreError::InvalidField { field: "versions", message: "name at least one OneRoster version: 1.1, 1.2 or 1.1,1.2".into() });
            }
            row.versions = versions_text(&versions);
        }
        if let Some(limit) = patch.rate_limit {
            if limit.is_some_and(|l| !(1..=1_000_000).contains(&l)) {
                return Err(StoreError::InvalidField {
                    field: "rate_limit",
                    message: "the rate limit must be between 1 and 1000000 requests per minute".into(),
                });
            }
            row.rate_limit = limit;
        }
        let name = row.name.clone();
        let drops_v1p1 = !app_versions(&row).contains(&Version::V1p1);
        let row = repo::update(&self.db, &row, now())
            .await
            .map_err(|e| conflict_or(e, &name))?
            .ok_or_else(|| StoreError::NotFound(format!("there is no app {id}")))?;
        if drops_v1p1 {
            // Without 1.1 nothing signs with the secret: keep only its hash.
            repo::forget_sealed(&self.db, id).await?;
        }
        self.forget_tokens();
        self.app_view(row).await
    }

    /// Enables or disables an app. A disabled app gets no tokens and its requests are refused;
    /// its credentials and share stay as they are.
    #[tracing::instrument(skip(self))]
    pub async fn set_app_enabled(&self, id: i64, enabled: bool) -> Result<App, StoreError> {
        let mut row = self.app_row(id).await?;
        row.enabled = enabled;
        let row = repo::update(&self.db, &row, now())
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("there is no app {id}")))?;
        self.forget_tokens();
        self.app_view(row).await
    }
}
