//! The rows the apply pass receives: read from the package on a blocking thread, converted to
//! roster rows, fingerprinted and digested there, and sent in batches.
//!
//! By default the reading thread is the validation itself ([`validate_each`] hands each row
//! on once it is checked), so a package is read once; under the skip-invalid policy, which must
//! know every bad row before applying, a second plain read of the validated package feeds it.

use std::{collections::HashSet, path::PathBuf};

use oneroster::{
    csv::{file_spec, validate_each, Diagnostics, FileReader, Mode, Options, Package, Report, Unusable, Visit},
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
    pub row: RecordRow,
    pub fp: u128,
    pub hash: i64,
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
    layout: Option<Layout>,
    batch: Vec<Converted>,
    passwords: u64,
    /// The receiver went away (the apply pass failed): stop converting, keep validating.
    closed: bool,
}

impl Feeder {
    fn new(sender: mpsc::Sender<Feed>, version: Version) -> Feeder {
        Feeder { sender, version, layout: None, batch: Vec::with_capacity(BATCH), passwords: 0, closed: false }
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
            Visit::File { spec, .. } => {
                self.flush();
                self.layout = Layout::new(self.version, spec);
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
                for (table, row) in layout.convert(row) {
                    let (fp, hash) = (fingerprint(&row.sourced_id), row.hash());
                    self.batch.push(Converted { table, row, fp, hash });
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
) -> (FeedRx, tokio::task::JoinHandle<Result<Report, Unusable>>) {
    let (sender, receiver) = mpsc::channel(8);
    let (checked, to_convert) = std::sync::mpsc::sync_channel::<Vec<Visit>>(8);
    tokio::task::spawn_blocking(move || {
        let mut feeder = Feeder::new(sender, version);
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
pub(super) fn read_and_feed(path: PathBuf, version: Version, files: Vec<(&'static str, Mode)>) -> FeedRx {
    let (sender, receiver) = mpsc::channel(8);
    tokio::task::spawn_blocking(move || {
        let mut feeder = Feeder::new(sender, version);
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
