//! `rollbook revisions list` and `rollbook rollback REVISION`.

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

pub(crate) async fn rollback(global: &GlobalArgs, to: i64, json: bool) -> Result<(), CliError> {
    let store = store::connect(&config::database_url(global)).await.map_err(CliError::from_connect)?;
    // The audit log's entry is written with the rollback.
    let result = store.rollback(to, None, &super::import::actor()).await;
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
