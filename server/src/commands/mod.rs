//! One module per `rollbook` command.

pub(crate) mod admin;
pub mod serve;
pub(crate) mod validate;
