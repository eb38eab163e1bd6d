//! The `rollbook` command line.

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::{commands, CliError};

const AFTER_HELP: &str = "\
Environment variables (each flag's variable is also shown next to it):
  ROLLBOOK_DATA_DIR          folder for the SQLite database, secret key and inbox [default: ./data]
  ROLLBOOK_DATABASE_URL      sqlite://PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB
                             [default: sqlite://<data dir>/rollbook.db]
  ROLLBOOK_LISTEN            address the server listens on [default: 127.0.0.1:3000]
  ROLLBOOK_PUBLIC_URL        the URL people and apps use to reach Rollbook; https:// makes the
                             session cookie Secure
  ROLLBOOK_SECRET_KEY        64 hex digits that encrypt stored secrets; without it the key is
                             read from (or generated into) <data dir>/secret.key
  ROLLBOOK_ADMIN_EMAIL       e-mail of the first district admin, created on first start
                             [default: admin@rollbook.local]
  ROLLBOOK_TOKEN_LIFETIME    seconds an OAuth 2 access token stays valid [default: 3600]
  ROLLBOOK_TRUST_FORWARDED_FOR  take the client address from X-Forwarded-For (only behind a
                             proxy that sets it)
  LEPTOS_SITE_ROOT           folder with the console's compiled assets [default: target/site]
  RUST_LOG                   log filter, e.g. info or rollbook=debug [default: info]

Exit status: 0 success, 1 failure (one line on stderr says why), 2 usage error;
`validate`: 0 valid, 1 invalid, 2 not a usable package;
`import`, `imports approve`: 0 applied, 1 rejected or failed, 3 held for review.";

/// Rollbook: open, self-hosted OneRoster roster delivery for school districts.
#[derive(Debug, Parser)]
#[command(name = "rollbook", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Folder for the SQLite database, the secret key and the import inbox.
    #[arg(long, env = "ROLLBOOK_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB
    /// [default: sqlite://<data dir>/rollbook.db]
    #[arg(long, env = "ROLLBOOK_DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the console and API server (creates the database and first admin on first start).
    Serve(ServeArgs),
    /// Manage console accounts (district admins and auditors).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Check a OneRoster CSV package (zip or folder) without importing it. Exit status 0 valid,
    /// 1 invalid, 2 not a usable package.
    Validate {
        /// The package: a .zip file or a folder with manifest.csv.
        path: std::path::PathBuf,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Import a OneRoster CSV package (1.1 or 1.2.1, bulk or delta; zip or folder) into the
    /// roster. Exit status 0 applied, 1 rejected or failed, 3 held for review.
    Import(ImportArgs),
    /// Imports: list them, show a report, approve or discard a held one, the import policy.
    #[command(subcommand)]
    Imports(ImportsCommand),
    /// Revisions of the roster (every applied import or rollback is one).
    #[command(subcommand)]
    Revisions(RevisionsCommand),
    /// Apps (publishers) that receive roster data: register them, issue and rotate their
    /// credentials, enable or disable them.
    #[command(subcommand)]
    App(crate::commands::app::AppCommand),
    /// Restore the roster as it was at REVISION, as a new revision (which can be rolled back).
    Rollback {
        /// The revision to restore (see `rollbook revisions list`); 0 is the empty roster.
        revision: i64,
        /// Show what the rollback would restore, update and delete, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Roll back only if the current revision is still CURRENT (the one a dry run showed):
        /// if another import or rollback came in since, nothing is changed.
        #[arg(long, value_name = "CURRENT")]
        if_current: Option<i64>,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a generated school district (schools, classes, teachers, students, guardians,
    /// enrollments) as a valid OneRoster 1.2 CSV package folder, to try Rollbook without real
    /// student data. Needs no database.
    Demo(DemoArgs),
    /// Write what an app receives as a OneRoster CSV package (zip): its whole share, or a
    /// delta since a moment. Recorded in the app's disclosure log.
    Export(ExportArgs),
    /// Benchmark baseline: answer every GET with the bytes of FILE (bench/api.sh).
    #[command(hide = true)]
    BenchEcho {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        listen: SocketAddr,
    },
}

/// Options of `rollbook export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The app's id, name or client id.
    #[arg(long)]
    pub app: String,
    /// Where to write the zip.
    #[arg(long)]
    pub out: PathBuf,
    /// Only what changed after this moment (e.g. 2026-09-01T00:00:00.000Z), tombstones included.
    #[arg(long)]
    pub since: Option<String>,
    /// 1.1 or 1.2 [default: the newest the app is offered].
    #[arg(long)]
    pub version: Option<String>,
}

/// Options of `rollbook import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The package: a .zip file or a folder with manifest.csv.
    pub path: PathBuf,
    /// The feed this package comes from (e.g. sis, hr); a bulk import replaces only its records.
    #[arg(long, default_value = "sis")]
    pub source: String,
    /// Apply the valid rows of a package that has invalid ones, reporting each row left out
    /// [default: the district's `skip_invalid` setting, off unless set].
    #[arg(long, conflicts_with = "no_skip_invalid")]
    pub skip_invalid: bool,
    /// Reject the whole package when any row is invalid, whatever the district setting says.
    #[arg(long)]
    pub no_skip_invalid: bool,
    /// Print the report as one JSON document instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ImportsCommand {
    /// The newest imports first.
    List {
        /// How many to show.
        #[arg(long, default_value_t = 20)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// One import's full report: counts per entity, every problem with file, line and field.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Apply a held import as it is.
    Approve {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Discard a held import; nothing of it is applied.
    Discard {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Show or change the import policy: skip_invalid (true/false), hold.delete_percent
    /// [10], hold.change_percent [75], and per entity hold.<entity>.delete_percent /
    /// hold.<entity>.change_percent (entities: orgs, academic_sessions, courses, classes,
    /// users, user_profiles, roles, enrollments, demographics).
    Settings {
        /// KEY=VALUE to set (repeatable).
        #[arg(long, value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// KEY to return to its default (repeatable).
        #[arg(long, value_name = "KEY")]
        unset: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RevisionsCommand {
    /// The newest revisions first.
    List {
        #[arg(long, default_value_t = 20)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
}

/// Options of `rollbook demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Students in the district; schools, teachers and classes follow from it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub students: u64,
    /// Seed of every random choice: the same seed and --students give identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The folder to write (created if missing; an earlier package in it is replaced).
    #[arg(long)]
    pub out: PathBuf,
    /// Leave guardians out (by default about seven in ten students have one).
    #[arg(long = "no-guardians", action = clap::ArgAction::SetFalse)]
    pub guardians: bool,
}

/// Options of `rollbook serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ROLLBOOK_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// The URL people and apps use to reach this server (https:// makes cookies Secure).
    #[arg(long, env = "ROLLBOOK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// E-mail of the district admin created on first start, when there are no accounts.
    #[arg(long, env = "ROLLBOOK_ADMIN_EMAIL", default_value = "admin@rollbook.local")]
    pub admin_email: String,
    /// Folder with the console's compiled assets (pkg/rollbook.js, .wasm, .css).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Take the client address from the last X-Forwarded-For entry (only behind a proxy).
    #[arg(long, env = "ROLLBOOK_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// Seconds an OAuth 2 access token stays valid (60 to 86400).
    #[arg(long, env = "ROLLBOOK_TOKEN_LIFETIME", default_value_t = 3600,
          value_parser = clap::value_parser!(u32).range(60..=86_400))]
    pub token_lifetime: u32,
    /// Requests per minute an app may make on this server, unless the app has its own limit
    /// (`rollbook app update --rate-limit`).
    #[arg(long, env = "ROLLBOOK_RATE_LIMIT", default_value_t = 6000,
          value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub rate_limit: u32,
    /// Days that deleted records, and records that left an app's share, are still served to
    /// the app (as `status: tobedeleted`) so that its deltas see them.
    #[arg(long, env = "ROLLBOOK_TOMBSTONE_DAYS", default_value_t = 400,
          value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub tombstone_days: u32,
    /// MiB of rendered API answers kept for repeated requests within one data generation
    /// (0 turns the answer cache off).
    #[arg(long, env = "ROLLBOOK_ANSWER_CACHE_MB", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(0..=16_384))]
    pub answer_cache_mb: u32,
    /// SMTP relay for teacher invitations: smtps://[USER:PASSWORD@]HOST[:PORT] (TLS),
    /// smtp://...?tls=required (STARTTLS) or plain smtp://HOST[:PORT] for a relay on the same
    /// machine. Without it, invitation links are only shown to the admin.
    #[arg(long, env = "ROLLBOOK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of invitation e-mail.
    #[arg(long, env = "ROLLBOOK_SMTP_FROM", default_value = "Rollbook <rollbook@localhost>")]
    pub smtp_from: String,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account; the password is read from stdin or generated and printed once.
    Create {
        /// The account's e-mail address (its sign-in name).
        #[arg(long)]
        email: String,
        /// Name shown in the console [default: the part of the e-mail before @].
        #[arg(long)]
        name: Option<String>,
        /// What the account may do.
        #[arg(long, value_enum, default_value_t = RoleArg::DistrictAdmin)]
        role: RoleArg,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Set a new password (read from stdin or generated and printed once); ends the account's
    /// sessions and lifts its sign-in throttling.
    ResetPassword {
        #[arg(long)]
        email: String,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        /// Print one JSON document instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List the console accounts.
    List {
        /// Print one JSON document instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: it can no longer sign in and its sessions end.
    Disable {
        #[arg(long)]
        email: String,
        #[arg(long)]
        json: bool,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        email: String,
        #[arg(long)]
        json: bool,
    },
}

/// Console roles as written on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    /// Everything.
    DistrictAdmin,
    /// Read-only, including the audit log.
    Auditor,
}

impl From<RoleArg> for store::Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::DistrictAdmin => store::Role::DistrictAdmin,
            RoleArg::Auditor => store::Role::Auditor,
        }
    }
}

/// Parses the command line, runs the command and turns failures into one line on stderr.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the command; `Ok` carries the exit status of commands that report through it.
async fn run(cli: Cli) -> Result<u8, CliError> {
    init_logging();
    // The import's knobs are read by the store wherever it writes the roster: a bad value
    // stops every command that opens the store, before it does anything.
    if !matches!(cli.command, Command::Validate { .. } | Command::Demo(_) | Command::BenchEcho { .. }) {
        store::roster::tuning::check_environment().map_err(CliError::Config)?;
    }
    match cli.command {
        Command::Serve(args) => commands::serve::run(&cli.global, args).await.map(|()| 0),
        Command::Admin(cmd) => commands::admin::run(&cli.global, cmd).await.map(|()| 0),
        Command::Validate { path, json } => Ok(commands::validate::run(&path, json)),
        Command::Import(args) => commands::import::run(&cli.global, args).await,
        Command::Imports(cmd) => commands::imports::run(&cli.global, cmd).await,
        Command::Revisions(cmd) => commands::revisions::list(&cli.global, cmd).await.map(|()| 0),
        Command::Rollback { revision, dry_run: true, json, .. } => commands::revisions::preview(&cli.global, revision, json).await.map(|()| 0),
        Command::Rollback { revision, dry_run: false, if_current, json } => {
            commands::revisions::rollback(&cli.global, revision, if_current, json).await.map(|()| 0)
        }
        Command::Demo(args) => commands::demo::run(&args).map(|()| 0),
        Command::App(cmd) => commands::app::run(&cli.global, cmd).await.map(|()| 0),
        Command::Export(args) => commands::export::run(&cli.global, args).await.map(|()| 0),
        Command::BenchEcho { file, listen } => commands::bench_echo::run(&file, listen).await.map(|()| 0),
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    // Logs go to stderr so that stdout carries only what a command prints (text or --json).
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}
