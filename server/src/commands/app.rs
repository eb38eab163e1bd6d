//! `rollbook app ...`: apps (publishers) and their credentials from the command line.

use clap::{Args, Subcommand};
use serde_json::json;
use store::{App, AppPatch, Credentials, NewApp, Store};

use crate::{cli::GlobalArgs, config, CliError};

#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Register an app; prints its client id and secret (the secret only this once).
    Create {
        #[command(flatten)]
        details: Details,
        #[arg(long)]
        json: bool,
    },
    /// Every app with its status and last API access.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One app: details, versions, secrets and their state.
    Show {
        /// The app's id, name or client id.
        app: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an app's name, vendor, contact, versions or rate limit.
    Update {
        /// The app's id, name or client id.
        app: String,
        #[command(flatten)]
        details: Details,
        /// Requests per minute, or `default` for the server's default.
        #[arg(long, value_name = "N|default")]
        rate_limit: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Issue a new client secret (printed once); the previous one keeps working for the grace
    /// period, so the vendor can switch without downtime.
    Rotate {
        /// The app's id, name or client id.
        app: String,
        /// Hours the previous secret keeps working (0: it stops now, with its tokens).
        #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u16).range(0..=720))]
        grace_hours: u16,
        #[arg(long)]
        json: bool,
    },
    /// Stop every secret and token of an app at once (e.g. a leaked secret); `rotate` issues a
    /// new secret afterwards.
    Revoke {
        /// The app's id, name or client id.
        app: String,
        #[arg(long)]
        json: bool,
    },
    /// Set what the app may see: a share file (JSON, see README "Sharing"), or the shorthand
    /// --schools / --all with --roles, --withhold and --demographics. Shows the impact first.
    Share(ShareArgs),
    /// The app's current share (rules) and how many records of each entity it gives.
    Shared {
        /// The app's id, name or client id.
        app: String,
        #[arg(long)]
        json: bool,
    },
    /// Why a record is (or is not) visible to an app.
    Why {
        /// The app's id, name or client id.
        app: String,
        /// orgs, academicSessions, courses, classes, users, enrollments or demographics.
        entity: String,
        sourced_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Let a disabled app request tokens and call the API again.
    Enable {
        /// The app's id, name or client id.
        app: String,
        #[arg(long)]
        json: bool,
    },
    /// Refuse an app's tokens and requests; its credentials and share are kept.
    Disable {
        /// The app's id, name or client id.
        app: String,
        #[arg(long)]
        json: bool,
    },
}

/// Options of `rollbook app share`.
#[derive(Debug, Args)]
pub struct ShareArgs {
    /// The app's id, name or client id.
    pub(crate) app: String,
    /// A share document (JSON).
    #[arg(long, conflicts_with_all = ["all", "schools"])]
    pub(crate) file: Option<std::path::PathBuf>,
    /// Every class of the district.
    #[arg(long, conflicts_with = "schools")]
    pub(crate) all: bool,
    /// The classes of these schools (sourcedIds, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub(crate) schools: Vec<String>,
    /// Who comes with the classes [default: student,teacher]: student, teacher, guardian,
    /// administrator, unenrolled_staff.
    #[arg(long, value_delimiter = ',')]
    pub(crate) roles: Vec<String>,
    /// Fields to leave out, e.g. users.email,users.phone.
    #[arg(long, value_delimiter = ',')]
    pub(crate) withhold: Vec<String>,
    /// Include the shared users' demographics.
    #[arg(long)]
    pub(crate) demographics: bool,
    /// Show the impact only; change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    #[arg(long)]
    pub(crate) json: bool,
}

/// An app's descriptive fields (all optional on `update`).
#[derive(Debug, Args)]
pub struct Details {
    /// The app's name, unique in the district.
    #[arg(long)]
    name: Option<String>,
    /// Who makes the app.
    #[arg(long)]
    vendor: Option<String>,
    /// Who to contact about it (e-mail, phone or web address).
    #[arg(long)]
    contact: Option<String>,
    /// OneRoster versions offered: 1.1, 1.2 or 1.1,1.2 [create default: 1.1,1.2].
    #[arg(long)]
    versions: Option<String>,
}

pub(crate) async fn run(global: &GlobalArgs, cmd: AppCommand) -> Result<(), CliError> {
    let store = store::connect(&config::database_url(global)).await.map_err(CliError::from_connect)?;
    let result = dispatch(global, &store, cmd).await;
    store.close().await;
    result
}

async fn dispatch(global: &GlobalArgs, store: &Store, cmd: AppCommand) -> Result<(), CliError> {
    match cmd {
        AppCommand::Create { details, json } => {
            let Some(name) = details.name else {
                return Err(CliError::Config("--name is required: the app's name, unique in the district".into()));
            };
            let versions = details.versions.as_deref().map(store::service::apps::parse_versions).transpose()?;
            let new = NewApp {
                name,
                vendor: details.vendor.unwrap_or_default(),
                contact: details.contact.unwrap_or_default(),
                versions: versions.unwrap_or_default(),
            };
            let creds = store.create_app(new, &checked_key(global, store).await?).await?;
            let app = store.app(creds.id).await?;
            store.record_audit(&super::import::actor(), "app.create", &format!("app {}", app.id), &format!("name {:?}, vendor {:?}", app.name, app.vendor)).await?;
            print_credentials(&app, &creds, &format!("Created app {} `{}` ({}).", app.id, app.name, versions_label(&app)), json);
        }
        AppCommand::List { json } => {
            let apps = store.apps().await?;
            if json {
                print_json(&json!(apps));
            } else if apps.is_empty() {
                println!("No apps yet. Register one with: rollbook app create --name NAME");
            } else {
                println!("{:>4}  {:<28} {:<20} {:<9} {:<9} LAST ACCESS", "ID", "NAME", "VENDOR", "VERSIONS", "STATUS");
                for a in &apps {
                    println!(
                        "{:>4}  {:<28} {:<20} {:<9} {:<9} {}",
                        a.id,
                        a.name,
                        a.vendor,
                        a.versions.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(","),
                        if a.enabled { "enabled" } else { "disabled" },
                        a.last_access_at.as_deref().unwrap_or("never")
                    );
                }
            }
        }
        AppCommand::Show { app, json } => {
            let app = store.find_app(&app).await?;
            print_app(&app, json);
        }
        AppCommand::Update { app, details, rate_limit, json } => {
            let id = store.find_app(&app).await?.id;
            let rate_limit = match rate_limit.as_deref().map(str::trim) {
                None => None,
                Some("default") => Some(None),
                Some(n) => Some(Some(n.parse::<i64>().map_err(|_| {
                    CliError::Config(format!("--rate-limit `{n}` is not a number of requests per minute (or `default`)"))
                })?)),
            };
            let versions = details.versions.as_deref().map(store::service::apps::parse_versions).transpose()?;
            let adds_v1p1 = versions.as_ref().is_some_and(|v| v.contains(&oneroster::Version::V1p1));
            let patch = AppPatch { name: details.name, vendor: details.vendor, contact: details.contact, versions, rate_limit };
            let app = store.update_app(id, patch).await?;
            let detail = format!("name {:?}, vendor {:?}, contact {:?}, versions {}, rate limit {:?}", app.name, app.vendor, app.contact, versions_label(&app), app.rate_limit);
            store.record_audit(&super::import::actor(), "app.update", &format!("app {id}"), &detail).await?;
            print_app(&app, json);
            let can_sign = app.secrets.iter().any(|s| s.oauth1 && s.state == store::SecretState::Current);
            if adds_v1p1 && !can_sign && !json {
                println!("Note: the current secret was issued without 1.1, so it cannot sign OAuth 1.0a requests; \
                          `rollbook app rotate {}` issues one that can (Bearer tokens work either way).", app.id);
            }
        }
        AppCommand::Rotate { app, grace_hours, json } => {
            let id = store.find_app(&app).await?.id;
            let grace = time::Duration::hours(grace_hours.into());
            let creds = store.rotate_app_secret(id, grace, &checked_key(global, store).await?).await?;
            let app = store.app(id).await?;
            store.record_audit(&super::import::actor(), "credentials.rotate", &format!("app {id}"), &format!("previous secret works for {grace_hours} more hours")).await?;
            let done = if grace_hours == 0 {
                format!("Issued a new secret for `{}`; the previous ones stopped working now.", app.name)
            } else {
                format!("Issued a new secret for `{}`; the previous one keeps working for {grace_hours} hours.", app.name)
            };
            print_credentials(&app, &creds, &done, json);
        }
        AppCommand::Revoke { app, json } => {
            let id = store.find_app(&app).await?.id;
            let app = store.revoke_app_credentials(id).await?;
            store.record_audit(&super::import::actor(), "credentials.revoke", &format!("app {id}"), "every secret and token stopped").await?;
            if json {
                print_json(&json!(app));
            } else {
                println!("Revoked every secret and token of `{}`; its requests are refused from now on.", app.name);
                println!("Issue a new secret with: rollbook app rotate {}", app.id);
            }
        }
        AppCommand::Share(args) => super::share::set(store, args).await?,
        AppCommand::Shared { app, json } => super::share::show(store, &app, json).await?,
        AppCommand::Why { app, entity, sourced_id, json } => super::share::why(store, &app, &entity, &sourced_id, json).await?,
        AppCommand::Enable { app, json } => set_enabled(store, &app, true, json).await?,
        AppCommand::Disable { app, json } => set_enabled(store, &app, false, json).await?,
    }
    Ok(())
}

/// The server key, refused when the database's secrets were sealed with another one (a shell
/// without the server's ROLLBOOK_SECRET_KEY would otherwise seal secrets no server can open).
async fn checked_key(global: &GlobalArgs, store: &Store) -> Result<store::secret_key::SecretKey, CliError> {
    let key = config::secret_key(global)?;
    if !store.check_secret_key(&key).await? {
        return Err(CliError::Config(
            "the server key (ROLLBOOK_SECRET_KEY, else secret.key in the data folder) is not the one this \
             database's secrets are sealed with; run the command with the server's key"
                .into(),
        ));
    }
    Ok(key)
}

async fn set_enabled(store: &Store, app: &str, enabled: bool, json: bool) -> Result<(), CliError> {
    let id = store.find_app(app).await?.id;
    let app = store.set_app_enabled(id, enabled).await?;
    let action = if enabled { "app.enable" } else { "app.disable" };
    store.record_audit(&super::import::actor(), action, &format!("app {id}"), &format!("name {:?}", app.name)).await?;
    if json {
        print_json(&json!(app));
    } else if enabled {
        println!("Enabled `{}`.", app.name);
    } else {
        println!("Disabled `{}`: its tokens and requests are refused until it is enabled again.", app.name);
    }
    Ok(())
}

fn versions_label(app: &App) -> String {
    let list: Vec<&str> = app.versions.iter().map(|v| v.as_str()).collect();
    format!("OneRoster {}", list.join(" and "))
}

/// Prints newly issued credentials. `--json` is exactly `{"id", "client_id", "client_secret"}`.
fn print_credentials(app: &App, creds: &Credentials, done: &str, json: bool) {
    if json {
        print_json(&json!({ "id": creds.id, "client_id": creds.client_id, "client_secret": creds.client_secret }));
        return;
    }
    println!("{done}");
    println!("  client id:     {}", creds.client_id);
    println!("  client secret: {}", creds.client_secret);
    println!("The secret is shown only now: hand it to {} over a safe channel.", if app.vendor.is_empty() { "the vendor" } else { &app.vendor });
    println!("Token URL: POST /oauth/token (OAuth 2 client credentials).");
}

fn print_app(app: &App, json: bool) {
    if json {
        print_json(&json!(app));
        return;
    }
    println!("App {}: {}", app.id, app.name);
    println!("  vendor:      {}", if app.vendor.is_empty() { "—" } else { &app.vendor });
    println!("  contact:     {}", if app.contact.is_empty() { "—" } else { &app.contact });
    println!("  versions:    {}", versions_label(app));
    println!("  status:      {}", if app.enabled { "enabled" } else { "disabled" });
    println!("  client id:   {}", app.client_id);
    println!(
        "  rate limit:  {}",
        app.rate_limit.map_or("server default".to_string(), |n| format!("{n} requests per minute"))
    );
    println!("  created:     {}", app.created_at);
    println!("  last access: {}", app.last_access_at.as_deref().unwrap_or("never"));
    println!("  secrets:");
    for s in &app.secrets {
        let state = match s.state {
            store::SecretState::Current => "current".to_string(),
            store::SecretState::Grace => format!("replaced, works until {}", s.expires_at.as_deref().unwrap_or("?")),
            store::SecretState::Expired => format!("expired {}", s.expires_at.as_deref().unwrap_or("")),
            store::SecretState::Revoked => format!("revoked {}", s.revoked_at.as_deref().unwrap_or("")),
        };
        let oauth1 = if s.oauth1 { ", signs OAuth 1.0a" } else { "" };
        println!("    #{} issued {}: {state}{oauth1}", s.id, s.created_at);
    }
}

fn print_json(doc: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(doc).unwrap_or_default());
}
