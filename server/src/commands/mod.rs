//! One module per `rollbook` command.

pub(crate) mod admin;
pub mod app;
pub(crate) mod import;
pub(crate) mod imports;
mod progress;
pub(crate) mod revisions;
mod share;
pub(crate) mod bench_echo;
pub(crate) mod demo;
pub(crate) mod export;
pub mod serve;
pub(crate) mod validate;
