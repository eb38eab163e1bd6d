//! `rollbook validate PATH`: check a OneRoster CSV package without importing it.

use std::path::Path;

use oneroster::csv::{validate, Report, Severity};
use serde_json::json;

/// Exit status: 0 valid, 1 invalid, 2 not a usable package.
pub(crate) fn run(path: &Path, as_json: bool) -> u8 {
    match validate(path) {
        Err(unusable) => {
            if as_json {
                println!("{}", json!({ "valid": false, "usable": false, "error": unusable.to_string() }));
            }
            eprintln!("error: {}: {unusable}", path.display());
            2
        }
        Ok(report) => {
            if as_json {
                print_json(&report);
            } else {
                print_text(path, &report);
            }
            if report.is_valid() {
                0
            } else {
                1
            }
        }
    }
}

fn print_text(path: &Path, report: &Report) {
    for d in report.diagnostics.items() {
        println!("{d}");
    }
    if report.diagnostics.dropped > 0 {
        println!("… and {} more (the first 1,000 per file are shown)", report.diagnostics.dropped);
    }
    let version = report.version.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
    let rows: u64 = report.files.iter().map(|f| f.rows).sum();
    println!();
    println!("{}: OneRoster {version} package, {} files read, {} rows", path.display(), report.files.len(), rows);
    for f in &report.files {
        println!("  {:<24} {:<6} {:>10} rows", f.name, f.mode, f.rows);
    }
    let (e, w) = (report.diagnostics.errors, report.diagnostics.warnings);
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if report.is_valid() {
        println!("Valid ({}).", plural(w, "warning"));
    } else {
        println!("Invalid: {}, {}.", plural(e, "error"), plural(w, "warning"));
    }
}

fn print_json(report: &Report) {
    let diagnostics: Vec<_> = report
        .diagnostics
        .items()
        .iter()
        .map(|d| {
            json!({
                "file": d.file, "line": d.line, "field": d.field,
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": d.message,
            })
        })
        .collect();
    let doc = json!({
        "valid": report.is_valid(),
        "usable": true,
        "version": report.version.map(|v| v.to_string()),
        "files": report.files,
        "errors": report.diagnostics.errors,
        "warnings": report.diagnostics.warnings,
        "diagnostics": diagnostics,
        "diagnostics_not_shown": report.diagnostics.dropped,
    });
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}
