//! Reading a statement's rows as text cells in one round trip.
//!
//! The database folds the rows into one JSON array of arrays, which comes back as a single
//! value. With sqlx's SQLite driver every row is otherwise handed from the connection's worker
//! thread to the request's task on its own (a channel send and a wake-up per row, and a copy of
//! every value): for a page of 100 users and their roles that hand-over, not SQL, was most of
//! the request. One value per statement also saves PostgreSQL a message per row.

use crate::{
    db::{with_pool, Db},
    StoreError,
};

/// The rows of `select` (a statement with exactly `width` text columns, binds `$1..` in
/// order), in its order, as text cells (`None` for SQL NULL).
pub(crate) async fn fetch(db: &Db, select: &str, binds: &[String], width: usize) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    let cells: Vec<String> = (0..width).map(|i| format!("r.c{i}")).collect();
    // The inner statement's columns are named c0, c1, ... ([`columns`]). The aggregate reads
    // them in the inner statement's order: neither SQLite nor PostgreSQL merges a subquery
    // that has ORDER BY into an aggregating outer query, so its sort runs first.
    let sql = match db {
        Db::Sqlite(_) => format!(
            "SELECT json_group_array(json_array({})) FROM ({select}) AS r",
            cells.join(", ")
        ),
        Db::Postgres(_) => format!(
            "SELECT CAST(json_agg(json_build_array({})) AS TEXT) FROM ({select}) AS r",
            cells.join(", ")
        ),
    };
    let text: Option<String> = with_pool!(db, pool => {
        let mut q = sqlx::query_scalar(&sql);
        for b in binds {
            q = q.bind(b);
        }
        q.fetch_one(pool).await?
    });
    let Some(text) = text else { return Ok(Vec::new()) };
    serde_json::from_str(&text).map_err(|e| StoreError::Internal(format!("could not read rows back from the database: {e}")))
}

/// `expressions` as the select list of [`fetch`]: each named `c0`, `c1`, ... in order.
pub(crate) fn columns(expressions: &[String]) -> String {
    expressions.iter().enumerate().map(|(i, e)| format!("{e} AS c{i}")).collect::<Vec<_>>().join(", ")
}
