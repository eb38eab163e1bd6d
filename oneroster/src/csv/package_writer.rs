//! Writing a whole package: `manifest.csv` listing every file of the version, and the data files,
//! into a folder or a zip (files at its root, as the spec wants).

use std::{
    collections::BTreeMap,
    fs::File,
    io::{self, Write},
    path::Path,
};

use super::{catalog, FileWriter, Manifest, Mode, Row};
use crate::Version;

/// Collects files in memory-bounded pieces and writes the package at the end.
///
/// Each data file is written row by row into its own buffer file on disk, so a large export does
/// not sit in memory; [`finish_folder`](Self::finish_folder) / [`finish_zip`](Self::finish_zip)
/// assemble the package.
pub struct PackageWriter {
    version: Version,
    files: BTreeMap<&'static str, (Mode, tempfile_like::Spool)>,
    source_system_name: Option<String>,
    /// The file being written row by row ([`start_file`](Self::start_file)).
    open: Option<(&'static str, Mode, FileWriter<tempfile_like::Spool>)>,
}

impl PackageWriter {
    pub fn new(version: Version) -> Self {
        PackageWriter { version, files: BTreeMap::new(), source_system_name: None, open: None }
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
    /// rows that arrive a page at a time; [`end_file`](Self::end_file) closes it.
    pub fn start_file(&mut self, name: &str, mode: Mode, metadata: Vec<String>) -> io::Result<()> {
        self.end_file()?;
        let spec = catalog(self.version)
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{name} is not a file of OneRoster {}", self.version)))?;
        let writer = FileWriter::new(spec, metadata, tempfile_like::Spool::new()?).map_err(io::Error::other)?;
        self.open = Some((spec.name, mode, writer));
        Ok(())
    }

    /// Writes one row into the file started last.
    pub fn write_row(&mut self, row: &Row) -> io::Result<()> {
        let (_, _, writer) = self.open.as_mut().ok_or_else(|| io::Error::other("no file is open; call start_file first"))?;
        writer.write(row).map_err(io::Error::other)
    }

    /// Closes the file started last (nothing happens when none is open).
    pub fn end_file(&mut self) -> io::Result<()> {
        if let Some((name, mode, writer)) = self.open.take() {
            self.files.insert(name, (mode, writer.finish()?));
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
        for (name, (_, mut spool)) in self.files {
            let mut out = File::create(dir.join(name))?;
            spool.copy_to(&mut out)?;
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
        for (name, (_, mut spool)) in self.files {
            zip.start_file(name, options).map_err(io::Error::other)?;
            spool.copy_to(&mut zip)?;
        }
        zip.finish().map_err(io::Error::other)?;
        Ok(())
    }
}

/// An anonymous temporary file used as a write-then-read-once buffer.
mod tempfile_like {
    use std::{
        fs::File,
        io::{self, Read, Seek, SeekFrom, Write},
    };

    pub struct Spool(File);

    impl Spool {
        pub fn new() -> io::Result<Self> {
            let path = std::env::temp_dir().join(format!(
                "oneroster-spool-{}-{}",
                std::process::id(),
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
            ));
            let mut options = std::fs::OpenOptions::new();
            options.read(true).write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let file = options.open(&path)?;
            // Unlinked at once: the data lives as long as the handle, and nothing is left behind.
            std::fs::remove_file(&path)?;
            Ok(Spool(file))
        }

        pub fn copy_to(&mut self, out: &mut impl Write) -> io::Result<u64> {
            self.0.seek(SeekFrom::Start(0))?;
            io::copy(&mut (&self.0).take(u64::MAX), out)
        }
    }

    impl Write for Spool {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.0.flush()
        }
    }
}
