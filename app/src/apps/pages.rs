//! The apps list with registration, and one app's page: connection details, credentials,
//! settings, share size and access log.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{
    list_apps, app_detail, AppInfo, CreateApp, IssuedSecret, RevokeCredentials, RotateSecret, SetAppEnabled,
    UpdateApp,
};
use crate::{
    auth::current_user,
    ui::{group, invalid, when, ErrorAlert, FieldError, FormError},
};

/// Every app, and (for district admins) the form that registers a new one.
#[component]
pub fn AppsPage() -> impl IntoView {
    let create = ServerAction::<CreateApp>::new();
    let apps = Resource::new(move || create.version().get(), |_| list_apps());
    let user = Resource::new(|| (), |_| current_user());
    let issued = move || create.value().get().and_then(|r| r.ok());
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    // An approved request for a new app arrives here with the name and address the teacher gave.
    let query = leptos_router::hooks::use_query_map();
    let given = move |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();

    view! {
        <Title text="Apps"/>
        <div class="page-header">
            <h1>"Apps"</h1>
            <p class="muted">"The apps that receive roster data, their credentials and what each may see."</p>
        </div>
        {move || issued().map(|s| view! { <NewSecret secret=s first=true classes=given("classes")/> })}
        <section class="card" aria-labelledby="apps-heading">
            <h2 id="apps-heading">"Registered apps"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match apps.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No apps registered yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table" data-testid="apps-table">
                                <thead><tr>
                                    <th scope="col">"App"</th><th scope="col">"Vendor"</th><th scope="col">"OneRoster"</th>
                                    <th scope="col">"Status"</th><th scope="col">"Last access"</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|a| view! {
                                        <tr>
                                            <th scope="row"><a href=format!("/apps/{}", a.id)>{a.name}</a></th>
                                            <td>{a.vendor}</td>
                                            <td>{a.versions}</td>
                                            <td>{status_badge(a.enabled)}</td>
                                            <td>{a.last_access.map(|t| when(&t)).unwrap_or_else(|| "never".into())}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let admin = user.await.map(|u| u.can_edit).unwrap_or(false);
                let (given_name, given_contact) = (given("name"), given("contact"));
                admin.then(|| view! {
                    <section class="card" aria-labelledby="new-app-heading">
                        <h2 id="new-app-heading">"Register an app"</h2>
                        <ActionForm action=create attr:class="form-grid">
                            <div class="field">
                                <label for="app-name">"Name"</label>
                                <input id="app-name" name="name" required maxlength="200" value=given_name
                                    aria-describedby="app-name-error" aria-invalid=invalid(error, "name")/>
                                <FieldError error field="name" id="app-name-error"/>
                            </div>
                            <div class="field">
                                <label for="app-vendor">"Vendor"</label>
                                <input id="app-vendor" name="vendor" maxlength="200"
                                    aria-describedby="app-vendor-error" aria-invalid=invalid(error, "vendor")/>
                                <FieldError error field="vendor" id="app-vendor-error"/>
                            </div>
                            <div class="field">
                                <label for="app-contact">"Vendor contact"</label>
                                <input id="app-contact" name="contact" maxlength="200" placeholder="support@vendor.example" value=given_contact
                                    aria-describedby="app-contact-error" aria-invalid=invalid(error, "contact")/>
                                <FieldError error field="contact" id="app-contact-error"/>
                            </div>
                            <fieldset class="field" aria-describedby="app-versions-error">
                                <legend>"OneRoster versions"</legend>
                                <label class="check"><input type="checkbox" name="v1p1" checked/>" 1.1 (OAuth 1.0a or Bearer)"</label>
                                <label class="check"><input type="checkbox" name="v1p2" checked/>" 1.2 (OAuth 2 client credentials)"</label>
                                <FieldError error field="versions" id="app-versions-error"/>
                            </fieldset>
                            <FormError error/>
                            <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                                {move || if create.pending().get() { "Registering…" } else { "Register app" }}
                            </button>
                        </ActionForm>
                    </section>
                })
            })}
        </Suspense>
    }
}

/// A secret just issued: shown this once, with a copy button and the warning that it cannot be
/// shown again. `classes` (comma-separated sourcedIds, from an approved teacher request) go on
/// to the share editor with the first one.
#[component]
fn NewSecret(secret: IssuedSecret, first: bool, classes: String) -> impl IntoView {
    let share_link = if classes.is_empty() {
        format!("/apps/{}/share", secret.app_id)
    } else {
        format!("/apps/{}/share?add_classes={}", secret.app_id, crate::ui::encode(&classes))
    };
    let heading = if first { "App registered: hand these credentials to the vendor" } else { "New secret issued" };
    // A plain onclick keeps the copy working without extra browser bindings; on plain http
    // outside localhost the clipboard API is missing, so the text is selected instead.
    let copy = "const e=document.getElementById('client-secret');e.select();\
                if(navigator.clipboard){navigator.clipboard.writeText(e.value);}else{document.execCommand('copy');}\
                this.textContent='Copied';";
    view! {
        <section class="card card-highlight" aria-labelledby="secret-heading" data-testid="new-secret">
            <h2 id="secret-heading">{heading}</h2>
            <p class="alert alert-warning" role="status">
                "Copy the secret now. It is stored only as a hash and will not be shown again; if it is lost, issue a new one."
            </p>
            <div class="field">
                <label for="client-id">"Client id"</label>
                <input id="client-id" class="mono" readonly value=secret.client_id.clone()/>
            </div>
            <div class="field">
                <label for="client-secret">"Client secret"</label>
                <div class="input-row">
                    <input id="client-secret" class="mono" readonly value=secret.client_secret.clone()/>
                    <button type="button" class="button" onclick=copy>"Copy"</button>
                </div>
            </div>
            {first.then(|| view! {
                <p>
                    <a class="button button-primary" href=share_link>
                        {if classes.is_empty() { "Choose what it may see" } else { "Share the requested classes" }}
                    </a>
                    " "
                    <a class="button" href=format!("/apps/{}", secret.app_id)>"Open the app"</a>
                </p>
            })}
        </section>
    }
}

fn status_badge(enabled: bool) -> impl IntoView {
    if enabled {
        view! { <span class="badge badge-ok">"Enabled"</span> }
    } else {
        view! { <span class="badge badge-off">"Disabled"</span> }
    }
}

/// One app: everything to hand to the vendor, its credentials, settings, share and access.
#[component]
pub fn AppDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let toggle = ServerAction::<SetAppEnabled>::new();
    let rotate = ServerAction::<RotateSecret>::new();
    let revoke = ServerAction::<RevokeCredentials>::new();
    let update = ServerAction::<UpdateApp>::new();
    // Saved edits reload the page; a refused edit does not, so the form keeps what was typed
    // next to the error.
    let updated = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(())) = update.value().get() {
            updated.update(|n| *n += 1);
        }
    });
    let detail = Resource::new(
        move || (id(), toggle.version().get(), rotate.version().get(), revoke.version().get(), updated.get()),
        |(id, ..)| app_detail(id),
    );

    let sharing = super::teachers::TeacherSharing::new(id);

    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(app) => view! { <AppView app toggle rotate revoke update sharing/> }.into_any(),
                    Err(e) => view! { <Title text="App"/><ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AppView(
    app: AppInfo,
    toggle: ServerAction<SetAppEnabled>,
    rotate: ServerAction<RotateSecret>,
    revoke: ServerAction<RevokeCredentials>,
    update: ServerAction<UpdateApp>,
    sharing: super::teachers::TeacherSharing,
) -> impl IntoView {
    let id = app.id;
    let enabled = app.enabled;
    let confirm_revoke = RwSignal::new(false);
    let issued = move || rotate.value().get().and_then(|r| r.ok());
    let failures = move || {
        [
            toggle.value().get().and_then(|r| r.err()),
            rotate.value().get().and_then(|r| r.err()),
            revoke.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
    };
    let update_error = Signal::derive(move || update.value().get().and_then(|r| r.err()));
    let can_edit = app.can_edit;

    view! {
        <Title text=app.name.clone()/>
        <div class="page-header page-header-actions">
            <div>
                <p class="breadcrumb"><a href="/apps">"Apps"</a></p>
                <h1>{app.name.clone()} " " {status_badge(enabled)}</h1>
                <p class="muted">{app.vendor.clone()} {(!app.contact.is_empty()).then(|| format!(" · {}", app.contact))}</p>
            </div>
            <div class="actions">
                <a class="button button-primary" href=format!("/apps/{id}/share")>"Sharing"</a>
                {can_edit.then(|| view! {
                    <button type="button" class="button" disabled=move || toggle.pending().get()
                        on:click=move |_| { toggle.dispatch(SetAppEnabled { id, enabled: !enabled }); }>
                        {if enabled { "Disable" } else { "Enable" }}
                    </button>
                })}
            </div>
        </div>
        {move || failures().into_iter().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> }).collect_view()}
        {move || issued().map(|s| view! { <NewSecret secret=s first=false classes=String::new()/> })}
        <div class="cards">
            <section class="card" aria-labelledby="connection-heading">
                <h2 id="connection-heading">"Connection details"</h2>
                <p class="muted">"Hand these to the vendor together with the secret."</p>
                <dl class="facts facts-wide" data-testid="connection">
                    <dt>"Client id"</dt><dd class="mono">{app.client_id.clone()}</dd>
                    <dt>"Token URL"</dt><dd class="mono">{app.token_url.clone()}</dd>
                    {app.v1p2.then(|| view! { <dt>"OneRoster 1.2"</dt><dd class="mono">{app.base_v1p2.clone()}</dd> })}
                    {app.v1p1.then(|| view! { <dt>"OneRoster 1.1"</dt><dd class="mono">{app.base_v1p1.clone()}</dd> })}
                    <dt>"Rate limit"</dt>
                    <dd>{app.rate_limit.map(|n| format!("{n} requests per minute")).unwrap_or_else(|| "server default".into())}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="shared-heading">
                <h2 id="shared-heading">"What it receives"</h2>
                <p class="stat" data-testid="shared-students"><strong>{group(app.students)}</strong> " students"</p>
                <table class="counts">
                    <tbody>
                        {app.shared.iter().map(|(entity, n)| view! {
                            <tr><th scope="row">{entity.clone()}</th><td>{group(*n)}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <p><a href=format!("/apps/{id}/share")>"Change what it may see"</a></p>
            </section>
        </div>
        <section class="card" aria-labelledby="secrets-heading">
            <h2 id="secrets-heading">"Credentials"</h2>
            <table class="table" data-testid="secrets">
                <thead><tr><th scope="col">"Issued"</th><th scope="col">"State"</th><th scope="col">"Until"</th><th scope="col">"Signs OAuth 1.0a"</th></tr></thead>
                <tbody>
                    {app.secrets.iter().map(|s| view! {
                        <tr>
                            <td>{when(&s.created_at)}</td>
                            <td><span class=format!("badge badge-{}", s.state)>{s.state.clone()}</span></td>
                            <td>{s.until.as_deref().map(when).unwrap_or_default()}</td>
                            <td>{if s.oauth1 { "yes" } else { "no" }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {can_edit.then(|| view! {
                <div class="actions">
                    <ActionForm action=rotate attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <label for="grace">"Previous secret keeps working for"</label>
                        <select id="grace" name="grace_hours">
                            <option value="24" selected>"24 hours"</option>
                            <option value="168">"7 days"</option>
                            <option value="0">"no time (stop it now)"</option>
                        </select>
                        <button type="submit" class="button" disabled=move || rotate.pending().get()>"Issue a new secret"</button>
                    </ActionForm>
                    <Show when=move || !confirm_revoke.get()>
                        <button type="button" class="button button-danger" on:click=move |_| confirm_revoke.set(true)>
                            "Revoke all credentials"
                        </button>
                    </Show>
                    <Show when=move || confirm_revoke.get()>
                        <div class="confirm" role="group" aria-label="Confirm revocation">
                            <p>"Every secret and token of this app stops working now. The app gets nothing until you issue a new secret."</p>
                            <button type="button" class="button button-danger"
                                on:click=move |_| { revoke.dispatch(RevokeCredentials { id }); confirm_revoke.set(false); }>
                                "Yes, revoke now"
                            </button>
                            <button type="button" class="button button-quiet" on:click=move |_| confirm_revoke.set(false)>"Cancel"</button>
                        </div>
                    </Show>
                </div>
            })}
        </section>
        {can_edit.then(|| view! {
            <section class="card" aria-labelledby="settings-heading">
                <h2 id="settings-heading">"Settings"</h2>
                <ActionForm action=update attr:class="form-grid">
                    <input type="hidden" name="id" value=id/>
                    <div class="field"><label for="edit-name">"Name"</label>
                        <input id="edit-name" name="name" required value=app.name.clone()
                            aria-describedby="edit-name-error" aria-invalid=invalid(update_error, "name")/>
                        <FieldError error=update_error field="name" id="edit-name-error"/></div>
                    <div class="field"><label for="edit-vendor">"Vendor"</label>
                        <input id="edit-vendor" name="vendor" value=app.vendor.clone()
                            aria-describedby="edit-vendor-error" aria-invalid=invalid(update_error, "vendor")/>
                        <FieldError error=update_error field="vendor" id="edit-vendor-error"/></div>
                    <div class="field"><label for="edit-contact">"Vendor contact"</label>
                        <input id="edit-contact" name="contact" value=app.contact.clone()
                            aria-describedby="edit-contact-error" aria-invalid=invalid(update_error, "contact")/>
                        <FieldError error=update_error field="contact" id="edit-contact-error"/></div>
                    <div class="field"><label for="edit-rate">"Rate limit (requests per minute)"</label>
                        <input id="edit-rate" name="rate_limit" inputmode="numeric" placeholder="server default"
                            value=app.rate_limit.map(|n| n.to_string()).unwrap_or_default()
                            aria-describedby="edit-rate-error" aria-invalid=invalid(update_error, "rate_limit")/>
                        <FieldError error=update_error field="rate_limit" id="edit-rate-error"/></div>
                    <fieldset class="field" aria-describedby="edit-versions-error">
                        <legend>"OneRoster versions"</legend>
                        <label class="check"><input type="checkbox" name="v1p1" checked=app.v1p1/>" 1.1"</label>
                        <label class="check"><input type="checkbox" name="v1p2" checked=app.v1p2/>" 1.2"</label>
                        <FieldError error=update_error field="versions" id="edit-versions-error"/>
                    </fieldset>
                    <FormError error=update_error/>
                    <button type="submit" class="button button-primary" disabled=move || update.pending().get()>"Save settings"</button>
                </ActionForm>
            </section>
        })}
        <super::teachers::TeacherSharingCard app_id=id sharing/>
        <section class="card" aria-labelledby="access-heading">
            <h2 id="access-heading">"Access log"</h2>
            <p class="muted">
                "The latest " {app.access.len()} " requests and exports. "
                {app.throttled} " rate-limited (429), " {app.errors} " refused or failed. "
                "Its CSV export: "
                {app.v1p2.then(|| view! { <a href=format!("/apps/{id}/export.zip?version=v1p2") download="">"OneRoster 1.2"</a> " " })}
                {app.v1p1.then(|| view! { <a href=format!("/apps/{id}/export.zip?version=v1p1") download="">"OneRoster 1.1"</a> })}
            </p>
            {if app.access.is_empty() {
                view! { <p class="empty">"No access yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="access-log">
                        <thead><tr>
                            <th scope="col">"When"</th><th scope="col">"Channel"</th><th scope="col">"Request"</th>
                            <th scope="col">"Status"</th><th scope="col">"Records"</th><th scope="col">"ms"</th>
                        </tr></thead>
                        <tbody>
                            {app.access.iter().map(|a| view! {
                                <tr class=row_class(a.status)>
                                    <td>{when(&a.at)}</td>
                                    <td>{a.channel.clone()}</td>
                                    <td class="mono">{a.path.clone()}{(!a.parameters.is_empty()).then(|| format!("?{}", a.parameters))}</td>
                                    <td>{a.status}</td>
                                    <td>{group(a.records as i64)}</td>
                                    <td>{a.duration_ms}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// Refused and failed requests stand out in the access log.
fn row_class(status: u16) -> &'static str {
    if status >= 400 { "row-error" } else { "" }
}
