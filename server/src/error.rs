//! Errors of the command line: one line each, saying what is wrong and how to fix it.

use std::net::SocketAddr;

use store::StoreError;
use thiserror::Error;

/// Why a `rollbook` command failed. `main` prints it as `error: <message>` and exits with 1.
#[derive(Debug, Error)]
pub enum CliError {
    /// The database URL was rejected before connecting.
    #[error("ROLLBOOK_DATABASE_URL (or --database-url): {0}")]
    DatabaseUrl(StoreError),
    /// The database could not be opened.
    #[error("{0}. Check ROLLBOOK_DATABASE_URL (or --database-url) and that the database is running and reachable")]
    Database(StoreError),
    /// A store operation failed (a conflict, an unknown account, a database error, ...).
    #[error("{0}")]
    Store(StoreError),
    /// A setting has an unusable value.
    #[error("{0}")]
    Config(String),
    /// The listen address is taken or not allowed.
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    /// Reading input or writing output failed.
    #[error("{0}")]
    Io(String),
}

impl CliError {
    /// Classifies an error from `store::connect`.
    pub fn from_connect(err: StoreError) -> Self {
        match err {
            e @ StoreError::InvalidUrl { .. } => CliError::DatabaseUrl(e),
            e @ (StoreError::Unreachable { .. } | StoreError::Migrate(_)) => CliError::Database(e),
            e => CliError::Store(e),
        }
    }

    /// Describes a failure to bind the listen address with the fix for the common cases.
    pub fn from_bind(addr: SocketAddr, err: std::io::Error) -> Self {
        let reason = match err.kind() {
            std::io::ErrorKind::AddrInUse => "the address is already in use by another program \
                (perhaps another Rollbook). Stop it, or choose another address with --listen or \
                ROLLBOOK_LISTEN"
                .to_string(),
            std::io::ErrorKind::AddrNotAvailable => "this machine has no such address. Use \
                127.0.0.1:PORT, 0.0.0.0:PORT or one of this machine's addresses in --listen or \
                ROLLBOOK_LISTEN"
                .to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied (ports below 1024 need \
                privileges). Choose a port above 1024 with --listen or ROLLBOOK_LISTEN"
                .to_string(),
            _ => err.to_string(),
        };
        CliError::Listen { addr, reason }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::Store(e)
    }
}
