//! The roster issues queue: what teachers reported about their class lists, whether the roster
//! has fixed it since, and how many classes are attested, per school.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::{
    ui::{encode, invalid, when, ErrorAlert, FieldError, FormError},
    AppError,
};

/// One reported issue as the queue shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueIssue {
    pub id: i64,
    pub class_sourced_id: String,
    pub class_title: String,
    pub school: String,
    pub reporter: String,
    pub kind: String,
    pub student_name: String,
    pub comment: String,
    pub reported_at: String,
    pub open: bool,
    pub resolved_by: String,
    pub resolved_at: String,
    pub resolution: String,
    pub gone: Option<bool>,
    pub check: String,
}

/// The queue page: attestation figures and the issues.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuesPage {
    /// Attested classes as a percentage, attested, all classes, classes with open issues.
    pub percent: i64,
    pub attested: i64,
    pub classes: i64,
    pub flagged: i64,
    /// Schools where something was reviewed: (name, classes, attested, flagged).
    pub schools: Vec<(String, i64, i64, i64)>,
    pub issues: Vec<QueueIssue>,
    pub can_edit: bool,
}

/// The queue: open issues, or (`all`) every issue.
#[server(prefix = "/api", endpoint = "roster_issue_queue")]
pub async fn roster_issue_queue(all: bool) -> Result<IssuesPage, AppError> {
    use crate::ssr::{from_store, require_account, store};
    let account = require_account().await?;
    let store = store()?;
    let summary = store.attestation_summary().await.map_err(from_store)?;
    let issues = store
        .roster_issues(!all)
        .await
        .map_err(from_store)?
        .into_iter()
        .map(|i| QueueIssue {
            id: i.id,
            class_title: if i.class_title.is_empty() { i.class_sourced_id.clone() } else { i.class_title },
            class_sourced_id: i.class_sourced_id,
            school: i.school,
            reporter: format!("{} ({})", i.reporter_name, i.reported_by),
            kind: i.kind.label().to_string(),
            student_name: i.student_name,
            comment: i.comment,
            reported_at: i.reported_at,
            open: i.open,
            resolved_by: i.resolved_by,
            resolved_at: i.resolved_at,
            resolution: i.resolution,
            gone: i.check.gone,
            check: i.check.text,
        })
        .collect();
    Ok(IssuesPage {
        percent: summary.percent(),
        attested: summary.total.attested,
        classes: summary.total.classes,
        flagged: summary.total.flagged,
        schools: summary
            .schools
            .into_iter()
            .filter(|s| s.attested > 0 || s.flagged > 0)
            .map(|s| (if s.name.is_empty() { s.school } else { s.name }, s.classes, s.attested, s.flagged))
            .collect(),
        issues,
        can_edit: account.role == store::Role::DistrictAdmin,
    })
}

/// Resolves an open issue with a note the teacher will see.
#[server(prefix = "/api", endpoint = "resolve_roster_issue")]
pub async fn resolve_roster_issue(id: i64, resolution: String) -> Result<(), AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    store()?.resolve_roster_issue(id, &account.email, &resolution).await.map_err(from_store)?;
    Ok(())
}

/// `/roster-issues`: the queue (`?all=1` includes resolved issues).
#[component]
pub fn RosterIssuesPage() -> impl IntoView {
    let query = use_query_map();
    let all = move || query.read().get("all").is_some_and(|v| v == "1");
    // Bumped by a card once its issue is resolved, so that the queue is read again.
    let changed = RwSignal::new(0u32);
    let page = Resource::new(move || (all(), changed.get()), |(all, _)| roster_issue_queue(all));
    view! {
        <Title text="Roster issues"/>
        <div class="page-header">
            <h1>"Roster issues"</h1>
            <p class="muted">"What teachers reported about their class lists. Fix the data in the student information system; the next import shows whether the problem is gone."</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(p) => view! {
                        <div>
                            <section class="card" aria-labelledby="attestation-heading">
                                <h2 id="attestation-heading">"Attestation"</h2>
                                <p class="big-number" data-testid="attested-percent">{format!("{}% of classes attested", p.percent)}</p>
                                <p class="muted">{format!("{} of {} classes confirmed by their teachers and unchanged since; {} with open issues.", p.attested, p.classes, p.flagged)}</p>
                                {(!p.schools.is_empty()).then(|| view! {
                                    <table class="counts" data-testid="attestation-schools">
                                        <thead><tr><th scope="col">"School"</th><th scope="col">"Classes"</th><th scope="col">"Attested"</th><th scope="col">"Open issues"</th></tr></thead>
                                        <tbody>{p.schools.iter().map(|(name, classes, attested, flagged)| view! {
                                            <tr><th scope="row">{name.clone()}</th><td>{*classes}</td><td>{format!("{attested} ({}%)", attested * 100 / (*classes).max(1))}</td><td>{*flagged}</td></tr>
                                        }).collect_view()}</tbody>
                                    </table>
                                })}
                            </section>
                        </div>
                        <nav class="tabs" aria-label="Issues">
                            <a href="/roster-issues" aria-current=(!all()).then_some("page")>"Open"</a>
                            <a href="/roster-issues?all=1" aria-current=all().then_some("page")>"All"</a>
                        </nav>
                        {if p.issues.is_empty() {
                            view! { <p class="empty" data-testid="issues-empty">"No open roster issues."</p> }.into_any()
                        } else {
                            view! { <div data-testid="issues">{p.issues.into_iter().map(|i| view! { <IssueCard issue=i can_edit=p.can_edit changed/> }).collect_view()}</div> }.into_any()
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IssueCard(issue: QueueIssue, can_edit: bool, changed: RwSignal<u32>) -> impl IntoView {
    // Each card has its own action, so that an error shows on the card it belongs to.
    let resolve = ServerAction::<ResolveRosterIssue>::new();
    let error = Signal::derive(move || resolve.value().get().and_then(|r| r.err()));
    Effect::new(move |_| {
        if let Some(Ok(())) = resolve.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let field_id = format!("resolution-{}", issue.id);
    let error_id = format!("resolution-{}-error", issue.id);
    let badge = match issue.gone {
        Some(true) => "badge badge-ok",
        Some(false) => "badge badge-warn",
        None => "badge",
    };
    view! {
        <article class="card" data-testid="issue" aria-labelledby=format!("issue-{}", issue.id)>
            <h2 id=format!("issue-{}", issue.id)>
                {issue.kind.clone()} {(!issue.student_name.is_empty()).then(|| format!(": {}", issue.student_name))}
                " " <span class=if issue.open { "badge badge-warn" } else { "badge badge-ok" }>{if issue.open { "Open" } else { "Resolved" }}</span>
            </h2>
            <p class="muted">
                <a href=format!("/data/classes/{}", encode(&issue.class_sourced_id))>{issue.class_title.clone()}</a>
                " · " {issue.school.clone()} " · reported by " {issue.reporter.clone()} " on " {when(&issue.reported_at)}
            </p>
            {(!issue.comment.is_empty()).then(|| view! { <blockquote>{issue.comment.clone()}</blockquote> })}
            <p data-testid="issue-check"><span class=badge>"Roster now"</span> " " {issue.check.clone()}</p>
            {(!issue.open).then(|| view! {
                <p data-testid="issue-resolution">"Resolved by " {issue.resolved_by.clone()} " on " {when(&issue.resolved_at)} ": " {issue.resolution.clone()}</p>
            })}
            {(issue.open && can_edit).then(|| view! {
                <ActionForm action=resolve attr:class="form-grid">
                    <input type="hidden" name="id" value=issue.id/>
                    <div class="field">
                        <label for=field_id.clone()>"How it was resolved"</label>
                        <input id=field_id.clone() name="resolution" maxlength="2000"
                            aria-describedby=error_id.clone() aria-invalid=invalid(error, "resolution")/>
                        <FieldError error field="resolution" id=error_id.clone()/>
                    </div>
                    <FormError error/>
                    <button type="submit" class="button button-primary" disabled=move || resolve.pending().get()>"Resolve"</button>
                </ActionForm>
            })}
        </article>
    }
}
