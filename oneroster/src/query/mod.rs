//! The REST query language: `filter`, `sort`/`orderBy`, `fields`, `limit`/`offset`.
//!
//! Parameters are parsed into a typed AST and checked against the field list of the resource
//! being queried ([`ResourceFields`]). Nothing here writes SQL: the store translates a
//! [`CheckedFilter`] into its own dialect and always ANDs it with the caller's scope.
//!
//! Decisions where the standard leaves room (see SPEC-NOTES §5):
//! - `AND` binds tighter than `OR` and both may be mixed; more than the 1.1 guidance of two
//!   clauses is accepted up to [`QueryLimits::max_clauses`]. There are no parentheses.
//! - Inside a quoted value `''` is an escaped quote. A lone `'` that is not followed by the end
//!   of the filter or by ` AND `/` OR ` is kept as part of the value, because real clients send
//!   names like `O'Brien` unescaped.
//! - An unknown or malformed filter is a 400 `invalid_filter_field`; unknown `sort` and `fields`
//!   names are ignored with a warning (1.1 behaviour, recommended for 1.2); bad paging values
//!   are a 400 `invaliddata`.

mod check;
mod fields;
mod filter;
mod paging;
pub mod resources;

pub use check::{CheckedFilter, CheckedPredicate, TypedValue};
pub use fields::{FieldDef, FieldKind, ResourceFields};
pub use filter::{FieldPath, Filter, Op, Predicate};
pub use paging::{Direction, Paging, Selection, Sort};

/// Bounds that keep one request's query work small. The defaults suit every real client seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryLimits {
    /// Most predicates in one filter.
    pub max_clauses: usize,
    /// Longest value inside quotes, in bytes.
    pub max_value_len: usize,
    /// Longest whole filter expression, in bytes.
    pub max_filter_len: usize,
    /// Default page size when `limit` is absent.
    pub default_limit: u32,
    /// Largest accepted `limit`; larger values are refused, not clamped, so clients notice.
    pub max_limit: u32,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits { max_clauses: 8, max_value_len: 1024, max_filter_len: 4096, default_limit: 100, max_limit: 1000 }
    }
}

/// The OneRoster `imsx_codeMinorFieldValue` of a query error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidFilterField,
    InvalidSelectionField,
    InvalidSortField,
    InvalidData,
}

impl ErrorCode {
    /// The spec's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidFilterField => "invalid_filter_field",
            ErrorCode::InvalidSelectionField => "invalid_selection_field",
            ErrorCode::InvalidSortField => "invalid_sort_field",
            ErrorCode::InvalidData => "invaliddata",
        }
    }
}

/// A rejected query parameter: the code for the imsx payload and a message that names the
/// parameter and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub code: ErrorCode,
    pub message: String,
}

impl QueryError {
    pub(crate) fn filter(message: impl Into<String>) -> Self {
        QueryError { code: ErrorCode::InvalidFilterField, message: message.into() }
    }
    pub(crate) fn data(message: impl Into<String>) -> Self {
        QueryError { code: ErrorCode::InvalidData, message: message.into() }
    }
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

/// A harmless problem with a query parameter that was ignored (reported as an imsx warning in
/// 1.1, logged in 1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryWarning {
    pub code: ErrorCode,
    pub message: String,
}
