//! The sharing editor's server side: the share as the editor holds it, the impact preview,
//! saving with confirmation, and "why is this record (not) shared".
//!
//! The editor sends the whole share as the JSON document `rollbook app share --file` takes
//! (README "Sharing"); the store checks it, so the console and the CLI accept exactly the same.

mod draft;
mod editor;
mod panels;

pub use draft::{EditorState, RuleDraft, RuleRow, ShareDraft};
pub use editor::SharePage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Saving asks for confirmation when the change adds more than this share of the district's
/// students (or any sensitive field).
pub const CONFIRM_PERCENT: i64 = 10;

/// One organization in the school picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChoice {
    pub sourced_id: String,
    pub name: String,
    pub org_type: String,
    pub parent: Option<String>,
}

/// A field an admin may withhold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChoice {
    /// `users.email`.
    pub key: String,
    pub entity: String,
    pub field: String,
    pub sensitive: bool,
}

/// What the editor starts from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareEditorData {
    pub app_id: i64,
    pub app_name: String,
    pub draft: ShareDraft,
    /// True when the app has never had a share (the editor then starts with sensitive fields
    /// withheld).
    pub new_share: bool,
    pub orgs: Vec<OrgChoice>,
    pub fields: Vec<FieldChoice>,
    pub students_now: i64,
    pub district_students: i64,
    pub can_edit: bool,
}

/// What a proposed share would change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactView {
    pub students_added: i64,
    pub students_removed: i64,
    pub added: Vec<(String, i64)>,
    pub removed: Vec<(String, i64)>,
    pub fields_added: Vec<String>,
    pub fields_removed: Vec<String>,
    pub sensitive_added: Vec<String>,
    /// Why saving needs a confirmation (empty: it does not).
    pub confirm: Vec<String>,
}

/// The result of a save: saved, or the reasons it needs a confirmation first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveOutcome {
    pub saved: bool,
    pub impact: ImpactView,
}

/// A class found by search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassChoice {
    pub sourced_id: String,
    pub title: String,
    pub school: String,
}

/// Why a record is or is not shared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhyView {
    pub entity: String,
    pub sourced_id: String,
    pub shared: bool,
    pub reason: String,
    pub since: Option<String>,
    pub left_at: Option<String>,
}

/// The app's share as the editor holds it, with the choices it offers.
#[server(prefix = "/api", endpoint = "share_editor")]
pub async fn share_editor(app_id: i64) -> Result<ShareEditorData, AppError> {
    use crate::ssr::{from_store, internal, require_account, store};
    let account = require_account().await?;
    let store = store()?;
    let app = store.app(app_id).await.map_err(from_store)?;
    let share = store.share(app_id).await.map_err(from_store)?;
    let new_share = share == store::sharing::Share::default();
    let text = serde_json::to_string(&share).map_err(internal)?;
    let draft: ShareDraft = serde_json::from_str(&text).map_err(internal)?;
    let orgs = store
        .org_tree()
        .await
        .map_err(from_store)?
        .into_iter()
        .map(|o| OrgChoice { sourced_id: o.sourced_id, name: o.name, org_type: o.org_type, parent: o.parent })
        .collect();
    let fields = store::sharing::rules::WITHHOLDABLE
        .iter()
        .flat_map(|(entity, fields)| fields.iter().map(move |f| (*entity, *f)))
        .map(|(entity, field)| {
            let key = format!("{entity}.{field}");
            FieldChoice {
                sensitive: store::sharing::rules::SENSITIVE.contains(&key.as_str()),
                key,
                entity: entity.to_string(),
                field: field.to_string(),
            }
        })
        .collect();
    let counts = store.share_counts(app_id).await.map_err(from_store)?;
    Ok(ShareEditorData {
        app_id,
        app_name: app.name,
        draft,
        new_share,
        orgs,
        fields,
        students_now: counts.students,
        district_students: district_students(&store).await?,
        can_edit: account.role == store::Role::DistrictAdmin,
    })
}

/// What saving `share` (the share document as JSON) would change, without changing anything.
#[server(prefix = "/api", endpoint = "preview_share")]
pub async fn preview_share(app_id: i64, share: String) -> Result<ImpactView, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let store = store()?;
    let proposed = store::sharing::Share::from_json(&share).map_err(from_store)?;
    impact(&store, app_id, &proposed).await
}

/// Saves the share. Without `confirmed`, a change that adds sensitive fields or more than
/// [`CONFIRM_PERCENT`] of the district's students is not saved; the answer says why.
#[server(prefix = "/api", endpoint = "save_share")]
pub async fn save_share(app_id: i64, share: String, confirmed: bool) -> Result<SaveOutcome, AppError> {
    use crate::ssr::{audit, from_store, internal, require_admin, store};
    let account = require_admin().await?;
    let store = store()?;
    let proposed = store::sharing::Share::from_json(&share).map_err(from_store)?;
    let impact = impact(&store, app_id, &proposed).await?;
    if !impact.confirm.is_empty() && !confirmed {
        return Ok(SaveOutcome { saved: false, impact });
    }
    let before = store.share(app_id).await.map_err(from_store)?;
    store.set_share(app_id, &proposed, &account.email).await.map_err(from_store)?;
    let detail = format!(
        "before: {}\nafter: {}\nimpact: +{} / -{} students{}",
        serde_json::to_string(&before).map_err(internal)?,
        serde_json::to_string(&proposed).map_err(internal)?,
        impact.students_added,
        impact.students_removed,
        if impact.fields_added.is_empty() { String::new() } else { format!(", adds fields {}", impact.fields_added.join(", ")) }
    );
    audit(&account, "share.set", &format!("app {app_id}"), &detail).await?;
    Ok(SaveOutcome { saved: true, impact })
}

/// Active classes matching `text` (title, code or sourcedId), for picking.
#[server(prefix = "/api", endpoint = "find_classes")]
pub async fn find_classes(text: String) -> Result<Vec<ClassChoice>, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    if text.trim().chars().count() < 2 {
        return Ok(Vec::new());
    }
    let hits = store()?.search_classes(&text, 25).await.map_err(from_store)?;
    Ok(hits.into_iter().map(|h| ClassChoice { sourced_id: h.sourced_id, title: h.title, school: h.school }).collect())
}

/// Why `sourced_id` (a user or class, ...) is or is not visible to the app.
#[server(prefix = "/api", endpoint = "why_shared")]
pub async fn why_shared(app_id: i64, entity: String, sourced_id: String) -> Result<WhyView, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let sourced_id = sourced_id.trim().to_string();
    if sourced_id.is_empty() {
        return Err(AppError::Invalid("sourcedId: type the sourcedId of a user or class.".into()));
    }
    let e = store()?.explain_share(app_id, &entity, &sourced_id).await.map_err(from_store)?;
    Ok(WhyView { entity: e.entity, sourced_id: e.sourced_id, shared: e.shared, reason: e.reason, since: e.since, left_at: e.left_at })
}

#[cfg(feature = "ssr")]
async fn district_students(store: &store::Store) -> Result<i64, AppError> {
    use crate::ssr::from_store;
    store.active_students().await.map_err(from_store)
}

#[cfg(feature = "ssr")]
async fn impact(store: &store::Store, app_id: i64, proposed: &store::sharing::Share) -> Result<ImpactView, AppError> {
    use crate::ssr::from_store;
    let i = store.share_impact(app_id, proposed).await.map_err(from_store)?;
    let district = district_students(store).await?;
    let mut confirm = Vec::new();
    if !i.sensitive_added.is_empty() {
        confirm.push(format!("It adds sensitive data: {}.", i.sensitive_added.join(", ")));
    }
    if district > 0 && i.students_added * 100 > district * CONFIRM_PERCENT {
        confirm.push(format!(
            "It adds {} students, more than {CONFIRM_PERCENT}% of the district's {}.",
            crate::ui::group(i.students_added),
            crate::ui::group(district)
        ));
    }
    Ok(ImpactView {
        students_added: i.students_added,
        students_removed: i.students_removed,
        added: i.added.into_iter().collect(),
        removed: i.removed.into_iter().collect(),
        fields_added: i.fields_added,
        fields_removed: i.fields_removed,
        sensitive_added: i.sensitive_added,
        confirm,
    })
}
