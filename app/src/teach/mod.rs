//! The teachers' part of the console: their own classes, class lists to review, and the
//! invitation page where a teacher sets a password. Every server function here starts from the
//! signed-in teacher's roster user, so no teacher reaches another teacher's class.

mod apps;
mod pages;
mod welcome;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use apps::{fields_text, MyAppsPage};
pub use pages::{MyClassPage, MyClassesPage};
pub use welcome::WelcomePage;


use crate::AppError;

/// A class on the "My classes" page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCard {
    pub sourced_id: String,
    pub title: String,
    pub class_code: String,
    pub periods: String,
    pub course: String,
    pub school: String,
    pub terms: String,
    /// `current`, `upcoming` or `earlier`.
    pub when: String,
    pub co_teachers: Vec<String>,
    pub student_count: i64,
    /// "Attested", "Problems reported", "Changed since attested", "Not reviewed".
    pub review: String,
}

/// A student on the class list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentRow {
    pub sourced_id: String,
    pub name: String,
    pub grades: String,
    /// The identifiers the district shows teachers, in the order of [`MyClassView::id_columns`].
    pub ids: Vec<String>,
}

/// Column headings for the student identifiers a district may show teachers.
pub const ID_LABELS: &[(&str, &str)] = &[("identifier", "Student ID"), ("username", "Username"), ("email", "Student e-mail")];

/// A problem the teacher reported, with what the roster says now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueRow {
    pub id: i64,
    pub kind: String,
    pub student_name: String,
    pub comment: String,
    pub reported_at: String,
    pub open: bool,
    pub resolution: String,
    /// Whether the roster has since fixed it (`None`: cannot tell).
    pub gone: Option<bool>,
    pub check: String,
}

/// An app that receives the class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassApp {
    pub name: String,
    pub since: String,
    /// "All fields except email, phone; no demographics."
    pub fields: String,
}

/// One class with its list, review state, reported problems and the apps that receive it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyClassView {
    pub class: ClassCard,
    /// Headings of the identifier columns the district chose.
    pub id_columns: Vec<String>,
    pub students: Vec<StudentRow>,
    pub review_detail: String,
    /// The roster revision this view shows.
    pub revision: i64,
    pub issues: Vec<IssueRow>,
    pub apps: Vec<ClassApp>,
}

/// The kinds of problem a teacher can report: (value, label).
pub const ISSUE_KINDS: &[(&str, &str)] = &[
    ("missing_student", "A student is missing"),
    ("extra_student", "A listed student is not in the class"),
    ("wrong_teacher", "Wrong teacher"),
    ("wrong_period", "Wrong period"),
    ("other", "Something else"),
];

#[cfg(feature = "ssr")]
fn review_label(review: &Option<store::service::reviews::ClassReview>) -> String {
    match review {
        None => "Not reviewed".into(),
        Some(r) if r.verdict == "problems" => "Problems reported".into(),
        Some(r) if r.current => "Attested".into(),
        Some(_) => "Changed since attested".into(),
    }
}

#[cfg(feature = "ssr")]
async fn card(store: &store::Store, c: store::roster::TeacherClass) -> Result<ClassCard, AppError> {
    use store::roster::ClassWhen;
    let review = store.class_review(&c.sourced_id).await.map_err(crate::ssr::from_store)?;
    Ok(ClassCard {
        periods: c.periods.join(", "),
        terms: c.terms.iter().map(|t| t.title.clone()).collect::<Vec<_>>().join(", "),
        when: match c.when {
            ClassWhen::Current => "current",
            ClassWhen::Upcoming => "upcoming",
            ClassWhen::Earlier => "earlier",
        }
        .into(),
        co_teachers: c.co_teachers.into_iter().map(|p| p.name).collect(),
        review: review_label(&review),
        sourced_id: c.sourced_id,
        title: c.title,
        class_code: c.class_code,
        course: c.course,
        school: c.school,
        student_count: c.student_count,
    })
}

/// The signed-in teacher's classes, current ones first.
#[server(prefix = "/api", endpoint = "my_classes")]
pub async fn my_classes() -> Result<Vec<ClassCard>, AppError> {
    use crate::ssr::{from_store, require_teacher, store};
    let (_, user) = require_teacher().await?;
    let store = store()?;
    let mut out = Vec::new();
    for c in store.teacher_classes(&user, store::Store::today()).await.map_err(from_store)? {
        out.push(card(&store, c).await?);
    }
    Ok(out)
}

/// One of the signed-in teacher's classes; any other class is refused (404, as if it did not
/// exist).
#[server(prefix = "/api", endpoint = "my_class")]
pub async fn my_class(sourced_id: String) -> Result<MyClassView, AppError> {
    use crate::ssr::{from_store, require_teacher, store};
    let (account, user) = require_teacher().await?;
    let store = store()?;
    let Some(class) = store.class_for_teacher(&user, &sourced_id, store::Store::today()).await.map_err(from_store)? else {
        tracing::info!(account_id = account.id, "a class outside the teacher's own was refused");
        return Err(AppError::NotFound("This class is not one of yours.".into()));
    };
    let revision = store.current_revision().await.map_err(from_store)?;
    let students = store.class_students(&sourced_id).await.map_err(from_store)?;
    let shown = store.teacher_student_fields().await.map_err(from_store)?;
    let review = store.class_review(&sourced_id).await.map_err(from_store)?;
    let review_detail = match &review {
        None => "You have not reviewed this list yet.".to_string(),
        Some(r) if r.verdict == "problems" => format!("{} reported problems on {}.", r.by, crate::ui::when(&r.at)),
        Some(r) if r.current => format!("{} confirmed this list on {}.", r.by, crate::ui::when(&r.at)),
        Some(r) => format!("{} confirmed the list on {}; an import has changed it since. Please review it again.", r.by, crate::ui::when(&r.at)),
    };
    let issues = store
        .class_issues(&sourced_id)
        .await
        .map_err(from_store)?
        .into_iter()
        .map(|i| IssueRow {
            id: i.id,
            kind: i.kind.label().to_string(),
            student_name: i.student_name,
            comment: i.comment,
            reported_at: i.reported_at,
            open: i.open,
            resolution: i.resolution,
            gone: i.check.gone,
            check: i.check.text,
        })
        .collect();
    let apps = store
        .class_apps(&sourced_id)
        .await
        .map_err(from_store)?
        .into_iter()
        .map(|(name, since, withheld, demographics)| ClassApp { name, since, fields: apps::fields_text(&withheld, demographics) })
        .collect();
    let mut class = card(&store, class).await?;
    class.review = review_label(&review);
    Ok(MyClassView {
        class,
        id_columns: shown.iter().map(|f| ID_LABELS.iter().find(|(k, _)| k == f).map_or(f.clone(), |(_, l)| l.to_string())).collect(),
        students: students
            .into_iter()
            .map(|s| StudentRow {
                ids: shown
                    .iter()
                    .map(|f| match f.as_str() {
                        "identifier" => s.identifier.clone(),
                        "username" => s.username.clone(),
                        _ => s.email.clone(),
                    })
                    .collect(),
                sourced_id: s.sourced_id,
                name: s.name,
                grades: s.grades,
            })
            .collect(),
        review_detail,
        revision,
        issues,
        apps,
    })
}

/// The teacher confirms the class list is correct.
/// `revision` is the roster revision the page showed: a list an import has changed since is not
/// confirmed unseen.
#[server(prefix = "/api", endpoint = "attest_class")]
pub async fn attest_class(sourced_id: String, revision: Option<i64>) -> Result<(), AppError> {
    use crate::ssr::{from_store, require_teacher, store};
    let (account, _) = require_teacher().await?;
    store()?.attest_class(&account, &sourced_id, revision).await.map_err(from_store)?;
    Ok(())
}

/// The teacher reports a problem with the class list.
#[server(prefix = "/api", endpoint = "flag_class")]
pub async fn flag_class(
    sourced_id: String,
    kind: String,
    student_name: Option<String>,
    student: Option<String>,
    comment: Option<String>,
) -> Result<i64, AppError> {
    use crate::ssr::{from_store, require_teacher, store};
    let (account, _) = require_teacher().await?;
    let issue = store::service::reviews::NewIssue {
        kind,
        student_name: student_name.unwrap_or_default(),
        student_sourced_id: student.unwrap_or_default(),
        comment: comment.unwrap_or_default(),
    };
    Ok(store()?.flag_class(&account, &sourced_id, issue).await.map_err(from_store)?.id)
}

/// The student identifiers teachers see, with whether the caller may change the choice.
#[server(prefix = "/api", endpoint = "teacher_fields")]
pub async fn teacher_fields() -> Result<(Vec<String>, bool), AppError> {
    use crate::ssr::{from_store, require_account, store};
    let account = require_account().await?;
    Ok((store()?.teacher_student_fields().await.map_err(from_store)?, account.role == store::Role::DistrictAdmin))
}

/// Chooses the student identifiers teachers see on class lists (checkboxes: present = shown).
#[server(prefix = "/api", endpoint = "set_teacher_fields")]
pub async fn set_teacher_fields(identifier: Option<String>, username: Option<String>, email: Option<String>) -> Result<(), AppError> {
    use crate::ssr::{from_store, require_admin, store};
    let account = require_admin().await?;
    let chosen: Vec<String> = [("identifier", identifier), ("username", username), ("email", email)]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k.to_string())
        .collect();
    store()?.set_teacher_student_fields(&chosen, &account.email).await.map_err(from_store)
}

/// The admin's choice of what teachers see of students (on the settings page).
#[component]
pub fn TeacherFieldsCard() -> impl IntoView {
    let save = ServerAction::<SetTeacherFields>::new();
    let data = Resource::new(move || save.version().get(), |_| teacher_fields());
    view! {
        <section class="card" aria-labelledby="teacher-fields-heading">
            <h2 id="teacher-fields-heading">"Class lists for teachers"</h2>
            <p class="muted">"Teachers see their students' names and grades, and the identifiers chosen here."</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(e) => view! { <crate::ui::ErrorAlert error=e/> }.into_any(),
                        Ok((shown, can_edit)) => view! {
                            <ActionForm action=save attr:data-testid="teacher-fields">
                                {ID_LABELS.iter().map(|(key, label)| view! {
                                    <label class="check"><input type="checkbox" name=*key checked=shown.iter().any(|f| f == key) disabled=!can_edit/>" " {*label}</label>
                                }).collect_view()}
                                {can_edit.then(|| view! { <button type="submit" class="button" disabled=move || save.pending().get()>"Save"</button> })}
                            </ActionForm>
                            {move || save.value().get().map(|r| match r {
                                Ok(()) => view! { <p class="alert alert-ok" role="status">"Saved."</p> }.into_any(),
                                Err(e) => view! { <crate::ui::ErrorAlert error=e/> }.into_any(),
                            })}
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
