//! Delivery: the roster as one app sees it, for the REST API (1.1 and 1.2) and CSV exports.
//!
//! Every read joins `share_members` (the sharing engine's output) inside the query, so a
//! record outside the app's share can never be returned, counted or matched: a client `filter`
//! is translated to SQL and ANDed with the scope, never evaluated after the fact.
//!
//! The app's view of a record differs from the roster's in two ways, so that
//! `filter=dateLastModified>'T'` tells an app everything it needs to update its copy:
//! - a record that left the app's share is served as `tobedeleted`, dated when it left;
//! - a record's `dateLastModified` is never earlier than the moment it entered the share (an
//!   app must fetch a record it has never seen, however old the record is).
//!
//! Tombstones (deleted records and records that left the share) are served for a window
//! ([`AppView::new`]), then forgotten.
//!
//! Withheld fields are removed here, before a record leaves the store, and cannot be used in a
//! filter or a sort (a filter on `email` would otherwise reveal the withheld address).

pub(crate) mod cache;
mod export;
mod load;
pub(crate) mod rows;
mod sql;

pub use export::{ExportOptions, ExportSummary};

use oneroster::{
    model::{entity::*, format_datetime, json::{JsonContext, JsonEntity}},
    query::{CheckedFilter, Paging, ResourceFields, Selection, Sort},
    Version,
};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::{
    roster::tables::{by_name, Table},
    sharing::Share,
    Store, StoreError,
};

/// Rows read per statement of a large page in key order (see [`Store::api_list`]).
const CHUNK: u32 = 2000;

/// The tombstone window when none is configured: 400 days.
pub const DEFAULT_TOMBSTONE_DAYS: i64 = 400;

/// A rostering entity as the API serves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    Orgs,
    AcademicSessions,
    Courses,
    Classes,
    Enrollments,
    Users,
    Demographics,
}

impl Entity {
    /// The JSON collection name (also the prefix of withheld fields: `users.email`).
    pub fn json_name(self) -> &'static str {
        match self {
            Entity::Orgs => "orgs",
            Entity::AcademicSessions => "academicSessions",
            Entity::Courses => "courses",
            Entity::Classes => "classes",
            Entity::Enrollments => "enrollments",
            Entity::Users => "users",
            Entity::Demographics => "demographics",
        }
    }

    pub(crate) fn table(self) -> &'static Table {
        let name = match self {
            Entity::AcademicSessions => "academic_sessions",
            other => other.json_name(),
        };
        by_name(name).expect("every entity has a roster table")
    }

    /// The query language's field list for this entity.
    pub fn query_fields(self) -> &'static ResourceFields {
        use oneroster::query::resources as r;
        match self {
            Entity::Orgs => &r::ORGS,
            Entity::AcademicSessions => &r::ACADEMIC_SESSIONS,
            Entity::Courses => &r::COURSES,
            Entity::Classes => &r::CLASSES,
            Entity::Enrollments => &r::ENROLLMENTS,
            Entity::Users => &r::USERS,
            Entity::Demographics => &r::DEMOGRAPHICS,
        }
    }
}

/// What a REST collection lists: an entity, possibly narrowed (`/schools` are orgs of type
/// school, `/students` users holding a student role).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Collection {
    Orgs,
    Schools,
    AcademicSessions,
    Terms,
    GradingPeriods,
    Courses,
    Classes,
    Enrollments,
    Users,
    Students,
    Teachers,
    Demographics,
}

impl Collection {
    /// The entity behind the collection.
    pub fn entity(self) -> Entity {
        match self {
            Collection::Orgs | Collection::Schools => Entity::Orgs,
            Collection::AcademicSessions | Collection::Terms | Collection::GradingPeriods => Entity::AcademicSessions,
            Collection::Courses => Entity::Courses,
            Collection::Classes => Entity::Classes,
            Collection::Enrollments => Entity::Enrollments,
            Collection::Users | Collection::Students | Collection::Teachers => Entity::Users,
            Collection::Demographics => Entity::Demographics,
        }
    }
}

/// A relationship that narrows a collection (the nested endpoints), or one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// The record with this sourcedId.
    Id(String),
    /// Records after this sourcedId (keyset paging for exports).
    After(String),
    /// Orgs or sessions whose parent is this.
    Parent(String),
    /// Classes of this school; courses, enrollments of this org/school.
    School(String),
    /// Classes of this course.
    Course(String),
    /// Enrollments of this class.
    Class(String),
    /// Classes taught in this term.
    Term(String),
    /// Users enrolled in this class with this enrollment role.
    EnrolledIn { class: String, role: &'static str },
    /// Classes this user is enrolled in (with this role, if given).
    ClassesOf { user: String, role: Option<&'static str> },
    /// Users holding this role at this org.
    RoleAt { org: String, role: &'static str },
    /// Terms of the classes of this school.
    TermOfSchool(String),
}

/// One page request.
#[derive(Clone, Debug)]
pub struct ListRequest<'a> {
    pub collection: Collection,
    pub links: Vec<Link>,
    pub filter: Option<&'a CheckedFilter>,
    pub sort: Option<Sort>,
    pub paging: Paging,
}

/// A record as an app receives it (withheld fields already removed).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum ApiRecord {
    Org(Org),
    AcademicSession(AcademicSession),
    Course(Course),
    Class(Class),
    Enrollment(Enrollment),
    User(User),
    Demographics(Demographics),
}

impl ApiRecord {
    /// The record's JSON object in `version`'s shape.
    pub fn to_json(&self, version: Version, ctx: &JsonContext) -> Value {
        match self {
            ApiRecord::Org(r) => r.to_json(version, ctx),
            ApiRecord::AcademicSession(r) => r.to_json(version, ctx),
            ApiRecord::Course(r) => r.to_json(version, ctx),
            ApiRecord::Class(r) => r.to_json(version, ctx),
            ApiRecord::Enrollment(r) => r.to_json(version, ctx),
            ApiRecord::User(r) => r.to_json(version, ctx),
            ApiRecord::Demographics(r) => r.to_json(version, ctx),
        }
    }

    /// The record's JSON object in `version`'s shape written to `out`, with only the members
    /// `fields` selects (all without one).
    pub fn write_json(&self, version: Version, ctx: &JsonContext, out: &mut Vec<u8>, fields: Option<&Selection>) {
        match self {
            ApiRecord::Org(r) => r.write_json(version, ctx, out, fields),
            ApiRecord::AcademicSession(r) => r.write_json(version, ctx, out, fields),
            ApiRecord::Course(r) => r.write_json(version, ctx, out, fields),
            ApiRecord::Class(r) => r.write_json(version, ctx, out, fields),
            ApiRecord::Enrollment(r) => r.write_json(version, ctx, out, fields),
            ApiRecord::User(r) => r.write_json(version, ctx, out, fields),
            ApiRecord::Demographics(r) => r.write_json(version, ctx, out, fields),
        }
    }

    /// The record's common fields.
    pub fn base(&self) -> &Base {
        match self {
            ApiRecord::Org(r) => &r.base,
            ApiRecord::AcademicSession(r) => &r.base,
            ApiRecord::Course(r) => &r.base,
            ApiRecord::Class(r) => &r.base,
            ApiRecord::Enrollment(r) => &r.base,
            ApiRecord::User(r) => &r.base,
            ApiRecord::Demographics(r) => &r.base,
        }
    }
}

/// One page of records and the total that matched.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub records: Vec<ApiRecord>,
    pub total: u64,
}

/// What one app may see: its share's field rules and the tombstone cutoff.
#[derive(Clone, Debug)]
pub struct AppView {
    pub app_id: i64,
    share: Share,
    /// Tombstones older than this (ms-Z text, a day boundary) are no longer served.
    cutoff: String,
    /// The data generation (`app:revision:share generation`) cached totals and page positions
    /// belong to; empty when the view was made without one (nothing is cached then).
    generation: String,
}

impl AppView {
    /// The view of `app_id` under `share`, serving tombstones for `tombstone_window`.
    pub fn new(app_id: i64, share: Share, tombstone_window: Duration) -> Self {
        // A day boundary, so that the cutoff (part of every query) changes once a day, not on
        // every request: cached totals stay usable.
        let cutoff = (OffsetDateTime::now_utc() - tombstone_window).date().midnight().assume_utc();
        AppView { app_id, share, cutoff: format_datetime(cutoff), generation: String::new() }
    }

    /// The view from what the database holds: the share's rules (JSON; `None` without a
    /// share), its generation and the roster's newest revision.
    pub(crate) fn stored(
        app_id: i64,
        rules: Option<&str>,
        generation: i64,
        revision: i64,
        tombstone_window: Duration,
    ) -> Result<AppView, StoreError> {
        let share = match rules {
            None => Share::default(),
            Some(text) => serde_json::from_str(text)
                .map_err(|e| StoreError::Internal(format!("app {app_id} has an unreadable share: {e}")))?,
        };
        let mut view = AppView::new(app_id, share, tombstone_window);
        view.generation = format!("{app_id}:{revision}:{generation}");
        Ok(view)
    }

    /// What every answer to this app depends on besides the request itself: the app, the
    /// roster revision, the share generation and the tombstone cutoff. `None` for a view made
    /// without a generation ([`AppView::new`]): its answers must not be kept.
    pub fn cache_key(&self) -> Option<String> {
        (!self.generation.is_empty()).then(|| format!("{}|{}", self.generation, self.cutoff))
    }

    /// Whether the share withholds `field` (a top-level JSON name) of `entity`.
    pub fn withholds(&self, entity: Entity, field: &str) -> bool {
        let top = field.split('.').next().unwrap_or(field);
        // The 1.1 spelling of a user's roles follows the 1.2 rules.
        self.share.withhold.iter().any(|w| w.split_once('.') == Some((entity.json_name(), top)))
    }
}

impl Store {
    /// The view of an app: its share (an empty one for an app without a share).
    pub async fn delivery_view(&self, app_id: i64, tombstone_window: Duration) -> Result<AppView, StoreError> {
        // One statement, as every API request asks it: the rules, the share's generation and
        // the roster's newest revision.
        let row: Option<(Option<String>, i64, i64)> = crate::db::with_pool!(&self.db, pool => sqlx::query_as(
            "SELECT s.rules, COALESCE(s.generation, 0), (SELECT COALESCE(MAX(id), 0) FROM revisions) \
             FROM apps a LEFT JOIN app_shares s ON s.app_id = a.id WHERE a.id = $1")
            .bind(app_id).fetch_optional(pool).await?);
        let Some((rules, generation, revision)) = row else {
            return Err(StoreError::NotFound(format!("there is no app {app_id}")));
        };
        AppView::stored(app_id, rules.as_deref(), generation, revision, tombstone_window)
    }

    /// One page of `request.collection` as the app sees it, with the total that matched.
    /// A filter on an unknown or withheld field is [`StoreError::Invalid`] with a message
    /// naming the parameter.
    #[tracing::instrument(skip_all, fields(app = view.app_id, collection = ?request.collection))]
    pub async fn api_list(&self, view: &AppView, request: &ListRequest<'_>) -> Result<Page, StoreError> {
        let query = sql::Query::build(self.backend(), view, request)?;
        // A digest of the generation, the query text and its values: small keys, whatever
        // the query.
        let key = (!view.generation.is_empty()).then(|| {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(format!("{}|{}", view.generation, query.key())))
        });
        let cache = &self.delivery_cache;
        let total = match (key.as_deref(), key.as_deref().and_then(|k| cache.total(k))) {
            (_, Some(total)) => total,
            (None, None) => query.count(&self.db).await?,
            (Some(k), None) => {
                // one count per key at a time; those who waited find it done
                let lock = cache.counting(k);
                let _counting = lock.lock().await;
                match cache.total(k) {
                    Some(total) => total,
                    None => {
                        let total = query.count(&self.db).await?;
                        cache.put_total(k, total);
                        cache.counted(k);
                        total
                    }
                }
            }
        };
        let paging = request.paging;
        if total == 0 || paging.offset >= total {
            return Ok(Page { records: Vec::new(), total });
        }
        // In the default order (sourcedId), a page that continues an earlier one starts
        // after that page's last record instead of skipping `offset` rows.
        let in_id_order = request.sort.is_none();
        let cursor = key.as_deref().filter(|_| in_id_order && paging.offset > 0).and_then(|k| cache.cursor(k, paging.offset));
        // A large page in key order is read in chunks, each converted while the next is read:
        // the database and the conversion then run on both cores instead of one after the
        // other.
        let chunk = if in_id_order { paging.limit.min(CHUNK) } else { paging.limit };
        let mut rows = match cursor {
            Some(after) => query.page_after(&self.db, &after, chunk).await?,
            None => query.page(&self.db, view, request.sort, Paging { limit: chunk, offset: paging.offset }).await?,
        };
        let mut records = Vec::with_capacity(paging.limit.min(10_000) as usize);
        let mut read = 0u64;
        let mut last_id = None;
        loop {
            read += rows.len() as u64;
            let last = rows.last().and_then(|r| r[0].clone());
            let want = (paging.limit as u64).saturating_sub(read).min(chunk as u64) as u32;
            let more = rows.len() == chunk as usize && want > 0 && last.is_some();
            let next = async {
                match (&last, more) {
                    (Some(after), true) => query.page_after(&self.db, after, want).await.map(Some),
                    _ => Ok(None),
                }
            };
            let (next, converted) = tokio::join!(next, load::records(self, view, request.collection.entity(), rows));
            records.extend(converted?);
            last_id = last.or(last_id);
            match next? {
                Some(following) if !following.is_empty() => rows = following,
                _ => break,
            }
        }
        if let (Some(k), true, Some(last)) = (&key, in_id_order, last_id) {
            cache.put_cursor(k, paging.offset + read, last);
        }
        Ok(Page { records, total })
    }

    /// One record of `collection` as the app sees it (`None` when it is outside the share,
    /// whether or not it exists).
    pub async fn api_get(&self, view: &AppView, collection: Collection, id: &str) -> Result<Option<ApiRecord>, StoreError> {
        let request = ListRequest {
            collection,
            links: vec![Link::Id(id.to_string())],
            filter: None,
            sort: None,
            paging: Paging { limit: 1, offset: 0 },
        };
        let query = sql::Query::build(self.backend(), view, &request)?;
        let rows = query.page(&self.db, view, None, request.paging).await?;
        Ok(load::records(self, view, collection.entity(), rows).await?.into_iter().next())
    }
}
