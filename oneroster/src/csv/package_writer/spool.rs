//! A data file on its way into a package: written through a bounded channel to a thread that
//! compresses it into a one-entry zip in an anonymous temporary file.
//!
//! Compressing while the rows are still being produced puts the deflate work on the second
//! core instead of after everything else (it was a fifth of a large export, done at the end);
//! the package's zip then copies each entry's compressed bytes without inflating them again.

use std::{
    fs::File,
    io::{self, Read, Seek, SeekFrom, Write},
    sync::mpsc::{sync_channel, SyncSender},
    thread::JoinHandle,
};

/// Bytes handed to the compressing thread at a time.
const CHUNK: usize = 256 * 1024;
/// Chunks in flight: the memory a spool may hold beyond its own buffer.
const IN_FLIGHT: usize = 4;
/// Deflate level: 3 compresses a roster's CSV within a few percent of the default level 6 at
/// about twice the speed.
const LEVEL: i64 = 3;

/// A file being written; [`Spool::finish`] waits for its compression.
pub(super) struct Spool {
    buffer: Vec<u8>,
    sender: Option<SyncSender<Vec<u8>>>,
    worker: Option<JoinHandle<io::Result<File>>>,
}

/// A finished file: a zip holding one compressed entry under the file's name.
pub(super) struct Spooled(File);

impl Spool {
    /// Starts the compressing thread for a file called `name` in the package.
    pub(super) fn new(name: &'static str) -> io::Result<Spool> {
        let file = anonymous_file()?;
        let (sender, receiver) = sync_channel::<Vec<u8>>(IN_FLIGHT);
        let worker = std::thread::Builder::new().name(format!("deflate {name}")).spawn(move || {
            let mut zip = zip::ZipWriter::new(io::BufWriter::new(file));
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .compression_level(Some(LEVEL));
            zip.start_file(name, options).map_err(io::Error::other)?;
            for chunk in receiver {
                zip.write_all(&chunk)?;
            }
            let out = zip.finish().map_err(io::Error::other)?;
            out.into_inner().map_err(|e| e.into_error())
        })?;
        Ok(Spool { buffer: Vec::with_capacity(CHUNK), sender: Some(sender), worker: Some(worker) })
    }

    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        let sent = self.sender.as_ref().map(|s| s.send(chunk).is_ok()).unwrap_or(false);
        if sent {
            Ok(())
        } else {
            // The thread stopped early: its error says why.
            Err(self.join().err().unwrap_or_else(|| io::Error::other("the compressing thread stopped")))
        }
    }

    fn join(&mut self) -> io::Result<File> {
        self.sender = None;
        let worker = self.worker.take().ok_or_else(|| io::Error::other("the compressing thread already stopped"))?;
        worker.join().map_err(|_| io::Error::other("the compressing thread panicked"))?
    }

    /// Sends what is left and waits for the compressed file.
    pub(super) fn finish(mut self) -> io::Result<Spooled> {
        self.send()?;
        let mut file = self.join()?;
        file.seek(SeekFrom::Start(0))?;
        Ok(Spooled(file))
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Spooled {
    fn archive(self) -> io::Result<zip::ZipArchive<File>> {
        zip::ZipArchive::new(self.0).map_err(io::Error::other)
    }

    /// Copies the entry, still compressed, into `zip`.
    pub(super) fn copy_compressed_to<W: Write + Seek>(self, zip: &mut zip::ZipWriter<W>) -> io::Result<()> {
        let mut archive = self.archive()?;
        let entry = archive.by_index_raw(0).map_err(io::Error::other)?;
        zip.raw_copy_file(entry).map_err(io::Error::other)
    }

    /// Copies the file's plain bytes to `out`.
    pub(super) fn copy_to(self, out: &mut impl Write) -> io::Result<u64> {
        let mut archive = self.archive()?;
        let mut entry = archive.by_index(0).map_err(io::Error::other)?;
        io::copy(&mut (&mut entry as &mut dyn Read), out)
    }
}

/// A temporary file readable by this process only, unlinked at once: the data lives as long
/// as the handle, and nothing is left behind, whatever happens.
fn anonymous_file() -> io::Result<File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "oneroster-spool-{}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(file)
}
