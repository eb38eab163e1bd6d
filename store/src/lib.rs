//! Rollbook's data layer.
//!
//! [`connect`] opens a [`Store`] over SQLite or PostgreSQL and brings its schema up to date with
//! the embedded migrations of that dialect. Everything the console, the CLI and the REST API do
//! with data goes through the services on [`Store`]; front ends only add their own
//! authentication and error mapping.
// `deny`, not `forbid`: one module (`roster::tx::lite`) borrows SQLite's raw connection handle
// for bulk writes, and says why it is sound.
#![deny(unsafe_code)]

mod db;
mod error;
pub mod password;
mod repo;
mod sealed;
pub mod roster;
pub mod secret_key;
pub mod service;
pub mod delivery;
pub mod sharing;
mod sessions;

pub use db::{connect, connect_with, redact_url, Backend, Store, StoreOptions};
pub use error::StoreError;
pub use service::accounts::{
    Account, AuthError, NewAccount, Role, SessionAuth, ThrottlePolicy, SESSION_AUTH_KEY,
};
pub use service::api_auth::{ApiAuthError, ApiCaller, IssuedToken};
pub use service::audit::{action_label, AuditEntry, AuditFilter, AUDIT_ACTIONS};
pub use service::disclosures::Disclosure;
pub use service::apps::{App, AppPatch, AppSecret, Credentials, NewApp, SecretState};
pub use sessions::SessionBackend;
