//! Apps (publishers): the list, registration, credentials, connection details and access log.
//!
//! Server functions here are thin: a session or role check, one `store` service call, an audit
//! entry for changes, and a view model for the page.

mod pages;
mod teachers;

pub use pages::{AppDetailPage, AppsPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// One app in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRow {
    pub id: i64,
    pub name: String,
    pub vendor: String,
    pub enabled: bool,
    /// "1.1, 1.2".
    pub versions: String,
    pub last_access: Option<String>,
}

/// A freshly issued secret, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedSecret {
    pub app_id: i64,
    pub client_id: String,
    pub client_secret: String,
}

/// One secret as the console shows it (never its value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretRow {
    pub id: i64,
    pub created_at: String,
    /// "current", "grace", "expired", "revoked".
    pub state: String,
    pub until: Option<String>,
    pub oauth1: bool,
}

/// One logged request or export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessRow {
    pub at: String,
    pub channel: String,
    pub operation: String,
    pub path: String,
    pub parameters: String,
    pub status: u16,
    pub records: u64,
    pub duration_ms: u64,
}

/// Everything the app's page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppInfo {
    pub id: i64,
    pub name: String,
    pub vendor: String,
    pub contact: String,
    pub v1p1: bool,
    pub v1p2: bool,
    pub enabled: bool,
    pub client_id: String,
    pub rate_limit: Option<i64>,
    pub created_at: String,
    pub last_access: Option<String>,
    pub secrets: Vec<SecretRow>,
    /// Where the vendor points their client.
    pub base_v1p1: String,
    pub base_v1p2: String,
    pub token_url: String,
    /// Shared records per entity, and students.
    pub shared: Vec<(String, i64)>,
    pub students: i64,
    pub access: Vec<AccessRow>,
    /// Requests answered 429 and 4xx/5xx among `access`.
    pub throttled: usize,
    pub errors: usize,
    /// Whether the signed-in account may change things.
    pub can_edit: bool,
}

/// Every app, by name.
#[server(prefix = "/api", endpoint = "list_apps")]
pub async fn list_apps() -> Result<Vec<AppRow>, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let apps = store()?.apps().await.map_err(from_store)?;
    Ok(apps
        .into_iter()
        .map(|a| AppRow {
            id: a.id,
            name: a.name,
            vendor: a.vendor,
            enabled: a.enabled,
            versions: a.versions.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
            last_access: a.last_access_at,
        })
        .collect())
}

/// Registers an app and issues its first secret (shown once). A second submit of the same
/// name is refused by the store ("an app named ... already exists"), so a double click cannot
/// make two apps.
#[server(prefix = "/api", endpoint = "create_app")]
pub async fn create_app(
    name: String,
    vendor: String,
    contact: String,
    v1p1: Option<String>,
    v1p2: Option<String>,
) -> Result<IssuedSecret, AppError> {
    use crate::ssr::{audit, from_store_on, require_admin, settings, store};
    let account = require_admin().await?;
    let versions = chosen_versions(v1p1.is_some(), v1p2.is_some())?;
    let new = store::NewApp { name, vendor, contact, versions };
    let creds = store()?.create_app(new.clone(), &settings()?.secret_key).await.map_err(from_store_on("name"))?;
    let detail = format!("name {:?}, vendor {:?}, versions {}", new.name.trim(), new.vendor.trim(), version_list(&new.versions));
    audit(&account, "app.create", &format!("app {}", creds.id), &detail).await?;
    Ok(IssuedSecret { app_id: creds.id, client_id: creds.client_id, client_secret: creds.client_secret })
}

/// One app with its credentials, connection details, share size and recent access.
#[server(prefix = "/api", endpoint = "app_detail")]
pub async fn app_detail(id: i64) -> Result<AppInfo, AppError> {
    use crate::ssr::{from_store, public_base, require_account, store};
    let account = require_account().await?;
    let store = store()?;
    let app = store.app(id).await.map_err(from_store)?;
    let counts = store.share_counts(id).await.map_err(from_store)?;
    let log = store.disclosures(id, 50).await.map_err(from_store)?;
    let base = public_base()?;
    let access: Vec<AccessRow> = log
        .into_iter()
        .map(|d| AccessRow {
            at: d.at,
            channel: d.channel,
            operation: d.operation,
            path: d.path,
            parameters: d.parameters,
            status: d.status,
            records: d.records,
            duration_ms: d.duration_ms,
        })
        .collect();
    let has = |v: oneroster::Version| app.versions.contains(&v);
    Ok(AppInfo {
        id: app.id,
        v1p1: has(oneroster::Version::V1p1),
        v1p2: has(oneroster::Version::V1p2),
        name: app.name,
        vendor: app.vendor,
        contact: app.contact,
        enabled: app.enabled,
        client_id: app.client_id,
        rate_limit: app.rate_limit,
        created_at: app.created_at,
        last_access: app.last_access_at,
        secrets: app
            .secrets
            .into_iter()
            .map(|s| SecretRow {
                id: s.id,
                created_at: s.created_at,
                state: format!("{:?}", s.state).to_lowercase(),
                until: s.revoked_at.or(s.expires_at),
                oauth1: s.oauth1,
            })
            .collect(),
        base_v1p1: format!("{base}{}", oneroster::Version::V1p1.rostering_base_path()),
        base_v1p2: format!("{base}{}", oneroster::Version::V1p2.rostering_base_path()),
        token_url: format!("{base}/oauth/token"),
        shared: counts.entities.into_iter().collect(),
        students: counts.students,
        throttled: access.iter().filter(|a| a.status == 429).count(),
        errors: access.iter().filter(|a| a.status >= 400 && a.status != 429).count(),
        access,
        can_edit: account.role == store::Role::DistrictAdmin,
    })
}

/// Changes an app's details. The rate limit is requests per minute; empty means the server's
/// default.
#[server(prefix = "/api", endpoint = "update_app")]
pub async fn update_app(
    id: i64,
    name: String,
    vendor: String,
    contact: String,
    v1p1: Option<String>,
    v1p2: Option<String>,
    rate_limit: String,
) -> Result<(), AppError> {
    use crate::ssr::{audit, from_store_on, require_admin, store};
    let account = require_admin().await?;
    let versions = chosen_versions(v1p1.is_some(), v1p2.is_some())?;
    let rate_limit = match rate_limit.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => Some(n),
            _ => {
                return Err(AppError::field(
                    "rate_limit",
                    format!("`{text}` is not a number of requests per minute between 1 and 100000 (leave it empty for the server's default)"),
                ))
            }
        },
    };
    let detail = format!(
        "name {:?}, vendor {:?}, contact {:?}, versions {}, rate limit {}",
        name.trim(),
        vendor.trim(),
        contact.trim(),
        version_list(&versions),
        rate_limit.map_or("server default".to_string(), |n| format!("{n}/min"))
    );
    let patch = store::AppPatch {
        name: Some(name),
        vendor: Some(vendor),
        contact: Some(contact),
        versions: Some(versions),
        rate_limit: Some(rate_limit),
    };
    store()?.update_app(id, patch).await.map_err(from_store_on("name"))?;
    audit(&account, "app.update", &format!("app {id}"), &detail).await
}

/// Turns an app's access on or off (off: its tokens stop working at once).
#[server(prefix = "/api", endpoint = "set_app_enabled")]
pub async fn set_app_enabled(id: i64, enabled: bool) -> Result<(), AppError> {
    use crate::ssr::{audit, from_store, require_admin, store};
    let account = require_admin().await?;
    let app = store()?.set_app_enabled(id, enabled).await.map_err(from_store)?;
    let action = if enabled { "app.enable" } else { "app.disable" };
    audit(&account, action, &format!("app {id}"), &format!("name {:?}", app.name)).await
}

/// Issues a new secret. `grace_hours`: how long the previous one keeps working (0: it stops now).
#[server(prefix = "/api", endpoint = "rotate_secret")]
pub async fn rotate_secret(id: i64, grace_hours: i64) -> Result<IssuedSecret, AppError> {
    use crate::ssr::{audit, from_store, require_admin, settings, store};
    let account = require_admin().await?;
    let grace = time::Duration::hours(grace_hours);
    let creds = store()?.rotate_app_secret(id, grace, &settings()?.secret_key).await.map_err(from_store)?;
    audit(&account, "credentials.rotate", &format!("app {id}"), &format!("previous secret works for {grace_hours} more hours")).await?;
    Ok(IssuedSecret { app_id: creds.id, client_id: creds.client_id, client_secret: creds.client_secret })
}

/// Stops every secret and token of the app at once.
#[server(prefix = "/api", endpoint = "revoke_credentials")]
pub async fn revoke_credentials(id: i64) -> Result<(), AppError> {
    use crate::ssr::{audit, from_store, require_admin, store};
    let account = require_admin().await?;
    store()?.revoke_app_credentials(id).await.map_err(from_store)?;
    audit(&account, "credentials.revoke", &format!("app {id}"), "every secret and token stopped").await
}

#[cfg(feature = "ssr")]
fn chosen_versions(v1p1: bool, v1p2: bool) -> Result<Vec<oneroster::Version>, AppError> {
    use oneroster::Version;
    match (v1p1, v1p2) {
        (false, false) => Err(AppError::field("versions", "Choose at least one OneRoster version (1.1 or 1.2).")),
        (a, b) => Ok([(a, Version::V1p1), (b, Version::V1p2)].into_iter().filter(|(on, _)| *on).map(|(_, v)| v).collect()),
    }
}

#[cfg(feature = "ssr")]
fn version_list(versions: &[oneroster::Version]) -> String {
    versions.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(",")
}
