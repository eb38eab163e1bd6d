//! The invitation page: a teacher opens the link an admin handed them, sets a password, and is
//! signed in. The page needs no session; the link's token is the credential, good for one use.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::{
    ui::{invalid, FieldError, FormError},
    AppError,
};

/// Who the invitation is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationDetails {
    pub email: String,
    pub display_name: String,
    pub expires_at: String,
}

/// The invitation behind a link, while it works.
#[server(prefix = "/api", endpoint = "invitation_info")]
pub async fn invitation_info(token: String) -> Result<InvitationDetails, AppError> {
    use crate::ssr::{from_store, store};
    let view = store()?.invitation(&token).await.map_err(from_store)?;
    Ok(InvitationDetails { email: view.email, display_name: view.display_name, expires_at: view.expires_at })
}

/// Sets the teacher's password with the invitation and signs them in (a fresh session).
#[server(prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String, password: String, confirm: String) -> Result<(), AppError> {
    use crate::ssr::{client_addr, from_store, internal, session, store};
    if password != confirm {
        return Err(AppError::field("confirm", "the two passwords are not the same"));
    }
    let store = store()?;
    let account = store.accept_invitation(&token, password).await.map_err(from_store)?;
    // The link proved who this is: a session for the account as it now is (its new epoch),
    // without a second password check that throttling could refuse after the link is used.
    let auth = store::SessionAuth { account_id: account.id, epoch: account.session_epoch };
    let from = client_addr().map(|a| format!("from {a}")).unwrap_or_else(|| "address unknown".into());
    store.record_audit(&account.email, "sign_in", &format!("account {}", account.id), &from).await.map_err(internal)?;
    let session = session().await?;
    session.cycle_id().await.map_err(internal)?;
    session.insert(store::SESSION_AUTH_KEY, auth).await.map_err(internal)?;
    leptos_axum::redirect("/my-classes");
    Ok(())
}

/// `/welcome?token=...`: set a password and start.
#[component]
pub fn WelcomePage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let info = Resource::new(token, invitation_info);
    let accept = ServerAction::<AcceptInvitation>::new();
    let error = Signal::derive(move || accept.value().get().and_then(|r| r.err()));

    view! {
        <Title text="Welcome"/>
        <div class="auth-page">
            <section class="auth-card" aria-labelledby="welcome-title">
                <div class="brand brand-large">
                    <span class="brand-mark" aria-hidden="true">"R"</span>
                    <span class="brand-name">"Rollbook"</span>
                </div>
                <h1 id="welcome-title">"Welcome"</h1>
                <Suspense fallback=|| view! { <p class="muted">"Checking the link…"</p> }>
                    {move || Suspend::new(async move {
                        match info.await {
                            Err(e) => view! {
                                <p class="alert alert-error" role="alert">{e.to_string()}</p>
                                <p><a href="/sign-in">"Go to sign-in"</a></p>
                            }.into_any(),
                            Ok(i) => view! {
                                <p data-testid="invitee">{format!("{}, choose a password for {}.", i.display_name, i.email)}</p>
                                <p class="muted">"You will sign in with this e-mail address and see your own classes. The link works once, until "
                                    {crate::ui::when(&i.expires_at)} "."</p>
                                <ActionForm action=accept>
                                    <input type="hidden" name="token" value=token/>
                                    <div class="field">
                                        <label for="new-password">"New password"</label>
                                        <input id="new-password" name="password" type="password" autocomplete="new-password" required
                                            aria-describedby="new-password-error" aria-invalid=invalid(error, "password")/>
                                        <FieldError error field="password" id="new-password-error"/>
                                    </div>
                                    <div class="field">
                                        <label for="confirm-password">"The same password again"</label>
                                        <input id="confirm-password" name="confirm" type="password" autocomplete="new-password" required
                                            aria-describedby="confirm-password-error" aria-invalid=invalid(error, "confirm")/>
                                        <FieldError error field="confirm" id="confirm-password-error"/>
                                    </div>
                                    <FormError error/>
                                    <button type="submit" class="button button-primary button-block" disabled=move || accept.pending().get()>
                                        "Set password and sign in"
                                    </button>
                                </ActionForm>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}
