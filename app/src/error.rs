//! The console's one error type, shared by server functions and the pages that call them.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// What a server function can fail with. `Display` is the text a person sees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: the caller must sign in (HTTP 401).
    #[error("Your session has ended. Please sign in again.")]
    Unauthenticated,
    /// Signed in, but the role does not allow this (HTTP 403).
    #[error("Your account is not allowed to do this.")]
    Forbidden,
    /// Sign-in refused; the same text for unknown e-mail and wrong password (HTTP 401).
    #[error("{0}")]
    SignInRefused(String),
    /// Too many failed attempts; wait before trying again (HTTP 429).
    #[error("{message}")]
    Throttled { message: String, retry_after_secs: u64 },
    /// The input was rejected; the text says which field and why (HTTP 400).
    #[error("{0}")]
    Invalid(String),
    /// One field of a form was rejected: the form shows `message` beside `field` (HTTP 400).
    #[error("{message}")]
    Field { field: String, message: String },
    /// The thing asked for does not exist (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The database was held by a long write (an import) for longer than a request waits;
    /// worth trying again shortly (HTTP 503).
    #[error("The server is busy: an import is writing the roster. Please try again in a moment.")]
    Busy,
    /// Something failed on the server; details are in the server log, not here (HTTP 500).
    #[error("Something went wrong on the server. Please try again; if it keeps happening, ask your administrator to check the server log.")]
    Internal,
    /// The request did not reach the server function or its answer did not come back.
    #[error("The server could not be reached ({0}).")]
    Transport(String),
}

impl AppError {
    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            AppError::Unauthenticated | AppError::SignInRefused(_) => S::UNAUTHORIZED,
            AppError::Forbidden => S::FORBIDDEN,
            AppError::Throttled { .. } => S::TOO_MANY_REQUESTS,
            AppError::Invalid(_) | AppError::Field { .. } => S::BAD_REQUEST,
            AppError::NotFound(_) => S::NOT_FOUND,
            AppError::Busy => S::SERVICE_UNAVAILABLE,
            AppError::Internal => S::INTERNAL_SERVER_ERROR,
            AppError::Transport(_) => S::BAD_GATEWAY,
        }
    }
}

impl AppError {
    /// A rejected form field (`field` is the input's `name`).
    pub fn field(field: &str, message: impl Into<String>) -> AppError {
        AppError::Field { field: field.to_string(), message: message.into() }
    }

    /// The message to show beside `field`, when this error is about it.
    pub fn message_for(&self, field: &str) -> Option<String> {
        match self {
            AppError::Field { field: f, message } if f == field => Some(sentence(message)),
            _ => None,
        }
    }

    /// The message to show for the whole form: every error that names no field.
    pub fn form_message(&self) -> Option<String> {
        match self {
            AppError::Field { .. } => None,
            other => Some(other.to_string()),
        }
    }
}

/// `message` with a capital first letter and a full stop (store messages are clauses).
fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '?', '!', ')']) {
        out.push('.');
    }
    out
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg)
            | ServerFnErrorErr::MissingArg(msg)
            | ServerFnErrorErr::Deserialization(msg) => {
                AppError::Invalid(format!("The request was incomplete or malformed: {msg}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod field_tests {
    use super::AppError;

    #[test]
    fn a_field_error_shows_beside_its_field_only() {
        let e = AppError::field("name", "an app named `Reader` exists already");
        assert_eq!(e.message_for("name").as_deref(), Some("An app named `Reader` exists already."));
        assert_eq!(e.message_for("vendor"), None);
        assert_eq!(e.form_message(), None);
        assert_eq!(e.status(), http::StatusCode::BAD_REQUEST);
        let other = AppError::Invalid("Something else.".into());
        assert_eq!(other.message_for("name"), None);
        assert_eq!(other.form_message().as_deref(), Some("Something else."));
    }
}
