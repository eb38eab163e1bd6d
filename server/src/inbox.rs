//! The drop folder: packages placed in `<data dir>/inbox/` are imported.
//!
//! A package is a `.zip` file or a folder with `manifest.csv`, at the top of the inbox (source
//! `sis`) or in a subfolder named after its source (`inbox/hr/staff.zip`). It is taken once it
//! has stopped changing between two scans, moved aside while it imports, and then moved to
//! `inbox/processed/` (applied or held) or `inbox/failed/` (rejected or failed) with its report
//! beside it as `<name>.report.json`.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
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
    seen: HashMap<PathBuf, Signature>,
}

impl Inbox {
    pub fn new(store: Store, data_dir: &Path) -> Self {
        Inbox { data_dir: data_dir.to_path_buf(), store, seen: HashMap::new() }
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
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            self.scan().await;
        }
    }

    /// One scan: imports every package that has not changed since the previous scan; returns
    /// where each imported package went.
    pub async fn scan(&mut self) -> Vec<PathBuf> {
        let mut moved = Vec::new();
        let mut now_seen = HashMap::new();
        for (package, source) in candidates(&self.root()) {
            let sig = signature(&package);
            let stable = self.seen.get(&package) == Some(&sig);
            now_seen.insert(package.clone(), sig);
            if stable {
                now_seen.remove(&package);
                match self.import(&package, &source).await {
                    Ok(to) => moved.push(to),
                    Err(e) => tracing::warn!(package = %package.display(), error = %e, "drop-folder import failed"),
                }
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
        // A rename claims the package: another server sharing the inbox cannot take it too.
        std::fs::rename(package, &taken).map_err(|e| format!("cannot move it aside: {e}"))?;
        let mut options = ImportOptions::new(source, &self.data_dir);
        options.origin = "inbox".into();
        options.actor = "inbox".into();
        options.package_name = Some(name.clone());
        tracing::info!(package = %name, source, "importing from the drop folder");
        let (folder, report_json) = match self.store.import_package(&taken, &options, &Silent).await {
            Ok(report) => {
                tracing::info!(package = %name, outcome = report.outcome.as_str(), "{}", report.message);
                let folder = if matches!(report.outcome, Outcome::Applied | Outcome::Held) { "processed" } else { "failed" };
                (folder, serde_json::to_string_pretty(&report).unwrap_or_default())
            }
            Err(e) => ("failed", serde_json::json!({ "outcome": "failed", "message": e.to_string() }).to_string()),
        };
        let dest_dir = self.root().join(folder);
        std::fs::create_dir_all(&dest_dir).map_err(|e| e.to_string())?;
        let dest = dest_dir.join(format!("{stamp}-{name}"));
        std::fs::rename(&taken, &dest).map_err(|e| e.to_string())?;
        // Written aside, then renamed: whoever watches the folder never reads half a report.
        let written = work.join(format!("{stamp}-{name}.report.json"));
        std::fs::write(&written, report_json).map_err(|e| e.to_string())?;
        std::fs::rename(&written, dest_dir.join(format!("{stamp}-{name}.report.json"))).map_err(|e| e.to_string())?;
        Ok(dest)
    }
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

fn is_package(path: &Path) -> bool {
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
