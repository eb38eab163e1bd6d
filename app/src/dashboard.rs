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
}

/// The dashboard's figures; requires a session like every console server function.
#[server(prefix = "/api", endpoint = "dashboard_summary")]
pub async fn dashboard_summary() -> Result<DashboardFacts, AppError> {
    use crate::ssr::{internal, require_account, store};
    let account = require_account().await?;
    let store = store()?;
    let accounts = store.list_accounts().await.map_err(internal)?.len();
    Ok(DashboardFacts {
        display_name: account.display_name,
        database: store.backend().to_string(),
        accounts,
        version: env!("CARGO_PKG_VERSION").to_string(),
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
                            <section class="card">
                                <h2>"Roster"</h2>
                                <p class="empty">"No roster data yet."</p>
                                <p class="muted">"Imported OneRoster packages will appear here with counts per entity."</p>
                            </section>
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
