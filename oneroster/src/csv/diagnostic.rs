//! Problems found in a package, with where they are.

use std::fmt;

use serde::Serialize;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Harmless deviation, accepted (and normalised).
    Warning,
    /// The value or file cannot be used as it is.
    Error,
}

/// One problem: file, line, field, severity and a message for the person who fixes the export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line of the row (the header is line 1); `None` for the file as a whole.
    pub line: Option<u64>,
    pub field: Option<String>,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        let tag = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {tag}: {}", self.message)
    }
}

/// Collected diagnostics. Counts are exact; the stored list is capped per file so that a
/// million bad rows cannot exhaust memory (the cap is reported).
#[derive(Clone, Debug)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    per_file_cap: usize,
    stored_per_file: std::collections::HashMap<String, usize>,
    /// The rows of the errors not listed (over the cap), per file: an import that leaves out
    /// invalid rows must know every one of them, not only the listed ones.
    unlisted_error_rows: std::collections::HashMap<String, Vec<u64>>,
    /// Errors not listed that concern a file as a whole (no row to leave out).
    unlisted_file_errors: u64,
    pub errors: u64,
    pub warnings: u64,
    pub dropped: u64,
}

impl Default for Diagnostics {
    fn default() -> Self {
        Diagnostics::with_cap(1000)
    }
}

impl Diagnostics {
    /// Keeps at most `per_file_cap` diagnostics per file (all are counted).
    pub fn with_cap(per_file_cap: usize) -> Self {
        Diagnostics {
            items: Vec::new(),
            per_file_cap,
            stored_per_file: Default::default(),
            unlisted_error_rows: Default::default(),
            unlisted_file_errors: 0,
            errors: 0,
            warnings: 0,
            dropped: 0,
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        let stored = self.stored_per_file.entry(d.file.clone()).or_default();
        if *stored < self.per_file_cap {
            *stored += 1;
            self.items.push(d);
        } else {
            self.dropped += 1;
            if d.severity == Severity::Error {
                match d.line {
                    Some(line) => self.unlisted_error_rows.entry(d.file).or_default().push(line),
                    None => self.unlisted_file_errors += 1,
                }
            }
        }
    }

    /// Takes in what `other` found: its listed problems (under this list's cap) and the
    /// counts and rows of those it did not list, so that the totals stay exact.
    pub fn absorb(&mut self, other: Diagnostics) {
        let listed = |severity| other.items.iter().filter(|d| d.severity == severity).count() as u64;
        let (unlisted_errors, unlisted_warnings) = (other.errors - listed(Severity::Error), other.warnings - listed(Severity::Warning));
        for d in other.items {
            self.push(d);
        }
        self.errors += unlisted_errors;
        self.warnings += unlisted_warnings;
        self.dropped += other.dropped;
        self.unlisted_file_errors += other.unlisted_file_errors;
        for (file, lines) in other.unlisted_error_rows {
            self.unlisted_error_rows.entry(file).or_default().extend(lines);
        }
    }

    /// Every row with an error, listed or not, as (file, line); `None` when an error concerns
    /// a whole file, which leaving out rows cannot mend.
    pub fn error_rows(&self) -> Option<std::collections::HashSet<(String, u64)>> {
        let listed = self.items.iter().filter(|d| d.severity == Severity::Error);
        if self.unlisted_file_errors > 0 || listed.clone().any(|d| d.line.is_none()) {
            return None;
        }
        let mut rows: std::collections::HashSet<(String, u64)> = listed.filter_map(|d| Some((d.file.clone(), d.line?))).collect();
        for (file, lines) in &self.unlisted_error_rows {
            rows.extend(lines.iter().map(|&line| (file.clone(), line)));
        }
        Some(rows)
    }

    /// Adds an error.
    pub fn error(&mut self, file: &str, line: Option<u64>, field: Option<&str>, message: impl Into<String>) {
        self.push(Diagnostic {
            file: file.into(),
            line,
            field: field.map(Into::into),
            severity: Severity::Error,
            message: message.into(),
        });
    }

    /// Adds a warning.
    pub fn warning(&mut self, file: &str, line: Option<u64>, field: Option<&str>, message: impl Into<String>) {
        self.push(Diagnostic {
            file: file.into(),
            line,
            field: field.map(Into::into),
            severity: Severity::Warning,
            message: message.into(),
        });
    }

    /// The stored diagnostics in the order found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// True when nothing at all was found.
    pub fn is_empty(&self) -> bool {
        self.errors == 0 && self.warnings == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_past_the_cap_are_still_known_and_counted() {
        let mut d = Diagnostics::with_cap(1);
        for line in [2, 3, 4] {
            d.error("users.csv", Some(line), Some("enabledUser"), "bad");
        }
        d.warning("users.csv", Some(5), None, "odd");
        assert_eq!((d.items().len(), d.errors, d.warnings, d.dropped), (1, 3, 1, 3));
        let rows = d.error_rows().unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows.contains(&("users.csv".to_string(), 4)));
        // A whole-file error, listed or not, cannot be mended by leaving out rows.
        d.error("roles.csv", Some(2), None, "bad");
        assert!(d.error_rows().is_some());
        d.error("roles.csv", None, None, "the header is wrong");
        assert!(d.error_rows().is_none());
    }

    #[test]
    fn absorbing_keeps_the_totals_exact() {
        let mut later = Diagnostics::with_cap(1);
        later.warning("roles.csv", Some(2), None, "left out");
        later.warning("roles.csv", Some(3), None, "left out");
        later.error("roles.csv", Some(4), None, "bad");
        let mut all = Diagnostics::with_cap(10);
        all.error("users.csv", Some(2), None, "bad");
        all.absorb(later);
        assert_eq!((all.items().len(), all.errors, all.warnings, all.dropped), (2, 2, 2, 2));
        assert_eq!(all.error_rows().unwrap(), [("users.csv".to_string(), 2), ("roles.csv".to_string(), 4)].into_iter().collect());
    }
}
