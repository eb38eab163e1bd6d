//! Rows → entities: the stored 1.2.1 CSV columns are read back through the oneroster crate's
//! row reader, so the API serves exactly what an import stored. Users get their roles and
//! profiles, orgs and sessions their children; references to records outside the share are
//! dropped, and withheld fields removed.

use std::collections::{HashMap, HashSet};

use oneroster::{
    csv::{file_spec, record_from_row, Record, Row},
    Version,
};

use super::{ApiRecord, AppView, Entity};
use crate::{
    db::Db,
    roster::tables::{by_name, Table},
    Store, StoreError,
};

/// Rows of [`super::sql::Query::page`] as the app's records.
pub(super) async fn records(
    store: &Store,
    view: &AppView,
    entity: Entity,
    rows: Vec<Vec<Option<String>>>,
) -> Result<Vec<ApiRecord>, StoreError> {
    let table = entity.table();
    let ids: Vec<String> = rows.iter().filter_map(|r| r[0].clone()).collect();
    let mut records = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let Some(record) = to_record(table, row) else {
            // (a sourcedId is never NULL, so `ids` lines up with the rows)
            tracing::warn!(table = table.name, id = ?ids.get(i), "a stored record could not be read back; left out");
            continue;
        };
        let record = match record {
            Record::Org(r) => ApiRecord::Org(r),
            Record::AcademicSession(r) => ApiRecord::AcademicSession(r),
            Record::Course(r) => ApiRecord::Course(r),
            Record::Class(r) => ApiRecord::Class(r),
            Record::Enrollment(r) => ApiRecord::Enrollment(r),
            Record::User(r) => ApiRecord::User(r),
            Record::Demographics(r) => ApiRecord::Demographics(r),
            Record::Role(_) | Record::UserProfile(_) => continue,
        };
        records.push(record);
    }
    match entity {
        Entity::Users => add_roles_and_profiles(&store.db, view, &ids, &mut records).await?,
        Entity::Orgs | Entity::AcademicSessions => add_children(&store.db, view, entity, &ids, &mut records).await?,
        Entity::Courses => {
            let mut orgs: Vec<String> =
                records.iter().filter_map(|r| if let ApiRecord::Course(c) = r { c.org.clone() } else { None }).collect();
            orgs.sort_unstable();
            orgs.dedup();
            let visible = shared(&store.db, view, "orgs", &orgs).await?;
            for record in &mut records {
                if let ApiRecord::Course(c) = record {
                    c.org = c.org.take().filter(|o| visible.contains(o));
                }
            }
        }
        _ => {}
    }
    for record in &mut records {
        withhold(view, entity, record);
    }
    Ok(records)
}

/// One stored row (sourcedId, status, dateLastModified, metadata, spec columns) as a record.
/// The row's cells are moved into the record, not copied.
fn to_record(table: &Table, mut row: Vec<Option<String>>) -> Option<Record> {
    let spec = file_spec(Version::V1p2, table.file)?;
    let mut cell = |i: usize| row.get_mut(i).and_then(Option::take).unwrap_or_default();
    let values = spec
        .columns
        .iter()
        .map(|c| match c.name {
            "sourcedId" => cell(0),
            "status" => cell(1),
            "dateLastModified" => cell(2),
            name => table.csv.iter().position(|n| *n == name).map(|i| cell(4 + i)).unwrap_or_default(),
        })
        .collect();
    let metadata = row[3]
        .as_deref()
        .and_then(|m| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(m).ok())
        .map(|m| {
            m.into_iter()
                .map(|(k, v)| (k, v.as_str().map(String::from).unwrap_or_else(|| v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    record_from_row(spec, Version::V1p2, &Row { line: 0, values, metadata })
}

/// Rows of `sql` (binds in order; `width` text columns named by [`super::rows::columns`]).
async fn fetch(db: &Db, sql: &str, binds: &[String], width: usize) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    super::rows::fetch(db, sql, binds, width).await
}

/// `ids` as one bound value (a JSON array) and the SQL that lists its elements, for
/// `col IN (<that>)` with `$1`.
///
/// One parameter instead of one per id: sqlx's SQLite driver looks each parameter up by name
/// among all of the statement's, so a page of 5,000 ids cost 12.5 M string comparisons per
/// statement (40% of a CSV export's time).
fn id_list(db: &Db, ids: &[String]) -> (&'static str, Vec<String>) {
    let json = serde_json::to_string(ids).expect("strings serialize");
    let sql = match db {
        Db::Sqlite(_) => "SELECT value FROM json_each($1)",
        Db::Postgres(_) => "SELECT json_array_elements_text(CAST($1 AS json))",
    };
    (sql, vec![json])
}

/// Rows of a child table (`roles`, `user_profiles`) for these users, in the page's row form.
async fn user_rows(db: &Db, table: &Table, users: &[String]) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    let mut columns: Vec<String> =
        ["x.sourced_id", "x.status", "x.date_last_modified", "x.metadata"].iter().map(|c| c.to_string()).collect();
    columns.extend(table.columns.iter().map(|c| format!("x.{c}")));
    let (list, binds) = id_list(db, users);
    let sql = format!(
        "SELECT {} FROM {} x WHERE x.user_sourced_id IN ({list}) ORDER BY x.sourced_id",
        super::rows::columns(&columns),
        table.name,
    );
    fetch(db, &sql, &binds, columns.len()).await
}

/// The `roles` or `user_profiles` rows of these users as records.
pub(super) async fn user_children(db: &Db, table: &Table, users: &[String]) -> Result<Vec<Record>, StoreError> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user_rows(db, table, users).await?.into_iter().filter_map(|row| to_record(table, row)).collect())
}

/// The ids among `ids` of `entity` that the app currently shares (not tombstones).
pub(super) async fn shared(db: &Db, view: &AppView, member: &str, ids: &[String]) -> Result<HashSet<String>, StoreError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    // `left_at` is checked here, not in SQL: with it in the WHERE clause SQLite prefers the
    // (app, entity, left_at) index and scans every current member instead of probing the
    // primary key for each id.
    let (list, binds) = id_list(db, ids);
    let sql = format!(
        "SELECT sourced_id AS c0, left_at AS c1 FROM share_members WHERE app_id = {} AND entity = '{member}' \
         AND sourced_id IN ({list})",
        view.app_id,
    );
    Ok(fetch(db, &sql, &binds, 2)
        .await?
        .into_iter()
        .filter(|r| r[1].is_none())
        .filter_map(|mut r| r.swap_remove(0))
        .collect())
}

async fn add_roles_and_profiles(db: &Db, view: &AppView, ids: &[String], records: &mut [ApiRecord]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let roles_table = by_name("roles").expect("roles table");
    let mut roles: HashMap<String, Vec<(bool, oneroster::model::entity::Role)>> = HashMap::new();
    for row in user_rows(db, roles_table, ids).await? {
        if let Some(Record::Role(r)) = to_record(roles_table, row) {
            let active = r.base.status == oneroster::model::Status::Active;
            roles.entry(r.user).or_default().push((active, r.role));
        }
    }
    let profiles_table = by_name("user_profiles").expect("user_profiles table");
    let mut profiles: HashMap<String, Vec<oneroster::model::entity::UserProfile>> = HashMap::new();
    for row in user_rows(db, profiles_table, ids).await? {
        if let Some(Record::UserProfile(p)) = to_record(profiles_table, row) {
            if p.base.status == oneroster::model::Status::Active {
                profiles.entry(p.user).or_default().push(p.profile);
            }
        }
    }
    let mut agents: Vec<String> = records
        .iter()
        .filter_map(|r| if let ApiRecord::User(u) = r { Some(u.agents.clone()) } else { None })
        .flatten()
        .collect();
    agents.sort_unstable();
    agents.dedup();
    let visible_agents = shared(db, view, "users", &agents).await?;
    let mut org_refs: Vec<String> = roles.values().flatten().map(|(_, r)| r.org.clone()).collect();
    org_refs.extend(records.iter().filter_map(|r| if let ApiRecord::User(u) = r { u.primary_org.clone() } else { None }));
    org_refs.sort_unstable();
    org_refs.dedup();
    let visible_orgs = shared(db, view, "orgs", &org_refs).await?;
    for record in records.iter_mut() {
        let ApiRecord::User(user) = record else { continue };
        let mut mine = roles.remove(&user.base.sourced_id).unwrap_or_default();
        // A deleted user keeps its last roles, so that the tombstone is still a valid user.
        if mine.iter().any(|(active, _)| *active) {
            mine.retain(|(active, _)| *active);
        }
        // Roles at orgs the app cannot fetch are left out, unless that would leave none.
        if mine.iter().any(|(_, r)| visible_orgs.contains(&r.org)) {
            mine.retain(|(_, r)| visible_orgs.contains(&r.org));
        }
        user.roles = mine.into_iter().map(|(_, role)| role).collect();
        user.user_profiles = profiles.remove(&user.base.sourced_id).unwrap_or_default();
        // Guardians and orgs the app does not share would be references it cannot follow.
        user.agents.retain(|a| visible_agents.contains(a));
        user.primary_org = user.primary_org.take().filter(|o| visible_orgs.contains(o));
    }
    Ok(())
}

async fn add_children(db: &Db, view: &AppView, entity: Entity, ids: &[String], records: &mut [ApiRecord]) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let (list, binds) = id_list(db, ids);
    let sql = format!(
        "SELECT ch.parent_sourced_id AS c0, ch.sourced_id AS c1 FROM {} ch JOIN share_members cm ON cm.app_id = {} \
         AND cm.entity = '{}' AND cm.sourced_id = ch.sourced_id AND cm.left_at IS NULL \
         WHERE ch.parent_sourced_id IN ({list}) ORDER BY ch.sourced_id",
        entity.table().name,
        view.app_id,
        entity.json_name(),
    );
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    for row in fetch(db, &sql, &binds, 2).await? {
        if let [Some(parent), Some(child)] = &row[..] {
            children.entry(parent.clone()).or_default().push(child.clone());
        }
    }
    let parents: Vec<String> = records
        .iter()
        .filter_map(|r| match r {
            ApiRecord::Org(o) => o.parent.clone(),
            ApiRecord::AcademicSession(s) => s.parent.clone(),
            _ => None,
        })
        .collect();
    let visible_parents = shared(db, view, entity.json_name(), &parents).await?;
    for record in records.iter_mut() {
        match record {
            ApiRecord::Org(o) => {
                o.children = children.remove(&o.base.sourced_id).unwrap_or_default();
                o.parent = o.parent.take().filter(|p| visible_parents.contains(p));
            }
            ApiRecord::AcademicSession(s) => {
                s.children = children.remove(&s.base.sourced_id).unwrap_or_default();
                s.parent = s.parent.take().filter(|p| visible_parents.contains(p));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Removes the fields the share withholds (the names of `sharing::rules::WITHHOLDABLE`).
fn withhold(view: &AppView, entity: Entity, record: &mut ApiRecord) {
    let off = |field: &str| view.withholds(entity, field);
    if off("metadata") {
        match record {
            ApiRecord::Org(r) => r.base.metadata.clear(),
            ApiRecord::AcademicSession(r) => r.base.metadata.clear(),
            ApiRecord::Course(r) => r.base.metadata.clear(),
            ApiRecord::Class(r) => r.base.metadata.clear(),
            ApiRecord::Enrollment(r) => r.base.metadata.clear(),
            ApiRecord::User(r) => r.base.metadata.clear(),
            ApiRecord::Demographics(r) => r.base.metadata.clear(),
        }
    }
    match record {
        ApiRecord::User(u) => {
            if off("username") {
                u.username = None;
                // the same name, as a login of another system
                for profile in &mut u.user_profiles {
                    for credential in &mut profile.credentials {
                        credential.username.clear();
                    }
                }
            }
            if off("userIds") { u.user_ids.clear() }
            if off("email") { u.email = None }
            if off("sms") { u.sms = None }
            if off("phone") { u.phone = None }
            if off("identifier") { u.identifier = None }
            if off("middleName") { u.middle_name = None }
            if off("preferredFirstName") { u.preferred_first_name = None }
            if off("preferredMiddleName") { u.preferred_middle_name = None }
            if off("preferredLastName") { u.preferred_last_name = None }
            if off("pronouns") { u.pronouns = None }
            if off("grades") { u.grades.clear() }
            if off("agents") { u.agents.clear() }
            if off("userMasterIdentifier") { u.user_master_identifier = None }
            // Passwords are never stored; make sure none could ever be served.
            u.password = None;
        }
        ApiRecord::Demographics(d) => {
            if off("birthDate") { d.birth_date = None }
            if off("sex") { d.sex = None }
            if off("americanIndianOrAlaskaNative") { d.american_indian_or_alaska_native = None }
            if off("asian") { d.asian = None }
            if off("blackOrAfricanAmerican") { d.black_or_african_american = None }
            if off("nativeHawaiianOrOtherPacificIslander") { d.native_hawaiian_or_other_pacific_islander = None }
            if off("white") { d.white = None }
            if off("demographicRaceTwoOrMoreRaces") { d.demographic_race_two_or_more_races = None }
            if off("hispanicOrLatinoEthnicity") { d.hispanic_or_latino_ethnicity = None }
            if off("countryOfBirthCode") { d.country_of_birth_code = None }
            if off("stateOfBirthAbbreviation") { d.state_of_birth_abbreviation = None }
            if off("cityOfBirth") { d.city_of_birth = None }
            if off("publicSchoolResidenceStatus") { d.public_school_residence_status = None }
        }
        ApiRecord::Class(c) => {
            if off("location") { c.location = None }
            if off("periods") { c.periods.clear() }
            if off("classCode") { c.class_code = None }
        }
        ApiRecord::Course(c) => {
            if off("courseCode") { c.course_code = None }
        }
        ApiRecord::Org(o) => {
            if off("identifier") { o.identifier = None }
        }
        ApiRecord::Enrollment(e) => {
            if off("beginDate") { e.begin_date = None }
            if off("endDate") { e.end_date = None }
            if off("primary") { e.primary = None }
        }
        ApiRecord::AcademicSession(_) => {}
    }
}
