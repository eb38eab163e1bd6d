//! The audit log page: every admin action with who and when, filterable, exportable as CSV.
//! Entries are read-only here (the store has no way to change them).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};
use serde::{Deserialize, Serialize};

use crate::{ui::{encode, when, ErrorAlert}, AppError};

/// One entry as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub label: String,
    pub target: String,
    pub detail: String,
}

/// A page of entries and what the filters offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPageData {
    pub entries: Vec<AuditRow>,
    pub actors: Vec<String>,
    pub actions: Vec<(String, String)>,
    /// The `before` of the next (older) page, when there is one.
    pub next_before: Option<i64>,
}

/// Entries per page.
pub const AUDIT_PAGE: i64 = 100;

/// A page of the audit log, newest first. Auditors may read it.
#[server(prefix = "/api", endpoint = "audit_log")]
pub async fn audit_log(
    action: Option<String>,
    actor: Option<String>,
    text: Option<String>,
    before: Option<i64>,
) -> Result<AuditPageData, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let store = store()?;
    let filter = store::AuditFilter { action, actor, text, before };
    let mut entries = store.audit_entries(&filter, AUDIT_PAGE + 1).await.map_err(from_store)?;
    let more = entries.len() as i64 > AUDIT_PAGE;
    entries.truncate(AUDIT_PAGE as usize);
    let next_before = more.then(|| entries.last().map(|e| e.id)).flatten();
    Ok(AuditPageData {
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                label: store::action_label(&e.action).to_string(),
                id: e.id,
                at: e.at,
                actor: e.actor,
                action: e.action,
                target: e.target,
                detail: e.detail,
            })
            .collect(),
        actors: store.audit_actors().await.map_err(from_store)?,
        actions: store::AUDIT_ACTIONS.iter().map(|(a, l)| (a.to_string(), l.to_string())).collect(),
        next_before,
    })
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k).filter(|v| !v.is_empty()));
    let data = Resource::new(
        move || (param("action"), param("actor"), param("text"), param("before").and_then(|b| b.parse::<i64>().ok())),
        |(action, actor, text, before)| audit_log(action, actor, text, before),
    );
    let csv_href = move || {
        let mut pairs = Vec::new();
        for k in ["action", "actor", "text"] {
            if let Some(v) = param(k) {
                pairs.push(format!("{k}={}", encode(&v)));
            }
        }
        if pairs.is_empty() { "/audit.csv".to_string() } else { format!("/audit.csv?{}", pairs.join("&")) }
    };

    view! {
        <Title text="Audit"/>
        <div class="page-header page-header-actions">
            <div>
                <h1>"Audit"</h1>
                <p class="muted">"Every administrative action, with who did it and when. Entries cannot be changed or deleted."</p>
            </div>
            <div class="actions"><a class="button" href=csv_href download="">"Export as CSV"</a></div>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <AuditView data=d current=(param("action"), param("actor"), param("text"))/> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuditView(data: AuditPageData, current: (Option<String>, Option<String>, Option<String>)) -> impl IntoView {
    let (action, actor, text) = current;
    let next = data.next_before.map(|b| {
        let mut q = format!("?before={b}");
        for (k, v) in [("action", &action), ("actor", &actor), ("text", &text)] {
            if let Some(v) = v {
                q.push_str(&format!("&{k}={}", encode(v)));
            }
        }
        q
    });
    view! {
        <section class="card">
            <Form method="GET" action="/audit" attr:class="filters">
                <label>"Action"
                    <select name="action">
                        <option value="" selected=action.is_none()>"Any"</option>
                        {data.actions.iter().map(|(a, l)| view! {
                            <option value=a.clone() selected=action.as_deref() == Some(a.as_str())>{l.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Who"
                    <select name="actor">
                        <option value="" selected=actor.is_none()>"Anyone"</option>
                        {data.actors.iter().map(|a| view! {
                            <option value=a.clone() selected=actor.as_deref() == Some(a.as_str())>{a.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Contains"<input type="search" name="text" value=text.clone().unwrap_or_default()/></label>
                <button type="submit" class="button">"Filter"</button>
            </Form>
            {if data.entries.is_empty() {
                view! { <p class="empty">"No entries match."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="audit-table">
                        <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th><th scope="col">"On"</th><th scope="col">"Details"</th></tr></thead>
                        <tbody>
                            {data.entries.into_iter().map(|e| view! {
                                <tr data-action=e.action.clone()>
                                    <td>{when(&e.at)}</td>
                                    <td>{e.actor}</td>
                                    <td>{e.label}</td>
                                    <td>{e.target}</td>
                                    <td class="detail">
                                        {if e.detail.len() > 120 || e.detail.contains('\n') {
                                            view! { <details><summary>{e.detail.lines().next().unwrap_or_default().chars().take(80).collect::<String>()} "…"</summary><pre>{e.detail.clone()}</pre></details> }.into_any()
                                        } else {
                                            view! { <span>{e.detail.clone()}</span> }.into_any()
                                        }}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {next.map(|q| view! { <p><a class="button" href=format!("/audit{q}")>"Older entries"</a></p> })}
        </section>
    }
}
