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
        }
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
