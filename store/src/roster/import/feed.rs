//! The rows the apply pass receives: read from the package on a blocking thread, converted to
//! roster rows, fingerprinted and digested there, and sent in batches.
//!
//! By default the reading thread is the validation itself ([`validate_each`] hands each row
//! on once it is checked), so a package is read once; under the skip-invalid policy, which must
//! know every bad row before applying, a second plain read of the validated package feeds it.

use std::{collections::HashSet, path::PathBuf, sync::Arc};

use oneroster::{
    csv::{file_spec, validate_each, Diagnostics, FileReader, Mode, Options, Package, Report, Row, Unusable, Visit},
    Version,
};
use tokio::sync::mpsc;

use crate::roster::rows::{fingerprint, Layout, RecordRow};

/// Rows sent per message.
const BATCH: usize = 2048;

/// A roster row ready to route: its sourcedId's fingerprint and its content digest are
/// computed on the reading thread, off the one that writes to the database.
pub(super) struct Converted {
    pub table: &'static str,
    body: Body,
    pub fp: u128,
    pub hash: i64,
}

/// A roster row, built or still the package row it comes from.
enum Body {
    Built(RecordRow),
    /// A 1.2.1 row left as read (see [`Feeder::defer`]): most rows of a re-import are
    /// unchanged and need no row of their own, only their fingerprint and digest.
    Deferred(Row, Arc<Layout>),
}

impl Converted {
    pub fn sourced_id(&self) -> &str {
        match &self.body {
            Body::Built(row) => &row.sourced_id,
            Body::Deferred(row, layout) => layout.sourced_id_of(row),
        }
    }

    pub fn line(&self) -> u64 {
        match &self.body {
            Body::Built(row) => row.line,
            Body::Deferred(row, _) => row.line,
        }
    }

    /// `active` or `tobedeleted`.
    pub fn active(&self) -> bool {
        match &self.body {
            Body::Built(row) => row.active,
            Body::Deferred(row, layout) => layout.active_of(row),
        }
    }

    /// The roster row, built now if it was deferred.
    pub fn row(&mut self) -> &RecordRow {
        if let Body::Deferred(row, layout) = &self.body {
            let built = layout.convert_one(row);
            self.body = Body::Built(built);
        }
        match &self.body {
            Body::Built(row) => row,
            Body::Deferred(..) => unreachable!("built above"),
        }
    }

    /// The roster row, built now if it was deferred.
    pub fn into_row(self) -> RecordRow {
        match self.body {
            Body::Built(row) => row,
            Body::Deferred(row, layout) => layout.convert_one(&row),
        }
    }
}

/// One message of the feed.
pub(super) enum Feed {
    /// A package file begins; its rows follow.
    File(&'static str),
    /// Rows of that file, and how many password values they carried (never stored).
    Rows(Vec<Converted>, u64),
    /// The file could not be read (only from the plain read of a validated package).
    Failed(String),
}

/// The receiving end.
pub(super) type FeedRx = mpsc::Receiver<Feed>;

/// Converts visited rows and sends them on in batches.
struct Feeder {
    sender: mpsc::Sender<Feed>,
    version: Version,
    layout: Option<Arc<Layout>>,
    /// The tables holding records of the import's source when it started.
    held: HashSet<&'static str>,
    /// Whether the current file's 1.2.1 rows are left unbuilt: a bulk file compared with the
    /// source's own records, where most rows of a nightly re-import are unchanged and
    /// building them was most of this thread's allocations (freed on another thread). Rows
    /// that will all be written (a first import, a delta) are built here, off the writing
    /// thread. Both forms route the same whatever changed since `held` was read.
    defer: bool,
    batch: Vec<Converted>,
    passwords: u64,
    /// The receiver went away (the apply pass failed): stop converting, keep validating.
    closed: bool,
}

impl Feeder {
    /// A feeder and the receiving end of its rows.
    fn new(version: Version, held: HashSet<&'static str>) -> (Feeder, FeedRx) {
        let (sender, receiver) = mpsc::channel(8);
        let feeder = Feeder { sender, version, layout: None, held, defer: false, batch: Vec::with_capacity(BATCH), passwords: 0, closed: false };
        (feeder, receiver)
    }

    fn send(&mut self, feed: Feed) {
        if !self.closed && self.sender.blocking_send(feed).is_err() {
            self.closed = true;
        }
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() || self.passwords > 0 {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            let passwords = std::mem::take(&mut self.passwords);
            self.send(Feed::Rows(batch, passwords));
        }
    }

    fn visit(&mut self, visit: Visit) {
        if self.closed {
            return;
        }
        match visit {
            Visit::File { spec, mode } => {
                self.flush();
                self.layout = Layout::new(self.version, spec).map(Arc::new);
                self.defer = self.layout.as_ref().is_some_and(|l| mode == Mode::Bulk && l.one_to_one() && self.held.contains(l.table().name));
                if let Some(layout) = &self.layout {
                    let file = layout.file();
                    self.send(Feed::File(file));
                }
            }
            Visit::Row(row) => {
                let Some(layout) = &self.layout else { return };
                if layout.has_password(&row) {
                    self.passwords += 1;
                }
                if self.defer {
                    let (fp, hash) = (fingerprint(layout.sourced_id_of(&row)), layout.hash_of(&row));
                    self.batch.push(Converted { table: layout.table().name, body: Body::Deferred(row, layout.clone()), fp, hash });
                } else {
                    for (table, row) in layout.convert(row) {
                        let (fp, hash) = (fingerprint(&row.sourced_id), row.hash());
                        self.batch.push(Converted { table, body: Body::Built(row), fp, hash });
                    }
                }
                if self.batch.len() >= BATCH {
                    self.flush();
                }
            }
        }
    }
}

/// Validates the package at `path` on a blocking thread, feeding every row of `version`'s
/// rostering files to the returned receiver as it goes. The handle yields the validation.
///
/// Converting, fingerprinting and digesting the rows runs on a second thread, so that the
/// three stages (checking, converting, writing) each have a core's worth of time when the
/// machine has the cores for it.
pub(super) fn validate_and_feed(
    path: PathBuf,
    version: Version,
    options: Options,
    held: HashSet<&'static str>,
) -> (FeedRx, tokio::task::JoinHandle<Result<Report, Unusable>>) {
    let (mut feeder, receiver) = Feeder::new(version, held);
    let (checked, to_convert) = std::sync::mpsc::sync_channel::<Vec<Visit>>(8);
    tokio::task::spawn_blocking(move || {
        for visits in to_convert {
            for visit in visits {
                feeder.visit(visit);
            }
        }
        feeder.flush();
    });
    let handle = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut open = true;
        let report = validate_each(&path, options, &mut |visit| {
            let file = matches!(visit, Visit::File { .. });
            if open {
                batch.push(visit);
            }
            if open && (file || batch.len() >= BATCH) {
                // The converter stops only when the apply pass has gone: keep validating.
                open = checked.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_ok();
            }
        });
        if open && !batch.is_empty() {
            let _ = checked.send(batch);
        }
        report
    });
    (receiver, handle)
}

/// Reads the rostering files `files` of a validated package on a blocking thread, in that
/// order, feeding their rows to the returned receiver (no checks: validation did them).
pub(super) fn read_and_feed(path: PathBuf, version: Version, files: Vec<(&'static str, Mode)>, held: HashSet<&'static str>) -> FeedRx {
    let (mut feeder, receiver) = Feeder::new(version, held);
    tokio::task::spawn_blocking(move || {
        let mut diags = Diagnostics::with_cap(0);
        let mut package = match Package::open(&path, &mut diags) {
            Ok(p) => p,
            Err(e) => return feeder.send(Feed::Failed(e.to_string())),
        };
        let wanted: HashSet<&str> = files.iter().map(|(f, _)| *f).collect();
        for (file, mode) in files {
            let Some(spec) = file_spec(version, file).filter(|_| wanted.contains(file)) else { continue };
            let input = match package.read(file) {
                Ok(input) => input,
                Err(e) => return feeder.send(Feed::Failed(format!("{file} cannot be read: {e}"))),
            };
            let Some(reader) = FileReader::open(spec, version, mode, input, &mut diags) else {
                return feeder.send(Feed::Failed(format!("{file} could not be opened a second time")));
            };
            // Validation checked duplicates; this pass only converts.
            let mut reader = reader.skip_duplicate_check();
            feeder.visit(Visit::File { spec: reader.spec(), mode });
            while let Some(row) = reader.next_row(&mut diags) {
                feeder.visit(Visit::Row(row));
            }
            feeder.flush();
        }
    });
    receiver
}
