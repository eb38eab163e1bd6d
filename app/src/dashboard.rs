//! The dashboard: the first page after sign-in.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::AppError;

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
    Ok(DashboardFacts {
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
                            <section class="card">
                                <h2>"Apps"</h2>
                                <p class="empty">"No apps registered yet."</p>
                                <p class="muted">"Apps you share rosters with will be listed here with their last access."</p>
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
                <p class="alert alert-warning" role="status">{held} " held import(s) wait for a decision: " <code>"rollbook imports list"</code></p>
            })}
        </section>
    }
}

/// `1234567` → `1,234,567`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::group(0), "0");
        assert_eq!(super::group(999), "999");
        assert_eq!(super::group(1000), "1,000");
        assert_eq!(super::group(1234567), "1,234,567");
    }
}
