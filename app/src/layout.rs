//! The signed-in console frame: top bar with navigation, the account, and sign-out.

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use crate::auth::{current_user, SignOut};

/// Layout of every page behind sign-in. The server already refused the page without a session;
/// this still asks the server who is signed in and offers the way back when the session ended.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let user = Resource::new(|| (), |_| current_user());
    let sign_out = ServerAction::<SignOut>::new();

    view! {
        <div class="console">
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"R"</span>
                    <span class="brand-name">"Rollbook"</span>
                </a>
                <nav class="main-nav" aria-label="Main">
                    // The server sends teachers to their own pages; this only picks the links.
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match user.await {
                                Ok(u) if u.is_teacher => view! { <A href="/my-classes">"My classes"</A> <A href="/my-apps">"Apps"</A> }.into_any(),
                                _ => view! {
                                    <A href="/" exact=true>"Dashboard"</A>
                                    <A href="/data">"Data"</A>
                                    <A href="/imports">"Imports"</A>
                                    <A href="/apps">"Apps"</A>
                                    <A href="/roster-issues">"Roster issues"</A>
                                    <A href="/app-requests">"App requests"</A>
                                    <A href="/audit">"Audit"</A>
                                    <A href="/settings">"Settings"</A>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                </nav>
                <div class="account">
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match user.await {
                                Ok(u) => view! {
                                    <span class="account-name" data-testid="account-name">{u.display_name}</span>
                                    <span class="account-role">{u.role}</span>
                                }.into_any(),
                                Err(_) => view! {
                                    <a href="/sign-in">"Sign in again"</a>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                    <ActionForm action=sign_out>
                        <button type="submit" class="button button-quiet">"Sign out"</button>
                    </ActionForm>
                </div>
            </header>
            <main class="content" id="main">
                <Outlet/>
            </main>
        </div>
    }
}
