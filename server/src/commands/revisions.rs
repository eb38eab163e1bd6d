//! `rollbook revisions list` and `rollbook rollback REVISION [--dry-run]`.

use crate::{
    cli::{GlobalArgs, RevisionsCommand},
    config, CliError,
};

pub(crate) async fn list(global: &GlobalArgs, cmd: RevisionsCommand) -> Result<(), CliError> {
    let RevisionsCommand::List { limit, json } = cmd;
    let store = store::connect(&config::database_url(global)).await.map_err(CliError::from_connect)?;
    let revisions = store.revisions(limit).await;
    store.close().await;
    let revisions = revisions?;
    if json {
        println!("{}", serde_json::to_string_pretty(&revisions).unwrap_or_default());
    } else if revisions.is_empty() {
        println!("No revisions yet: the roster is empty until the first import.");
    } else {
        println!("{:>8}  {:<24} {:<16} SUMMARY", "REVISION", "CREATED", "BY");
        for r in &revisions {
            println!("{:>8}  {:<24} {:<16} {}", r.id, r.created_at, r.actor, r.summary);
        }
    }
    Ok(())
}

pub(crate) async fn rollback(global: &GlobalArgs, to: i64, if_current: Option<i64>, json: bool) -> Result<(), CliError> {
    let store = store::connect(&config::database_url(global)).await.map_err(CliError::from_connect)?;
    // The audit log's entry is written with the rollback.
    let result = store.rollback(to, if_current, &super::import::actor()).await;
    store.close().await;
    let revision = result?;
    if json {
        println!("{}", serde_json::to_string_pretty(&revision).unwrap_or_default());
    } else {
        println!("Revision {}: {}.", revision.id, revision.summary);
        println!("Undo with: rollbook rollback {}", revision.id - 1);
    }
    Ok(())
}

/// `rollbook rollback REVISION --dry-run`: what the rollback would do, per table.
pub(crate) async fn preview(global: &GlobalArgs, to: i64, json: bool) -> Result<(), CliError> {
    let store = store::connect(&config::database_url(global)).await.map_err(CliError::from_connect)?;
    let result = store.rollback_preview(to).await;
    store.close().await;
    let preview = result?;
    if json {
        println!("{}", serde_json::to_string_pretty(&preview).unwrap_or_default());
        return Ok(());
    }
    let changed: Vec<_> = preview.counts.iter().filter(|(_, c)| c.created + c.updated + c.deleted > 0).collect();
    if changed.is_empty() {
        println!("Nothing to do: {}.", preview.summary);
        return Ok(());
    }
    println!("Rolling back to revision {} (the current revision is {}) would change:", preview.to, preview.current);
    println!("  {:<18} {:>10} {:>10} {:>10}", "TABLE", "RESTORED", "UPDATED", "DELETED");
    for (table, c) in changed {
        println!("  {table:<18} {:>10} {:>10} {:>10}", c.created, c.updated, c.deleted);
    }
    // The same rollback, refused if the roster moves on before it is made.
    println!("Nothing was changed. To do it: rollbook rollback {} --if-current {}", preview.to, preview.current);
    Ok(())
}
