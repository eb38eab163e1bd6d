//! Typed settings, resolved from flags and environment variables (clap reads both).

use std::{net::SocketAddr, path::PathBuf};

use store::secret_key::SecretKey;
use url::Url;

use crate::{
    cli::{GlobalArgs, ServeArgs},
    CliError,
};

/// Everything `rollbook serve` needs to know.
#[derive(Clone, Debug)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: SocketAddr,
    pub public_url: Option<Url>,
    pub admin_email: String,
    pub site_root: PathBuf,
    pub trust_forwarded_for: bool,
    pub secret_key: SecretKey,
    /// How often the drop folder (`<data dir>/inbox/`) is scanned; `None` turns it off.
    pub inbox_poll: Option<std::time::Duration>,
    /// How often a running server records imports other processes could not (a CLI import
    /// killed, or one that gave up on a held database); `None`: only when it starts.
    pub recovery_every: Option<std::time::Duration>,
    /// How long an OAuth 2 bearer token lives (`ROLLBOOK_TOKEN_LIFETIME`, seconds; 1 hour).
    pub token_lifetime: time::Duration,
    /// Requests per minute per app, unless the app has its own (`ROLLBOOK_RATE_LIMIT`).
    pub rate_limit: u32,
    /// Days deleted records and records that left a share are served as tombstones
    /// (`ROLLBOOK_TOMBSTONE_DAYS`, 400).
    pub tombstone_days: u32,
    /// MiB of rendered API answers kept (`ROLLBOOK_ANSWER_CACHE_MB`, 64; 0: none).
    pub answer_cache_mb: u32,
    /// Sends teacher invitations by e-mail (`ROLLBOOK_SMTP_URL`, `ROLLBOOK_SMTP_FROM`).
    pub mailer: Option<app::mail::Mailer>,
}

impl Settings {
    /// Resolves the settings of `serve`, reading or generating the secret key.
    pub fn for_serve(global: &GlobalArgs, args: ServeArgs) -> Result<Self, CliError> {
        let public_url = args
            .public_url
            .as_deref()
            .map(|u| {
                Url::parse(u).ok().filter(|u| matches!(u.scheme(), "http" | "https")).ok_or_else(|| {
                    CliError::Config(format!(
                        "ROLLBOOK_PUBLIC_URL (or --public-url) `{u}` is not an http:// or https:// URL"
                    ))
                })
            })
            .transpose()?;
        let mailer = args
            .smtp_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(|u| app::mail::Mailer::new(u.trim(), &args.smtp_from).map_err(|e| CliError::Config(format!("ROLLBOOK_SMTP_URL (or --smtp-url) {e}"))))
            .transpose()?;
        Ok(Settings {
            mailer,
            data_dir: global.data_dir.clone(),
            database_url: database_url(global),
            listen: args.listen,
            public_url,
            admin_email: args.admin_email,
            site_root: args.site_root,
            trust_forwarded_for: args.trust_forwarded_for,
            secret_key: secret_key(global)?,
            inbox_poll: Some(std::time::Duration::from_secs(5)),
            recovery_every: Some(std::time::Duration::from_secs(60)),
            token_lifetime: time::Duration::seconds(args.token_lifetime.into()),
            rate_limit: args.rate_limit,
            tombstone_days: args.tombstone_days,
            answer_cache_mb: args.answer_cache_mb,
        })
    }

    /// Whether cookies must be `Secure` (the public URL is https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_ref().is_some_and(|u| u.scheme() == "https")
    }
}

/// The database URL: the flag or variable, else SQLite in the data folder.
pub fn database_url(global: &GlobalArgs) -> String {
    match &global.database_url {
        Some(url) if !url.trim().is_empty() => url.trim().to_string(),
        _ => format!("sqlite://{}", global.data_dir.join("rollbook.db").display()),
    }
}

/// The server key: `ROLLBOOK_SECRET_KEY`, else `<data dir>/secret.key` (generated when missing).
pub(crate) fn secret_key(global: &GlobalArgs) -> Result<SecretKey, CliError> {
    if let Ok(hex) = std::env::var("ROLLBOOK_SECRET_KEY") {
        if !hex.trim().is_empty() {
            return SecretKey::from_hex(&hex).map_err(|e| CliError::Config(format!("ROLLBOOK_SECRET_KEY: {e}")));
        }
    }
    let path = global.data_dir.join("secret.key");
    let (key, created) = SecretKey::load_or_generate(&path).map_err(|e| CliError::Config(e.to_string()))?;
    if created {
        tracing::info!(path = %path.display(), "generated a new secret key; back it up with the database");
    }
    Ok(key)
}
