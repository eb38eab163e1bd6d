//! Rollbook's wire: the `rollbook` command line, the HTTP server (console, health checks and,
//! later, the OneRoster API), and the mapping of errors to what each caller sees; also the
//! generator of demo districts ([`demo`]).
#![forbid(unsafe_code)]

pub mod cli;
mod commands;
pub mod config;
pub mod demo;
pub mod error;
pub mod http;
pub mod inbox;

pub use commands::serve::{serve, Server};
pub use config::Settings;
pub use error::CliError;
