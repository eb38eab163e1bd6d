//! Signing in and out, and who is signed in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// The signed-in account as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub email: String,
    pub display_name: String,
    /// "District admin" or "Auditor".
    pub role: String,
    /// Whether the account may change things (district admins); auditors only read.
    pub can_edit: bool,
    /// A teacher's account: only their own classes.
    pub is_teacher: bool,
}

#[cfg(feature = "ssr")]
impl From<store::Account> for AccountView {
    fn from(a: store::Account) -> Self {
        let can_edit = a.role == store::Role::DistrictAdmin;
        let is_teacher = a.role == store::Role::Teacher;
        AccountView { email: a.email, display_name: a.display_name, role: a.role.label().to_string(), can_edit, is_teacher }
    }
}

/// Who is signed in; [`AppError::Unauthenticated`] (401) without a valid session.
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<AccountView, AppError> {
    crate::ssr::require_signed_in().await.map(AccountView::from)
}

/// Checks the e-mail and password, starts a fresh session (new session id) and sends the browser
/// to `next` (a path inside the console) or the dashboard.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{client_addr, internal, reject, session, store};
    use store::{AuthError, SESSION_AUTH_KEY};

    let store = store()?;
    match store.authenticate(&email, &password, client_addr()).await {
        Ok((account, auth)) => {
            let session = session().await?;
            // A new id at sign-in defeats session fixation.
            session.cycle_id().await.map_err(internal)?;
            session.insert(SESSION_AUTH_KEY, auth).await.map_err(internal)?;
            tracing::info!(account_id = account.id, "signed in");
            // Teachers have no dashboard: by default they go to their own classes.
            let target = match safe_next(next.as_deref()) {
                home if home == "/" && account.role == store::Role::Teacher => "/my-classes".to_string(),
                target => target,
            };
            leptos_axum::redirect(&target);
            Ok(())
        }
        Err(AuthError::InvalidCredentials) => Err(AppError::SignInRefused(REFUSAL.to_string())),
        Err(AuthError::Throttled { retry_after_secs }) => {
            Err(reject(AppError::Throttled { message: throttled_message(retry_after_secs), retry_after_secs }))
        }
        Err(AuthError::Store(e)) => Err(internal(e)),
    }
}

/// Ends the session (in the database too) and returns to the sign-in page.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr::{internal, session};
    session().await?.flush().await.map_err(internal)?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// The refusal text, the same for unknown e-mail and wrong password.
const REFUSAL: &str = "The e-mail address or password is incorrect.";

/// What the sign-in page says for an error, chosen by its kind alone.
fn sign_in_message(err: &AppError) -> String {
    match err {
        AppError::SignInRefused(_) => REFUSAL.to_string(),
        AppError::Throttled { retry_after_secs, .. } => throttled_message(*retry_after_secs),
        AppError::Unauthenticated | AppError::Forbidden | AppError::Busy | AppError::Internal => err.to_string(),
        AppError::Invalid(_) | AppError::Field { .. } | AppError::NotFound(_) | AppError::Transport(_) => "Signing in did not work. Please try again.".to_string(),
    }
}

fn throttled_message(retry_after_secs: u64) -> String {
    format!("Too many failed sign-in attempts. Wait {retry_after_secs} seconds, then try again.")
}

/// Only same-site paths are followed after sign-in: a single leading `/`, and nothing but
/// printable ASCII without `\`. Browsers drop tabs and newlines from URLs (`/\t/evil` would
/// become `//evil`) and header values must not contain control characters, so anything
/// unusual falls back to the dashboard.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
                && !path.starts_with("/sign-in") =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The sign-in form.
#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    // Before the page has hydrated the form posts natively and the server redirects back with
    // the error in the query string, where the action picks it up. Anyone can craft such a
    // URL, so the page shows only its own wording for each kind of error, never text from it.
    let error = move || action.value().get().and_then(|r| r.err()).map(|e| sign_in_message(&e));

    view! {
        <Title text="Sign in"/>
        <div class="auth-page">
            <section class="auth-card" aria-labelledby="sign-in-title">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"R"</span>
                    <span class="brand-name">"Rollbook"</span>
                </div>
                <h1 id="sign-in-title">"Sign in"</h1>
                <p class="muted">"District console for roster delivery."</p>
                <ActionForm action=action>
                    <input type="hidden" name="next" value=next/>
                    <div class="field">
                        <label for="email">"E-mail"</label>
                        <input id="email" name="email" type="email" autocomplete="username"
                            required autofocus/>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password"
                            autocomplete="current-password" required/>
                    </div>
                    <Show when=move || error().is_some()>
                        <p class="alert alert-error" role="alert">{error}</p>
                    </Show>
                    <button type="submit" class="button button-primary button-block"
                        disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(Some("/apps")), "/apps");
        assert_eq!(safe_next(Some("/data?q=x")), "/data?q=x");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/sign-in")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/a\nLocation: x")), "/");
        assert_eq!(safe_next(Some("/apps and more")), "/", "spaces are not sent raw");
        assert_eq!(safe_next(Some("/%2F%2Fevil.example")), "/%2F%2Fevil.example", "still a local path");
        assert_eq!(safe_next(None), "/");
    }
}
