//! Repositories: the SQL, one module per resource. Rows (`XRow`) stay private to the store;
//! services turn them into the public types.

pub(crate) mod accounts;
pub(crate) mod apps;
pub(crate) mod sign_in_failures;
