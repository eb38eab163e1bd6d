//! The dashboard: the first page after sign-in.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::{ui::{group, when}, AppError};

/// What the dashboard shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardFacts {
    pub display_name: String,
    /// "SQLite" or "PostgreSQL".
    pub database: String,
    /// Console accounts (admins and auditors).
    pub accounts: usize,
    pub version: String,
    /// The newest roster revision (0 before the first import).
    pub revision: i64,
    /// Per roster entity: label, active records, deleted (tombstoned) records.
    pub roster: Vec<(String, u64, u64)>,
    /// The newest import: "#id outcome: message".
    pub last_import: Option<String>,
    /// Imports held for an admin's decision.
    pub held: usize,
    /// Rejected or failed imports among the latest 50.
    pub failed_imports: usize,
    /// Of the latest API answers: (refused or failed, all).
    pub api_errors: (i64, i64),
    /// Apps: id, name, enabled, last access.
    pub apps: Vec<(i64, String, bool, Option<String>)>,
    /// Roster issues teachers reported that wait for an admin.
    pub open_issues: i64,
    /// App requests from teachers that wait for an admin.
    pub open_requests: i64,
    /// Classes attested by their teachers (and unchanged since), of all active classes.
    pub attested: (i64, u64),
}

/// Entity labels in the order the dashboard lists them.
#[cfg(feature = "ssr")]
const ENTITIES: &[(&str, &str)] = &[
    ("orgs", "Organizations"),
    ("academic_sessions", "Academic sessions"),
    ("courses", "Courses"),
    ("classes", "Classes"),
    ("users", "Users"),
    ("roles", "Roles"),
    ("enrollments", "Enrollments"),
    ("demographics", "Demographics"),
];

/// The dashboard's figures; requires a session like every console server function.
#[server(prefix = "/api", endpoint = "dashboard_summary")]
pub async fn dashboard_summary() -> Result<DashboardFacts, AppError> {
    use crate::ssr::{internal, require_account, store};
    let account = require_account().await?;
    let store = store()?;
    let accounts = store.list_accounts().await.map_err(internal)?.len();
    let counts = store.roster_counts().await.map_err(internal)?;
    let roster = ENTITIES
        .iter()
        .map(|(name, label)| {
            let c = counts.get(name).copied().unwrap_or_default();
            (label.to_string(), c.active, c.tobedeleted)
        })
        .collect();
    let imports = store.imports(50).await.map_err(internal)?;
    let last_import = imports.first().map(|i| format!("#{} {}: {}", i.id, i.outcome.as_str(), i.message));
    let held = imports.iter().filter(|i| i.outcome == store::roster::Outcome::Held).count();
    let apps = store
        .apps()
        .await
        .map_err(internal)?
        .into_iter()
        .map(|a| (a.id, a.name, a.enabled, a.last_access_at))
        .collect();
    let failed_imports = imports
        .iter()
        .filter(|i| matches!(i.outcome, store::roster::Outcome::Rejected | store::roster::Outcome::Failed))
        .count();
    let api_errors = store.recent_api_errors(1000).await.map_err(internal)?;
    let open_issues = store.open_roster_issue_count().await.map_err(internal)?;
    let open_requests = store.open_app_request_count().await.map_err(internal)?;
    let (attested, _) = store.attestation_counts().await.map_err(internal)?;
    let classes = counts.get("classes").map(|c| c.active).unwrap_or_default();
    Ok(DashboardFacts {
        open_issues,
        open_requests,
        attested: (attested, classes),
        failed_imports,
        api_errors,
        apps,
        display_name: account.display_name,
        database: store.backend().to_string(),
        accounts,
        version: env!("CARGO_PKG_VERSION").to_string(),
        revision: store.current_revision().await.map_err(internal)?,
        roster,
        last_import,
        held,
    })
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| dashboard_summary());
    view! {
        <Title text="Dashboard"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(s) => view! {
                        <div class="page-header">
                            <h1>"Dashboard"</h1>
                            <p class="muted">"Welcome, " {s.display_name.clone()} "."</p>
                        </div>
                        <div class="cards">
                            <RosterCard facts=s.clone()/>
                            <section class="card" aria-labelledby="apps-heading">
                                <h2 id="apps-heading">"Apps"</h2>
                                {if s.apps.is_empty() {
                                    view! {
                                        <p class="empty">"No apps registered yet."</p>
                                        <p><a href="/apps">"Register an app"</a></p>
                                    }.into_any()
                                } else {
                                    view! {
                                        <table class="counts" data-testid="dashboard-apps">
                                            <thead><tr><th scope="col">"App"</th><th scope="col">"Last access"</th></tr></thead>
                                            <tbody>
                                                {s.apps.iter().map(|(id, name, enabled, last)| view! {
                                                    <tr>
                                                        <th scope="row"><a href=format!("/apps/{id}")>{name.clone()}</a>
                                                            {(!enabled).then(|| view! { " " <span class="badge badge-off">"Disabled"</span> })}</th>
                                                        <td>{last.as_deref().map(when).unwrap_or_else(|| "never".into())}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                            <section class="card" aria-labelledby="teachers-heading">
                                <h2 id="teachers-heading">"Teachers' review"</h2>
                                <dl class="facts" data-testid="teacher-review">
                                    <dt>"Open roster issues"</dt>
                                    <dd><a href="/roster-issues" data-testid="open-issues">{group(s.open_issues)}</a></dd>
                                    <dt>"Open app requests"</dt>
                                    <dd><a href="/app-requests" data-testid="open-requests">{group(s.open_requests)}</a></dd>
                                    <dt>"Classes attested"</dt>
                                    <dd>{format!("{}% ({} of {})", if s.attested.1 == 0 { 0 } else { s.attested.0 as u64 * 100 / s.attested.1 }, group(s.attested.0), group(s.attested.1))}</dd>
                                </dl>
                            </section>
                            <section class="card" aria-labelledby="errors-heading">
                                <h2 id="errors-heading">"Errors"</h2>
                                <dl class="facts" data-testid="errors">
                                    <dt>"Rejected or failed imports"</dt>
                                    <dd><a href="/imports">{s.failed_imports} " of the latest 50"</a></dd>
                                    <dt>"Refused or failed API requests"</dt>
                                    <dd>{group(s.api_errors.0)} " of the latest " {group(s.api_errors.1)}</dd>
                                </dl>
                            </section>
                            <section class="card">
                                <h2>"System"</h2>
                                <dl class="facts">
                                    <dt>"Database"</dt><dd>{s.database.clone()}</dd>
                                    <dt>"Console accounts"</dt><dd>{s.accounts}</dd>
                                    <dt>"Rollbook"</dt><dd>{s.version.clone()}</dd>
                                </dl>
                            </section>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Counts per entity, the current revision, the last import and waiting holds.
#[component]
fn RosterCard(facts: DashboardFacts) -> impl IntoView {
    let held = facts.held;
    view! {
        <section class="card" aria-labelledby="roster-heading">
            <h2 id="roster-heading">"Roster"</h2>
            {if facts.revision == 0 {
                view! {
                    <p class="empty">"No roster data yet."</p>
                    <p class="muted">"Import a OneRoster package: " <code>"rollbook import PATH"</code> " or the drop folder."</p>
                }.into_any()
            } else {
                view! {
                    <table class="counts" data-testid="roster-counts">
                        <thead><tr><th scope="col">"Entity"</th><th scope="col">"Active"</th><th scope="col">"Deleted"</th></tr></thead>
                        <tbody>
                            {facts.roster.iter().map(|(label, active, deleted)| view! {
                                <tr><th scope="row">{label.clone()}</th><td>{group(*active)}</td><td>{group(*deleted)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <p class="muted" data-testid="roster-revision">"Revision " {facts.revision}</p>
                }.into_any()
            }}
            {facts.last_import.clone().map(|l| view! { <p class="muted" data-testid="last-import">"Last import " {l}</p> })}
            {(held > 0).then(|| view! {
                <p class="alert alert-warning" role="status">{held} " held import(s) wait for a decision. " <a href="/imports">"Review them"</a></p>
            })}
        </section>
    }
}
