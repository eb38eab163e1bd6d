//! The drop folder: packages placed in `<data dir>/inbox/` are imported.
//!
//! A package is a `.zip` file or a folder with `manifest.csv`, at the top of the inbox (source
//! `sis`) or in a subfolder named after its source (`inbox/hr/staff.zip`). It is taken once it
//! has not changed for a whole scan interval, moved aside to `inbox/.importing/` while it
//! imports, and then moved to `inbox/processed/` (applied or held) or `inbox/failed/` (rejected
//! or failed) with its report beside it as `<name>.report.json`.
//!
//! While a package is aside, the server importing it holds a lock on `<package>.lock` beside
//! it. A package aside with no lock held was left by a server that stopped mid-import; the next
//! scan (of any server sharing the inbox) moves it on with a report of what became of it.

mod leftovers;

use std::{
    collections::HashMap,
    fs::File,
    path::{Path, PathBuf},
    time::{Duration, Instant, SystemTime},
};

use store::{
    roster::{ImportOptions, Outcome, Silent},
    Store,
};
use time::OffsetDateTime;

const RESERVED: &[&str] = &["processed", "failed", ".importing"];

/// What a package looked like at the last scan: (total size, newest modification).
type Signature = (u64, Option<SystemTime>);

/// Watches one inbox.
pub struct Inbox {
    data_dir: PathBuf,
    store: Store,
    /// Each package's signature at the last scan, and since when it has had it.
    seen: HashMap<PathBuf, (Signature, Instant)>,
    /// How long a package must stay unchanged before it is taken.
    settle: Duration,
}

impl Inbox {
    pub fn new(store: Store, data_dir: &Path) -> Self {
        Inbox { data_dir: data_dir.to_path_buf(), store, seen: HashMap::new(), settle: Duration::from_secs(5) }
    }

    fn root(&self) -> PathBuf {
        self.data_dir.join("inbox")
    }

    /// Scans every `every` until the process ends.
    pub async fn watch(mut self, every: Duration) {
        if let Err(e) = std::fs::create_dir_all(self.root()) {
            tracing::warn!(error = %e, inbox = %self.root().display(), "cannot create the inbox; the drop folder is off");
            return;
        }
        self.settle = every;
        let mut tick = tokio::time::interval(every);
        // After a long import, one scan now, not a burst of the missed ones (a burst would
        // see a package that is still arriving unchanged from one scan to the next).
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.scan().await;
        }
    }

    /// One scan: moves on what a stopped server left aside, then imports every package that
    /// has not changed for `settle`; returns where each imported package went.
    pub async fn scan(&mut self) -> Vec<PathBuf> {
        leftovers::sweep(&self.store, &self.root()).await;
        let mut moved = Vec::new();
        let mut now_seen = HashMap::new();
        // One instant for the whole scan: the next scan, an interval later, finds every package
        // seen unchanged since this one settled (an import in between makes it later still).
        let scanned = Instant::now();
        for (package, source) in candidates(&self.root()) {
            let sig = signature(&package);
            let since = match self.seen.get(&package) {
                Some((last, since)) if *last == sig => *since,
                _ => scanned,
            };
            // (A tenth of leeway: a scan starts a little after its tick, by varying amounts.)
            if since.elapsed() < self.settle.mul_f32(0.9) || !self.seen.contains_key(&package) {
                now_seen.insert(package, (sig, since));
                continue;
            }
            match self.import(&package, &source).await {
                Ok(to) => moved.push(to),
                Err(e) => tracing::warn!(package = %package.display(), error = %e, "drop-folder import failed"),
            }
        }
        self.seen = now_seen;
        moved
    }

    async fn import(&self, package: &Path, source: &str) -> Result<PathBuf, String> {
        let name = package.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let stamp = stamp();
        let work = self.root().join(".importing");
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        let taken = work.join(format!("{stamp}-{name}"));
        // Locked before the package is aside, and until it has moved on: see the module docs.
        let lock_path = leftovers::lock_path(&taken);
        let lock = File::create(&lock_path).map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
        lock.lock().map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
        // A rename claims the package: another server sharing the inbox cannot take it too.
        if let Err(e) = std::fs::rename(package, &taken) {
            let _ = std::fs::remove_file(&lock_path);
            return Err(format!("cannot move it aside: {e}"));
        }
        let moved = self.import_taken(&taken, &name, &stamp, source).await;
        let _ = std::fs::remove_file(&lock_path);
        drop(lock);
        moved
    }

    /// Imports a package moved aside to `taken`, then moves it on with its report.
    async fn import_taken(&self, taken: &Path, name: &str, stamp: &str, source: &str) -> Result<PathBuf, String> {
        let work = self.root().join(".importing");
        let mut options = ImportOptions::new(source, &self.data_dir);
        options.origin = "inbox".into();
        options.actor = "inbox".into();
        options.package_name = Some(name.to_string());
        tracing::info!(package = %name, source, "importing from the drop folder");
        let (folder, report_json) = match self.store.import_package(taken, &options, &Silent).await {
            Ok(report) => {
                tracing::info!(package = %name, outcome = report.outcome.as_str(), "{}", report.message);
                let folder = if matches!(report.outcome, Outcome::Applied | Outcome::Held) { "processed" } else { "failed" };
                (folder, serde_json::to_string_pretty(&report).unwrap_or_default())
            }
            Err(e) => ("failed", serde_json::json!({ "outcome": "failed", "message": e.to_string() }).to_string()),
        };
        move_on(taken, &self.root().join(folder), &format!("{stamp}-{name}"), &report_json, &work)
    }
}

/// Moves package `taken` into `dest_dir` as `file_name`, with `report_json` beside it.
pub(crate) fn move_on(taken: &Path, dest_dir: &Path, file_name: &str, report_json: &str, work: &Path) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dest_dir).map_err(|e| format!("cannot create {}: {e}", dest_dir.display()))?;
    let dest = dest_dir.join(file_name);
    std::fs::rename(taken, &dest).map_err(|e| format!("cannot move it to {}: {e}", dest.display()))?;
    // Written aside, then renamed: whoever watches the folder never reads half a report.
    let written = work.join(format!("{file_name}.report.json"));
    std::fs::write(&written, report_json).map_err(|e| e.to_string())?;
    std::fs::rename(&written, dest_dir.join(format!("{file_name}.report.json"))).map_err(|e| e.to_string())?;
    Ok(dest)
}

/// `20261127T180102Z`, to keep repeated drops of one name apart.
fn stamp() -> String {
    let t = OffsetDateTime::now_utc();
    format!("{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second(), t.millisecond())
}

/// Packages in the inbox with their source.
fn candidates(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if RESERVED.contains(&name.as_str()) || name.starts_with('.') {
            continue;
        }
        if is_package(&path) {
            out.push((path, "sis".to_string()));
        } else if path.is_dir() {
            // A source folder: its packages belong to that source.
            for inner in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                let inner = inner.path();
                if is_package(&inner) {
                    out.push((inner, name.clone()));
                }
            }
        }
    }
    out.sort();
    out
}

pub(crate) fn is_package(path: &Path) -> bool {
    if path.is_dir() {
        path.join("manifest.csv").is_file()
    } else {
        path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    }
}

/// Size and newest modification time of a file, or of a folder's files.
fn signature(path: &Path) -> Signature {
    let files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.iter().filter_map(|f| std::fs::metadata(f).ok()).fold((0, None), |(size, newest), m| {
        let modified = m.modified().ok();
        (size + m.len(), newest.max(modified))
    })
}
