//! One module per `rollbook` command.

pub(crate) mod admin;
pub(crate) mod demo;
pub mod serve;
pub(crate) mod validate;
