//! The app request queue: what teachers asked for. Approving a request for a registered app
//! leads to its share editor with the teacher's classes added (the impact preview shows what
//! that gives before anything is saved); a new app is registered first. A denial carries a
//! reason the teacher sees.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::{
    ui::{invalid, when, ErrorAlert, FieldError, FormError},
    AppError,
};

/// One request in the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRequest {
    pub id: i64,
    pub teacher: String,
    pub app_id: Option<i64>,
    pub app_name: String,
    pub web_address: String,
    pub reason: String,
    /// The classes it is for: (sourcedId, title); empty for all of the teacher's classes.
    pub classes: Vec<(String, String)>,
    pub requested_at: String,
    pub status: String,
    pub decided_by: String,
    pub decision: String,
}

/// The queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestQueue {
    pub requests: Vec<QueueRequest>,
    pub can_edit: bool,
}

/// Open requests, or (`all`) every request.
#[server(prefix = "/api", endpoint = "app_request_queue")]
pub async fn app_request_queue(all: bool) -> Result<RequestQueue, AppError> {
    use crate::ssr::{from_store, require_account, store};
    let account = require_account().await?;
    let store = store()?;
    let mut requests = Vec::new();
    for r in store.app_requests(!all).await.map_err(from_store)? {
        let mut classes = Vec::new();
        for class in &r.classes {
            let title = store.class_detail(class).await.map_err(from_store)?.map(|d| {
                d.fields.iter().find(|(k, _)| k == "title").map(|(_, v)| v.clone()).unwrap_or_default()
            });
            classes.push((class.clone(), title.unwrap_or_else(|| class.clone())));
        }
        requests.push(QueueRequest {
            id: r.id,
            teacher: format!("{} ({})", r.teacher, r.teacher_email),
            app_id: r.app_id,
            app_name: r.app_name,
            web_address: r.web_address,
            reason: r.reason,
            classes,
            requested_at: r.requested_at,
            status: r.status,
            decided_by: r.decided_by,
            decision: r.decision,
        });
    }
    Ok(RequestQueue { requests, can_edit: account.role == store::Role::DistrictAdmin })
}

/// Approves (`approve` = true) or denies a request; a denial needs a reason. Returns where the
/// admin goes next: the app's share editor with the classes added, or the apps page.
#[server(prefix = "/api", endpoint = "decide_app_request")]
pub async fn decide_app_request(id: i64, approve: bool, decision: Option<String>) -> Result<String, AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    let r = store()?.decide_app_request(id, &account.email, approve, decision.as_deref().unwrap_or("")).await.map_err(from_store)?;
    let next = next_step(&r);
    if approve {
        // Straight on to the share (or to registering the app): approving is only the start.
        leptos_axum::redirect(&next);
    }
    Ok(next)
}

/// Where approving leads.
#[cfg(feature = "ssr")]
fn next_step(r: &store::service::app_requests::AppRequest) -> String {
    use crate::ui::encode;
    match r.app_id {
        Some(id) if r.classes.is_empty() => format!("/apps/{id}/share"),
        Some(id) => format!("/apps/{id}/share?add_classes={}", encode(&r.classes.join(","))),
        // A new app: its registration form, filled in with what the teacher gave; the classes
        // go on to its share once it is registered.
        None => format!(
            "/apps?name={}&contact={}&classes={}#new-app-heading",
            encode(&r.app_name),
            encode(&r.web_address),
            encode(&r.classes.join(","))
        ),
    }
}

/// `/app-requests`.
#[component]
pub fn AppRequestsPage() -> impl IntoView {
    let query = use_query_map();
    let all = move || query.read().get("all").is_some_and(|v| v == "1");
    let changed = RwSignal::new(0u32);
    let page = Resource::new(move || (all(), changed.get()), |(all, _)| app_request_queue(all));
    view! {
        <Title text="App requests"/>
        <div class="page-header">
            <h1>"App requests"</h1>
            <p class="muted">"Apps teachers asked for. Approve to extend the app's share (you see the impact before saving), or deny with a reason the teacher sees."</p>
        </div>
        <nav class="tabs" aria-label="Requests">
            <a href="/app-requests" aria-current=move || (!all()).then_some("page")>"Open"</a>
            <a href="/app-requests?all=1" aria-current=move || all().then_some("page")>"All"</a>
        </nav>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(q) if q.requests.is_empty() => view! { <p class="empty" data-testid="requests-empty">"No open app requests."</p> }.into_any(),
                    Ok(q) => view! {
                        <div data-testid="app-requests">{q.requests.into_iter().map(|r| view! { <RequestCard request=r can_edit=q.can_edit changed/> }).collect_view()}</div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RequestCard(request: QueueRequest, can_edit: bool, changed: RwSignal<u32>) -> impl IntoView {
    let decide = ServerAction::<DecideAppRequest>::new();
    let error = Signal::derive(move || decide.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = decide.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let error_id = format!("decision-{}-error", request.id);
    let field_id = format!("decision-{}", request.id);
    let for_classes = if request.classes.is_empty() {
        "all of their classes".to_string()
    } else {
        request.classes.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>().join(", ")
    };
    view! {
        <article class="card" data-testid="app-request">
            <h2>{request.app_name.clone()} " "
                <span class=match request.status.as_str() { "approved" => "badge badge-ok", "denied" => "badge badge-rejected", _ => "badge badge-warn" }>{request.status.clone()}</span></h2>
            <p class="muted">{request.teacher.clone()} " · " {when(&request.requested_at)} " · for " {for_classes}</p>
            {(!request.web_address.is_empty()).then(|| view! { <p>"Not registered yet: " <span class="mono">{request.web_address.clone()}</span></p> })}
            <blockquote>{request.reason.clone()}</blockquote>
            {(request.status != "open").then(|| view! { <p data-testid="request-decision">{format!("{} by {}", request.status, request.decided_by)} {(!request.decision.is_empty()).then(|| format!(": {}", request.decision))}</p> })}
            {(request.status == "open" && can_edit).then(|| view! {
                <div class="cards">
                    <ActionForm action=decide>
                        <input type="hidden" name="id" value=request.id/>
                        <input type="hidden" name="approve" value="true"/>
                        <p class="muted">{if request.app_id.is_some() { "Approving opens the app's share with these classes added." } else { "Approving takes you to register the app." }}</p>
                        <button type="submit" class="button button-primary" disabled=move || decide.pending().get()>"Approve"</button>
                    </ActionForm>
                    <ActionForm action=decide attr:class="form-grid">
                        <input type="hidden" name="id" value=request.id/>
                        <input type="hidden" name="approve" value="false"/>
                        <div class="field">
                            <label for=field_id.clone()>"Why not (the teacher sees this)"</label>
                            <input id=field_id.clone() name="decision" maxlength="2000" aria-describedby=error_id.clone() aria-invalid=invalid(error, "decision")/>
                            <FieldError error field="decision" id=error_id.clone()/>
                        </div>
                        <FormError error/>
                        <button type="submit" class="button button-danger" disabled=move || decide.pending().get()>"Deny"</button>
                    </ActionForm>
                </div>
            })}
        </article>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::next_step;
    use store::service::app_requests::AppRequest;

    fn request(app_id: Option<i64>, classes: &[&str]) -> AppRequest {
        AppRequest {
            id: 1,
            teacher: "Maria Lopez".into(),
            teacher_email: "mlopez@rusd.example.org".into(),
            app_id,
            app_name: "Fraction Lab & Co".into(),
            web_address: "https://fractions.example/?src=rollbook".into(),
            reason: "practice".into(),
            classes: classes.iter().map(|c| c.to_string()).collect(),
            requested_at: String::new(),
            status: "approved".into(),
            decided_by: String::new(),
            decided_at: String::new(),
            decision: String::new(),
        }
    }

    #[test]
    fn approving_leads_to_the_share_editor_with_the_classes_or_to_registering_the_new_app() {
        assert_eq!(next_step(&request(Some(3), &[])), "/apps/3/share");
        assert_eq!(next_step(&request(Some(3), &["cls-a", "cls b"])), "/apps/3/share?add_classes=cls-a%2Ccls%20b");
        assert_eq!(
            next_step(&request(None, &["x"])),
            "/apps?name=Fraction%20Lab%20%26%20Co&contact=https%3A%2F%2Ffractions.example%2F%3Fsrc%3Drollbook&classes=x#new-app-heading"
        );
    }
}
