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

impl Store {
    /// Records of a collection after `after` (by sourcedId), without counting: for exports.
    async fn api_scan(
        &self,
        view: &AppView,
        collection: Collection,
        filter: &CheckedFilter,
        after: Option<&str>,
    ) -> Result<Vec<ApiRecord>, StoreError> {
        let request = ListRequest {
            collection,
            links: after.map(|a| vec![Link::After(a.to_string())]).unwrap_or_default(),
            filter: Some(filter),
            sort: None,
            paging: Paging { limit: PAGE, offset: 0 },
        };
        let query = super::sql::Query::build(self.backend(), view, &request)?;
        let rows = query.page(&self.db, view, None, request.paging).await?;
        load::records(self, view, collection.entity(), rows).await
    }

    /// Writes the app's share as a OneRoster CSV package (zip) to `out`.
    #[tracing::instrument(skip_all, fields(app = view.app_id, version = %options.version))]
    pub async fn export_package(&self, view: &AppView, options: &ExportOptions, out: &Path) -> Result<ExportSummary, StoreError> {
        let version = options.version;
        let (mode, filter_text) = match options.since {
            None => (Mode::Bulk, "status='active'".to_string()),
            Some(t) => (Mode::Delta, format!("dateLastModified>'{}'", format_datetime(t))),
        };
        let io = |e: std::io::Error| StoreError::Internal(format!("could not write the export: {e}"));
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
            let spec = file_spec(version, file).expect("a rostering file of both versions");
            package.start_file(file, mode, Vec::new()).map_err(io)?;
            let mut count = 0u64;
            let mut after: Option<String> = None;
            loop {
                let page = self.api_scan(view, collection, &filter, after.as_deref()).await?;
                let Some(last) = page.last() else { break };
                after = Some(last.base().sourced_id.clone());
                let full = page.len() == PAGE as usize;
                for record in page {
                    package.write_row(&record_to_row(&to_record(record), spec, version, mode)).map_err(io)?;
                    count += 1;
                }
                if !full {
                    break;
                }
            }
            package.end_file().map_err(io)?;
            summary.records += count;
            summary.files.push((file.to_string(), count));
            // 1.2 keeps roles and user profiles in files of their own.
            if file == "users.csv" && version == Version::V1p2 {
                for child in ["roles.csv", "userProfiles.csv"] {
                    let n = self.export_user_children(view, collection, &filter, child, mode, &mut package).await?;
                    summary.files.push((child.to_string(), n));
                }
            }
        }
        let out = out.to_path_buf();
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

    /// The `roles.csv` or `userProfiles.csv` rows of the exported users (a second pass over
    /// them, so that no file has to be held in memory).
    async fn export_user_children(
        &self,
        view: &AppView,
        collection: Collection,
        filter: &CheckedFilter,
        file: &str,
        mode: Mode,
        package: &mut PackageWriter,
    ) -> Result<u64, StoreError> {
        let io = |e: std::io::Error| StoreError::Internal(format!("could not write the export: {e}"));
        let table = by_name(if file == "roles.csv" { "roles" } else { "user_profiles" }).expect("table");
        let spec = file_spec(Version::V1p2, file).expect("a 1.2 file");
        package.start_file(file, mode, Vec::new()).map_err(io)?;
        let mut count = 0u64;
        let mut after: Option<String> = None;
        loop {
            let page = self.api_scan(view, collection, filter, after.as_deref()).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.base().sourced_id.clone());
            let full = page.len() == PAGE as usize;
            let ids: Vec<String> = page.iter().map(|r| r.base().sourced_id.clone()).collect();
            let children = load::user_children(&self.db, table, &ids).await?;
            // Roles at orgs outside the share would be references the package cannot resolve.
            let mut orgs: Vec<String> =
                children.iter().filter_map(|c| if let Record::Role(r) = c { Some(r.role.org.clone()) } else { None }).collect();
            orgs.sort_unstable();
            orgs.dedup();
            let visible_orgs = load::shared(&self.db, view, "orgs", &orgs).await?;
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
                    package.write_row(&record_to_row(&record, spec, Version::V1p2, mode)).map_err(io)?;
                    count += 1;
                }
            }
            if !full {
                break;
            }
        }
        package.end_file().map_err(io)?;
        Ok(count)
    }
}
