//! `rollbook import PATH`: import a OneRoster CSV package and print its report.

use store::roster::{ImportOptions, ImportReport, Outcome};

use super::progress::TerminalProgress;
use crate::{
    cli::{GlobalArgs, ImportArgs},
    config, CliError,
};

/// Problems printed in text mode before pointing to `imports show --json`.
const PROBLEMS_SHOWN: usize = 50;

pub(crate) async fn run(global: &GlobalArgs, args: ImportArgs) -> Result<u8, CliError> {
    if !args.path.exists() {
        return Err(CliError::Io(format!("{}: no such file or folder", args.path.display())));
    }
    let store = store::connect(&config::database_url(global)).await.map_err(CliError::from_connect)?;
    let mut options = ImportOptions::new(args.source, &global.data_dir);
    options.actor = actor();
    options.skip_invalid = match (args.skip_invalid, args.no_skip_invalid) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let progress = TerminalProgress::new();
    let result = store.import_package(&args.path, &options, &progress).await;
    progress.finish();
    store.close().await;
    let report = result?;
    print_report(&report, args.json);
    Ok(exit_status(&report))
}

/// Who runs the CLI, for the import's and revision's records.
pub(crate) fn actor() -> String {
    match std::env::var("USER") {
        Ok(user) if !user.is_empty() => format!("cli:{user}"),
        _ => "cli".into(),
    }
}

/// 0 applied, 3 held, 1 anything else.
pub(crate) fn exit_status(report: &ImportReport) -> u8 {
    match report.outcome {
        Outcome::Applied => 0,
        Outcome::Held => 3,
        _ => 1,
    }
}

/// Prints a report as text or JSON.
pub(crate) fn print_report(report: &ImportReport, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(report).unwrap_or_default());
        return;
    }
    println!("Import {} of {} (source {}): {}.", report.id, report.package, report.source, report.message);
    if let Some(v) = &report.version {
        let files: Vec<String> = report.files.iter().map(|f| format!("{} ({}, {} rows)", f.name, f.mode, f.rows)).collect();
        println!("OneRoster {v}: {}", files.join(", "));
    }
    if !report.entities.is_empty() {
        println!();
        println!("  {:<18} {:>10} {:>10} {:>10} {:>10} {:>10}", "ENTITY", "CREATED", "UPDATED", "DELETED", "UNCHANGED", "SKIPPED");
        for (name, c) in &report.entities {
            println!("  {name:<18} {:>10} {:>10} {:>10} {:>10} {:>10}", c.created, c.updated, c.deleted, c.unchanged, c.skipped);
        }
    }
    if !report.hold_reasons.is_empty() {
        println!();
        println!("Held because:");
        for reason in &report.hold_reasons {
            println!("  - {reason}");
        }
        for (table, samples) in &report.samples {
            let ids: Vec<String> = samples.iter().map(|s| format!("{} {}", s.change, s.sourced_id)).collect();
            println!("  sample of {table}: {}", ids.join(", "));
        }
        println!("Review it, then: rollbook imports approve {id}   or   rollbook imports discard {id}", id = report.id);
    }
    if !report.problems.is_empty() {
        println!();
        for p in report.problems.iter().take(PROBLEMS_SHOWN) {
            println!("{p}");
        }
        let more = report.problems.len().saturating_sub(PROBLEMS_SHOWN) as u64 + report.problems_not_listed;
        if more > 0 {
            println!("… and {more} more (rollbook imports show {} --json lists every stored one)", report.id);
        }
    }
    println!();
    let plural = |n: u64, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    println!("{}, {}; took {:.1} s.", plural(report.errors, "error"), plural(report.warnings, "warning"), report.duration_ms as f64 / 1000.0);
}
