//! The data browser: users and classes with server-side search, filters, sorting and paging,
//! the district → school tree, and one user's or class's page.

mod invite;
mod pages;

pub use pages::{ClassPage, DataPage, UserPage};

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::AppError;

/// The browser's filters, as in the page's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    pub text: Option<String>,
    /// Users: role. Classes: class type.
    pub role: Option<String>,
    pub school: Option<String>,
    pub grade: Option<String>,
    pub status: Option<String>,
    pub sort: Option<String>,
    pub page: i64,
}

/// One row of a list: the sourcedId (for the link) and the cells shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    pub sourced_id: String,
    pub cells: Vec<String>,
}

/// A page of a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage {
    pub columns: Vec<String>,
    pub rows: Vec<ListRow>,
    pub more: bool,
    pub too_deep: bool,
    /// Schools for the filter: (sourcedId, name).
    pub schools: Vec<(String, String)>,
}

/// A user's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub sourced_id: String,
    pub name: String,
    pub status: String,
    pub fields: Vec<(String, String)>,
    pub roles: Vec<(String, String, String, String)>,
    pub classes: Vec<(String, String, String)>,
    pub agents: Vec<(String, String)>,
    pub history: Vec<(i64, String, String)>,
    pub apps: Vec<(i64, String, String, Vec<String>)>,
}

/// A class's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassView {
    pub sourced_id: String,
    pub title: String,
    pub status: String,
    pub fields: Vec<(String, String)>,
    pub school: (String, String),
    pub course: (String, String),
    pub terms: Vec<(String, String)>,
    pub people: Vec<(String, String, String)>,
    pub apps: Vec<(i64, String, String)>,
    /// The teachers' review: "Attested by … on …", "Problems reported …", "Not reviewed".
    pub review: String,
    /// Roster issues reported about the class that are still open.
    pub open_issues: usize,
}

#[cfg(feature = "ssr")]
fn query(f: Filters) -> store::roster::BrowseQuery {
    store::roster::BrowseQuery {
        text: f.text,
        role: f.role,
        school: f.school,
        grade: f.grade,
        status: f.status,
        sort: f.sort,
        page: f.page,
    }
}

#[cfg(feature = "ssr")]
async fn schools(store: &store::Store) -> Result<Vec<(String, String)>, AppError> {
    let orgs = store.org_tree().await.map_err(crate::ssr::from_store)?;
    Ok(orgs.into_iter().filter(|o| o.org_type == "school").map(|o| (o.sourced_id, o.name)).collect())
}

/// Users matching the filters, one page.
#[server(prefix = "/api", endpoint = "browse_users")]
pub async fn browse_users(filters: Filters) -> Result<ListPage, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let store = store()?;
    let page = store.browse_users(&query(filters)).await.map_err(from_store)?;
    Ok(ListPage {
        columns: ["Name", "sourcedId", "Roles", "Grades", "E-mail", "Status"].map(String::from).to_vec(),
        rows: page
            .rows
            .into_iter()
            .map(|u| ListRow {
                cells: vec![
                    format!("{}, {}", u.family_name, u.given_name),
                    u.sourced_id.clone(),
                    u.roles.iter().map(|(r, o)| format!("{r} at {o}")).collect::<Vec<_>>().join("; "),
                    u.grades,
                    u.email,
                    u.status,
                ],
                sourced_id: u.sourced_id,
            })
            .collect(),
        more: page.more,
        too_deep: page.too_deep,
        schools: schools(&store).await?,
    })
}

/// Classes matching the filters (`role` is the class type), one page.
#[server(prefix = "/api", endpoint = "browse_classes")]
pub async fn browse_classes(filters: Filters) -> Result<ListPage, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let store = store()?;
    let page = store.browse_classes(&query(filters)).await.map_err(from_store)?;
    Ok(ListPage {
        columns: ["Title", "sourcedId", "Code", "Type", "School", "Grades", "Status"].map(String::from).to_vec(),
        rows: page
            .rows
            .into_iter()
            .map(|c| ListRow {
                cells: vec![c.title, c.sourced_id.clone(), c.class_code, c.class_type, c.school, c.grades, c.status],
                sourced_id: c.sourced_id,
            })
            .collect(),
        more: page.more,
        too_deep: page.too_deep,
        schools: schools(&store).await?,
    })
}

/// Courses, academic sessions or enrollments (`kind`), one page.
#[server(prefix = "/api", endpoint = "browse_other")]
pub async fn browse_other(kind: String, filters: Filters) -> Result<ListPage, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let store = store()?;
    let columns: &[&str] = match kind.as_str() {
        "courses" => &["sourcedId", "Title", "Code", "Grades", "Org", "Status"],
        "academicSessions" => &["sourcedId", "Title", "Type", "Start", "End", "Parent", "Status"],
        _ => &["sourcedId", "Class", "User", "Role", "School", "Begins", "Ends", "Status"],
    };
    let page = store.browse_other(&kind, &query(filters)).await.map_err(from_store)?;
    Ok(ListPage {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows: page.rows.into_iter().map(|cells| ListRow { sourced_id: cells.first().cloned().unwrap_or_default(), cells }).collect(),
        more: page.more,
        too_deep: page.too_deep,
        schools: schools(&store).await?,
    })
}

/// One user.
#[server(prefix = "/api", endpoint = "load_user")]
pub async fn load_user(sourced_id: String) -> Result<UserView, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let d = store()?
        .user_detail(&sourced_id)
        .await
        .map_err(from_store)?
        .ok_or_else(|| AppError::NotFound(format!("There is no user `{sourced_id}` in the roster.")))?;
    let get = |k: &str| d.fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    Ok(UserView {
        name: format!("{} {}", get("given_name"), get("family_name")),
        status: get("status"),
        sourced_id,
        fields: d.fields,
        roles: d.roles,
        classes: d.classes,
        agents: d.agents,
        history: d.history,
        apps: d.apps,
    })
}

/// One class.
#[server(prefix = "/api", endpoint = "load_class")]
pub async fn load_class(sourced_id: String) -> Result<ClassView, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let store = store()?;
    let d = store
        .class_detail(&sourced_id)
        .await
        .map_err(from_store)?
        .ok_or_else(|| AppError::NotFound(format!("There is no class `{sourced_id}` in the roster.")))?;
    let review = match store.class_review(&sourced_id).await.map_err(from_store)? {
        None => "Not reviewed by its teachers.".to_string(),
        Some(r) if r.verdict == "problems" => format!("{} reported problems on {}.", r.by, crate::ui::when(&r.at)),
        Some(r) if r.current => format!("Attested by {} on {}.", r.by, crate::ui::when(&r.at)),
        Some(r) => format!("Attested by {} on {}, but an import has changed it since.", r.by, crate::ui::when(&r.at)),
    };
    let open_issues = store.class_issues(&sourced_id).await.map_err(from_store)?.iter().filter(|i| i.open).count();
    let get = |k: &str| d.fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    Ok(ClassView {
        title: get("title"),
        status: get("status"),
        sourced_id,
        fields: d.fields,
        school: d.school,
        course: d.course,
        terms: d.terms,
        people: d.people,
        apps: d.apps,
        review,
        open_issues,
    })
}

/// The district → school tree: (sourcedId, name, type, parent).
#[server(prefix = "/api", endpoint = "org_list")]
pub async fn org_list() -> Result<Vec<(String, String, String, Option<String>)>, AppError> {
    use crate::ssr::{from_store, require_account, store};
    require_account().await?;
    let orgs = store()?.org_tree().await.map_err(from_store)?;
    Ok(orgs.into_iter().map(|o| (o.sourced_id, o.name, o.org_type, o.parent)).collect())
}
