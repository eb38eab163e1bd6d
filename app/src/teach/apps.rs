//! `/my-apps`: which apps receive the teacher's classes and which fields; switching an app on or
//! off for a class where the district allows it; asking the district for an app.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::{
    ui::{invalid, when, ErrorAlert, FieldError, FormError},
    AppError,
};

/// One of the teacher's classes with one app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppClassRow {
    pub class_sourced_id: String,
    pub title: String,
    pub shared: bool,
    pub granted: bool,
}

/// An app as the teacher sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRow {
    pub app_id: i64,
    pub name: String,
    pub teacher_sharing: bool,
    /// "All fields except email, phone; no demographics."
    pub fields: String,
    pub classes: Vec<AppClassRow>,
}

/// A request the teacher made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: i64,
    pub app_name: String,
    pub reason: String,
    pub requested_at: String,
    pub status: String,
    pub decision: String,
}

/// Everything on the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAppsView {
    pub apps: Vec<AppRow>,
    /// The district's registered, enabled apps (for a request): (id, name).
    pub catalog: Vec<(i64, String)>,
    /// The teacher's classes: (sourcedId, title).
    pub classes: Vec<(String, String)>,
    pub requests: Vec<RequestRow>,
}

/// The fields an app gets, in words.
pub fn fields_text(withheld: &[String], demographics: bool) -> String {
    let mut text = if withheld.is_empty() { "All fields".to_string() } else { format!("All fields except {}", withheld.join(", ")) };
    text.push_str(if demographics { "; with demographics." } else { "; no demographics." });
    text
}

/// The page's data for the signed-in teacher.
#[server(prefix = "/api", endpoint = "my_apps")]
pub async fn my_apps() -> Result<MyAppsView, AppError> {
    use crate::ssr::{from_store, require_teacher, store};
    let (account, user) = require_teacher().await?;
    let store = store()?;
    let today = store::Store::today();
    let apps = store
        .apps_for_teacher(&user, today)
        .await
        .map_err(from_store)?
        .into_iter()
        .map(|a| AppRow {
            app_id: a.app_id,
            name: a.name,
            teacher_sharing: a.teacher_sharing,
            fields: fields_text(&a.withheld, a.demographics),
            classes: a
                .classes
                .into_iter()
                .map(|c| AppClassRow { class_sourced_id: c.class_sourced_id, title: c.title, shared: c.shared, granted: c.granted })
                .collect(),
        })
        .collect();
    let catalog = store.apps().await.map_err(from_store)?.into_iter().filter(|a| a.enabled).map(|a| (a.id, a.name)).collect();
    let classes = store.teacher_classes(&user, today).await.map_err(from_store)?.into_iter().map(|c| (c.sourced_id, c.title)).collect();
    let requests = store
        .my_app_requests(&account)
        .await
        .map_err(from_store)?
        .into_iter()
        .map(|r| RequestRow { id: r.id, app_name: r.app_name, reason: r.reason, requested_at: r.requested_at, status: r.status, decision: r.decision })
        .collect();
    Ok(MyAppsView { apps, catalog, classes, requests })
}

/// Switches an app on (`on` = "true") or off for one of the teacher's own classes.
#[server(prefix = "/api", endpoint = "set_class_app")]
pub async fn set_class_app(app_id: i64, sourced_id: String, on: bool) -> Result<(), AppError> {
    use crate::ssr::{from_store, require_teacher, store};
    let (account, _) = require_teacher().await?;
    store()?.set_class_grant(&account, app_id, &sourced_id, on).await.map_err(from_store)?;
    Ok(())
}

/// Asks the district for an app: `app` is a registered app's id, or `new` for one named here.
#[server(prefix = "/api", endpoint = "request_app")]
pub async fn request_app(
    app: String,
    name: Option<String>,
    web_address: Option<String>,
    reason: String,
    class: Option<String>,
) -> Result<i64, AppError> {
    use crate::ssr::{from_store, require_teacher, store};
    let (account, _) = require_teacher().await?;
    let app_id = match app.as_str() {
        "new" => None,
        id => Some(id.parse::<i64>().map_err(|_| AppError::field("app", "Choose an app from the list, or “Another app”."))?),
    };
    let request = store::service::app_requests::NewAppRequest {
        app_id,
        name: name.unwrap_or_default(),
        web_address: web_address.unwrap_or_default(),
        reason,
        classes: class.filter(|c| !c.is_empty()).into_iter().collect(),
    };
    Ok(store()?.request_app(&account, request).await.map_err(from_store)?.id)
}

/// The page.
#[component]
pub fn MyAppsPage() -> impl IntoView {
    let toggle = ServerAction::<SetClassApp>::new();
    let request = ServerAction::<RequestApp>::new();
    // Reloaded after a request is accepted, not after one is refused: reloading rebuilds the
    // form, and the teacher would lose what they typed next to the error.
    let data = Resource::new(move || (toggle.version().get(), request.value().get().and_then(|r| r.ok())), |_| my_apps());
    let toggle_error = move || toggle.value().get().and_then(|r| r.err());
    view! {
        <Title text="Apps for my classes"/>
        <div class="page-header">
            <h1>"Apps for my classes"</h1>
            <p class="muted">"Which apps receive your classes' rosters, and which fields. Where the district allows it, you can switch an app on for a class yourself."</p>
        </div>
        {move || toggle_error().map(|e| view! { <ErrorAlert error=e/> })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(d) => view! {
                        <AppList apps=d.apps.clone() toggle/>
                        <RequestForm catalog=d.catalog.clone() classes=d.classes.clone() request/>
                        <section class="card" aria-labelledby="requests-heading">
                            <h2 id="requests-heading">"Your requests"</h2>
                            {if d.requests.is_empty() { view! { <p class="empty">"You have not asked for an app yet."</p> }.into_any() } else { view! {
                                <ul class="list" data-testid="my-requests">
                                    {d.requests.iter().map(|r| view! {
                                        <li>
                                            <strong>{r.app_name.clone()}</strong> " · " {when(&r.requested_at)} " · "
                                            <span class=match r.status.as_str() { "approved" => "badge badge-ok", "denied" => "badge badge-rejected", _ => "badge badge-warn" }>
                                                {match r.status.as_str() { "approved" => "Approved", "denied" => "Denied", _ => "Waiting" }}</span>
                                            <br/><span class="muted">{r.reason.clone()}</span>
                                            {(!r.decision.is_empty()).then(|| view! { <br/>"District: " {r.decision.clone()} })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any() }}
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AppList(apps: Vec<AppRow>, toggle: ServerAction<SetClassApp>) -> impl IntoView {
    if apps.is_empty() {
        return view! { <section class="card"><p class="empty" data-testid="my-apps">"No app receives your classes."</p></section> }.into_any();
    }
    view! {
        <div data-testid="my-apps">
            {apps.into_iter().map(|a| {
                let app_id = a.app_id;
                view! {
                    <section class="card" data-testid="my-app" aria-label=a.name.clone()>
                        <h2>{a.name.clone()}</h2>
                        <p class="muted">{a.fields.clone()}
                            {a.teacher_sharing.then(|| " You may switch this app on for your own classes.")}</p>
                        <table class="counts">
                            <thead><tr><th scope="col">"Class"</th><th scope="col">"Receives it"</th><th scope="col"></th></tr></thead>
                            <tbody>
                                {a.classes.into_iter().map(|c| {
                                    let state = match (c.shared, c.granted) {
                                        (true, true) => "Yes, switched on by you",
                                        (true, false) => "Yes, by the district's share",
                                        (false, true) => "No (your switch is on, but the district's rules leave it out)",
                                        (false, false) => "No",
                                    };
                                    let class_id = c.class_sourced_id.clone();
                                    view! {
                                        <tr data-class=c.class_sourced_id.clone()>
                                            <th scope="row">{c.title.clone()}</th>
                                            <td>{state}</td>
                                            <td>{a.teacher_sharing.then(|| view! {
                                                <ActionForm action=toggle>
                                                    <input type="hidden" name="app_id" value=app_id/>
                                                    <input type="hidden" name="sourced_id" value=class_id.clone()/>
                                                    <input type="hidden" name="on" value=if c.granted { "false" } else { "true" }/>
                                                    <button type="submit" class="button button-small" disabled=move || toggle.pending().get()>
                                                        {if c.granted { "Switch off" } else { "Switch on" }}
                                                    </button>
                                                </ActionForm>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

#[component]
fn RequestForm(catalog: Vec<(i64, String)>, classes: Vec<(String, String)>, request: ServerAction<RequestApp>) -> impl IntoView {
    let error = Signal::derive(move || request.value().get().and_then(|r| r.err()));
    let sent = move || request.value().get().and_then(|r| r.ok());
    let choice = RwSignal::new(catalog.first().map(|(id, _)| id.to_string()).unwrap_or_else(|| "new".into()));
    view! {
        <section class="card" aria-labelledby="request-heading">
            <h2 id="request-heading">"Ask for an app"</h2>
            <ActionForm action=request attr:class="form-grid" attr:data-testid="request-form">
                <div class="field">
                    <label for="request-app">"App"</label>
                    <select id="request-app" name="app" on:change=move |ev| choice.set(event_target_value(&ev)) aria-describedby="request-app-error">
                        {catalog.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                        <option value="new">"Another app (not registered yet)"</option>
                    </select>
                    <FieldError error field="app" id="request-app-error"/>
                </div>
                <div class="field" hidden=move || choice.get() != "new">
                    <label for="request-name">"Its name"</label>
                    <input id="request-name" name="name" maxlength="200" aria-describedby="request-name-error" aria-invalid=invalid(error, "name")/>
                    <FieldError error field="name" id="request-name-error"/>
                </div>
                <div class="field" hidden=move || choice.get() != "new">
                    <label for="request-web">"Its web address"</label>
                    <input id="request-web" name="web_address" maxlength="500" placeholder="https://app.example"
                        aria-describedby="request-web-error" aria-invalid=invalid(error, "web_address")/>
                    <FieldError error field="web_address" id="request-web-error"/>
                </div>
                <div class="field">
                    <label for="request-class">"For"</label>
                    <select id="request-class" name="class" aria-describedby="request-class-error">
                        <option value="">"All my classes"</option>
                        {classes.iter().map(|(id, title)| view! { <option value=id.clone()>{title.clone()}</option> }).collect_view()}
                    </select>
                    <FieldError error field="classes" id="request-class-error"/>
                </div>
                <div class="field">
                    <label for="request-reason">"Why your classes need it"</label>
                    <textarea id="request-reason" name="reason" rows="3" maxlength="2000"
                        aria-describedby="request-reason-error" aria-invalid=invalid(error, "reason")></textarea>
                    <FieldError error field="reason" id="request-reason-error"/>
                </div>
                <FormError error/>
                {move || sent().map(|id| view! { <p class="alert alert-ok" role="status">"Sent: the district has your request (" {id} ")."</p> })}
                <button type="submit" class="button button-primary" disabled=move || request.pending().get()>"Send the request"</button>
            </ActionForm>
        </section>
    }
}
