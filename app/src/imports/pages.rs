//! The imports page (upload, history, revisions with roll back) and one import's report.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    import_detail, imports_overview, ApproveImport, DiscardImport, ImportReportView, ImportRow, ImportsData, Refusal,
    RollbackPreview as Preview, RollbackTo,
};
use crate::ui::{group, when, ErrorAlert};

/// Shows upload progress and then "checking" while the server imports. The server answers such
/// a request with the address to go to (a redirect would be followed inside the request, and
/// would use up the one-time error message). Without scripts the form posts natively and the
/// server redirects.
const UPLOAD_SCRIPT: &str = "event.preventDefault();const f=this;const bar=document.getElementById('upload-progress');\
const label=document.getElementById('upload-status');const x=new XMLHttpRequest();\
x.upload.onprogress=function(e){if(e.lengthComputable){bar.max=e.total;bar.value=e.loaded;\
label.textContent='Uploading… '+Math.round(100*e.loaded/e.total)+'%';}};\
x.upload.onload=function(){bar.removeAttribute('value');label.textContent='Checking and importing… (large packages take a while)';};\
x.onload=function(){window.location.href=x.status===200?x.responseText:'/imports';};\
x.onerror=function(){label.textContent='The upload failed: the server could not be reached.';};\
bar.hidden=false;f.querySelector('button').disabled=true;x.open('POST',f.action);x.setRequestHeader('X-Rollbook-Upload','script');x.send(new FormData(f));";

#[component]
pub fn ImportsPage() -> impl IntoView {
    let rollback = ServerAction::<RollbackTo>::new();
    let data = Resource::new(move || rollback.version().get(), |_| imports_overview());
    let query = use_query_map();
    let refused = move || {
        query.with(|q| q.get("refused").and_then(|c| Refusal::parse(&c)).map(|r| r.message(&q.get("name").unwrap_or_default())))
    };
    view! {
        <Title text="Imports"/>
        <div class="page-header">
            <h1>"Imports"</h1>
            <p class="muted">"OneRoster CSV packages, their validation reports, held imports and revisions."</p>
        </div>
        {move || refused().map(|e| view! { <p class="alert alert-error" role="alert" data-testid="upload-error">{e}</p> })}
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Overview data=d rollback/> }.into_any(),
                    Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Overview(data: ImportsData, rollback: ServerAction<RollbackTo>) -> impl IntoView {
    let held: Vec<ImportRow> = data.imports.iter().filter(|i| i.outcome == "held").cloned().collect();
    let current = data.current_revision;
    let can_edit = data.can_edit;
    view! {
        {move || rollback.value().get().map(|r| match r {
            Ok(done) => view! { <p class="alert alert-ok" role="status" data-testid="rolled-back">{done}</p> }.into_any(),
            Err(e) => view! { <ErrorAlert error=e/> }.into_any(),
        })}
        {can_edit.then(|| view! {
            <section class="card" aria-labelledby="upload-heading">
                <h2 id="upload-heading">"Upload a package"</h2>
                <form method="post" action="/imports/upload" enctype="multipart/form-data" class="form-grid" onsubmit=UPLOAD_SCRIPT>
                    <div class="field">
                        <label for="package">"OneRoster CSV package (zip, 1.1 or 1.2, bulk or delta)"</label>
                        <input id="package" name="package" type="file" accept=".zip,application/zip" required/>
                    </div>
                    <div class="field">
                        <label for="source">"Source"</label>
                        <input id="source" name="source" value="sis" maxlength="100"/>
                    </div>
                    <button type="submit" class="button button-primary">"Upload and import"</button>
                    <progress id="upload-progress" hidden></progress>
                    <p id="upload-status" class="muted" role="status"></p>
                </form>
            </section>
        })}
        {(!held.is_empty()).then(|| view! {
            <section class="card card-highlight" aria-labelledby="held-heading">
                <h2 id="held-heading">"Held imports"</h2>
                <p class="muted">"These would delete or change more than the safety thresholds allow. Review each and approve or discard it."</p>
                <ul class="list" data-testid="held">
                    {held.into_iter().map(|i| view! {
                        <li><a href=format!("/imports/{}", i.id)>"Import #" {i.id} " · " {i.package}</a> " — " {i.message}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <section class="card" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            {if data.imports.is_empty() {
                view! { <p class="empty">"No imports yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="imports-table">
                        <thead><tr><th scope="col">"#"</th><th scope="col">"Started"</th><th scope="col">"Package"</th><th scope="col">"Source"</th><th scope="col">"Outcome"</th><th scope="col">"By"</th><th scope="col">"Result"</th></tr></thead>
                        <tbody>
                            {data.imports.into_iter().map(|i| view! {
                                <tr>
                                    <td><a href=format!("/imports/{}", i.id)>{i.id}</a></td>
                                    <td>{when(&i.started_at)}</td>
                                    <td>{i.package}</td>
                                    <td>{i.source}</td>
                                    <td><span class=format!("badge badge-{}", i.outcome)>{i.outcome.clone()}</span></td>
                                    <td>{i.actor}{i.decided_by.map(|d| format!(" (decided by {d})"))}</td>
                                    <td>{i.message}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="revisions-heading">
            <h2 id="revisions-heading">"Revisions"</h2>
            <p class="muted">"Every applied import or rollback is a revision. Rolling back restores an earlier revision as a new one, so it can be undone too."</p>
            <table class="table" data-testid="revisions-table">
                <thead><tr><th scope="col">"Revision"</th><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"By"</th><th scope="col"></th></tr></thead>
                <tbody>
                    {data.revisions.into_iter().map(|r| {
                        let id = r.id;
                        view! {
                            <tr>
                                <td>{r.id}{(r.id == current).then(|| view! { " " <span class="badge badge-ok">"current"</span> })}</td>
                                <td>{when(&r.created_at)}</td>
                                <td>{r.summary}</td>
                                <td>{r.actor}</td>
                                <td>{(can_edit && id < current).then(|| view! { <RollbackButton to=id rollback/> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// "Roll back to N": first shows what would change, then asks to confirm.
#[component]
fn RollbackButton(to: i64, rollback: ServerAction<RollbackTo>) -> impl IntoView {
    let preview = ServerAction::<Preview>::new();
    let open = RwSignal::new(false);
    view! {
        <Show when=move || !open.get()>
            <button type="button" class="button button-small"
                on:click=move |_| { open.set(true); preview.dispatch(Preview { to }); }>
                {format!("Roll back to {to}")}
            </button>
        </Show>
        <Show when=move || open.get()>
            <div class="confirm" role="alertdialog" aria-label=format!("Roll back to revision {to}")>
                {move || match preview.value().get() {
                    None => view! { <p class="muted">"Counting what would change…"</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorAlert error=e/> }.into_any(),
                    Some(Ok(p)) if p.changes.is_empty() => view! {
                        <p data-testid="rollback-summary">{format!("The roster is already as it was at revision {}: there is nothing to roll back.", p.to)}</p>
                    }.into_any(),
                    Some(Ok(p)) => { let seen = Some(p.current); view! {
                        <p>{format!("Restore the roster as it was at revision {} (now {}):", p.to, p.current)}</p>
                        <ul data-testid="rollback-changes">
                            {p.changes.iter().map(|(t, c, u, d)| view! { <li>{rollback_line(t, *c, *u, *d)}</li> }).collect_view()}
                        </ul>
                        <p class="muted" data-testid="rollback-summary">{p.summary.clone()}</p>
                        <button type="button" class="button button-danger"
                            on:click=move |_| { rollback.dispatch(RollbackTo { to, seen }); open.set(false); }>
                            "Yes, roll back"
                        </button>
                    }.into_any() },
                }}
                <button type="button" class="button button-quiet" on:click=move |_| open.set(false)>"Cancel"</button>
            </div>
        </Show>
    }
}

/// "users: 25 restored, 3 deleted": what a rollback does to one table, leaving out what is 0.
fn rollback_line(table: &str, restored: u64, updated: u64, deleted: u64) -> String {
    let parts: Vec<String> = [(restored, "restored"), (updated, "updated"), (deleted, "deleted")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{} {what}", group(n as i64)))
        .collect();
    format!("{table}: {}", parts.join(", "))
}

/// One import's validation report, with Approve / Discard while it is held.
#[component]
pub fn ImportDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let approve = ServerAction::<ApproveImport>::new();
    let discard = ServerAction::<DiscardImport>::new();
    let data = Resource::new(move || (id(), approve.version().get(), discard.version().get()), |(id, ..)| import_detail(id));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Report d approve discard/> }.into_any(),
                    Err(e) => view! { <Title text="Import"/><ErrorAlert error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Report(d: ImportReportView, approve: ServerAction<ApproveImport>, discard: ServerAction<DiscardImport>) -> impl IntoView {
    let id = d.row.id;
    let held = d.row.outcome == "held";
    let failures = move || {
        [approve.value().get().and_then(|r| r.err()), discard.value().get().and_then(|r| r.err())]
            .into_iter()
            .flatten()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    };
    let busy = move || approve.pending().get() || discard.pending().get();
    view! {
        <Title text=format!("Import #{id}")/>
        <div class="page-header page-header-actions">
            <div>
                <p class="breadcrumb"><a href="/imports">"Imports"</a></p>
                <h1>"Import #" {id} " " <span class=format!("badge badge-{}", d.row.outcome) data-testid="outcome">{d.row.outcome.clone()}</span></h1>
                <p data-testid="import-message">{d.row.message.clone()}</p>
                <p class="muted">{d.row.package.clone()} " · source " {d.row.source.clone()} " · " {when(&d.row.started_at)} " · by " {d.row.actor.clone()}
                    {d.version.clone().map(|v| format!(" · OneRoster {v}"))} {format!(" · {} ms", d.duration_ms)}</p>
            </div>
            {(held && d.can_edit).then(|| view! {
                <div class="actions">
                    <button type="button" class="button button-primary" disabled=busy
                        on:click=move |_| { approve.dispatch(ApproveImport { id }); }>
                        {move || if approve.pending().get() { "Applying…" } else { "Approve and apply" }}
                    </button>
                    <button type="button" class="button button-danger" disabled=busy
                        on:click=move |_| { discard.dispatch(DiscardImport { id }); }>"Discard"</button>
                </div>
            })}
        </div>
        {move || failures().into_iter().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> }).collect_view()}
        {(!d.hold_reasons.is_empty()).then(|| view! {
            <section class="card card-highlight" aria-labelledby="hold-heading">
                <h2 id="hold-heading">"Why it is held"</h2>
                <ul data-testid="hold-reasons">{d.hold_reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
                {(!d.samples.is_empty()).then(|| view! {
                    <h3>"Samples"</h3>
                    {d.samples.iter().map(|(entity, list)| view! {
                        <p data-testid=format!("samples-{entity}")><strong>{entity.clone()}</strong> ": "
                            {list.iter().map(|(change, sid)| format!("{sid} ({change})")).collect::<Vec<_>>().join(", ")}</p>
                    }).collect_view()}
                })}
            </section>
        })}
        <section class="card" aria-labelledby="counts-heading">
            <h2 id="counts-heading">"Changes"</h2>
            <table class="table numeric" data-testid="entity-counts">
                <thead><tr><th scope="col">"Entity"</th><th scope="col">"Before"</th><th scope="col">"Created"</th><th scope="col">"Updated"</th><th scope="col">"Deleted"</th><th scope="col">"Unchanged"</th><th scope="col">"Skipped"</th></tr></thead>
                <tbody>
                    {d.entities.iter().map(|e| view! {
                        <tr>
                            <th scope="row">{e.entity.clone()}</th>
                            <td>{group(e.before as i64)}</td><td>{group(e.created as i64)}</td><td>{group(e.updated as i64)}</td>
                            <td>{group(e.deleted as i64)}</td><td>{group(e.unchanged as i64)}</td><td>{group(e.skipped as i64)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card" aria-labelledby="problems-heading">
            <div class="card-head">
                <h2 id="problems-heading">"Validation report"</h2>
                <a class="button button-small" href=format!("/imports/{id}/report.csv") download="">"Download as CSV"</a>
            </div>
            <p data-testid="problem-totals">{format!("{} errors, {} warnings", d.errors, d.warnings)}
                {(d.problems_not_listed > 0).then(|| format!(" ({} more not listed)", d.problems_not_listed))}</p>
            {(!d.problems.is_empty()).then(|| view! {
                <table class="table" data-testid="problems">
                    <thead><tr><th scope="col">"File"</th><th scope="col">"Line"</th><th scope="col">"Field"</th><th scope="col">"Severity"</th><th scope="col">"Problem"</th></tr></thead>
                    <tbody>
                        {d.problems.iter().map(|p| view! {
                            <tr class=format!("severity-{}", p.severity)>
                                <td>{p.file.clone()}</td>
                                <td>{p.line.map(|l| l.to_string()).unwrap_or_default()}</td>
                                <td>{p.field.clone().unwrap_or_default()}</td>
                                <td>{p.severity.clone()}</td>
                                <td>{p.message.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
        <section class="card" aria-labelledby="files-heading">
            <h2 id="files-heading">"Files"</h2>
            <ul class="list">{d.files.iter().map(|(name, mode, rows)| view! { <li>{format!("{name} ({mode}): {} rows", group(*rows as i64))}</li> }).collect_view()}</ul>
        </section>
    }
}
