//! Applying a package inside one transaction: its rows arrive in batches from the thread that
//! reads it ([`super::feed`]); each row is compared with the roster's [`Index`] and becomes an
//! insert, a staged update, a tombstone, or nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use oneroster::{
    csv::{file_spec, Diagnostics, Kind, Mode},
    Version,
};
use super::{
    feed::{Converted, Feed, FeedRx},
    prefetch::Prefetch,
    Progress,
};
use crate::{
    roster::{
        index::{Existing, Index},
        report::{EntityCounts, Sample},
        rows::{fingerprint, RecordRow},
        shadow::Shadow,
        tables::{by_name, Table},
        tx::{Tx, Write},
    },
    StoreError,
};

/// Rows buffered before a database write.
const FLUSH_ROWS: usize = 4096;
/// Records listed per change kind and table in a report's sample.
const SAMPLES: usize = 10;

/// What the apply pass needs to know.
pub(super) struct Plan<'a> {
    pub version: Version,
    /// Every rostering file of the package with its mode, in apply order.
    pub files: Vec<(&'static str, Mode)>,
    pub source: i64,
    pub revision: i64,
    pub now: &'a str,
    /// (file, line) of rows left out under the skip-invalid policy.
    pub skip: HashSet<(String, u64)>,
    /// The skip-invalid policy: a row found invalid while applying (a sourcedId of another
    /// source) is left out too, instead of rejecting the package.
    pub skip_invalid: bool,
    pub source_names: HashMap<i64, String>,
    pub source_name: &'a str,
    /// A first import loading shadow tables: new rows go there, committed every
    /// [`commit_rows`](super::super::tuning::commit_rows) rows.
    pub shadow: Option<&'a Shadow>,
    /// No roster table held a record when the import began.
    pub roster_was_empty: bool,
}

/// What the apply pass did.
#[derive(Default)]
pub(super) struct Applied {
    pub entities: BTreeMap<String, EntityCounts>,
    pub samples: BTreeMap<String, Vec<Sample>>,
    pub passwords: u64,
    /// Rows found invalid while applying and left out (skip-invalid), each with its error.
    pub left_out: u64,
}

struct TableState {
    table: &'static Table,
    /// Statements recreating the secondary indexes dropped for a first import.
    dropped_indexes: Vec<String>,
    index: Index,
    counts: EntityCounts,
    inserts: Vec<(RecordRow, i64)>,
    updates: Vec<(RecordRow, i64)>,
    tombstones: Vec<String>,
    samples: Vec<Sample>,
    /// (column index, referenced stem) of the table's reference columns.
    refs: Vec<(usize, &'static str)>,
}

impl TableState {
    fn sample(&mut self, change: &str, id: &str) {
        if self.samples.iter().filter(|s| s.change == change).count() < SAMPLES {
            self.samples.push(Sample { change: change.into(), sourced_id: id.into() });
        }
    }
}

/// One package file being applied: the tables it feeds.
struct Current {
    file: &'static str,
    mode: Mode,
    states: Vec<TableState>,
    started: std::time::Instant,
}

/// Runs the apply pass over the rows `feed` brings; errors found on the way (a sourcedId owned
/// by another source) go to `diags`, and the caller must not commit when it has any.
pub(super) async fn apply(
    tx: &mut Tx,
    plan: &Plan<'_>,
    mut feed: FeedRx,
    mut prefetch: Option<Prefetch>,
    diags: &mut Diagnostics,
    progress: &dyn Progress,
) -> Result<Applied, StoreError> {
    let mut applied = Applied::default();
    // sourcedIds left out (skip-invalid), per stem, so rows referring to them are left out too.
    let mut skipped_ids: HashMap<&'static str, HashSet<String>> = HashMap::new();
    let mut current: Option<Current> = None;
    let (commit_rows, mut uncommitted) = (super::super::tuning::commit_rows(), 0);
    while let Some(message) = feed.recv().await {
        match message {
            Feed::File(file) => {
                if let Some(done) = current.take() {
                    finish_file(tx, plan, done, &mut applied).await?;
                }
                if let Some(&(_, mode)) = plan.files.iter().find(|(f, _)| *f == file) {
                    current = Some(start_file(tx, plan, file, mode, &mut prefetch).await?);
                    progress.phase(&format!("applying {file}"));
                }
            }
            Feed::Failed(why) => return Err(StoreError::Internal(why)),
            Feed::Rows(batch, passwords) => {
                let Some(cur) = &mut current else { continue };
                applied.passwords += passwords;
                progress.rows(batch.len() as u64);
                if cur.mode == Mode::Delta {
                    for state in &mut cur.states {
                        let ids: Vec<&str> = batch.iter().filter(|c| c.table == state.table.name).map(|c| c.sourced_id()).collect();
                        state.index = Index::build(tx.lookup_entries(state.table, &ids).await?);
                    }
                }
                let file = cur.file;
                uncommitted += batch.len() as u64;
                // Every row's record, looked up for the whole batch at once (see `get_many`).
                let mut found = vec![None; batch.len()];
                for state in &cur.states {
                    let (rows, fps): (Vec<usize>, Vec<u128>) =
                        batch.iter().enumerate().filter(|(_, c)| c.table == state.table.name).map(|(i, c)| (i, c.fp)).unzip();
                    for (i, existing) in rows.into_iter().zip(state.index.get_many(&fps)) {
                        found[i] = existing;
                    }
                }
                for (mut c, existing) in batch.into_iter().zip(found) {
                    let state = cur.states.iter_mut().find(|s| s.table.name == c.table).expect("fed table");
                    if !plan.skip.is_empty() || !skipped_ids.is_empty() {
                        if plan.skip.contains(&(file.to_string(), c.line())) {
                            state.counts.skipped += 1;
                            match existing {
                                // A record the roster holds stays as it is: an invalid row neither
                                // changes it nor, in a bulk file, lets it go as unlisted, and the
                                // rows that refer to it still find it.
                                Some(e) => {
                                    state.index.mark_seen(e.slot);
                                }
                                // A new record left out takes the rows that refer to it along,
                                // unless an earlier line already brought it in (a repeated
                                // sourcedId is an error on its later line only).
                                None => {
                                    let id = c.sourced_id().to_string();
                                    let target = if plan.shadow.is_some() { Shadow::target(state.table) } else { state.table.name.to_string() };
                                    let brought_in = state.inserts.iter().any(|(row, _)| row.sourced_id == id) || tx.has_record(&target, &id).await?;
                                    if !brought_in {
                                        skipped_ids.entry(state.table.stem()).or_default().insert(id);
                                    }
                                }
                            }
                            continue;
                        }
                        // Only a row that can refer to something left out needs building.
                        if state.refs.iter().any(|(_, target)| skipped_ids.contains_key(target)) {
                            let row = c.row();
                            if let Some((col, id)) = refers_to_skipped(state, row, &skipped_ids) {
                                diags.warning(file, Some(row.line), Some(col), format!("left out: refers to `{id}`, which was left out as invalid"));
                                state.counts.skipped += 1;
                                match existing {
                                    // Held already: kept as it is (as for an invalid row above).
                                    Some(e) => {
                                        state.index.mark_seen(e.slot);
                                    }
                                    None => {
                                        skipped_ids.entry(state.table.stem()).or_default().insert(row.sourced_id.clone());
                                    }
                                }
                                continue;
                            }
                        }
                    }
                    if route(state, c, existing, file, plan, diags) {
                        applied.left_out += 1;
                    }
                }
                for state in &mut cur.states {
                    flush(tx, state, plan, false).await?;
                }
                if plan.shadow.is_some() && uncommitted >= commit_rows {
                    Shadow::commit_part(tx).await?;
                    uncommitted = 0;
                }
            }
        }
    }
    if let Some(done) = current.take() {
        finish_file(tx, plan, done, &mut applied).await?;
    }
    Ok(applied)
}

/// Prepares the tables a file feeds: staging tables, and for a bulk file the index of what
/// the table holds.
async fn start_file(tx: &mut Tx, plan: &Plan<'_>, file: &'static str, mode: Mode, prefetch: &mut Option<Prefetch>) -> Result<Current, StoreError> {
    let started = std::time::Instant::now();
    let mut states = Vec::new();
    for table in tables_fed_by(plan.version, file) {
        tx.create_stage(table).await?;
        // A bulk file needs every record (to find the ones it no longer lists); a delta
        // only the ones it names, looked up batch by batch.
        let index = if mode == Mode::Bulk {
            match prefetch.as_mut() {
                Some(ahead) => match ahead.take(table.name).await {
                    Some(index) => index?,
                    // Not loaded ahead (the loader failed or ran out): load the rest here.
                    None => {
                        *prefetch = None;
                        tx.load_index(table).await?
                    }
                },
                None => tx.load_index(table).await?,
            }
        } else {
            Index::default()
        };
        let spec = file_spec(Version::V1p2, table.file).expect("1.2.1 file");
        let refs = spec
            .columns
            .iter()
            .filter_map(|c| match c.kind {
                Kind::Ref(t) | Kind::RefList(t) => table.csv.iter().position(|n| *n == c.name).map(|i| (i, t)),
                _ => None,
            })
            .collect();
        let before = if mode == Mode::Bulk { index.active_of(plan.source) as u64 } else { tx.count_active(table, plan.source).await? };
        let dropped_indexes = match plan.shadow {
            Some(shadow) => shadow.deferred_indexes(table),
            // PostgreSQL locks a table against its readers from `DROP INDEX` until the commit:
            // only an import into an empty roster, which has nothing to serve, does that.
            None if mode == Mode::Bulk && index.is_empty() && (tx.is_sqlite() || plan.roster_was_empty) => tx.drop_indexes(table).await?,
            None => Vec::new(),
        };
        states.push(TableState {
            table,
            dropped_indexes,
            index,
            counts: EntityCounts { before, ..Default::default() },
            inserts: Vec::new(),
            updates: Vec::new(),
            tombstones: Vec::new(),
            samples: Vec::new(),
            refs,
        });
    }
    tracing::debug!(file, indexed = ?started.elapsed(), "started");
    Ok(Current { file, mode, states, started })
}

/// Writes what is left of a file, tombstones what a bulk file no longer lists, rebuilds the
/// indexes dropped for it, and records its counts.
async fn finish_file(tx: &mut Tx, plan: &Plan<'_>, mut done: Current, applied: &mut Applied) -> Result<(), StoreError> {
    let streamed = done.started.elapsed();
    for state in &mut done.states {
        flush(tx, state, plan, true).await?;
        if done.mode == Mode::Bulk {
            delete_unseen(tx, state, plan).await?;
        }
        tx.create_indexes(&std::mem::take(&mut state.dropped_indexes)).await?;
        let deleted = tx.apply_tombstones(state.table, plan.revision, plan.now).await?;
        debug_assert!(deleted <= state.counts.deleted);
        tx.drop_stage(state.table).await?;
        if plan.shadow.is_some() {
            Shadow::commit_part(tx).await?;
        }
        applied.entities.insert(state.table.name.into(), std::mem::take(&mut state.counts));
        applied.samples.insert(state.table.name.into(), std::mem::take(&mut state.samples));
    }
    tracing::debug!(file = done.file, ?streamed, total = ?done.started.elapsed(), "applied");
    Ok(())
}

/// Decides what one row does. True when the row is left out as invalid (skip-invalid).
fn route(state: &mut TableState, c: Converted, existing: Option<Existing>, file: &str, plan: &Plan<'_>, diags: &mut Diagnostics) -> bool {
    let (hash, active) = (c.hash, c.active());
    if let Some(e) = existing {
        if e.active && e.source != plan.source {
            let owner = plan.source_names.get(&e.source).map(String::as_str).unwrap_or("?");
            diags.error(
                file,
                Some(c.line()),
                Some("sourcedId"),
                format!(
                    "`{}` already belongs to source `{owner}`, and this import is from source `{}`; a sourcedId belongs to one source",
                    c.sourced_id(),
                    plan.source_name
                ),
            );
            // The other source's record stays as it is, and the rows referring to it still
            // find it: only this row is left out.
            if plan.skip_invalid {
                state.counts.skipped += 1;
            }
            return plan.skip_invalid;
        }
        if !state.index.mark_seen(e.slot) {
            // Only a 1.1 user listing one org twice gets here (two identical role rows).
            return false;
        }
    }
    match existing {
        // Deleting what the roster does not hold (or holds as deleted) changes nothing.
        None if !active => state.counts.unchanged += 1,
        Some(e) if !active && !e.active => state.counts.unchanged += 1,
        Some(_) if !active => {
            state.counts.deleted += 1;
            state.sample("deleted", c.sourced_id());
            state.tombstones.push(c.sourced_id().to_string());
        }
        None => {
            state.counts.created += 1;
            state.sample("created", c.sourced_id());
            state.inserts.push((c.into_row(), hash));
        }
        // The one case that needs no row of its own (see `feed::Feeder::defer`).
        Some(e) if e.active && e.hash == hash => state.counts.unchanged += 1,
        Some(e) => {
            // A tombstone coming back (possibly from another source) counts as created.
            let change = if e.active { "updated" } else { "created" };
            if e.active {
                state.counts.updated += 1;
            } else {
                state.counts.created += 1;
            }
            state.sample(change, c.sourced_id());
            state.updates.push((c.into_row(), hash));
        }
    }
    false
}

/// The first reference of `row` to a record left out as invalid.
fn refers_to_skipped<'a>(state: &TableState, row: &'a RecordRow, skipped: &HashMap<&str, HashSet<String>>) -> Option<(&'static str, &'a str)> {
    for &(col, target) in &state.refs {
        let Some(ids) = skipped.get(target) else { continue };
        if let Some(value) = &row.values[col] {
            if let Some(id) = value.split(',').find(|id| ids.contains(*id)) {
                return Some((state.table.csv[col], id));
            }
        }
    }
    None
}

/// Writes buffered rows once there are enough (or all of them at the end of a file).
async fn flush(tx: &mut Tx, state: &mut TableState, plan: &Plan<'_>, all: bool) -> Result<(), StoreError> {
    let table = state.table;
    if all || state.inserts.len() >= FLUSH_ROWS {
        let writes: Vec<Write> = state.inserts.iter().map(|(row, hash)| Write { row, hash: *hash, source: plan.source }).collect();
        let target = if plan.shadow.is_some() { Shadow::target(table) } else { table.name.to_string() };
        tx.write_rows(&target, table, &writes, plan.revision, plan.now).await?;
        state.inserts.clear();
    }
    if all || state.updates.len() >= FLUSH_ROWS {
        let writes: Vec<Write> = state.updates.iter().map(|(row, hash)| Write { row, hash: *hash, source: plan.source }).collect();
        tx.write_rows(&format!("stage_{}", table.name), table, &writes, plan.revision, plan.now).await?;
        state.updates.clear();
    }
    if all {
        tx.apply_stage(table, plan.revision, plan.now).await?;
    }
    if all || state.tombstones.len() >= FLUSH_ROWS {
        tx.stage_ids(table, &state.tombstones).await?;
        state.tombstones.clear();
    }
    Ok(())
}

/// Bulk: stages a tombstone for every active record of the source the file did not list.
async fn delete_unseen(tx: &mut Tx, state: &mut TableState, plan: &Plan<'_>) -> Result<(), StoreError> {
    if state.index.unseen_active(plan.source) == 0 {
        return Ok(());
    }
    let mut after = String::new();
    loop {
        let page = tx.records_page(state.table, &after, 50_000).await?;
        let Some(last) = page.last() else { break };
        after = last.sourced_id.clone();
        let mut gone = Vec::new();
        for record in page {
            if !record.active || record.source != plan.source {
                continue;
            }
            let id = record.sourced_id;
            let fp = fingerprint(&id);
            // Records this import created are not in the index and stay.
            if state.index.get(fp).is_some() && !state.index.was_seen(fp) {
                state.counts.deleted += 1;
                state.sample("deleted", &id);
                gone.push(id);
            }
        }
        tx.stage_ids(state.table, &gone).await?;
    }
    Ok(())
}

/// The roster tables one package file feeds.
pub(super) fn tables_fed_by(version: Version, file: &str) -> Vec<&'static Table> {
    let own = super::super::tables::TABLES.iter().find(|t| t.file == file);
    let mut out: Vec<&'static Table> = own.into_iter().collect();
    if version == Version::V1p1 && file == "users.csv" {
        out.push(by_name("roles").expect("roles"));
    }
    out
}
