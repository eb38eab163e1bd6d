//! Per-app CSV exports: a OneRoster package (1.1 or 1.2.1) with exactly the app's share, read
//! through the same scoped queries as the REST API, a page at a time (flat memory: rows go to
//! spool files on disk, then into the zip).
//!
//! A bulk export holds the records the app receives now (active ones). A delta export since T
//! holds what `filter=dateLastModified>'T'` returns: changed and new records, and tombstones
//! of deleted records and of records that left the share.

use std::path::Path;

use oneroster::{
    csv::{file_spec, record_to_row, Mode, PackageWriter, Record},
    model::format_datetime,
    query::{CheckedFilter, Filter, Paging, QueryLimits},
    Version,
};
use serde::Serialize;
use time::OffsetDateTime;

use super::{load, ApiRecord, AppView, Collection, Link, ListRequest};
use crate::{roster::tables::by_name, Store, StoreError};

/// Records read per query.
const PAGE: u32 = 5000;

/// What to export.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub version: Version,
    /// A delta of what changed after this moment; `None` for a bulk package.
    pub since: Option<OffsetDateTime>,
    /// Include `demographics.csv` (the caller holds the demographics scope).
    pub demographics: bool,
}

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// Rows per file, in package order.
    pub files: Vec<(String, u64)>,
    pub records: u64,
}

fn to_record(r: ApiRecord) -> Record {
    match r {
        ApiRecord::Org(x) => Record::Org(x),
        ApiRecord::AcademicSession(x) => Record::AcademicSession(x),
        ApiRecord::Course(x) => Record::Course(x),
        ApiRecord::Class(x) => Record::Class(x),
        ApiRecord::Enrollment(x) => Record::Enrollment(x),
        ApiRecord::User(x) => Record::User(x),
        ApiRecord::Demographics(x) => Record::Demographics(x),
    }
}

/// One file's rows are read a page at a time by key; this is the page after `after`.
fn page_request<'a>(collection: Collection, filter: &'a CheckedFilter, after: Option<&str>) -> ListRequest<'a> {
    ListRequest {
        collection,
        links: after.map(|a| vec![Link::After(a.to_string())]).unwrap_or_default(),
        filter: Some(filter),
        sort: None,
        paging: Paging { limit: PAGE, offset: 0 },
    }
}

impl Store {
    /// The stored rows of a collection's page after `after` (by sourcedId), without counting.
    async fn export_rows(
        &self,
        view: &AppView,
        collection: Collection,
        filter: &CheckedFilter,
        after: Option<&str>,
    ) -> Result<Vec<Vec<Option<String>>>, StoreError> {
        let request = page_request(collection, filter, after);
        let query = super::sql::Query::build(self.backend(), view, &request)?;
        query.page(&self.db, view, None, request.paging).await
    }

    /// Writes the app's share as a OneRoster CSV package (zip) to `out`.
    #[tracing::instrument(skip_all, fields(app = view.app_id, version = %options.version))]
    pub async fn export_package(&self, view: &AppView, options: &ExportOptions, out: &Path) -> Result<ExportSummary, StoreError> {
        let version = options.version;
        let (mode, filter_text) = match options.since {
            None => (Mode::Bulk, "status='active'".to_string()),
            Some(t) => (Mode::Delta, format!("dateLastModified>'{}'", format_datetime(t))),
        };
        let mut package = PackageWriter::new(version).source_system_name("Rollbook");
        let mut summary = ExportSummary::default();
        let mut files: Vec<(&str, Collection)> = vec![
            ("orgs.csv", Collection::Orgs),
            ("academicSessions.csv", Collection::AcademicSessions),
            ("courses.csv", Collection::Courses),
            ("classes.csv", Collection::Classes),
            ("users.csv", Collection::Users),
            ("enrollments.csv", Collection::Enrollments),
        ];
        if options.demographics {
            files.push(("demographics.csv", Collection::Demographics));
        }
        for (file, collection) in files {
            let fields = collection.entity().query_fields();
            let filter = Filter::parse(&filter_text, &QueryLimits::default())
                .and_then(|f| f.check(fields))
                .map_err(|e| StoreError::Internal(e.message))?;
            // 1.2 keeps roles and user profiles in files of their own, written in the same
            // pass over the users.
            let children: &[&str] = if file == "users.csv" && version == Version::V1p2 { &["roles.csv", "userProfiles.csv"] } else { &[] };
            let counts = self.export_file(view, collection, &filter, file, children, mode, &mut package).await?;
            for (name, n) in counts {
                summary.records += if name == file { n } else { 0 };
                summary.files.push((name.to_string(), n));
            }
        }
        let out = out.to_path_buf();
        let io = |e: std::io::Error| StoreError::Internal(format!("could not write the export: {e}"));
        tokio::task::spawn_blocking(move || {
            // Student data: readable by the server's user only.
            use std::os::unix::fs::OpenOptionsExt;
            let file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&out)?;
            package.finish_zip(std::io::BufWriter::new(file))
        })
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?
        .map_err(io)?;
        Ok(summary)
    }

    /// Writes `file` (and, for users, the `children` files of their roles and profiles) from
    /// the app's records of `collection` that `filter` selects; returns each file's row count.
    ///
    /// While a page is turned into rows, the next one is already being read (its key is the
    /// last sourcedId of the page, known before any conversion): the database works on one
    /// core while the conversion runs on the other.
    #[allow(clippy::too_many_arguments)]
    async fn export_file<'f>(
        &self,
        view: &AppView,
        collection: Collection,
        filter: &CheckedFilter,
        file: &'f str,
        children: &[&'f str],
        mode: Mode,
        package: &mut PackageWriter,
    ) -> Result<Vec<(&'f str, u64)>, StoreError> {
        let io = |e: std::io::Error| StoreError::Internal(format!("could not write the export: {e}"));
        let version = package.version();
        let spec = file_spec(version, file).expect("a rostering file of both versions");
        package.start_file(file, mode, Vec::new()).map_err(io)?;
        for child in children {
            package.open_file(child, mode, Vec::new()).map_err(io)?;
        }
        let mut counts: Vec<(&'f str, u64)> = std::iter::once(file).chain(children.iter().copied()).map(|f| (f, 0)).collect();
        let mut rows = self.export_rows(view, collection, filter, None).await?;
        while let Some(last) = rows.last().and_then(|r| r[0].clone()) {
            let full = rows.len() == PAGE as usize;
            let next = async {
                if full { self.export_rows(view, collection, filter, Some(&last)).await.map(Some) } else { Ok(None) }
            };
            let this = async {
                let page = load::records(self, view, collection.entity(), rows).await?;
                let ids: Vec<String> = page.iter().map(|r| r.base().sourced_id.clone()).collect();
                for record in page {
                    package.write_row_to(file, &record_to_row(&to_record(record), spec, version, mode)).map_err(io)?;
                    counts[0].1 += 1;
                }
                for (i, child) in children.iter().enumerate() {
                    counts[i + 1].1 += self.export_user_children(view, &ids, child, mode, package).await?;
                }
                Ok::<_, StoreError>(())
            };
            let (next, this) = tokio::join!(next, this);
            this?;
            match next? {
                Some(following) => rows = following,
                None => break,
            }
        }
        package.end_file().map_err(io)?;
        Ok(counts)
    }

    /// Writes the `roles.csv` or `userProfiles.csv` rows of the exported users `ids`.
    async fn export_user_children(
        &self,
        view: &AppView,
        ids: &[String],
        file: &str,
        mode: Mode,
        package: &mut PackageWriter,
    ) -> Result<u64, StoreError> {
        let io = |e: std::io::Error| StoreError::Internal(format!("could not write the export: {e}"));
        let table = by_name(if file == "roles.csv" { "roles" } else { "user_profiles" }).expect("table");
        let spec = file_spec(Version::V1p2, file).expect("a 1.2 file");
        let children = load::user_children(&self.db, table, ids).await?;
        // Roles at orgs outside the share would be references the package cannot resolve.
        let mut orgs: Vec<String> =
            children.iter().filter_map(|c| if let Record::Role(r) = c { Some(r.role.org.clone()) } else { None }).collect();
        orgs.sort_unstable();
        orgs.dedup();
        let visible_orgs = load::shared(&self.db, view, "orgs", &orgs).await?;
        let mut count = 0;
        for record in children {
            if let Record::Role(r) = &record {
                if !visible_orgs.contains(&r.role.org) {
                    continue;
                }
            }
            // A bulk file holds active rows only; a delta carries every row of a changed user.
            let keep = mode == Mode::Delta
                || match &record {
                    Record::Role(r) => r.base.status == oneroster::model::Status::Active,
                    Record::UserProfile(p) => p.base.status == oneroster::model::Status::Active,
                    _ => false,
                };
            if keep {
                package.write_row_to(file, &record_to_row(&record, spec, Version::V1p2, mode)).map_err(io)?;
                count += 1;
            }
        }
        Ok(count)
    }
}
