//! `rollbook imports ...`: the import history, reports, held-import decisions, the policy.

use serde_json::json;
use store::Store;

use super::{
    import::{actor, exit_status, print_report},
    progress::TerminalProgress,
};
use crate::{
    cli::{GlobalArgs, ImportsCommand},
    config, CliError,
};

pub(crate) async fn run(global: &GlobalArgs, cmd: ImportsCommand) -> Result<u8, CliError> {
    let store = store::connect(&config::database_url(global)).await.map_err(CliError::from_connect)?;
    let result = dispatch(&store, cmd).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, cmd: ImportsCommand) -> Result<u8, CliError> {
    if matches!(cmd, ImportsCommand::List { .. } | ImportsCommand::Show { .. }) {
        // An import whose process has ended (a crash, `kill -9`) shows as failed, not running;
        // imports running in another command or server are left alone. Best effort: the list
        // is worth showing either way.
        if let Err(e) = store.recover_interrupted_imports().await {
            tracing::warn!(error = %e, "could not mark cut-off imports failed");
        }
    }
    match cmd {
        ImportsCommand::List { limit, json } => {
            let imports = store.imports(limit).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&imports).unwrap_or_default());
            } else if imports.is_empty() {
                println!("No imports yet. Import a package with: rollbook import PATH");
            } else {
                println!("{:>5}  {:<10} {:<9} {:<8} {:>8}  {:<24} MESSAGE", "ID", "STATUS", "SOURCE", "ORIGIN", "REVISION", "STARTED");
                for i in &imports {
                    let revision = i.revision.map(|r| r.to_string()).unwrap_or_else(|| "-".into());
                    println!(
                        "{:>5}  {:<10} {:<9} {:<8} {:>8}  {:<24} {}: {}",
                        i.id,
                        i.outcome.as_str(),
                        i.source,
                        i.origin,
                        revision,
                        i.started_at,
                        i.package,
                        i.message
                    );
                }
            }
            Ok(0)
        }
        ImportsCommand::Show { id, json } => {
            let (summary, report) = store.import(id).await?;
            match report {
                Some(report) => print_report(&report, json),
                None if json => println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default()),
                None => println!("Import {id} of {} (source {}): {}.", summary.package, summary.source, summary.message),
            }
            Ok(0)
        }
        ImportsCommand::Approve { id, json } => {
            let progress = TerminalProgress::new();
            let result = store.approve_import(id, &actor(), &progress).await;
            progress.finish();
            // The store records the decision in the audit log.
            let report = result?;
            print_report(&report, json);
            Ok(exit_status(&report))
        }
        ImportsCommand::Discard { id, json } => {
            let report = store.discard_import(id, &actor()).await?;
            if json {
                println!("{}", json!({ "id": report.id, "outcome": report.outcome }));
            } else {
                println!("Discarded import {id}; nothing of it was applied.");
            }
            Ok(0)
        }
        ImportsCommand::Settings { set, unset, json } => {
            for pair in &set {
                let (key, value) = pair
                    .split_once('=')
                    .ok_or_else(|| CliError::Config(format!("--set takes KEY=VALUE, not `{pair}`")))?;
                store.set_import_setting(key.trim(), Some(value.trim())).await?;
            }
            for key in &unset {
                store.set_import_setting(key.trim(), None).await?;
            }
            let policy = store.import_policy().await?;
            if json {
                println!("{}", json!({ "skip_invalid": policy.skip_invalid, "settings": policy.settings() }));
            } else {
                println!("skip_invalid = {}", policy.skip_invalid);
                println!("hold.delete_percent = {}", policy.delete_percent(""));
                println!("hold.change_percent = {}", policy.change_percent(""));
                for (k, v) in policy.settings() {
                    if k.matches('.').count() == 2 {
                        println!("{k} = {v}");
                    }
                }
            }
            Ok(0)
        }
    }
}
