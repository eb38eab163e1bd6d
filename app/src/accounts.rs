//! Settings: console accounts. District admins list, create and disable accounts; auditors see
//! the list only. A new account gets a generated password, shown once.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::{
    auth::current_user,
    ui::{invalid, when, ErrorAlert, FieldError, FormError},
    AppError,
};

/// One account as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub disabled: bool,
    pub last_sign_in: Option<String>,
}

/// A created account with its one-time password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccountView {
    pub email: String,
    pub password: String,
}

/// Every console account.
#[server(prefix = "/api", endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<Vec<AccountRow>, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let accounts = store()?.list_accounts().await.map_err(from_store)?;
    Ok(accounts
        .into_iter()
        .map(|a| AccountRow {
            email: a.email,
            display_name: a.display_name,
            role: a.role.label().to_string(),
            disabled: a.disabled,
            last_sign_in: a.last_sign_in_at.and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok()),
        })
        .collect())
}

/// Creates an account (`role`: `district_admin` or `auditor`) with a generated password.
#[server(prefix = "/api", endpoint = "create_account")]
pub async fn create_account(email: String, display_name: String, role: String) -> Result<NewAccountView, AppError> {
    use crate::ssr::{audit, from_store_on, require_admin, store};
    let account = require_admin().await?;
    let role = match role.as_str() {
        "district_admin" => store::Role::DistrictAdmin,
        "auditor" => store::Role::Auditor,
        other => return Err(AppError::field("role", format!("`{other}` is not a role; choose District admin or Auditor."))),
    };
    let password = store::password::generate();
    let name = display_name.trim();
    let created = store()?
        .create_account(store::NewAccount {
            email,
            display_name: (!name.is_empty()).then(|| name.to_string()),
            role,
            password: password.clone(),
        })
        .await
        .map_err(from_store_on("email"))?;
    audit(&account, "account.create", &created.email, created.role.label()).await?;
    Ok(NewAccountView { email: created.email, password })
}

/// Disables or enables an account. An admin cannot disable their own account (there must be
/// someone left to undo it).
#[server(prefix = "/api", endpoint = "set_account_disabled")]
pub async fn set_account_disabled(email: String, disabled: bool) -> Result<(), AppError> {
    use crate::ssr::{audit, from_store, require_admin, store};
    let account = require_admin().await?;
    if disabled && account.email.eq_ignore_ascii_case(email.trim()) {
        return Err(AppError::Invalid("You cannot disable your own account.".into()));
    }
    let changed = store()?.set_account_disabled(&email, disabled).await.map_err(from_store)?;
    let action = if disabled { "account.disable" } else { "account.enable" };
    audit(&account, action, &changed.email, "").await
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let create = ServerAction::<CreateAccount>::new();
    let toggle = ServerAction::<SetAccountDisabled>::new();
    // A new account reloads the list; a refused form does not, so it keeps what was typed.
    let created_count = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            created_count.update(|n| *n += 1);
        }
    });
    let accounts = Resource::new(move || (created_count.get(), toggle.version().get()), |_| list_accounts());
    let user = Resource::new(|| (), |_| current_user());
    let created = move || create.value().get().and_then(|r| r.ok());
    let create_error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    let toggle_error = move || toggle.value().get().and_then(|r| r.err()).map(|e| e.to_string());

    view! {
        <Title text="Settings"/>
        <div class="page-header">
            <h1>"Settings"</h1>
            <p class="muted">"Console accounts. District admins can do everything; auditors can read everything, including the audit log, and change nothing."</p>
        </div>
        {move || created().map(|c| view! {
            <section class="card card-highlight" data-testid="new-account">
                <h2>"Account created"</h2>
                <p class="alert alert-warning" role="status">"Give this password to " {c.email.clone()} " in person or over a secure channel. It is not shown again."</p>
                <input class="mono" readonly value=c.password.clone() aria-label="One-time password"/>
            </section>
        })}
        {move || toggle_error().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let can_edit = user.await.map(|u| u.can_edit).unwrap_or(false);
                match accounts.await {
                    Ok(list) => view! {
                        <section class="card" aria-labelledby="accounts-heading">
                            <h2 id="accounts-heading">"Accounts"</h2>
                            <table class="table" data-testid="accounts">
                                <thead><tr><th scope="col">"E-mail"</th><th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col">"Last sign-in"</th><th scope="col"></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|a| {
                                        let email = a.email.clone();
                                        let disabled = a.disabled;
                                        view! {
                                            <tr>
                                                <td>{a.email.clone()}</td>
                                                <td>{a.display_name}</td>
                                                <td>{a.role}</td>
                                                <td>{if disabled { view! { <span class="badge badge-off">"Disabled"</span> } } else { view! { <span class="badge badge-ok">"Active"</span> } }}</td>
                                                <td>{a.last_sign_in.as_deref().map(when).unwrap_or_else(|| "never".into())}</td>
                                                <td>{can_edit.then(|| view! {
                                                    <button type="button" class="button button-small"
                                                        on:click=move |_| { toggle.dispatch(SetAccountDisabled { email: email.clone(), disabled: !disabled }); }>
                                                        {if disabled { "Enable" } else { "Disable" }}
                                                    </button>
                                                })}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </section>
                        {can_edit.then(|| view! {
                            <section class="card" aria-labelledby="new-account-heading">
                                <h2 id="new-account-heading">"Add an account"</h2>
                                <ActionForm action=create attr:class="form-grid">
                                    <div class="field"><label for="acc-email">"E-mail"</label>
                                        <input id="acc-email" name="email" type="email" required
                                            aria-describedby="acc-email-error" aria-invalid=invalid(create_error, "email")/>
                                        <FieldError error=create_error field="email" id="acc-email-error"/></div>
                                    <div class="field"><label for="acc-name">"Display name"</label>
                                        <input id="acc-name" name="display_name"
                                            aria-describedby="acc-name-error" aria-invalid=invalid(create_error, "display_name")/>
                                        <FieldError error=create_error field="display_name" id="acc-name-error"/></div>
                                    <div class="field"><label for="acc-role">"Role"</label>
                                        <select id="acc-role" name="role" aria-describedby="acc-role-error">
                                            <option value="district_admin">"District admin"</option>
                                            <option value="auditor" selected>"Auditor"</option>
                                        </select>
                                        <FieldError error=create_error field="role" id="acc-role-error"/></div>
                                    <FormError error=create_error/>
                                    <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create account"</button>
                                </ActionForm>
                            </section>
                        })}
                    }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <crate::teach::TeacherFieldsCard/>
    }
}
