//! The not-found page.

use leptos::prelude::*;
use leptos_meta::Title;

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
