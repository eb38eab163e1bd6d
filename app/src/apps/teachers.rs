//! Teacher-approved sharing on an app's page: whether teachers may share their own classes with
//! the app, with the share's field rules, and every class a teacher switched on (revocable).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    ui::{encode, when, ErrorAlert},
    AppError,
};

/// One teacher-granted class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRow {
    pub class_sourced_id: String,
    pub class_title: String,
    pub teacher: String,
    pub granted_at: String,
    pub applies: bool,
}

/// The card's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeacherSharingView {
    pub allowed: bool,
    /// The fields a teacher's grant shares, in words.
    pub fields: String,
    pub grants: Vec<GrantRow>,
    pub can_edit: bool,
}

/// Teacher sharing of app `id`.
#[server(prefix = "/api", endpoint = "app_teacher_sharing")]
pub async fn app_teacher_sharing(id: i64) -> Result<TeacherSharingView, AppError> {
    use crate::ssr::{from_store, require_account, store};
    let account = require_account().await?;
    let store = store()?;
    let allowed = store.teacher_sharing(id).await.map_err(from_store)?;
    let share = store.share(id).await.map_err(from_store)?;
    let withheld: Vec<String> = share.withhold.iter().filter_map(|f| f.strip_prefix("users.")).map(str::to_string).collect();
    let grants = store
        .teacher_grants(id)
        .await
        .map_err(from_store)?
        .into_iter()
        .map(|g| GrantRow {
            class_title: if g.class_title.is_empty() { g.class_sourced_id.clone() } else { g.class_title },
            class_sourced_id: g.class_sourced_id,
            teacher: format!("{} ({})", g.teacher_name, g.user_sourced_id),
            granted_at: g.granted_at,
            applies: g.applies,
        })
        .collect();
    Ok(TeacherSharingView {
        allowed,
        fields: crate::teach::fields_text(&withheld, share.demographics),
        grants,
        can_edit: account.role == store::Role::DistrictAdmin,
    })
}

/// Allows or stops teacher sharing of app `id`.
#[server(prefix = "/api", endpoint = "set_app_teacher_sharing")]
pub async fn set_app_teacher_sharing(id: i64, allowed: bool) -> Result<(), AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    store()?.set_teacher_sharing(id, allowed, &account.email).await.map_err(from_store)?;
    Ok(())
}

/// Withdraws a teacher's grant of one class.
#[server(prefix = "/api", endpoint = "revoke_teacher_grant")]
pub async fn revoke_teacher_grant(id: i64, sourced_id: String) -> Result<(), AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    store()?.revoke_grant(id, &sourced_id, &account.email).await.map_err(from_store)?;
    Ok(())
}

/// The card's data and actions. Made by the app page itself, outside its `Suspense`: a
/// resource made inside suspended content is made again each time that content renders on the
/// server, and the earlier one then loads without the server's context.
#[derive(Clone, Copy)]
pub struct TeacherSharing {
    set: ServerAction<SetAppTeacherSharing>,
    revoke: ServerAction<RevokeTeacherGrant>,
    data: Resource<Result<TeacherSharingView, AppError>>,
}

impl TeacherSharing {
    /// Teacher sharing of the app `app_id` names; reloads after each change made on the card.
    pub fn new(app_id: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        let set = ServerAction::<SetAppTeacherSharing>::new();
        let revoke = ServerAction::<RevokeTeacherGrant>::new();
        let data = Resource::new(move || (app_id(), set.version().get(), revoke.version().get()), |(id, ..)| app_teacher_sharing(id));
        TeacherSharing { set, revoke, data }
    }
}

/// The card on the app's page.
#[component]
pub fn TeacherSharingCard(app_id: i64, sharing: TeacherSharing) -> impl IntoView {
    let TeacherSharing { set, revoke, data } = sharing;
    let error = move || set.value().get().and_then(|r| r.err()).or_else(|| revoke.value().get().and_then(|r| r.err()));
    view! {
        <section class="card" aria-labelledby="teacher-sharing-heading" data-testid="teacher-sharing">
            <h2 id="teacher-sharing-heading">"Teachers sharing their classes"</h2>
            {move || error().map(|e| view! { <ErrorAlert error=e/> })}
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        Ok(v) => view! {
                            <p data-testid="teacher-sharing-state">{if v.allowed {
                                "Teachers may switch this app on for their own classes."
                            } else {
                                "Only the district decides which classes this app receives."
                            }}</p>
                            <p class="muted">"A teacher's class goes to the app with this share's roles and field rules: " {v.fields.clone()}
                                " " <a href=format!("/apps/{app_id}/share")>"Change them in the share"</a> "."</p>
                            {v.can_edit.then(|| view! {
                                <ActionForm action=set>
                                    <input type="hidden" name="id" value=app_id/>
                                    <input type="hidden" name="allowed" value=if v.allowed { "false" } else { "true" }/>
                                    <button type="submit" class="button" disabled=move || set.pending().get()>
                                        {if v.allowed { "Stop teacher sharing" } else { "Let teachers share their own classes" }}
                                    </button>
                                </ActionForm>
                            })}
                            {if v.grants.is_empty() {
                                view! { <p class="empty">"No teacher has shared a class with this app."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="counts" data-testid="teacher-grants">
                                        <thead><tr><th scope="col">"Class"</th><th scope="col">"Switched on by"</th><th scope="col">"Since"</th><th scope="col"></th></tr></thead>
                                        <tbody>{v.grants.into_iter().map(|g| view! {
                                            <tr>
                                                <th scope="row"><a href=format!("/data/classes/{}", encode(&g.class_sourced_id))>{g.class_title.clone()}</a>
                                                    {(!g.applies).then(|| view! { " " <span class="badge badge-off">"not in force"</span> })}</th>
                                                <td>{g.teacher.clone()}</td>
                                                <td>{when(&g.granted_at)}</td>
                                                <td>{v.can_edit.then(|| view! {
                                                    <ActionForm action=revoke>
                                                        <input type="hidden" name="id" value=app_id/>
                                                        <input type="hidden" name="sourced_id" value=g.class_sourced_id.clone()/>
                                                        <button type="submit" class="button button-small button-danger">"Revoke"</button>
                                                    </ActionForm>
                                                })}</td>
                                            </tr>
                                        }).collect_view()}</tbody>
                                    </table>
                                }.into_any()
                            }}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
