//! The sharing editor page (`/apps/:id/share`): classes by school, by search or by rule; the
//! people and fields an app receives; the impact preview; saving with confirmation; "why".

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{
    draft::{set_member, ROLE_CHOICES},
    panels::{Impact, PreviewAsApp, SaveBar, WhyPanel},
    share_editor, EditorState, FindClasses, OrgChoice, PreviewShare, RuleRow, SaveShare, ShareEditorData,
};
use crate::ui::{group, ErrorAlert};

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
    // An approved app request sends the admin here with the teacher's classes to add (nothing
    // is saved until the admin has seen the impact and saves).
    let query = leptos_router::hooks::use_query_map();
    if let Some(add) = query.read_untracked().get("add_classes") {
        state.update(|s| {
            for class in add.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                set_member(&mut s.classes, class, true);
            }
        });
    }
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
