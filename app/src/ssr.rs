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

/// The signed-in account, or [`AppError::Unauthenticated`] (401). Every protected server
/// function starts with this.
pub async fn require_account() -> Result<Account, AppError> {
    let session = session().await?;
    account_for(&session, &store()?).await?.ok_or(AppError::Unauthenticated)
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
