//! Console sections that have no content yet, and the not-found page.

use leptos::prelude::*;
use leptos_meta::Title;

/// A section page with a title and an honest empty state.
#[component]
fn Section(title: &'static str, lead: &'static str, empty: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <div class="page-header">
            <h1>{title}</h1>
            <p class="muted">{lead}</p>
        </div>
        <section class="card">
            <p class="empty">{empty}</p>
        </section>
    }
}

#[component]
pub fn DataPage() -> impl IntoView {
    view! { <Section title="Data"
        lead="Schools, classes, courses, people and enrollments from your student information system."
        empty="Nothing imported yet."/> }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! { <Section title="Settings"
        lead="District settings, console accounts and import policies."
        empty="No settings to change yet."/> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <div class="auth-page">
            <section class="auth-card">
                <h1>"Page not found"</h1>
                <p class="muted">"There is nothing at this address."</p>
                <a class="button button-primary" href="/">"Go to the dashboard"</a>
            </section>
        </div>
    }
}
