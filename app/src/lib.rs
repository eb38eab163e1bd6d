//! Rollbook's admin console: Leptos pages rendered on the server and hydrated in the browser.
//!
//! Server functions are thin: they check the session themselves (never trusting that a page did),
//! call a `store` service, and return a view model. With the `ssr` feature they run on the
//! server; with `hydrate` the same functions become HTTP calls.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod apps;
pub mod audit;
pub mod auth;
pub mod dashboard;
pub mod data;
pub mod error;
pub mod imports;
pub mod issues;
pub mod requests;
mod layout;
#[cfg(feature = "ssr")]
pub mod mail;
mod pages;
pub mod sharing;
pub mod teach;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path,
};

pub use error::AppError;

/// The HTML document around the console (server-rendered; the browser then hydrates `<App/>`).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The console's routes. Everything but `/sign-in` sits inside the signed-in layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Lets browser tests (and people debugging) see when the page has become interactive.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/rollbook.css"/>
        <Title formatter=|title: String| {
            if title.is_empty() { "Rollbook".to_string() } else { format!("{title} · Rollbook") }
        }/>
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/sign-in") view=auth::SignInPage/>
                <Route path=path!("/welcome") view=teach::WelcomePage/>
                <ParentRoute path=path!("") view=layout::ConsoleLayout>
                    <Route path=path!("") view=dashboard::DashboardPage/>
                    <Route path=path!("data") view=data::DataPage/>
                    <Route path=path!("data/users/:id") view=data::UserPage/>
                    <Route path=path!("data/classes/:id") view=data::ClassPage/>
                    <Route path=path!("imports") view=imports::ImportsPage/>
                    <Route path=path!("imports/:id") view=imports::ImportDetailPage/>
                    <Route path=path!("apps") view=apps::AppsPage/>
                    <Route path=path!("apps/:id") view=apps::AppDetailPage/>
                    <Route path=path!("apps/:id/share") view=sharing::SharePage/>
                    <Route path=path!("audit") view=audit::AuditPage/>
                    <Route path=path!("roster-issues") view=issues::RosterIssuesPage/>
                    <Route path=path!("my-classes") view=teach::MyClassesPage/>
                    <Route path=path!("my-classes/:id") view=teach::MyClassPage/>
                    <Route path=path!("my-apps") view=teach::MyAppsPage/>
                    <Route path=path!("app-requests") view=requests::AppRequestsPage/>
                    <Route path=path!("settings") view=accounts::SettingsPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
