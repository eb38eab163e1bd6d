//! Data browser pages: the searchable lists (state in the query string, so every view is a link)
//! and the user and class pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::Form,
    hooks::{use_params_map, use_query_map},
};

use super::{browse_classes, browse_other, browse_users, load_class, load_user, org_list, Filters, ListPage};
use crate::ui::{encode, when, ErrorAlert};

const USER_ROLES: &[&str] = &["student", "teacher", "guardian", "parent", "relative", "aide", "administrator", "principal", "proctor"];
const CLASS_TYPES: &[&str] = &["scheduled", "homeroom"];
const SESSION_TYPES: &[&str] = &["schoolYear", "term", "semester", "gradingPeriod"];
const ENROLLMENT_ROLES: &[&str] = &["student", "teacher", "aide", "proctor", "administrator", "guardian"];
/// The lists of the data browser: (tab, label).
const TABS: &[(&str, &str)] = &[
    ("users", "Users"),
    ("classes", "Classes"),
    ("schools", "Schools"),
    ("courses", "Courses"),
    ("academicSessions", "Academic sessions"),
    ("enrollments", "Enrollments"),
];

#[component]
pub fn DataPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with(|q| q.get(k).filter(|v| !v.trim().is_empty()));
    let tab = move || param("tab").unwrap_or_else(|| "users".into());
    let filters = move || Filters {
        text: param("q"),
        role: param("role"),
        school: param("school"),
        grade: param("grade"),
        status: param("status"),
        sort: param("sort"),
        page: param("page").and_then(|p| p.parse().ok()).unwrap_or(0),
    };
    let list = Resource::new(move || (tab(), filters()), |(tab, f)| async move {
        match tab.as_str() {
            "classes" => browse_classes(f).await,
            "courses" | "academicSessions" | "enrollments" => browse_other(tab, f).await,
            _ => browse_users(f).await,
        }
    });
    let orgs = Resource::new(move || tab() == "schools", |show| async move { if show { org_list().await } else { Ok(vec![]) } });
    // Made here, not in the list: a resource made inside suspended content is made again each
    // time that content renders on the server.
    let user = Resource::new(|| (), |_| crate::auth::current_user());
    let link = move |t: &str| format!("/data?tab={t}");

    view! {
        <Title text="Data"/>
        <div class="page-header">
            <h1>"Data"</h1>
            <p class="muted">"Schools, classes and people from your student information system, as of the current revision."</p>
        </div>
        <nav class="tabs" aria-label="Data">
            {TABS.iter().map(|(t, label)| view! {
                <a href=link(t) aria-current=move || (tab() == *t).then_some("page")>{*label}</a>
            }).collect_view()}
        </nav>
        {move || if tab() == "schools" {
            view! {
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match orgs.await {
                            Ok(list) => view! { <OrgTree orgs=list/> }.into_any(),
                            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            }.into_any()
        } else {
            view! {
                <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match list.await {
                            Ok(page) => {
                                let can_edit = user.await.is_ok_and(|u| u.can_edit);
                                view! { <ListView page tab=tab() filters=filters() can_edit/> }.into_any()
                            }
                            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            }.into_any()
        }}
    }
}

#[component]
fn ListView(page: ListPage, tab: String, filters: Filters, can_edit: bool) -> impl IntoView {
    let users = tab == "users";
    let kinds: &[&str] = match tab.as_str() {
        "users" => USER_ROLES,
        "classes" => CLASS_TYPES,
        "academicSessions" => SESSION_TYPES,
        "enrollments" => ENROLLMENT_ROLES,
        _ => &[],
    };
    // Only users and classes have pages of their own.
    let linked = matches!(tab.as_str(), "users" | "classes");
    // Filters are offered where the list has the column (the store refuses the others):
    // sessions belong to no school, and neither sessions nor enrollments carry grades.
    let by_school = tab != "academicSessions";
    let by_grade = !matches!(tab.as_str(), "academicSessions" | "enrollments");
    let here = |p: i64| {
        let mut q = format!("/data?tab={tab}&page={p}");
        for (k, v) in [("q", &filters.text), ("role", &filters.role), ("school", &filters.school), ("grade", &filters.grade), ("status", &filters.status), ("sort", &filters.sort)] {
            if let Some(v) = v {
                q.push_str(&format!("&{k}={}", encode(v)));
            }
        }
        q
    };
    let prev = (filters.page > 0).then(|| here(filters.page - 1));
    let next = page.more.then(|| here(filters.page + 1));
    let detail = if users { "users" } else { "classes" };
    let sel = |current: &Option<String>, value: &str| current.as_deref() == Some(value);
    // A school's teachers can all be invited at once from their list.
    let invite_school = (can_edit && users && filters.role.as_deref() == Some("teacher")).then(|| filters.school.clone()).flatten();
    view! {
        <section class="card">
            <Form method="GET" action="/data" attr:class="filters">
                <input type="hidden" name="tab" value=tab.clone()/>
                <label>"Search"
                    <input type="search" name="q" value=filters.text.clone().unwrap_or_default()
                        placeholder=match tab.as_str() {
                            "users" => "name, sourcedId, identifier or e-mail",
                            "enrollments" => "sourcedId, class or user sourcedId",
                            _ => "title, code or sourcedId",
                        }/>
                </label>
                <label>{if users || tab == "enrollments" { "Role" } else { "Type" }}
                    <select name="role" disabled=kinds.is_empty()>
                        <option value="">"Any"</option>
                        {kinds.iter().map(|k| view! { <option value=*k selected=sel(&filters.role, k)>{*k}</option> }).collect_view()}
                    </select>
                </label>
                {by_school.then(|| view! {
                    <label>"School"
                        <select name="school">
                            <option value="">"Any"</option>
                            {page.schools.iter().map(|(id, name)| view! { <option value=id.clone() selected=sel(&filters.school, id)>{name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                })}
                {by_grade.then(|| view! {
                    <label>"Grade"<input name="grade" size="4" value=filters.grade.clone().unwrap_or_default()/></label>
                })}
                <label>"Status"
                    <select name="status">
                        <option value="">"Any"</option>
                        <option value="active" selected=sel(&filters.status, "active")>"active"</option>
                        <option value="tobedeleted" selected=sel(&filters.status, "tobedeleted")>"tobedeleted"</option>
                    </select>
                </label>
                <label>"Sort"
                    <select name="sort">
                        <option value="name" selected=!sel(&filters.sort, "id")>{if users { "Name" } else { "Title" }}</option>
                        <option value="id" selected=sel(&filters.sort, "id")>"sourcedId"</option>
                    </select>
                </label>
                <button type="submit" class="button button-primary">"Search"</button>
            </Form>
            {if page.too_deep {
                view! { <p class="alert alert-warning" role="status">"That page is too deep to show quickly. Narrow the search with a name or filters."</p> }.into_any()
            } else if page.rows.is_empty() {
                view! { <p class="empty">"Nothing matches."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="data-table">
                        <thead><tr>{page.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {page.rows.into_iter().map(|r| {
                                let href = format!("/data/{detail}/{}", encode(&r.sourced_id));
                                let mut cells = r.cells.into_iter();
                                let first = cells.next().unwrap_or_default();
                                view! {
                                    <tr>
                                        <th scope="row">{if linked { view! { <a href=href>{first}</a> }.into_any() } else { view! { <span class="mono">{first}</span> }.into_any() }}</th>
                                        {cells.map(|c| view! { <td>{c}</td> }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <p class="pager">
                {prev.map(|h| view! { <a class="button button-small" href=h>"Previous"</a> })}
                " " <span class="muted">"Page " {filters.page + 1}</span> " "
                {next.map(|h| view! { <a class="button button-small" href=h>"Next"</a> })}
            </p>
        </section>
        {invite_school.map(|school| view! {
            <super::invite::InviteSchool school/>
        })}
    }
}

/// Districts with their schools (and deeper orgs), with links to each school's classes.
#[component]
fn OrgTree(orgs: Vec<(String, String, String, Option<String>)>) -> impl IntoView {
    let known: std::collections::HashSet<String> = orgs.iter().map(|o| o.0.clone()).collect();
    fn branch(orgs: &[(String, String, String, Option<String>)], known: &std::collections::HashSet<String>, parent: Option<&str>) -> AnyView {
        let children: Vec<_> = orgs
            .iter()
            .filter(|o| o.3.as_deref().filter(|p| known.contains(*p)) == parent)
            .collect();
        if children.is_empty() {
            return ().into_any();
        }
        view! {
            <ul>
                {children.into_iter().map(|(id, name, kind, _)| view! {
                    <li>
                        <strong>{name.clone()}</strong> " " <span class="muted">{format!("{kind} · {id}")}</span> " "
                        <a href=format!("/data?tab=classes&school={}", encode(id))>"classes"</a> " · "
                        <a href=format!("/data?tab=users&school={}", encode(id))>"people"</a>
                        {branch(orgs, known, Some(id))}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    }
    view! { <section class="card tree" data-testid="org-tree">{branch(&orgs, &known, None)}</section> }
}

fn field_table(fields: Vec<(String, String)>) -> impl IntoView {
    view! {
        <table class="counts facts-table">
            <tbody>
                {fields.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! {
                    <tr><th scope="row">{k}</th><td class="mono">{v}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One user: roles, classes, guardians, history, and which apps receive them.
#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(id, load_user);
    let access = super::invite::TeacherAccessData::new(id);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="User"/><ErrorAlert error=e/> }.into_any(),
                    Ok(u) => view! {
                        <Title text=u.name.clone()/>
                        <div class="page-header">
                            <p class="breadcrumb"><a href="/data?tab=users">"Users"</a></p>
                            <h1>{u.name.clone()} " " <span class=format!("badge badge-{}", if u.status == "active" { "ok" } else { "off" })>{u.status.clone()}</span></h1>
                            <p class="muted mono">{u.sourced_id.clone()}</p>
                        </div>
                        <super::invite::TeacherAccessCard sourced_id=u.sourced_id.clone() data=access/>
                        <div class="cards">
                            <section class="card" aria-labelledby="apps-heading">
                                <h2 id="apps-heading">"Apps that receive this user"</h2>
                                {if u.apps.is_empty() {
                                    view! { <p class="empty" data-testid="user-apps">"No app receives this user."</p> }.into_any()
                                } else {
                                    view! { <ul class="list" data-testid="user-apps">
                                        {u.apps.iter().map(|(id, name, since, withheld)| view! {
                                            <li><a href=format!("/apps/{id}")>{name.clone()}</a> " since " {when(since)} ". "
                                                {if withheld.is_empty() { "Every field.".to_string() } else { format!("All fields except {}.", withheld.join(", ")) }}</li>
                                        }).collect_view()}
                                    </ul> }.into_any()
                                }}
                            </section>
                            <section class="card" aria-labelledby="roles-heading">
                                <h2 id="roles-heading">"Roles"</h2>
                                <ul class="list">{u.roles.iter().map(|(role, kind, org, name)| view! {
                                    <li>{format!("{role} ({kind}) at ")}<a href=format!("/data?tab=classes&school={}", encode(org))>{if name.is_empty() { org.clone() } else { name.clone() }}</a></li>
                                }).collect_view()}</ul>
                                {(!u.agents.is_empty()).then(|| view! {
                                    <h3>"Guardians and agents"</h3>
                                    <ul class="list">{u.agents.iter().map(|(id, name)| view! {
                                        <li><a href=format!("/data/users/{}", encode(id))>{if name.trim().is_empty() { id.clone() } else { name.clone() }}</a></li>
                                    }).collect_view()}</ul>
                                })}
                            </section>
                        </div>
                        <section class="card" aria-labelledby="classes-heading">
                            <h2 id="classes-heading">"Classes"</h2>
                            {if u.classes.is_empty() { view! { <p class="empty">"No classes."</p> }.into_any() } else { view! {
                                <ul class="list" data-testid="user-classes">{u.classes.iter().map(|(id, title, role)| view! {
                                    <li><a href=format!("/data/classes/{}", encode(id))>{if title.is_empty() { id.clone() } else { title.clone() }}</a> " · " {role.clone()}</li>
                                }).collect_view()}</ul>
                            }.into_any() }}
                        </section>
                        <div class="cards">
                            <section class="card" aria-labelledby="history-heading">
                                <h2 id="history-heading">"History"</h2>
                                <ul class="list" data-testid="user-history">{u.history.iter().map(|(rev, at, what)| view! {
                                    <li>"Revision " {*rev} " · " {when(at)} " · " {what.clone()}</li>
                                }).collect_view()}</ul>
                            </section>
                            <section class="card" aria-labelledby="fields-heading">
                                <h2 id="fields-heading">"Stored fields"</h2>
                                {field_table(u.fields)}
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One class: term, course, teachers and students, and the apps that receive it.
#[component]
pub fn ClassPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = Resource::new(id, load_class);
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Class"/><ErrorAlert error=e/> }.into_any(),
                    Ok(c) => {
                        let teachers: Vec<_> = c.people.iter().filter(|p| p.2 == "teacher").cloned().collect();
                        let students: Vec<_> = c.people.iter().filter(|p| p.2 == "student").cloned().collect();
                        let others: Vec<_> = c.people.iter().filter(|p| p.2 != "teacher" && p.2 != "student").cloned().collect();
                        let person = |(id, name, role): (String, String, String)| view! {
                            <li><a href=format!("/data/users/{}", encode(&id))>{if name.trim().is_empty() { id.clone() } else { name }}</a>
                                {(role != "teacher" && role != "student").then(|| format!(" · {role}"))}</li>
                        };
                        view! {
                            <Title text=c.title.clone()/>
                            <div class="page-header">
                                <p class="breadcrumb"><a href="/data?tab=classes">"Classes"</a></p>
                                <h1>{c.title.clone()}</h1>
                                <p class="muted">
                                    <a href=format!("/data?tab=classes&school={}", encode(&c.school.0))>{c.school.1.clone()}</a>
                                    " · course " {c.course.1.clone()} " · "
                                    {c.terms.iter().map(|t| t.1.clone()).collect::<Vec<_>>().join(", ")}
                                    " · " <span class="mono">{c.sourced_id.clone()}</span>
                                </p>
                                <p data-testid="class-review">{c.review.clone()}
                                    {(c.open_issues > 0).then(|| view! { " " <a href="/roster-issues">{format!("{} open roster issue(s)", c.open_issues)}</a> })}</p>
                            </div>
                            <div class="cards">
                                <section class="card" aria-labelledby="teachers-heading">
                                    <h2 id="teachers-heading">{format!("Teachers ({})", teachers.len())}</h2>
                                    <ul class="list" data-testid="class-teachers">{teachers.into_iter().map(person).collect_view()}</ul>
                                    {(!others.is_empty()).then(|| view! { <h3>"Others"</h3><ul class="list">{others.into_iter().map(person).collect_view()}</ul> })}
                                    <h3>"Apps that receive this class"</h3>
                                    {if c.apps.is_empty() { view! { <p class="muted">"None."</p> }.into_any() } else { view! {
                                        <ul class="list">{c.apps.iter().map(|(id, name, since)| view! { <li><a href=format!("/apps/{id}")>{name.clone()}</a> " since " {when(since)}</li> }).collect_view()}</ul>
                                    }.into_any() }}
                                </section>
                                <section class="card" aria-labelledby="students-heading">
                                    <h2 id="students-heading">{format!("Students ({})", students.len())}</h2>
                                    <ul class="list columns" data-testid="class-students">{students.into_iter().map(person).collect_view()}</ul>
                                </section>
                            </div>
                            <section class="card" aria-labelledby="fields-heading">
                                <h2 id="fields-heading">"Stored fields"</h2>
                                {field_table(c.fields)}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
