//! Opening a package: a zip (files at its root, or inside one top-level folder) or a folder.

use std::{
    fs::File,
    io::{BufReader, Read},
    path::{Path, PathBuf},
};

use super::Diagnostics;

/// Why a path cannot be read as a package at all (as opposed to a package with problems).
#[derive(Debug)]
pub struct Unusable(pub String);

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unusable {}

enum Source {
    Zip(zip::ZipArchive<BufReader<File>>),
    Folder(PathBuf),
}

/// An opened package whose files can be streamed one at a time.
pub struct Package {
    source: Source,
    /// The folder inside the zip that holds the files ("" at the root).
    prefix: String,
    /// File names in the package (without the prefix).
    names: Vec<String>,
}

impl Package {
    /// Opens `path` (a `.zip` file or a folder). Deviations that are harmless (one top-level
    /// folder in the zip) are reported as warnings.
    pub fn open(path: &Path, diags: &mut Diagnostics) -> Result<Package, Unusable> {
        let meta = std::fs::metadata(path).map_err(|e| Unusable(format!("{}: {e}", path.display())))?;
        if meta.is_dir() {
            let mut names = Vec::new();
            let entries = std::fs::read_dir(path).map_err(|e| Unusable(format!("{}: {e}", path.display())))?;
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_file()) {
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
            names.sort();
            return Package::checked(Package { source: Source::Folder(path.to_path_buf()), prefix: String::new(), names });
        }
        let file = File::open(path).map_err(|e| Unusable(format!("{}: {e}", path.display())))?;
        let archive = zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| Unusable(format!("{} is neither a folder nor a readable zip file ({e})", path.display())))?;
        let all: Vec<String> = archive.file_names().filter(|n| !n.ends_with('/')).map(String::from).collect();
        let prefix = if all.iter().any(|n| n == "manifest.csv") {
            String::new()
        } else {
            let nested: Vec<&String> = all.iter().filter(|n| n.ends_with("/manifest.csv") && n.matches('/').count() == 1).collect();
            match nested.as_slice() {
                [one] => {
                    let prefix = one.trim_end_matches("manifest.csv").to_string();
                    diags.warning(
                        "manifest.csv",
                        None,
                        None,
                        format!("the files are inside the folder `{prefix}` of the zip; OneRoster puts them at the root (read anyway)"),
                    );
                    prefix
                }
                _ => String::new(),
            }
        };
        let names = all.iter().filter_map(|n| n.strip_prefix(&prefix)).filter(|n| !n.contains('/')).map(String::from).collect();
        Package::checked(Package { source: Source::Zip(archive), prefix, names })
    }

    fn checked(p: Package) -> Result<Package, Unusable> {
        if p.names.iter().any(|n| n == "manifest.csv") {
            Ok(p)
        } else {
            Err(Unusable("there is no manifest.csv; this is not a OneRoster CSV package".into()))
        }
    }

    /// The file names in the package.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether the package holds a file of exactly this name.
    pub fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The size of one file in bytes (uncompressed), when it can be told.
    pub fn size(&mut self, name: &str) -> Option<u64> {
        match &mut self.source {
            Source::Folder(dir) => std::fs::metadata(dir.join(name)).ok().map(|m| m.len()),
            Source::Zip(archive) => {
                let full = format!("{}{name}", self.prefix);
                archive.by_name(&full).ok().map(|f| f.size())
            }
        }
    }

    /// Streams one file. Errors (a corrupt zip entry) are returned as text for a diagnostic.
    pub fn read(&mut self, name: &str) -> Result<Box<dyn Read + '_>, String> {
        match &mut self.source {
            Source::Folder(dir) => File::open(dir.join(name)).map(|f| Box::new(f) as Box<dyn Read>).map_err(|e| e.to_string()),
            Source::Zip(archive) => {
                let full = format!("{}{name}", self.prefix);
                archive.by_name(&full).map(|f| Box::new(f) as Box<dyn Read>).map_err(|e| e.to_string())
            }
        }
    }
}
