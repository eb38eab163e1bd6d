//! The sharing editor's side panels: the impact of a proposed share, saving with confirmation,
//! "why", and the preview as the app.

use std::collections::BTreeMap;

use leptos::prelude::*;

use super::{EditorState, ImpactView, SaveShare, WhyShared};
use crate::ui::{group, when, ErrorAlert};

/// A preview's numbers: students, records per entity, fields.
#[component]
pub(super) fn Impact(impact: ImpactView) -> impl IntoView {
    let added: BTreeMap<String, i64> = impact.added.iter().cloned().collect();
    let removed: BTreeMap<String, i64> = impact.removed.iter().cloned().collect();
    let entities: Vec<String> = added.keys().chain(removed.keys()).cloned().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    view! {
        <div class="impact" data-testid="impact">
            <p class="impact-students">
                <span class="plus" data-testid="students-added">{format!("+{}", group(impact.students_added))}</span>
                " / "
                <span class="minus" data-testid="students-removed">{format!("−{}", group(impact.students_removed))}</span>
                " students"
            </p>
            <table class="counts">
                <thead><tr><th scope="col">"Records"</th><th scope="col">"Added"</th><th scope="col">"Removed"</th></tr></thead>
                <tbody>
                    {entities.into_iter().map(|e| view! {
                        <tr data-testid=format!("impact-{e}")>
                            <th scope="row">{e.clone()}</th>
                            <td>{format!("+{}", group(added.get(&e).copied().unwrap_or(0)))}</td>
                            <td>{format!("−{}", group(removed.get(&e).copied().unwrap_or(0)))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {(!impact.fields_added.is_empty()).then(|| view! {
                <p data-testid="fields-added">"Adds fields: " {impact.fields_added.join(", ")}</p>
            })}
            {(!impact.fields_removed.is_empty()).then(|| view! {
                <p data-testid="fields-removed">"Stops fields: " {impact.fields_removed.join(", ")}</p>
            })}
        </div>
    }
}

/// Save, with the confirmation step the server asks for.
#[component]
pub(super) fn SaveBar(app_id: i64, state: RwSignal<EditorState>, save: ServerAction<SaveShare>) -> impl IntoView {
    let json = move || serde_json::to_string(&state.with(|s| s.to_draft())).unwrap_or_default();
    view! {
        <div class="save-bar">
            <button type="button" class="button button-primary" disabled=move || save.pending().get()
                on:click=move |_| { save.dispatch(SaveShare { app_id, share: json(), confirmed: false }); }>
                {move || if save.pending().get() { "Saving…" } else { "Save share" }}
            </button>
            {move || save.value().get().map(|r| match r {
                Ok(o) if o.saved => view! {
                    <p class="alert alert-ok" role="status" data-testid="saved">
                        "Saved. " {format!("+{} / −{} students.", group(o.impact.students_added), group(o.impact.students_removed))}
                    </p>
                }.into_any(),
                Ok(o) => view! {
                    <div class="confirm" role="alertdialog" aria-label="Confirm the change">
                        <p><strong>"Please confirm."</strong></p>
                        <ul>{o.impact.confirm.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
                        <button type="button" class="button button-danger"
                            on:click=move |_| { save.dispatch(SaveShare { app_id, share: json(), confirmed: true }); }>
                            "Confirm and save"
                        </button>
                    </div>
                }.into_any(),
                Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
            })}
        </div>
    }
}

/// The exact JSON the REST API answers this app (as saved), for any rostering endpoint.
#[component]
pub(super) fn PreviewAsApp(app_id: i64) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="preview-heading">
            <h2 id="preview-heading">"Preview as app"</h2>
            <p class="muted">"What the app receives now, as saved: the REST API's answer for this app, with its share, fields and paging. Not counted against its rate limit."</p>
            <form method="get" action=format!("/apps/{app_id}/preview") target="preview-frame" class="inline-form">
                <label for="preview-version">"Version"</label>
                <select id="preview-version" name="version">
                    <option value="v1p2">"1.2"</option>
                    <option value="v1p1">"1.1"</option>
                </select>
                <label for="preview-endpoint">"Endpoint"</label>
                <input id="preview-endpoint" name="endpoint" value="users?limit=5" list="endpoints" size="40"/>
                <datalist id="endpoints">
                    {["users?limit=5", "students?limit=5", "teachers?limit=5", "classes?limit=5", "schools", "orgs",
                      "courses?limit=5", "enrollments?limit=5", "academicSessions", "demographics?limit=5"]
                        .map(|e| view! { <option value=e></option> }).collect_view()}
                </datalist>
                <button type="submit" class="button">"Show"</button>
            </form>
            <iframe name="preview-frame" title="Preview as app" class="preview-frame"
                src=format!("/apps/{app_id}/preview?version=v1p2&endpoint=users%3Flimit%3D5")></iframe>
        </section>
    }
}

/// "Why is this record (not) shared?"
#[component]
pub(super) fn WhyPanel(app_id: i64) -> impl IntoView {
    let why = ServerAction::<WhyShared>::new();
    view! {
        <section class="card" aria-labelledby="why-heading">
            <h2 id="why-heading">"Why"</h2>
            <p class="muted">"Which rule shares a record with this app (as saved), or why none does."</p>
            <ActionForm action=why>
                <input type="hidden" name="app_id" value=app_id/>
                <div class="field">
                    <label for="why-entity">"Record type"</label>
                    <select id="why-entity" name="entity">
                        <option value="users">"User"</option>
                        <option value="classes">"Class"</option>
                        <option value="orgs">"School or org"</option>
                        <option value="courses">"Course"</option>
                        <option value="academicSessions">"Academic session"</option>
                        <option value="enrollments">"Enrollment"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="why-id">"sourcedId"</label>
                    <input id="why-id" name="sourced_id" required/>
                </div>
                <button type="submit" class="button">"Explain"</button>
            </ActionForm>
            {move || why.value().get().map(|r| match r {
                Ok(w) => view! {
                    <div class=if w.shared { "why why-shared" } else { "why why-unshared" } data-testid="why">
                        <p><strong>{w.sourced_id.clone()}</strong> {if w.shared { " is shared." } else { " is not shared." }}</p>
                        <p>{w.reason.clone()}</p>
                        {w.since.as_deref().map(|t| view! { <p class="muted">"Shared since " {when(t)}</p> })}
                        {w.left_at.as_deref().map(|t| view! { <p class="muted">"Left the share " {when(t)}</p> })}
                    </div>
                }.into_any(),
                Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
            })}
        </section>
    }
}
