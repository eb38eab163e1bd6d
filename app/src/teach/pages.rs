//! "My classes" and one class: the list to print, review and attest, or flag.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{my_class, my_classes, AttestClass, ClassCard, FlagClass, MyClassView, ISSUE_KINDS};
use crate::ui::{encode, invalid, when, ErrorAlert, FieldError, FormError};

/// The teacher's classes, grouped: this term, later this year, earlier.
#[component]
pub fn MyClassesPage() -> impl IntoView {
    let classes = Resource::new(|| (), |_| my_classes());
    view! {
        <Title text="My classes"/>
        <div class="page-header">
            <h1>"My classes"</h1>
            <p class="muted">"Your classes as the district's student information system lists them. Check each list; tell the district what is wrong."</p>
        </div>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match classes.await {
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"The roster lists no classes for you."</p> }.into_any(),
                    Ok(list) => {
                        let group = |when: &'static str, heading: &'static str, id: &'static str| {
                            let these: Vec<ClassCard> = list.iter().filter(|c| c.when == when).cloned().collect();
                            (!these.is_empty()).then(|| view! {
                                <section class="card" aria-labelledby=id data-testid=format!("classes-{when}")>
                                    <h2 id=id>{heading}</h2>
                                    <table class="counts">
                                        <thead><tr>
                                            <th scope="col">"Class"</th><th scope="col">"Period"</th><th scope="col">"Course"</th>
                                            <th scope="col">"Term"</th><th scope="col">"Students"</th><th scope="col">"List"</th>
                                        </tr></thead>
                                        <tbody>
                                            {these.into_iter().map(|c| view! {
                                                <tr>
                                                    <th scope="row"><a href=format!("/my-classes/{}", encode(&c.sourced_id))>{c.title.clone()}</a>
                                                        {(!c.co_teachers.is_empty()).then(|| view! { <br/><span class="muted">"with " {c.co_teachers.join(", ")}</span> })}</th>
                                                    <td>{c.periods.clone()}</td>
                                                    <td>{c.course.clone()}</td>
                                                    <td>{c.terms.clone()}</td>
                                                    <td>{c.student_count}</td>
                                                    <td><span class=review_badge(&c.review)>{c.review.clone()}</span></td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </section>
                            })
                        };
                        view! {
                            {group("current", "This term", "current-heading")}
                            {group("upcoming", "Later this year", "upcoming-heading")}
                            {group("earlier", "Earlier terms", "earlier-heading")}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn review_badge(review: &str) -> &'static str {
    match review {
        "Attested" => "badge badge-ok",
        "Problems reported" => "badge badge-warn",
        _ => "badge badge-off",
    }
}

/// One class: details, the student list (printable), review and the apps that receive it.
#[component]
pub fn MyClassPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let attest = ServerAction::<AttestClass>::new();
    let flag = ServerAction::<FlagClass>::new();
    // Reloaded after a report is taken, not after one is refused: reloading rebuilds the form,
    // and the teacher would lose what they typed next to the error.
    let data = Resource::new(move || (id(), attest.version().get(), flag.value().get().and_then(|r| r.ok())), |(id, _, _)| my_class(id));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! {
                        <Title text="Class"/>
                        <p class="breadcrumb"><a href="/my-classes">"My classes"</a></p>
                        <ErrorAlert error=e/>
                    }.into_any(),
                    Ok(v) => view! { <ClassView view=v attest flag/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClassView(view: MyClassView, attest: ServerAction<AttestClass>, flag: ServerAction<FlagClass>) -> impl IntoView {
    let c = view.class.clone();
    let id = StoredValue::new(c.sourced_id.clone());
    let attest_error = move || attest.value().get().and_then(|r| r.err());
    let flag_error = Signal::derive(move || flag.value().get().and_then(|r| r.err()));
    let flagged = move || flag.value().get().and_then(|r| r.ok());
    let kind = RwSignal::new("missing_student".to_string());
    let students = view.students.clone();
    view! {
        <Title text=c.title.clone()/>
        <div class="page-header">
            <p class="breadcrumb no-print"><a href="/my-classes">"My classes"</a></p>
            <h1>{c.title.clone()}</h1>
            <p class="muted" data-testid="class-facts">
                {c.course.clone()} " · " {c.school.clone()} " · period " {c.periods.clone()} " · " {c.terms.clone()}
                {(!c.class_code.is_empty()).then(|| format!(" · {}", c.class_code))}
            </p>
            {(!c.co_teachers.is_empty()).then(|| view! { <p>"Co-teachers: " {c.co_teachers.join(", ")}</p> })}
        </div>
        <section class="card" aria-labelledby="list-heading">
            <div class="card-header">
                <h2 id="list-heading">{format!("Students ({})", view.students.len())}</h2>
                <button type="button" class="button button-quiet no-print" onclick="window.print()">"Print"</button>
            </div>
            {if view.students.is_empty() { view! { <p class="empty">"No students are enrolled."</p> }.into_any() } else { view! {
                <table class="counts" data-testid="class-list">
                    <thead><tr><th scope="col">"Name"</th><th scope="col">"Grade"</th>
                        {view.id_columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {view.students.iter().map(|s| view! {
                            <tr><th scope="row">{s.name.clone()}</th><td>{s.grades.clone()}</td>
                                {s.ids.iter().map(|v| view! { <td class="mono">{v.clone()}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any() }}
        </section>
        <div class="cards no-print">
            <section class="card" aria-labelledby="review-heading">
                <h2 id="review-heading">"Is this list correct?"</h2>
                <p data-testid="review-state"><span class=review_badge(&c.review)>{c.review.clone()}</span> " " {view.review_detail.clone()}</p>
                <ActionForm action=attest>
                    <input type="hidden" name="sourced_id" value=id.get_value()/>
                    <input type="hidden" name="revision" value=view.revision/>
                    <button type="submit" class="button button-primary" disabled=move || attest.pending().get()>"Yes, this list is correct"</button>
                </ActionForm>
                {move || attest_error().map(|e| view! { <ErrorAlert error=e/> })}
                <h3>"Report a problem"</h3>
                <ActionForm action=flag attr:class="form-grid" attr:data-testid="flag-form">
                    <input type="hidden" name="sourced_id" value=id.get_value()/>
                    <div class="field">
                        <label for="issue-kind">"What is wrong"</label>
                        <select id="issue-kind" name="kind" on:change=move |ev| kind.set(event_target_value(&ev))
                            aria-describedby="issue-kind-error">
                            {ISSUE_KINDS.iter().map(|(v, l)| view! { <option value=*v>{*l}</option> }).collect_view()}
                        </select>
                        <FieldError error=flag_error field="kind" id="issue-kind-error"/>
                    </div>
                    <div class="field" hidden=move || kind.get() != "missing_student">
                        <label for="issue-student-name">"Name of the missing student"</label>
                        <input id="issue-student-name" name="student_name" maxlength="200"
                            aria-describedby="issue-student-name-error" aria-invalid=invalid(flag_error, "student_name")/>
                        <FieldError error=flag_error field="student_name" id="issue-student-name-error"/>
                    </div>
                    <div class="field" hidden=move || kind.get() != "extra_student">
                        <label for="issue-student">"Student who is not in the class"</label>
                        <select id="issue-student" name="student" aria-describedby="issue-student-error" aria-invalid=invalid(flag_error, "student")>
                            <option value="">"Choose…"</option>
                            {students.iter().map(|s| view! { <option value=s.sourced_id.clone()>{s.name.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError error=flag_error field="student" id="issue-student-error"/>
                    </div>
                    <div class="field">
                        <label for="issue-comment">"Comment"</label>
                        <textarea id="issue-comment" name="comment" rows="3" maxlength="2000"
                            aria-describedby="issue-comment-error" aria-invalid=invalid(flag_error, "comment")></textarea>
                        <FieldError error=flag_error field="comment" id="issue-comment-error"/>
                    </div>
                    <FormError error=flag_error/>
                    {move || flagged().map(|id| view! { <p class="alert alert-ok" role="status">"Thank you: the district has your report (issue " {id} ")."</p> })}
                    <button type="submit" class="button" disabled=move || flag.pending().get()>"Send to the district"</button>
                </ActionForm>
            </section>
            <section class="card" aria-labelledby="apps-heading">
                <h2 id="apps-heading">"Apps that receive this class"</h2>
                {if view.apps.is_empty() { view! { <p class="empty" data-testid="class-apps">"No app receives this class's data."</p> }.into_any() } else { view! {
                    <ul class="list" data-testid="class-apps">
                        {view.apps.iter().map(|a| view! { <li><strong>{a.name.clone()}</strong> " since " {when(&a.since)} ". " {a.fields.clone()}</li> }).collect_view()}
                    </ul>
                }.into_any() }}
            </section>
        </div>
        {(!view.issues.is_empty()).then(|| view! {
            <section class="card no-print" aria-labelledby="issues-heading">
                <h2 id="issues-heading">"Problems you reported"</h2>
                <ul class="list" data-testid="class-issues">
                    {view.issues.iter().map(|i| view! {
                        <li>
                            <strong>{i.kind.clone()}</strong>
                            {(!i.student_name.is_empty()).then(|| format!(": {}", i.student_name))}
                            " · " {when(&i.reported_at)} " · "
                            <span class=if i.open { "badge badge-warn" } else { "badge badge-ok" }>{if i.open { "Open" } else { "Resolved" }}</span>
                            {(!i.comment.is_empty()).then(|| view! { <br/><span class="muted">{i.comment.clone()}</span> })}
                            <br/><span data-testid="issue-check">{i.check.clone()}</span>
                            {(!i.resolution.is_empty()).then(|| view! { <br/>"District: " {i.resolution.clone()} })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
}
