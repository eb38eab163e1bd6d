//! Server-side helpers for server functions: reaching the store, the session and the caller.

use std::net::IpAddr;

use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use store::{Account, SessionAuth, Store, SESSION_AUTH_KEY};
use tower_sessions::Session;

use crate::AppError;

/// The caller's network address as the server determined it (proxy-aware where configured).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub Option<IpAddr>);

/// What console actions need from the server's settings beyond the store.
#[derive(Clone, Debug)]
pub struct ConsoleSettings {
    /// Seals new app secrets (OAuth 1.0a needs them recoverable).
    pub secret_key: store::secret_key::SecretKey,
    /// The address apps use; without one, the console request's `Host` over http.
    pub public_url: Option<String>,
    /// Sends invitation e-mail, when an SMTP relay is configured.
    pub mailer: Option<crate::mail::Mailer>,
}

/// The store, provided as context by the server for every render and server function call.
pub fn store() -> Result<Store, AppError> {
    use_context::<Store>().ok_or_else(|| {
        tracing::error!("Store missing from the server function context");
        AppError::Internal
    })
}

/// The caller's address (for sign-in throttling).
pub fn client_addr() -> Option<IpAddr> {
    use_context::<ClientAddr>().and_then(|a| a.0)
}

/// The caller's session (the session layer runs in front of every route).
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session missing from the request");
        AppError::Internal
    })
}

/// The account a session belongs to, or `None` when the session is anonymous or no longer grants
/// access (account disabled or password changed since sign-in; such a session is ended).
/// Server functions and the server's page gate both decide with this one function.
pub async fn account_for(session: &Session, store: &Store) -> Result<Option<Account>, AppError> {
    let auth: Option<SessionAuth> = session.get(SESSION_AUTH_KEY).await.map_err(internal)?;
    let Some(auth) = auth else { return Ok(None) };
    match store.session_account(auth).await.map_err(internal)? {
        Some(account) => Ok(Some(account)),
        None => {
            session.flush().await.map_err(internal)?;
            Ok(None)
        }
    }
}

/// The signed-in account of any role, or [`AppError::Unauthenticated`] (401).
pub async fn require_signed_in() -> Result<Account, AppError> {
    let session = session().await?;
    account_for(&session, &store()?).await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in district staff account (admin or auditor): 401 without a session, 403 for a
/// teacher. Every server function over district data starts with this; teachers reach only
/// their own classes, through [`require_teacher`].
pub async fn require_account() -> Result<Account, AppError> {
    let account = require_signed_in().await?;
    if !account.role.is_staff() {
        tracing::info!(account_id = account.id, "district data refused to a teacher account");
        return Err(AppError::Forbidden);
    }
    Ok(account)
}

/// The signed-in teacher and their roster user (sourcedId), else 401 or 403.
pub async fn require_teacher() -> Result<(Account, String), AppError> {
    let account = require_signed_in().await?;
    match (account.role, account.user_sourced_id.clone()) {
        (store::Role::Teacher, Some(user)) => Ok((account, user)),
        _ => Err(AppError::Forbidden),
    }
}

/// The signed-in account when it may change things (a district admin), else
/// [`AppError::Forbidden`] (403). Every server function that changes anything starts with this;
/// the pages hiding buttons from auditors is only a convenience.
pub async fn require_admin() -> Result<Account, AppError> {
    let account = require_account().await?;
    if account.role != store::Role::DistrictAdmin {
        tracing::info!(account_id = account.id, "change refused for a read-only account");
        return Err(AppError::Forbidden);
    }
    Ok(account)
}

/// The server's settings for console actions.
pub fn settings() -> Result<ConsoleSettings, AppError> {
    use_context::<ConsoleSettings>().ok_or_else(|| {
        tracing::error!("ConsoleSettings missing from the server function context");
        AppError::Internal
    })
}

/// The base URL apps reach this server at: the configured public URL, else this request's host.
pub fn public_base() -> Result<String, AppError> {
    if let Some(url) = settings()?.public_url {
        return Ok(url.trim_end_matches('/').to_string());
    }
    let host = use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::HOST).and_then(|h| h.to_str().ok().map(str::to_string)))
        .unwrap_or_else(|| "localhost".into());
    Ok(format!("http://{host}"))
}

/// A store failure as the console reports it: the store's own words for bad input, unknown
/// records and conflicts; anything else is logged and reported as [`AppError::Internal`].
pub fn from_store(err: store::StoreError) -> AppError {
    use store::StoreError as E;
    match err {
        E::Invalid(msg) | E::Conflict(msg) => AppError::Invalid(msg),
        E::InvalidField { field, message } => AppError::field(field, message),
        E::NotFound(msg) => AppError::NotFound(msg),
        other if other.is_busy() => {
            tracing::warn!(error = %other, "a server function found the database busy");
            AppError::Busy
        }
        other => internal(other),
    }
}

/// [`from_store`], with a duplicate (the store's conflict) reported on `field`: the one
/// that must be unique in the form at hand.
pub fn from_store_on(field: &'static str) -> impl Fn(store::StoreError) -> AppError {
    move |err| match err {
        store::StoreError::Conflict(message) => AppError::field(field, message),
        other => from_store(other),
    }
}

/// Records an admin action in the audit log.
pub async fn audit(account: &Account, action: &str, target: &str, detail: &str) -> Result<(), AppError> {
    store()?.record_audit(&account.email, action, target, detail).await.map_err(from_store)
}

/// Logs an unexpected failure (details stay in the server log) and turns it into
/// [`AppError::Internal`] (500).
pub fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "server function failed");
    AppError::Internal
}

/// Adds what an error needs beyond its body to the response (`Retry-After` when throttled), and
/// returns it. The HTTP status itself comes from [`AppError::status`], applied by the server for
/// every server function error in one place.
///
/// A plain HTML form post (before the page has hydrated) is answered with a redirect back to the
/// form, which carries the error; that response is left alone.
pub fn reject(err: AppError) -> AppError {
    let plain_form = use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(http::header::ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|s| s.contains("text/html")))
        .unwrap_or(false);
    if let (AppError::Throttled { retry_after_secs, .. }, false) = (&err, plain_form) {
        if let (Some(response), Ok(value)) =
            (use_context::<ResponseOptions>(), http::HeaderValue::from_str(&retry_after_secs.to_string()))
        {
            response.insert_header(http::header::RETRY_AFTER, value);
        }
    }
    err
}
