//! Writing data files: the spec header, RFC 4180 quoting only where needed, CRLF, no BOM.

use std::io::Write;

use super::{FileSpec, Row};

/// Writes one data file row by row.
pub struct FileWriter<W: Write> {
    inner: csv::Writer<W>,
    columns: usize,
    metadata: Vec<String>,
}

impl<W: Write> FileWriter<W> {
    /// Starts a file: writes the header (spec columns, then `metadata.NAME` for each extension).
    pub fn new(spec: &FileSpec, metadata: Vec<String>, out: W) -> csv::Result<Self> {
        let mut inner = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        let header = spec.columns.iter().map(|c| c.name.to_string()).chain(metadata.iter().map(|m| format!("metadata.{m}")));
        inner.write_record(header)?;
        Ok(FileWriter { inner, columns: spec.columns.len(), metadata })
    }

    /// Writes one row: the spec values (in spec order) and its extension values.
    pub fn write(&mut self, row: &Row) -> csv::Result<()> {
        debug_assert_eq!(row.values.len(), self.columns);
        let extensions = self
            .metadata
            .iter()
            .map(|name| row.metadata.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).unwrap_or(""));
        self.inner.write_record(row.values.iter().chain(extensions))
    }

    /// Flushes and returns the output.
    pub fn finish(self) -> Result<W, std::io::Error> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}
