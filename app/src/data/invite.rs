//! Inviting teachers from the data browser: one teacher from their page, or every teacher of a
//! school from the school's people list. The link is shown once, for the admin to hand over.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{ui::when, AppError};

/// A teacher's console access as their page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessView {
    /// "No account", "Invited (link valid until …)", "Active, last signed in …", "Disabled".
    pub state: String,
    /// Whether the signed-in account may invite (district admins).
    pub can_invite: bool,
}

/// An invitation just made: the link and who it is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteView {
    pub name: String,
    pub email: String,
    pub link: String,
    pub expires_at: String,
    /// With an SMTP relay configured: whether the link was e-mailed ("E-mailed to …" or why not).
    pub mail: Option<String>,
}

/// The console access of roster user `sourced_id`, or `None` when the roster does not list
/// them as an active teacher.
#[server(prefix = "/api", endpoint = "teacher_access")]
pub async fn teacher_access(sourced_id: String) -> Result<Option<AccessView>, AppError> {
    use crate::ssr::{from_store, require_account, store};
    use store::service::teachers::TeacherAccess;
    let account = require_account().await?;
    let store = store()?;
    if !store.is_active_teacher(&sourced_id).await.map_err(from_store)? {
        return Ok(None);
    }
    let state = match store.teacher_access(&sourced_id).await.map_err(from_store)? {
        TeacherAccess::None => "No Rollbook account yet.".to_string(),
        TeacherAccess::Invited { expires_at } => format!("Invited; the link works until {}.", when(&expires_at)),
        TeacherAccess::Expired { expired_at } => {
            format!("Invited, but the link expired unused on {}; invite again for a new one.", when(&expired_at))
        }
        TeacherAccess::Active { email, disabled: true, .. } => format!("Account {email} is disabled."),
        TeacherAccess::Active { email, last_sign_in_at, .. } => match last_sign_in_at {
            Some(at) => format!("Signs in as {email}; last signed in {}.", when(&at)),
            None => format!("Signs in as {email}; has not signed in yet."),
        },
    };
    Ok(Some(AccessView { state, can_invite: account.role == store::Role::DistrictAdmin }))
}

/// The invitation as the admin sees it, e-mailed first when the server can send mail.
#[cfg(feature = "ssr")]
async fn view_of(invitation: store::service::teachers::Invitation) -> Result<InviteView, AppError> {
    let base = crate::ssr::public_base()?;
    let link = format!("{base}/welcome?token={}", invitation.token);
    let (name, email) = (invitation.account.display_name, invitation.account.email);
    let mail = match crate::ssr::settings()?.mailer {
        None => None,
        Some(mailer) => Some(match mailer.send_invitation(&email, &name, &link, &when(&invitation.expires_at)).await {
            Ok(()) => format!("E-mailed to {email}."),
            Err(e) => {
                tracing::warn!(error = %e, "an invitation could not be e-mailed");
                format!("Could not e-mail it ({e}); hand the link over yourself.")
            }
        }),
    };
    Ok(InviteView { name, email, link, expires_at: invitation.expires_at, mail })
}

/// Invites one teacher (a new link; older ones stop working).
#[server(prefix = "/api", endpoint = "invite_teacher")]
pub async fn invite_teacher(sourced_id: String) -> Result<InviteView, AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    view_of(store()?.invite_teacher(&sourced_id, &account.email).await.map_err(from_store)?).await
}

/// Invites every teacher of a school without an account: each with their link, or why not.
#[server(prefix = "/api", endpoint = "invite_school")]
pub async fn invite_school(school: String) -> Result<Vec<(String, Result<InviteView, String>)>, AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    let mut out = Vec::new();
    for invite in store()?.invite_school_teachers(&school, &account.email).await.map_err(from_store)? {
        let outcome = match invite.outcome {
            Ok(i) => Ok(view_of(i).await?),
            Err(reason) => Err(reason),
        };
        out.push((invite.name, outcome));
    }
    Ok(out)
}

/// The link of a new invitation, with a copy button and what to do with it.
#[component]
pub fn InviteLink(invite: InviteView) -> impl IntoView {
    // Like the app secret's copy button: a plain onclick needs no extra browser bindings.
    let copy = "const e=document.getElementById('invite-link-text');e.select();\
                if(navigator.clipboard){navigator.clipboard.writeText(e.value);}else{document.execCommand('copy');}\
                this.textContent='Copied';";
    view! {
        <div class="alert alert-ok" role="status" data-testid="invite-link">
            <p>"Hand this link to " <strong>{invite.name.clone()}</strong> " (" {invite.email.clone()} "). It works once, until "
                {when(&invite.expires_at)} "; they choose a password with it."</p>
            {invite.mail.clone().map(|m| view! { <p data-testid="invite-mail">{m}</p> })}
            <div class="input-row">
                <input id="invite-link-text" class="mono" readonly value=invite.link.clone() aria-label="Invitation link"/>
                <button type="button" class="button button-small" onclick=copy>"Copy"</button>
            </div>
        </div>
    }
}

/// The access panel's data and invite action, made by the user page outside its `Suspense`
/// (see `TeacherSharing` in the apps pages for why).
#[derive(Clone, Copy)]
pub struct TeacherAccessData {
    invite: ServerAction<InviteTeacher>,
    access: Resource<Result<Option<AccessView>, AppError>>,
}

impl TeacherAccessData {
    /// The access of the user `sourced_id` names; reloads after an invitation.
    pub fn new(sourced_id: impl Fn() -> String + Send + Sync + 'static) -> Self {
        let invite = ServerAction::<InviteTeacher>::new();
        let access = Resource::new(move || (sourced_id(), invite.version().get()), |(id, _)| teacher_access(id));
        TeacherAccessData { invite, access }
    }
}

/// The access panel on a user's page (teachers only).
#[component]
pub fn TeacherAccessCard(sourced_id: String, data: TeacherAccessData) -> impl IntoView {
    let TeacherAccessData { invite, access } = data;
    let result = move || invite.value().get();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let sourced_id = sourced_id.clone();
                Suspend::new(async move {
                    match access.await {
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <crate::ui::ErrorAlert error=e/> }.into_any(),
                        Ok(Some(a)) => view! {
                            <section class="card" aria-labelledby="access-heading">
                                <h2 id="access-heading">"Rollbook access"</h2>
                                <p data-testid="teacher-access">{a.state.clone()}</p>
                                {a.can_invite.then(|| view! {
                                    <ActionForm action=invite>
                                        <input type="hidden" name="sourced_id" value=sourced_id.clone()/>
                                        <button type="submit" class="button" disabled=move || invite.pending().get()>"Invite to Rollbook"</button>
                                    </ActionForm>
                                })}
                                {move || result().map(|r| match r {
                                    Ok(i) => view! { <InviteLink invite=i/> }.into_any(),
                                    Err(e) => view! { <crate::ui::ErrorAlert error=e/> }.into_any(),
                                })}
                            </section>
                        }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// "Invite all teachers of this school", on a school's people list (shown to admins only).
#[component]
pub fn InviteSchool(school: String) -> impl IntoView {
    let school = StoredValue::new(school);
    let invite = ServerAction::<InviteSchool>::new();
    let result = move || invite.value().get();
    view! {
        <section class="card" aria-labelledby="invite-school-heading">
            <h2 id="invite-school-heading">"Teachers of this school"</h2>
            <ActionForm action=invite>
                <input type="hidden" name="school" value=school.get_value()/>
                <button type="submit" class="button" disabled=move || invite.pending().get()>"Invite all teachers without an account"</button>
            </ActionForm>
            {move || result().map(|r| match r {
                Err(e) => view! { <crate::ui::ErrorAlert error=e/> }.into_any(),
                Ok(list) => view! {
                    <table class="counts" data-testid="school-invites">
                        <thead><tr><th scope="col">"Teacher"</th><th scope="col">"Invitation"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|(name, outcome)| view! {
                                <tr><th scope="row">{name}</th>
                                    <td>{match outcome {
                                        Ok(i) => view! { <input class="mono" readonly value=i.link aria-label="Invitation link"/> }.into_any(),
                                        Err(why) => view! { <span class="muted">{why}</span> }.into_any(),
                                    }}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            })}
        </section>
    }
}
