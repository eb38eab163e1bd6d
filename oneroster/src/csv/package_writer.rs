//! Writing a whole package: `manifest.csv` listing every file of the version, and the data files,
//! into a folder or a zip (files at its root, as the spec wants).

use std::{
    collections::BTreeMap,
    io::{self, Write},
    path::Path,
};

use super::{catalog, FileWriter, Manifest, Mode, Row};
use crate::Version;

mod spool;

use spool::{Spool, Spooled};

/// Collects files in memory-bounded pieces and writes the package at the end.
///
/// Each data file is written row by row and compressed on a thread of its own into a buffer
/// file on disk, so a large export neither sits in memory nor waits for one long compression
/// at the end; [`finish_folder`](Self::finish_folder) / [`finish_zip`](Self::finish_zip)
/// assemble the package (the zip copies the compressed files as they are).
///
/// Several files may be open at once ([`open_file`](Self::open_file)), so that one pass over
/// users can write `users.csv`, `roles.csv` and `userProfiles.csv` together.
pub struct PackageWriter {
    version: Version,
    files: BTreeMap<&'static str, (Mode, Spooled)>,
    source_system_name: Option<String>,
    /// The files being written row by row, the one opened last at the end.
    open: Vec<(&'static str, Mode, FileWriter<Spool>)>,
}

impl PackageWriter {
    pub fn new(version: Version) -> Self {
        PackageWriter { version, files: BTreeMap::new(), source_system_name: None, open: Vec::new() }
    }

    /// The OneRoster version of the package.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Sets `source.systemName` in the manifest.
    pub fn source_system_name(mut self, name: impl Into<String>) -> Self {
        self.source_system_name = Some(name.into());
        self
    }

    /// Adds one data file of the version's catalog with its rows (and extension columns).
    pub fn add_file<'a>(
        &mut self,
        name: &str,
        mode: Mode,
        metadata: Vec<String>,
        rows: impl IntoIterator<Item = &'a Row>,
    ) -> io::Result<()> {
        self.start_file(name, mode, metadata)?;
        for row in rows {
            self.write_row(row)?;
        }
        self.end_file()
    }

    /// Starts a data file to be written row by row with [`write_row`](Self::write_row), for
    /// rows that arrive a page at a time; files still open are closed first.
    /// [`end_file`](Self::end_file) closes it.
    pub fn start_file(&mut self, name: &str, mode: Mode, metadata: Vec<String>) -> io::Result<()> {
        self.end_file()?;
        self.open_file(name, mode, metadata)
    }

    /// Opens a data file beside those already open; rows go to it with
    /// [`write_row_to`](Self::write_row_to) (or [`write_row`](Self::write_row) while it is
    /// the one opened last).
    pub fn open_file(&mut self, name: &str, mode: Mode, metadata: Vec<String>) -> io::Result<()> {
        let spec = catalog(self.version)
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{name} is not a file of OneRoster {}", self.version)))?;
        if self.open.iter().any(|(n, _, _)| *n == spec.name) || self.files.contains_key(spec.name) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{name} is already in the package")));
        }
        let writer = FileWriter::new(spec, metadata, Spool::new(spec.name)?).map_err(io::Error::other)?;
        self.open.push((spec.name, mode, writer));
        Ok(())
    }

    /// Writes one row into the file opened last.
    pub fn write_row(&mut self, row: &Row) -> io::Result<()> {
        let (_, _, writer) = self.open.last_mut().ok_or_else(|| io::Error::other("no file is open; call start_file first"))?;
        writer.write(row).map_err(io::Error::other)
    }

    /// Writes one row into the open file `name`.
    pub fn write_row_to(&mut self, name: &str, row: &Row) -> io::Result<()> {
        let (_, _, writer) = self
            .open
            .iter_mut()
            .find(|(n, _, _)| *n == name)
            .ok_or_else(|| io::Error::other(format!("{name} is not open; call open_file first")))?;
        writer.write(row).map_err(io::Error::other)
    }

    /// Closes every open file (nothing happens when none is open).
    pub fn end_file(&mut self) -> io::Result<()> {
        for (name, mode, writer) in self.open.drain(..) {
            self.files.insert(name, (mode, writer.finish()?.finish()?));
        }
        Ok(())
    }

    fn manifest(&self) -> String {
        let mut manifest = Manifest::new(self.version);
        for (name, (mode, _)) in &self.files {
            manifest.set(name, *mode);
        }
        manifest.source_system_name = self.source_system_name.clone();
        manifest.to_csv()
    }

    /// Writes the package into `dir` (created if missing).
    pub fn finish_folder(mut self, dir: &Path) -> io::Result<()> {
        self.end_file()?;
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("manifest.csv"), self.manifest())?;
        for (name, (_, spooled)) in self.files {
            let mut out = std::fs::File::create(dir.join(name))?;
            spooled.copy_to(&mut out)?;
        }
        Ok(())
    }

    /// Writes the package as a zip with every file at its root.
    pub fn finish_zip(mut self, out: impl Write + io::Seek) -> io::Result<()> {
        self.end_file()?;
        let mut zip = zip::ZipWriter::new(out);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("manifest.csv", options).map_err(io::Error::other)?;
        zip.write_all(self.manifest().as_bytes())?;
        for (_, (_, spooled)) in self.files {
            spooled.copy_compressed_to(&mut zip)?;
        }
        zip.finish().map_err(io::Error::other)?;
        Ok(())
    }
}
