//! The audit log: every administrative action, who did it and when.
//!
//! Front ends (the console's server functions and the CLI) record an entry after each action
//! succeeds, with the acting account's e-mail (or `cli:USER` for the command-line tool). Entries are append-only: there is no
//! service to change or delete them, and the database's triggers refuse it too (migration 0008).

use oneroster::model::format_datetime;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{db::with_pool, Store, StoreError};

/// One recorded action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// When (ms-Z text).
    pub at: String,
    /// The console account's e-mail, or `cli:USER`.
    pub actor: String,
    /// `sign_in`, `app.create`, `share.set`, `import.approve`, ... ([`AUDIT_ACTIONS`]).
    pub action: String,
    /// What was acted on (`app 3`, `import 12`).
    pub target: String,
    /// Readable details; for a sharing change, the share before and after.
    pub detail: String,
}

/// Every action the log records, with the label the console shows for it.
pub const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("sign_in", "Signed in"),
    ("import.upload", "Uploaded an import"),
    ("import.approve", "Approved a held import"),
    ("import.discard", "Discarded a held import"),
    ("revision.rollback", "Rolled back"),
    ("app.create", "Created an app"),
    ("app.update", "Changed an app"),
    ("app.enable", "Enabled an app"),
    ("app.disable", "Disabled an app"),
    ("app.export", "Downloaded an app's CSV export"),
    ("credentials.rotate", "Issued a new secret"),
    ("credentials.revoke", "Revoked credentials"),
    ("share.set", "Changed a share"),
    ("account.create", "Created an account"),
    ("account.disable", "Disabled an account"),
    ("account.enable", "Enabled an account"),
    ("teacher.invite", "Invited a teacher"),
    ("teacher.accept", "Accepted an invitation"),
    ("class.attest", "Attested a class list"),
    ("class.flag", "Reported a roster issue"),
    ("roster_issue.resolve", "Resolved a roster issue"),
    ("app.teacher_sharing", "Changed teacher sharing of an app"),
    ("share.teacher_grant", "A teacher shared a class"),
    ("share.teacher_revoke", "Stopped a teacher's class sharing"),
    ("app_request.create", "Requested an app"),
    ("app_request.approve", "Approved an app request"),
    ("app_request.deny", "Denied an app request"),
    ("settings.teacher_fields", "Chose what teachers see of students"),
];

/// Which entries to list. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// An action name, or a prefix ending in `.` (`app.` for every app action).
    pub action: Option<String>,
    /// The actor, exactly.
    pub actor: Option<String>,
    /// Text the target or the detail contains (case-insensitive).
    pub text: Option<String>,
    /// Only entries older than this id (the next page, newest first).
    pub before: Option<i64>,
}

const DETAIL_MAX: usize = 16 * 1024;

/// `detail` as an entry keeps it: cut (with a note) past [`DETAIL_MAX`] bytes.
pub(crate) fn audit_detail(detail: &str) -> String {
    if detail.len() <= DETAIL_MAX {
        return detail.to_string();
    }
    let mut end = DETAIL_MAX;
    while !detail.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} … (cut at {DETAIL_MAX} bytes)", &detail[..end])
}

impl Store {
    /// Records an action. Long details are cut (with a note) rather than refused: the action
    /// has already happened, and its entry must exist.
    pub async fn record_audit(&self, actor: &str, action: &str, target: &str, detail: &str) -> Result<(), StoreError> {
        let detail = audit_detail(detail);
        let at = format_datetime(OffsetDateTime::now_utc());
        with_pool!(&self.db, pool => sqlx::query(
            "INSERT INTO audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(&at).bind(actor).bind(action).bind(target).bind(&detail)
            .execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Entries matching `filter`, newest first, at most `limit` (1..=1000).
    pub async fn audit_entries(&self, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = limit.clamp(1, 1000);
        let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let action = clean(&filter.action);
        let actor = clean(&filter.actor);
        let text = clean(&filter.text).map(|t| format!("%{}%", escape_like(&t.to_lowercase())));
        let (action_exact, action_prefix) = match action {
            Some(a) if a.ends_with('.') => (None, Some(format!("{}%", escape_like(&a)))),
            Some(a) => (Some(a), None),
            None => (None, None),
        };
        type Row = (i64, String, String, String, String, String);
        // Binds are typed and every condition is written out: nothing a user types reaches
        // the SQL text.
        let rows: Vec<Row> = with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT id, at, actor, action, target, detail FROM audit_log \
             WHERE ($1 IS NULL OR action = $1) \
               AND ($2 IS NULL OR action LIKE $2 ESCAPE '\\') \
               AND ($3 IS NULL OR actor = $3) \
               AND ($4 IS NULL OR LOWER(target) LIKE $4 ESCAPE '\\' OR LOWER(detail) LIKE $4 ESCAPE '\\') \
               AND ($5 IS NULL OR id < $5) \
             ORDER BY id DESC LIMIT $6")
            .bind(action_exact).bind(action_prefix).bind(actor).bind(text).bind(filter.before).bind(limit)
            .fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(id, at, actor, action, target, detail)| AuditEntry { id, at, actor, action, target, detail })
            .collect())
    }

    /// The distinct actors in the log (for the console's filter).
    pub async fn audit_actors(&self) -> Result<Vec<String>, StoreError> {
        Ok(with_pool!(&self.db, pool => sqlx::query_scalar(
            "SELECT DISTINCT actor FROM audit_log ORDER BY actor")
            .fetch_all(pool).await?))
    }
}

/// Escapes `%`, `_` and `\` so that typed text matches itself in a LIKE pattern.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The console's label for an action (the name itself when unknown).
pub fn action_label(action: &str) -> &str {
    AUDIT_ACTIONS.iter().find(|(a, _)| *a == action).map(|(_, l)| *l).unwrap_or(action)
}
