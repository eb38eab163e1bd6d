//! The sharing editor page (`/apps/:id/share`): classes by school, by search or by rule; the
//! people and fields an app receives; the impact preview; saving with confirmation; "why".

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{
    draft::{set_member, ROLE_CHOICES},
    share_editor, EditorState, FindClasses, ImpactView, OrgChoice, PreviewShare, RuleRow, SaveShare,
    ShareEditorData, WhyShared,
};
use crate::ui::{group, when, ErrorAlert};

#[component]
pub fn SharePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let data = Resource::new(id, share_editor);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Editor data=d/> }.into_any(),
                    Err(e) => view! { <Title text="Sharing"/><ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Editor(data: ShareEditorData) -> impl IntoView {
    let app_id = data.app_id;
    let can_edit = data.can_edit;
    let sensitive: Vec<String> = data.fields.iter().filter(|f| f.sensitive).map(|f| f.key.clone()).collect();
    let state = RwSignal::new(EditorState::from_draft(&data.draft, data.new_share, &sensitive));
    let json = move || serde_json::to_string(&state.with(|s| s.to_draft())).unwrap_or_default();
    let preview = ServerAction::<PreviewShare>::new();
    let save = ServerAction::<SaveShare>::new();
    let previewed = RwSignal::new(None::<String>);
    let run_preview = move || {
        let share = json();
        previewed.set(Some(share.clone()));
        preview.dispatch(PreviewShare { app_id, share });
    };
    let stale = move || previewed.get().is_some_and(|p| p != json());

    view! {
        <Title text=format!("Sharing: {}", data.app_name)/>
        <div class="page-header">
            <p class="breadcrumb"><a href="/apps">"Apps"</a> " / " <a href=format!("/apps/{app_id}")>{data.app_name.clone()}</a></p>
            <h1>"What " {data.app_name.clone()} " may see"</h1>
            <p class="muted">
                "It receives " <strong data-testid="students-now">{group(data.students_now)}</strong>
                " of the district's " {group(data.district_students)} " students now. "
                "Changes take effect when saved; preview them first."
            </p>
            {(!can_edit).then(|| view! { <p class="alert alert-warning" role="status">"Your account can look but not change shares."</p> })}
        </div>
        <div class="editor">
            <div class="editor-main">
                <ClassesSection state orgs=data.orgs.clone()/>
                <ClassPicker state/>
                <RulesSection state/>
                <section class="card" aria-labelledby="people-heading">
                    <h2 id="people-heading">"People"</h2>
                    {ROLE_CHOICES.iter().map(|(role, label)| {
                        let role = role.to_string();
                        let r2 = role.clone();
                        view! {
                            <label class="check">
                                <input type="checkbox" name="role" value=role.clone()
                                    prop:checked=move || state.with(|s| s.roles.contains(&role))
                                    on:change=move |ev| { let on = event_target_checked(&ev); state.update(|s| set_member(&mut s.roles, &r2, on)); }/>
                                " " {*label}
                            </label>
                        }
                    }).collect_view()}
                </section>
                <FieldsSection state fields=data.fields.clone()/>
                <PreviewAsApp app_id/>
            </div>
            <aside class="editor-side">
                <section class="card sticky" aria-labelledby="impact-heading">
                    <h2 id="impact-heading">"Impact"</h2>
                    <button type="button" class="button" disabled=move || preview.pending().get()
                        on:click=move |_| run_preview()>
                        {move || if preview.pending().get() { "Computing…" } else { "Preview impact" }}
                    </button>
                    {move || stale().then(|| view! { <p class="muted">"Changed since this preview."</p> })}
                    {move || preview.value().get().map(|r| match r {
                        Ok(i) => view! { <Impact impact=i/> }.into_any(),
                        Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    })}
                    {can_edit.then(|| view! { <SaveBar app_id state save/> })}
                </section>
                <WhyPanel app_id/>
            </aside>
        </div>
    }
}

/// The district → school tree with a checkbox per school, or every class.
#[component]
fn ClassesSection(state: RwSignal<EditorState>, orgs: Vec<OrgChoice>) -> impl IntoView {
    let known: std::collections::HashSet<String> = orgs.iter().map(|o| o.sourced_id.clone()).collect();
    let mut children: BTreeMap<Option<String>, Vec<OrgChoice>> = BTreeMap::new();
    for org in orgs {
        let parent = org.parent.clone().filter(|p| known.contains(p));
        children.entry(parent).or_default().push(org);
    }
    let tree = branch(&children, None, state);
    view! {
        <section class="card" aria-labelledby="classes-heading">
            <h2 id="classes-heading">"Classes"</h2>
            <div class="choice">
                <label class="check"><input type="radio" name="scope"
                    prop:checked=move || state.with(|s| s.all)
                    on:change=move |_| state.update(|s| s.all = true)/>" Every class in the district"</label>
                <label class="check"><input type="radio" name="scope"
                    prop:checked=move || state.with(|s| !s.all)
                    on:change=move |_| state.update(|s| s.all = false)/>" Classes of the schools and classes chosen below"</label>
            </div>
            <fieldset class="tree" prop:disabled=move || state.with(|s| s.all)>
                <legend>"Schools"</legend>
                {tree}
            </fieldset>
        </section>
    }
}

fn branch(children: &BTreeMap<Option<String>, Vec<OrgChoice>>, parent: Option<String>, state: RwSignal<EditorState>) -> AnyView {
    let Some(list) = children.get(&parent) else { return ().into_any() };
    let items = list
        .iter()
        .map(|org| {
            let id = org.sourced_id.clone();
            let sub = branch(children, Some(id.clone()), state);
            let label = format!("{} ({})", org.name, if org.org_type.is_empty() { "org" } else { &org.org_type });
            let pick = org.org_type != "district" && org.org_type != "state" && org.org_type != "national";
            let check_id = id.clone();
            let toggle_id = id.clone();
            view! {
                <li>
                    {if pick {
                        view! {
                            <label class="check">
                                <input type="checkbox" name="school" value=id.clone()
                                    prop:checked=move || state.with(|s| s.schools.contains(&check_id))
                                    on:change=move |ev| { let on = event_target_checked(&ev); state.update(|s| set_member(&mut s.schools, &toggle_id, on)); }/>
                                " " {label}
                            </label>
                        }.into_any()
                    } else {
                        view! { <span class="tree-node">{label}</span> }.into_any()
                    }}
                    {sub}
                </li>
            }
        })
        .collect_view();
    view! { <ul>{items}</ul> }.into_any()
}

/// Classes picked by search.
#[component]
fn ClassPicker(state: RwSignal<EditorState>) -> impl IntoView {
    let find = ServerAction::<FindClasses>::new();
    let picked = Memo::new(move |_| state.with(|s| s.classes.clone()));
    view! {
        <section class="card" aria-labelledby="pick-heading">
            <h2 id="pick-heading">"Single classes"</h2>
            <ActionForm action=find attr:class="inline-form">
                <label for="class-search">"Find a class"</label>
                <input id="class-search" name="text" type="search" placeholder="title, code or sourcedId" minlength="2"/>
                <button type="submit" class="button">"Search"</button>
            </ActionForm>
            {move || find.value().get().map(|r| match r {
                Ok(hits) if hits.is_empty() => view! { <p class="muted">"No active class matches."</p> }.into_any(),
                Ok(hits) => view! {
                    <ul class="hits" data-testid="class-hits">
                        {hits.into_iter().map(|h| {
                            let id = h.sourced_id.clone();
                            view! { <li>
                                <button type="button" class="button button-small"
                                    on:click=move |_| state.update(|s| set_member(&mut s.classes, &id, true))>"Add"</button>
                                " " {h.title} " · " <span class="muted">{h.school} " · " {h.sourced_id}</span>
                            </li> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
            })}
            {move || {
                let list = picked.get();
                if list.is_empty() {
                    view! { <p class="muted">"No single classes picked."</p> }.into_any()
                } else {
                    view! { <ul class="chips" data-testid="picked-classes">
                        {list.into_iter().map(|c| {
                            let remove = c.clone();
                            view! { <li>{c.clone()} " "
                                <button type="button" class="button-link" aria-label=format!("Remove {c}")
                                    on:click=move |_| state.update(|s| set_member(&mut s.classes, &remove, false))>"×"</button>
                            </li> }
                        }).collect_view()}
                    </ul> }.into_any()
                }
            }}
        </section>
    }
}

/// Rules on subject, grade, term, class type, course or school; include or exclude.
#[component]
fn RulesSection(state: RwSignal<EditorState>) -> impl IntoView {
    let count = Memo::new(move |_| state.with(|s| s.rules.len()));
    view! {
        <section class="card" aria-labelledby="rules-heading">
            <h2 id="rules-heading">"Rules"</h2>
            <p class="muted">"A class matches a rule when it matches every box filled in (any of the comma-separated values). Exclusions win over inclusions."</p>
            {move || (0..count.get()).map(|i| view! { <RuleEditor state i/> }).collect_view()}
            <button type="button" class="button" on:click=move |_| state.update(|s| s.rules.push(RuleRow::default()))>"Add a rule"</button>
        </section>
    }
}

#[component]
fn RuleEditor(state: RwSignal<EditorState>, i: usize) -> impl IntoView {
    let text = move |f: fn(&RuleRow) -> &String| move || state.with(|s| s.rules.get(i).map(|r| f(r).clone()).unwrap_or_default());
    let set = move |f: fn(&mut RuleRow) -> &mut String| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            state.update(|s| {
                if let Some(r) = s.rules.get_mut(i) {
                    *f(r) = v;
                }
            })
        }
    };
    let n = i + 1;
    view! {
        <fieldset class="rule" aria-label=format!("Rule {n}")>
            <div class="rule-head">
                <select aria-label=format!("Rule {n} kind")
                    prop:value=move || if state.with(|s| s.rules.get(i).is_some_and(|r| r.exclude)) { "exclude" } else { "include" }
                    on:change=move |ev| { let ex = event_target_value(&ev) == "exclude"; state.update(|s| if let Some(r) = s.rules.get_mut(i) { r.exclude = ex; }); }>
                    <option value="include">"Include"</option>
                    <option value="exclude">"Exclude"</option>
                </select>
                <input aria-label=format!("Rule {n} label") placeholder="label (shown by Why)"
                    prop:value=text(|r| &r.label) on:input=set(|r| &mut r.label)/>
                <button type="button" class="button button-quiet" on:click=move |_| state.update(|s| { if i < s.rules.len() { s.rules.remove(i); } })>"Remove"</button>
            </div>
            <div class="rule-grid">
                <label>"Subjects"<input prop:value=text(|r| &r.subjects) on:input=set(|r| &mut r.subjects) placeholder="Mathematics, Science"/></label>
                <label>"Grades"<input prop:value=text(|r| &r.grades) on:input=set(|r| &mut r.grades) placeholder="09, 10"/></label>
                <label>"Class types"<input prop:value=text(|r| &r.class_types) on:input=set(|r| &mut r.class_types) placeholder="scheduled, homeroom"/></label>
                <label>"Terms (sourcedIds)"<input prop:value=text(|r| &r.terms) on:input=set(|r| &mut r.terms)/></label>
                <label>"Courses (sourcedIds)"<input prop:value=text(|r| &r.courses) on:input=set(|r| &mut r.courses)/></label>
                <label>"Schools (sourcedIds)"<input prop:value=text(|r| &r.schools) on:input=set(|r| &mut r.schools)/></label>
            </div>
        </fieldset>
    }
}

/// Fields per entity; sensitive ones marked. Checked means the app receives the field.
#[component]
fn FieldsSection(state: RwSignal<EditorState>, fields: Vec<super::FieldChoice>) -> impl IntoView {
    let mut by_entity: Vec<(String, Vec<super::FieldChoice>)> = Vec::new();
    for f in fields {
        match by_entity.iter_mut().find(|(e, _)| *e == f.entity) {
            Some((_, list)) => list.push(f),
            None => by_entity.push((f.entity.clone(), vec![f])),
        }
    }
    view! {
        <section class="card" aria-labelledby="fields-heading">
            <h2 id="fields-heading">"Fields"</h2>
            <p class="muted">"Identifiers, names, status and roles are always sent: records are unusable without them. Sensitive fields are off until you turn them on."</p>
            <label class="check check-sensitive">
                <input type="checkbox" name="demographics"
                    prop:checked=move || state.with(|s| s.demographics)
                    on:change=move |ev| { let on = event_target_checked(&ev); state.update(|s| s.demographics = on); }/>
                " Demographics of shared students " <span class="badge badge-sensitive">"sensitive"</span>
            </label>
            <div class="field-groups">
                {by_entity.into_iter().map(|(entity, list)| view! {
                    <fieldset class="field-group">
                        <legend>{entity}</legend>
                        {list.into_iter().map(|f| {
                            let key = f.key.clone();
                            let k2 = f.key.clone();
                            view! {
                                <label class="check" class:check-sensitive=f.sensitive>
                                    <input type="checkbox" name="field" value=f.key.clone()
                                        prop:checked=move || state.with(|s| !s.withhold.contains(&key))
                                        on:change=move |ev| { let on = event_target_checked(&ev); state.update(|s| set_member(&mut s.withhold, &k2, !on)); }/>
                                    " " {f.field.clone()}
                                    {f.sensitive.then(|| view! { " " <span class="badge badge-sensitive">"sensitive"</span> })}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                }).collect_view()}
            </div>
        </section>
    }
}

/// A preview's numbers: students, records per entity, fields.
#[component]
fn Impact(impact: ImpactView) -> impl IntoView {
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
fn SaveBar(app_id: i64, state: RwSignal<EditorState>, save: ServerAction<SaveShare>) -> impl IntoView {
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
fn PreviewAsApp(app_id: i64) -> impl IntoView {
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
fn WhyPanel(app_id: i64) -> impl IntoView {
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
