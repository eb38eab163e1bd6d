//! Services: what front ends call. Each takes plain inputs, checks them, and runs the
//! repositories, so the console, the CLI and the REST API share one implementation.

pub mod accounts;
pub mod api_auth;
pub mod app_requests;
pub mod apps;
pub mod audit;
mod throttle;
pub mod disclosures;
pub mod reviews;
pub mod teachers;
pub(crate) mod token_memo;
