//! Reading one data file row by row with bounded memory, checking every cell.

use std::io::{BufRead, BufReader, Read};

use super::{
    bytes::{fingerprint, CrWatch, IdSet, Seeds},
    values::Values,
    Diagnostics, FileSpec, Mode, V1P2_USERS_WITH_RESOURCES,
};
use crate::Version;

mod cells;

/// One data row: the spec columns' values (normalised where a warning said so) and the
/// `metadata.*` extension values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The line the row starts on (the header is line 1).
    pub line: u64,
    /// One value per spec column, in spec order; blank cells are empty strings.
    pub values: Values,
    /// Extension columns as (name after `metadata.`, value), blank ones left out.
    pub metadata: Vec<(String, String)>,
}

/// Streams the rows of one data file, reporting problems as it goes.
pub struct FileReader<R: Read> {
    spec: &'static FileSpec,
    version: Version,
    mode: Mode,
    reader: csv::Reader<BufReader<CrWatch<R>>>,
    finished: bool,
    record: csv::ByteRecord,
    header_len: usize,
    metadata: Vec<(usize, String)>,
    /// A 128-bit fingerprint of every sourcedId seen, for duplicates: 16 bytes a row instead of
    /// the id itself keeps a 10-million-row file to about 200 MB. Two independently seeded
    /// hashes make a false "appears twice" practically impossible (about 1 in 10^22 at that
    /// size) and crafted ids cannot aim for collisions.
    ids: IdSet,
    /// While the sourcedIds come in strictly increasing order, as many exports list them, none
    /// can repeat an earlier one: their fingerprints are only appended here. That costs far
    /// less than a hash-set insert each, a cache miss into a set of millions (a fifth of
    /// validating the 1M-student demo). They move into `ids` when the order breaks, or when
    /// the set is wanted for references.
    ordered: Vec<u128>,
    /// The last sourcedId while the order holds; `None` once it broke.
    last_id: Option<String>,
    seeds: Seeds,
    /// With CRLF line ends the csv crate places a record's start on the `\n` still ahead of
    /// it, one line early; this corrects the reported line.
    crlf: bool,
    /// The file's size in bytes, when known: once a few rows show their average length, the
    /// set of ids is sized for the whole file at once instead of growing (and rehashing) a
    /// dozen times on the way.
    expected_bytes: Option<u64>,
    rows: u64,
    /// Whether to remember ids to report duplicates (off for a second pass over a file that
    /// was validated already: saves the memory and the time).
    check_duplicates: bool,
    /// The row being checked has a CR, LF or NUL somewhere (looked for once per row, not per
    /// cell).
    row_has_odd_byte: bool,
}

impl<R: Read> FileReader<R> {
    /// Checks the header. `None` when the header makes the rows unreadable (reported as errors).
    pub fn open(spec: &'static FileSpec, version: Version, mode: Mode, input: R, diags: &mut Diagnostics) -> Option<Self> {
        let file = spec.name;
        let mut input = BufReader::with_capacity(1 << 16, CrWatch { inner: input, last_was_cr: false, bare_cr: false, nul: false });
        let mut crlf = false;
        if let Ok(start) = input.fill_buf() {
            crlf = start.iter().position(|b| *b == b'\n').is_some_and(|i| i > 0 && start[i - 1] == b'\r');
            if start.starts_with(b"\xEF\xBB\xBF") {
                diags.warning(file, Some(1), None, "starts with a UTF-8 byte order mark (BOM); ignored");
                input.consume(3);
            }
        }
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
        let mut header = csv::ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                diags.error(file, None, None, "is empty; the header row is required");
                return None;
            }
            Err(e) => {
                diags.error(file, Some(1), None, format!("the header cannot be read as CSV: {e}"));
                return None;
            }
        }
        let names: Vec<String> = header.iter().map(|h| String::from_utf8_lossy(h).into_owned()).collect();
        let spec = choose_layout(spec, version, &names, diags)?;
        let n = spec.columns.len();
        let mut metadata = Vec::new();
        for (i, name) in names.iter().enumerate().skip(n) {
            match name.strip_prefix("metadata.") {
                Some(ext) if !ext.is_empty() => match metadata_clash(&metadata, ext) {
                    None => metadata.push((i, ext.to_string())),
                    // Nested as JSON, one of the two would be lost: neither is read.
                    Some(why) => diags.error(file, Some(1), Some(name), format!("column {} `{name}` {why}", i + 1)),
                },
                _ => diags.error(
                    file,
                    Some(1),
                    Some(name),
                    format!("column {} `{name}` is not a OneRoster column; extra columns must be named metadata.NAME and come last", i + 1),
                ),
            }
        }
        Some(FileReader {
            spec,
            version,
            mode,
            reader,
            finished: false,
            record: csv::ByteRecord::new(),
            header_len: names.len(),
            metadata,
            ids: IdSet::default(),
            ordered: Vec::new(),
            last_id: Some(String::new()),
            seeds: Default::default(),
            crlf,
            expected_bytes: None,
            rows: 0,
            check_duplicates: true,
            row_has_odd_byte: false,
        })
    }

    /// Stops checking for duplicate sourcedIds: for a reader going over a file a validation
    /// pass has checked already.
    pub fn skip_duplicate_check(mut self) -> Self {
        self.check_duplicates = false;
        self
    }

    /// Fingerprints ids with these seeds (the validator's, so that it can keep the reader's
    /// set of ids for its reference checks instead of building the same set again).
    pub(crate) fn with_seeds(mut self, seeds: Seeds) -> Self {
        self.seeds = seeds;
        self
    }

    /// Tells the reader how large the file is (see `expected_bytes`).
    pub fn expect_bytes(mut self, bytes: Option<u64>) -> Self {
        self.expected_bytes = bytes;
        self
    }

    /// Reserves room in the id set for the rows the rest of the file will likely bring.
    fn presize_ids(&mut self) {
        // Sized for at most this many ids up front (a zip entry can claim any size); beyond,
        // the set grows as usual.
        const MOST: u64 = 16 << 20;
        let (Some(total), Some(at)) = (self.expected_bytes, self.record.position().map(|p| p.byte())) else { return };
        if at == 0 || !self.check_duplicates {
            return;
        }
        let estimate = (total as f64 / at as f64 * self.rows as f64 * 1.05) as u64;
        let more = estimate.min(MOST).saturating_sub((self.ids.len() + self.ordered.len()) as u64) as usize;
        if self.last_id.is_some() {
            self.ordered.reserve(more);
        } else {
            self.ids.reserve(more);
        }
    }

    /// Records a sourcedId; false when the file listed it before.
    fn note_id(&mut self, id: &str) -> bool {
        let fp = fingerprint(&self.seeds, id);
        if let Some(last) = &mut self.last_id {
            if id > last.as_str() {
                last.clear();
                last.push_str(id);
                self.ordered.push(fp);
                return true;
            }
            // Out of order: from here on every id is looked up in the set.
            self.last_id = None;
            self.move_ordered();
        }
        self.ids.insert(fp)
    }

    /// Moves the fingerprints kept in order into the set.
    fn move_ordered(&mut self) {
        self.ids.reserve(self.ordered.capacity());
        self.ids.extend(self.ordered.drain(..));
        self.ordered = Vec::new();
    }

    /// The fingerprints of every sourcedId read so far (empty without the duplicate check).
    pub(crate) fn take_ids(&mut self) -> IdSet {
        self.move_ordered();
        std::mem::take(&mut self.ids)
    }

    /// The layout actually read (the older 1.2 users layout when detected).
    pub fn spec(&self) -> &'static FileSpec {
        self.spec
    }

    /// The next row, or `None` at the end of the file (or when it cannot be read further).
    pub fn next_row(&mut self, diags: &mut Diagnostics) -> Option<Row> {
        let file = self.spec.name;
        if self.finished {
            return None;
        }
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => {
                    self.finished = true;
                    if self.reader.get_ref().get_ref().bare_cr {
                        diags.error(
                            file,
                            None,
                            None,
                            "uses a bare carriage return (CR without LF) as a line end; save it with CRLF or LF line ends",
                        );
                    }
                    return None;
                }
                Ok(true) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line() + u64::from(self.crlf && p.byte() > 0));
                    diags.error(file, line, None, format!("cannot be read as CSV from here on: {e}"));
                    return None;
                }
            }
            let line = self
                .record
                .position()
                .map(|p| p.line() + u64::from(self.crlf && p.byte() > 0))
                .unwrap_or(0);
            if self.record.len() == 1 && self.record[0].is_empty() {
                continue; // a blank line
            }
            if self.record.len() != self.header_len {
                diags.error(
                    file,
                    Some(line),
                    None,
                    format!("has {} fields; the header has {}", self.record.len(), self.header_len),
                );
            }
            self.rows += 1;
            if self.rows == 2048 {
                self.presize_ids();
            }
            let record = std::mem::take(&mut self.record);
            let mut values = Values::with_capacity(self.spec.columns.len(), record.as_slice().len());
            // The row's text checked as UTF-8 in one go; a cell is then a slice of it when it
            // starts and ends on character boundaries (so is valid text on its own), and
            // checked alone otherwise.
            let whole = std::str::from_utf8(record.as_slice()).ok();
            // (A NUL is looked for only once the file has shown one: most never do.)
            self.row_has_odd_byte = memchr::memchr2(b'\n', b'\r', record.as_slice()).is_some()
                || (self.reader.get_ref().get_ref().nul && memchr::memchr(0, record.as_slice()).is_some());
            for (i, column) in self.spec.columns.iter().enumerate() {
                let sliced = whole.and_then(|w| record.range(i).and_then(|r| w.get(r)));
                let text = match sliced.map_or_else(|| std::str::from_utf8(record.get(i).unwrap_or(b"")), Ok) {
                    Ok(t) => t,
                    Err(_) => {
                        diags.error(file, Some(line), Some(column.name), "is not valid UTF-8 text");
                        values.push("");
                        continue;
                    }
                };
                let value = self.check(column, text, line, diags);
                values.push(&value);
            }
            self.check_row(&values, line, diags);
            let mut metadata = Vec::new();
            for (i, name) in &self.metadata {
                let Some(bytes) = record.get(*i).filter(|b| !b.is_empty()) else { continue };
                let field = || format!("metadata.{name}");
                match std::str::from_utf8(bytes) {
                    Err(_) => diags.error(file, Some(line), Some(&field()), "is not valid UTF-8 text"),
                    Ok(v) if v.contains('\0') => diags.error(file, Some(line), Some(&field()), cells::NUL_MESSAGE),
                    Ok(v) => metadata.push((name.clone(), v.to_string())),
                }
            }
            self.record = record;
            return Some(Row { line, values, metadata });
        }
    }

    /// Rules across the cells of one row.
    fn check_row(&self, values: &Values, line: u64, diags: &mut Diagnostics) {
        let find = |name: &str| self.spec.columns.iter().position(|c| c.name == name).and_then(|i| values.get(i));
        if let (Some(subjects), Some(codes)) = (find("subjects"), find("subjectCodes")) {
            if !subjects.is_empty() && !codes.is_empty() {
                let (a, b) = (subjects.split(',').count(), codes.split(',').count());
                if a != b {
                    diags.error(
                        self.spec.name,
                        Some(line),
                        Some("subjectCodes"),
                        format!("has {b} codes for {a} subjects; they must pair up one to one"),
                    );
                }
            }
        }
    }
}

/// Why extension column `metadata.<ext>` cannot be kept beside the ones before it (`None` when
/// it can): the same name again, a name with an empty part, or a name that is both a value and
/// a group of others (`a` and `a.b`, which nest as `{"a": {"b": ...}}`).
fn metadata_clash(before: &[(usize, String)], ext: &str) -> Option<String> {
    if ext.split('.').any(str::is_empty) {
        return Some("has an empty part between dots; name it metadata.NAME or metadata.GROUP.NAME".into());
    }
    let under = |group: &str, name: &str| name.len() > group.len() && name.starts_with(group) && name.as_bytes()[group.len()] == b'.';
    before.iter().find(|(_, other)| other == ext || under(other, ext) || under(ext, other)).map(|(j, other)| {
        if other == ext {
            format!("repeats column {} of the same name; rename one of them", j + 1)
        } else {
            format!("clashes with column {} `metadata.{other}`: one name cannot be both a value and a group of values; rename one of them", j + 1)
        }
    })
}

/// The spec to read a header with: the file's own, or for 1.2 `users.csv` the older layout
/// with `resourceSourcedIds` (warned). `None` when the header does not match (reported).
fn choose_layout(
    spec: &'static FileSpec,
    version: Version,
    names: &[String],
    diags: &mut Diagnostics,
) -> Option<&'static FileSpec> {
    let matches = |s: &FileSpec| names.len() >= s.columns.len() && s.columns.iter().zip(names).all(|(c, n)| c.name == n);
    if matches(spec) {
        return Some(spec);
    }
    if version == Version::V1p2 && spec.name == "users.csv" && matches(&V1P2_USERS_WITH_RESOURCES) {
        diags.warning(spec.name, Some(1), Some("resourceSourcedIds"), "uses the older 1.2 layout with resourceSourcedIds; read as such");
        return Some(&V1P2_USERS_WITH_RESOURCES);
    }
    let expected: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
    for (i, want) in expected.iter().enumerate() {
        match names.get(i) {
            Some(got) if got == want => continue,
            Some(got) if got.eq_ignore_ascii_case(want) => {
                diags.error(spec.name, Some(1), Some(got), format!("column {} is `{got}`; expected `{want}` (names are case-sensitive)", i + 1))
            }
            Some(got) => diags.error(spec.name, Some(1), Some(got), format!("column {} is `{got}`; expected `{want}`", i + 1)),
            None => diags.error(spec.name, Some(1), Some(want), format!("column {} `{want}` is missing", i + 1)),
        }
        break;
    }
    diags.error(
        spec.name,
        Some(1),
        None,
        format!("the header must list these columns in this order: {}; the rows cannot be read", expected.join(",")),
    );
    None
}
