//! `rollbook app share|shared|why`: an app's share from the command line.

use serde_json::json;
use store::{
    sharing::{ClassRule, PersonRole, Share, ShareImpact},
    Store,
};

use super::app::ShareArgs;
use crate::CliError;

/// The share the arguments describe.
fn share_from(args: &ShareArgs) -> Result<Share, CliError> {
    if let Some(path) = &args.file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::Io(format!("cannot read the share file {}: {e}", path.display())))?;
        return Share::from_json(&text).map_err(|e| CliError::Config(format!("{}: {e}", path.display())));
    }
    if !args.all && args.schools.is_empty() {
        return Err(CliError::Config(
            "say what to share: --file share.json, --schools SID,SID or --all (an app without a share sees nothing)".into(),
        ));
    }
    let roles = if args.roles.is_empty() {
        vec![PersonRole::Student, PersonRole::Teacher]
    } else {
        args.roles.iter().map(|r| PersonRole::parse(r)).collect::<Result<Vec<_>, _>>()?
    };
    let include = if args.schools.is_empty() {
        Vec::new()
    } else {
        vec![ClassRule { schools: args.schools.iter().map(|s| s.trim().to_string()).collect(), ..Default::default() }]
    };
    let share = Share { all: args.all, include, roles, withhold: args.withhold.clone(), demographics: args.demographics, ..Default::default() };
    share.check()?;
    Ok(share)
}

/// One line per change: `+2 students`, `−3 classes`, `adds fields: users.email`.
pub(crate) fn describe(impact: &ShareImpact) -> Vec<String> {
    let mut lines = Vec::new();
    if impact.students_added > 0 {
        lines.push(format!("+{} students", impact.students_added));
    }
    if impact.students_removed > 0 {
        lines.push(format!("-{} students", impact.students_removed));
    }
    for (entity, n) in &impact.added {
        lines.push(format!("+{n} {entity}"));
    }
    for (entity, n) in &impact.removed {
        lines.push(format!("-{n} {entity}"));
    }
    if !impact.fields_added.is_empty() {
        lines.push(format!("adds fields: {}", impact.fields_added.join(", ")));
    }
    if !impact.fields_removed.is_empty() {
        lines.push(format!("withholds fields: {}", impact.fields_removed.join(", ")));
    }
    if !impact.sensitive_added.is_empty() {
        lines.push(format!("sensitive: {}", impact.sensitive_added.join(", ")));
    }
    if lines.is_empty() {
        lines.push("no change".into());
    }
    lines
}

pub(crate) async fn set(store: &Store, args: ShareArgs) -> Result<(), CliError> {
    let app = store.find_app(&args.app).await?;
    let share = share_from(&args)?;
    let impact = store.share_impact(app.id, &share).await?;
    if args.dry_run {
        if args.json {
            println!("{}", serde_json::to_string_pretty(&json!({ "impact": impact })).unwrap_or_default());
        } else {
            println!("Would change what `{}` receives: {}. Nothing was saved (--dry-run).", app.name, describe(&impact).join(", "));
        }
        return Ok(());
    }
    let before = store.share(app.id).await?;
    store.set_share(app.id, &share, &super::import::actor()).await?;
    let detail = format!(
        "before: {}\nafter: {}\nimpact: {}",
        serde_json::to_string(&before).unwrap_or_default(),
        serde_json::to_string(&share).unwrap_or_default(),
        describe(&impact).join(", ")
    );
    store.record_audit(&super::import::actor(), "share.set", &format!("app {}", app.id), &detail).await?;
    let counts = store.share_counts(app.id).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json!({ "impact": impact, "counts": counts })).unwrap_or_default());
    } else {
        println!("Saved the share of `{}`: {}.", app.name, describe(&impact).join(", "));
        print_counts(&counts);
    }
    Ok(())
}

fn print_counts(counts: &store::sharing::ShareCounts) {
    let list: Vec<String> = counts.entities.iter().map(|(e, n)| format!("{n} {e}")).collect();
    println!("It now gives {} students; {}.", counts.students, list.join(", "));
}

pub(crate) async fn show(store: &Store, app: &str, json: bool) -> Result<(), CliError> {
    let app = store.find_app(app).await?;
    let share = store.share(app.id).await?;
    let counts = store.share_counts(app.id).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&json!({ "share": share, "counts": counts })).unwrap_or_default());
    } else {
        if share.is_empty() {
            println!("`{}` has no share yet: it sees nothing. Set one with `rollbook app share`.", app.name);
        } else {
            println!("{}", serde_json::to_string_pretty(&share).unwrap_or_default());
        }
        print_counts(&counts);
    }
    Ok(())
}

pub(crate) async fn why(store: &Store, app: &str, entity: &str, id: &str, json: bool) -> Result<(), CliError> {
    let app = store.find_app(app).await?;
    let answer = store.explain_share(app.id, entity, id).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&answer).unwrap_or_default());
    } else if answer.shared {
        println!(
            "{entity} {id} is shared with `{}`: {} (since {}).",
            app.name,
            answer.reason,
            answer.since.as_deref().unwrap_or("?")
        );
    } else {
        let left = answer.left_at.as_deref().map(|t| format!(" It left the share at {t}.")).unwrap_or_default();
        println!("{entity} {id} is not shared with `{}`: {}.{left}", app.name, answer.reason);
    }
    Ok(())
}
