//! `rollbook admin ...`: console accounts from the command line.

use std::io::BufRead;

use serde_json::json;
use store::{Account, NewAccount, Store};

use crate::{
    cli::{AdminCommand, GlobalArgs},
    config, CliError,
};

pub(crate) async fn run(global: &GlobalArgs, cmd: AdminCommand) -> Result<(), CliError> {
    let store = store::connect(&config::database_url(global)).await.map_err(CliError::from_connect)?;
    let result = dispatch(&store, cmd).await;
    store.close().await;
    result
}

async fn dispatch(store: &Store, cmd: AdminCommand) -> Result<(), CliError> {
    match cmd {
        AdminCommand::Create { email, name, role, password_stdin, json } => {
            let (password, generated) = password(password_stdin)?;
            let account = store
                .create_account(NewAccount { email, display_name: name, role: role.into(), password: password.clone() })
                .await?;
            store.record_audit(&super::import::actor(), "account.create", &account.email, account.role.label()).await?;
            let done = format!("Created {} {} ({}).", account.role.label().to_lowercase(), account.email, account.display_name);
            report_with_password(&account, &done, generated.then_some(&password), json);
        }
        AdminCommand::ResetPassword { email, password_stdin, json } => {
            let (password, generated) = password(password_stdin)?;
            let account = store.reset_password(&email, password.clone()).await?;
            let done = format!("Set a new password for {}; its sessions have ended.", account.email);
            report_with_password(&account, &done, generated.then_some(&password), json);
        }
        AdminCommand::List { json } => {
            let accounts = store.list_accounts().await?;
            if json {
                print_json(&serde_json::Value::Array(accounts.iter().map(account_json).collect()));
            } else if accounts.is_empty() {
                println!("No accounts.");
            } else {
                println!("{:<36} {:<24} {:<15} {:<9} LAST SIGN-IN", "E-MAIL", "NAME", "ROLE", "STATUS");
                for a in &accounts {
                    println!(
                        "{:<36} {:<24} {:<15} {:<9} {}",
                        a.email,
                        a.display_name,
                        a.role.label(),
                        if a.disabled { "disabled" } else { "active" },
                        a.last_sign_in_at.map(short_time).unwrap_or_else(|| "never".into())
                    );
                }
            }
        }
        AdminCommand::Disable { email, json } => set_disabled(store, &email, true, json).await?,
        AdminCommand::Enable { email, json } => set_disabled(store, &email, false, json).await?,
    }
    Ok(())
}

async fn set_disabled(store: &Store, email: &str, disabled: bool, json: bool) -> Result<(), CliError> {
    let account = store.set_account_disabled(email, disabled).await?;
    let action = if disabled { "account.disable" } else { "account.enable" };
    store.record_audit(&super::import::actor(), action, &account.email, "").await?;
    if json {
        print_json(&account_json(&account));
    } else if disabled {
        println!("Disabled {}; it can no longer sign in and its sessions have ended.", account.email);
    } else {
        println!("Enabled {}.", account.email);
    }
    Ok(())
}

/// The password to set: the first line of stdin, or a generated one (`true`).
fn password(from_stdin: bool) -> Result<(String, bool), CliError> {
    if !from_stdin {
        return Ok((store::password::generate(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Io(format!("cannot read the password from standard input: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(CliError::Config("--password-stdin: standard input was empty; write the password on its first line".into()));
    }
    Ok((password, false))
}

/// Prints the outcome of a command that set a password; a generated password is shown (once).
fn report_with_password(account: &Account, done: &str, generated: Option<&String>, json: bool) {
    if json {
        let mut doc = account_json(account);
        if let Some(password) = generated {
            doc["password"] = json!(password);
        }
        print_json(&doc);
    } else {
        println!("{done}");
        if let Some(password) = generated {
            println!("Password: {password}");
            println!("This password is shown only now. Store it in a password manager.");
        }
    }
}

fn account_json(account: &Account) -> serde_json::Value {
    serde_json::to_value(account).unwrap_or_default()
}

fn print_json(doc: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(doc).unwrap_or_default());
}

/// `2026-11-27 15:28 UTC`: minute precision is enough for a listing.
fn short_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}
