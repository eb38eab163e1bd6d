//! Checking one cell of a data file against its column: required or blank, the column's
//! kind (ids, dates, vocabularies, lists, ...), normalising where the spec allows it with a
//! warning, and reporting what cannot be read.

use std::{borrow::Cow, io::Read};

use super::{
    super::{
        cell::{check_id, lenient_vocab, split_list, Cell},
        Column, Diagnostics, Kind, Mode, Req,
    },
    FileReader,
};
use crate::{
    model::{parse_date, parse_datetime, DateTimeStrictness, Grade, Status},
    Version,
};

/// The longest value (or list item) Rollbook keeps. PostgreSQL cannot index a value of more
/// than about 2.7 KB, and no roster value needs 1 KB.
pub(crate) const MAX_VALUE_BYTES: usize = 1024;

/// What a value over [`MAX_VALUE_BYTES`] is told.
const TOO_LONG: &str = "Rollbook keeps values of at most 1,024 bytes";

/// What a value with a NUL character is told (PostgreSQL cannot store one in text).
pub(crate) const NUL_MESSAGE: &str = "contains a NUL character (byte 0), which Rollbook cannot store";

impl<R: Read> FileReader<R> {
    /// Checks one cell and returns its (normalised) value: `text` itself unless it needed
    /// normalising, so that a valid cell costs no allocation.
    pub(super) fn check<'t>(&mut self, column: &Column, text: &'t str, line: u64, diags: &mut Diagnostics) -> Cow<'t, str> {
        let file = self.spec.name;
        let field = Some(column.name);
        let v12 = self.version == Version::V1p2;
        if self.row_has_odd_byte && !odd_bytes_pass(text, v12, file, line, column.name, diags) {
            return Cow::Borrowed("");
        }
        match (column.req, self.mode) {
            (Req::BulkBlankDeltaRequired, Mode::Bulk) => {
                if !text.is_empty() {
                    if v12 {
                        // An error rejects the row (or the package), so nothing is "ignored".
                        diags.error(file, Some(line), field, "must be blank in a bulk file");
                    } else {
                        // Many 1.1 producers fill it anyway (SPEC-NOTES §7.4).
                        diags.warning(file, Some(line), field, "must be blank in a bulk file; the value is ignored");
                    }
                }
                return Cow::Borrowed("");
            }
            (Req::BulkBlankDeltaRequired, _) | (Req::Required, _) if text.is_empty() => {
                let why = if column.req == Req::Required { "is required" } else { "is required in a delta file" };
                diags.error(file, Some(line), field, why);
                return Cow::Borrowed("");
            }
            _ if text.is_empty() => return Cow::Borrowed(""),
            _ => {}
        }
        let mut cell = Cell { diags, file, line, field: column.name };
        if text.len() > MAX_VALUE_BYTES && too_long(column.kind, text, &mut cell) {
            return Cow::Borrowed("");
        }
        match column.kind {
            Kind::Id => {
                check_id(text, v12, &mut cell);
                if column.name == "sourcedId" && self.check_duplicates && !self.note_id(text) {
                    cell.fail(format!("`{text}` appears twice in this file"));
                }
                Cow::Borrowed(text)
            }
            Kind::Status => match Status::parse_with_legacy(text) {
                Ok((s, true)) => {
                    cell.warn(format!("`{text}` read as `{s}`"));
                    Cow::Owned(s.to_string())
                }
                // Read exactly: the text is the value.
                Ok((_, false)) => Cow::Borrowed(text),
                Err(e) => {
                    cell.fail(e.to_string());
                    Cow::Borrowed("")
                }
            },
            Kind::DateTime => match parse_datetime(text, DateTimeStrictness::Lenient) {
                // Written exactly: the text is the value (but a leap second, :60, reads as
                // the last instant before it, which is what is kept).
                Some((_, false)) if text.get(17..19) != Some("60") => Cow::Borrowed(text),
                Some((t, normalised)) => {
                    let exact = crate::model::format_datetime(t);
                    if normalised || exact != text {
                        cell.warn(format!("`{text}` read as `{exact}` (expected exactly YYYY-MM-DDTHH:MM:SS.sssZ)"));
                    }
                    Cow::Owned(exact)
                }
                None => {
                    cell.fail(format!("`{text}` is not a date and time; expected e.g. 2025-09-02T14:05:00.000Z"));
                    Cow::Borrowed("")
                }
            },
            Kind::Date => match parse_date(text) {
                Some(_) => Cow::Borrowed(text),
                None => {
                    cell.fail(format!("`{text}` is not a date; expected YYYY-MM-DD"));
                    Cow::Borrowed("")
                }
            },
            Kind::Year => {
                if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
                    Cow::Borrowed(text)
                } else {
                    cell.fail(format!("`{text}` is not a year; expected four digits such as 2026"));
                    Cow::Borrowed("")
                }
            }
            Kind::Bool => match text {
                "true" | "false" => Cow::Borrowed(text),
                _ if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") => {
                    let lower = text.to_ascii_lowercase();
                    cell.warn(format!("`{text}` read as `{lower}`"));
                    Cow::Owned(lower)
                }
                _ => {
                    cell.fail(format!("`{text}` is not true or false"));
                    Cow::Borrowed("")
                }
            },
            Kind::Text => Cow::Borrowed(text),
            Kind::List => joined(text, list(text, &mut cell)),
            Kind::Grades => {
                let items = list(text, &mut cell);
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match Grade::parse_lenient(&item) {
                        Ok((g, normalised)) => {
                            if normalised {
                                cell.warn(format!("`{item}` read as `{g}`"));
                            }
                            out.push(Cow::Owned(g.to_string()));
                        }
                        Err(e) => cell.fail(e.to_string()),
                    }
                }
                joined(text, out)
            }
            Kind::UserIds => {
                for item in list(text, &mut cell) {
                    let ok = item.starts_with('{')
                        && item.ends_with('}')
                        && item[1..item.len() - 1].matches(':').count() == 1;
                    if !ok {
                        cell.fail(format!("`{item}` is not a user id; expected {{type:identifier}}, e.g. {{SIS:9981}}"));
                    }
                }
                Cow::Borrowed(text)
            }
            Kind::Vocab(vocab) => match lenient_vocab(vocab, text) {
                Ok(None) => Cow::Borrowed(text),
                Ok(Some(value)) => {
                    cell.warn(format!("`{text}` read as `{value}`"));
                    Cow::Owned(value)
                }
                Err(e) => {
                    cell.fail(e.to_string());
                    Cow::Borrowed("")
                }
            },
            Kind::Ref(_) => {
                check_id(text, v12, &mut cell);
                Cow::Borrowed(text)
            }
            Kind::RefList(_) => {
                let mut items = list(text, &mut cell);
                // A reference listed twice says no more than once (and a 1.1 user listing one
                // org twice would otherwise make two roles with the same sourcedId).
                if items.len() > 1 {
                    let mut unique: Vec<Cow<'_, str>> = Vec::with_capacity(items.len());
                    for item in items {
                        if unique.contains(&item) {
                            cell.warn(format!("`{item}` is listed twice; read once"));
                        } else {
                            unique.push(item);
                        }
                    }
                    items = unique;
                }
                for item in &items {
                    check_id(item, v12, &mut cell);
                }
                joined(text, items)
            }
        }
    }
}

/// Reports a line break (an error in 1.2, a warning in 1.1) or a NUL character in a cell of a
/// row that has one of them somewhere; false when the cell cannot be kept. Out of line: rare.
#[cold]
#[inline(never)]
fn odd_bytes_pass(text: &str, v12: bool, file: &'static str, line: u64, field: &'static str, diags: &mut Diagnostics) -> bool {
    if text.contains(['\n', '\r']) {
        let message = "contains a line break; OneRoster CSV values must stay on one line";
        if v12 {
            diags.error(file, Some(line), Some(field), message);
        } else {
            diags.warning(file, Some(line), Some(field), message);
        }
    }
    if text.contains('\0') {
        diags.error(file, Some(line), Some(field), NUL_MESSAGE);
        return false;
    }
    true
}

/// Reports a value over [`MAX_VALUE_BYTES`]; true when it cannot be kept (lists are checked
/// item by item, in `list`). Out of line: rare.
#[cold]
#[inline(never)]
fn too_long(kind: Kind, text: &str, cell: &mut Cell<'_>) -> bool {
    if matches!(kind, Kind::List | Kind::Grades | Kind::UserIds | Kind::RefList(_)) {
        return false;
    }
    cell.fail(format!("is {} bytes long; {TOO_LONG}", text.len()));
    true
}

/// The items of a multi-value cell: borrowed from `text` when it is already written as
/// `a,b,c` (the common case), else through [`split_list`], which reports what it fixed.
fn list<'t>(text: &'t str, cell: &mut Cell<'_>) -> Vec<Cow<'t, str>> {
    if text.len() > MAX_VALUE_BYTES {
        if let Some(long) = text.split(',').map(str::len).filter(|n| *n > MAX_VALUE_BYTES).max() {
            cell.fail(format!("has an item {long} bytes long; {TOO_LONG}"));
        }
    }
    if text.split(',').all(|item| !item.is_empty() && item.trim().len() == item.len()) {
        text.split(',').map(Cow::Borrowed).collect()
    } else {
        split_list(text, cell).into_iter().map(Cow::Owned).collect()
    }
}

/// `items` joined with commas: `text` itself when that is what it says.
fn joined<'t>(text: &'t str, items: Vec<Cow<'_, str>>) -> Cow<'t, str> {
    let same = items.iter().map(|i| i.len()).sum::<usize>() + items.len().saturating_sub(1) == text.len()
        && text.split(',').eq(items.iter().map(|i| i.as_ref()));
    if same {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(items.join(","))
    }
}
