//! Moving a console session's idle deadline along with activity, without a database write on
//! every request.
//!
//! tower-sessions moves the deadline when it saves the session. Saving on every request meant
//! every page, server function and static file wrote to the database, so while a long import
//! held SQLite's write lock, every signed-in request waited for it and then failed. A session
//! is now written when it changes, and otherwise at most every [`TOUCH_EVERY`], when the
//! database can take the write at once: the idle deadline is then at most that much early (or
//! as early as the import is long).

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use time::OffsetDateTime;
use tower_sessions::Session;

use super::AppState;

/// How often activity writes the session to move its deadline.
pub const TOUCH_EVERY: time::Duration = time::Duration::minutes(5);

/// When the session was last written for activity (unix seconds).
const TOUCHED_AT: &str = "touched_at";

/// Middleware inside the session layer: writes an existing session once its last touch is
/// [`TOUCH_EVERY`] old. Requests without a session create none.
pub async fn touch(State(state): State<AppState>, session: Session, request: Request, next: Next) -> Response {
    // Loading the session is what the request would do anyway (a read, no write).
    if let Ok(touched) = session.get::<i64>(TOUCHED_AT).await {
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let due = touched.is_none_or(|at| now - at >= TOUCH_EVERY.whole_seconds());
        // A save that finds the write lock held fails the whole request (tower-sessions
        // answers 500), so the touch waits for a moment the database is free.
        if due && session.id().is_some() && state.store.can_write_now().await {
            // Marks the session changed: the session layer saves it, with a new deadline.
            if let Err(e) = session.insert(TOUCHED_AT, now).await {
                tracing::warn!(error = %e, "could not mark the session active");
            }
        }
    }
    next.run(request).await
}
