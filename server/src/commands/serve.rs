//! `rollbook serve`: the console and API server.

use std::{net::SocketAddr, time::Duration};

use leptos::prelude::LeptosOptions;
use store::Store;
use axum::ServiceExt;
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::normalize_path::NormalizePathLayer;
use tower_sessions::session_store::ExpiredDeletion;

use crate::{
    cli::{GlobalArgs, ServeArgs},
    http::{self, RouterOptions},
    CliError, Settings,
};

pub(crate) async fn run(global: &GlobalArgs, args: ServeArgs) -> Result<(), CliError> {
    let settings = Settings::for_serve(global, args)?;
    let store = store::connect_with(&settings.database_url, store::StoreOptions::server()).await.map_err(CliError::from_connect)?;
    tracing::info!(database = %store.redacted_url(), "database ready");
    // An import left `running` by a process that has ended was cut off by a crash (its
    // transaction never committed); imports other commands or servers are running stay.
    // Best effort: a database another writer holds now is no reason not to serve; the next
    // `rollbook imports list` or start tries again.
    match store.recover_interrupted_imports().await {
        Ok(0) => {}
        Ok(interrupted) => tracing::warn!(interrupted, "imports interrupted by a crash were marked failed; nothing of them was applied"),
        Err(e) => tracing::warn!(error = %e, "could not mark imports interrupted by a crash failed yet"),
    }

    if let Some((account, password)) = store.create_first_admin(&settings.admin_email).await? {
        // Printed to the terminal only, once: never through the logger, never stored in clear.
        println!();
        println!("  First start: created the district admin account.");
        println!("    E-mail:   {}", account.email);
        println!("    Password: {password}");
        println!("  This password is shown only now. Sign in and keep it in a password manager;");
        println!("  `rollbook admin reset-password --email {}` sets a new one.", account.email);
        println!();
    }

    let server = serve(&settings, store).await?;
    let url = settings
        .public_url
        .as_ref()
        .map(|u| u.to_string())
        .unwrap_or_else(|| format!("http://{}", server.addr));
    println!("Rollbook is running at {url} (Ctrl-C stops it)");
    server.wait().await
}

/// A running server.
pub struct Server {
    /// The address actually bound (useful with port 0).
    pub addr: SocketAddr,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Waits until the server stops (Ctrl-C or SIGTERM).
    pub async fn wait(self) -> Result<(), CliError> {
        match self.handle.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(CliError::Io(format!("the server stopped: {e}"))),
            Err(e) => Err(CliError::Io(format!("the server task failed: {e}"))),
        }
    }

    /// Stops the server at once (tests).
    pub fn abort(&self) {
        self.handle.abort();
    }
}

/// Binds the listen address and starts serving in the background.
pub async fn serve(settings: &Settings, store: Store) -> Result<Server, CliError> {
    if !store.check_secret_key(&settings.secret_key).await.map_err(CliError::from)? {
        // OAuth 1.0a secrets sealed with the other key cannot be opened: those apps must rotate.
        tracing::error!(
            "the server key (ROLLBOOK_SECRET_KEY or secret.key) is not the one this database's secrets were sealed \
             with; OAuth 1.0a requests will fail until every server uses that key (or the apps' secrets are rotated)"
        );
    }
    let listener = TcpListener::bind(settings.listen)
        .await
        .map_err(|e| CliError::from_bind(settings.listen, e))?;
    let addr = listener.local_addr().map_err(|e| CliError::from_bind(settings.listen, e))?;

    let leptos_options = LeptosOptions::builder()
        .output_name("rollbook")
        .site_root(settings.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let router = http::router(
        leptos_options,
        store.clone(),
        settings.trust_forwarded_for,
        RouterOptions {
            secure_cookies: settings.secure_cookies(),
            data_dir: settings.data_dir.clone(),
            mailer: settings.mailer.clone(),
            api: http::ApiSettings {
                secret_key: settings.secret_key.clone(),
                token_lifetime: settings.token_lifetime,
                public_url: settings.public_url.clone(),
                rate_limit: settings.rate_limit,
                tombstone_window: time::Duration::days(settings.tombstone_days.into()),
                answer_cache_bytes: settings.answer_cache_mb as usize * 1024 * 1024,
            },
        },
    );

    // Count the roster once now and after every revision, so that a dashboard view does not
    // wait for it (seconds on a 1M-student roster).
    store.keep_roster_counts();

    // Expired sessions and old sign-in failures are ignored anyway; this keeps the tables small.
    let housekeeping = store.clone();
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            if let Err(e) = housekeeping.session_store().delete_expired().await {
                tracing::warn!(error = %e, "could not delete expired sessions");
            }
            if let Err(e) = housekeeping.purge_sign_in_failures().await {
                tracing::warn!(error = %e, "could not purge old sign-in failures");
            }
        }
    });

    // Imports other processes left as `running` when they died, or could not record at all,
    // show as they ended within a minute in the console, not only after a restart.
    if let Some(every) = settings.recovery_every {
        let recovering = store.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match recovering.recover_interrupted_imports().await {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(imports = n, "imports cut off in other processes were marked failed; nothing of them was applied"),
                    // A database another writer holds: the next round tries again.
                    Err(e) => tracing::debug!(error = %e, "could not check for cut-off imports yet"),
                }
            }
        });
    }

    if let Some(every) = settings.inbox_poll {
        tokio::spawn(crate::inbox::Inbox::new(store.clone(), &settings.data_dir).watch(every));
    }

    // `/data/` is `/data`: trimmed before routing, so that every route (and its sign-in check)
    // sees one spelling.
    let app = NormalizePathLayer::trim_trailing_slash().layer(router);
    let service = ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<SocketAddr>(app);
    let handle = tokio::spawn(async move {
        use std::future::IntoFuture;
        // In-flight requests may finish after the signal, but not forever: a client that keeps
        // a connection open (or half-open) must not keep the server from stopping.
        let (signalled, got_signal) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            shutdown_signal().await;
            let _ = signalled.send(());
        };
        let serving = axum::serve(listener, service).with_graceful_shutdown(signal).into_future();
        tokio::pin!(serving);
        tokio::select! {
            result = &mut serving => result,
            Ok(()) = got_signal => {
                match tokio::time::timeout(SHUTDOWN_GRACE, &mut serving).await {
                    Ok(result) => result,
                    Err(_) => {
                        tracing::warn!("connections still open {} s after the stop signal; stopping anyway", SHUTDOWN_GRACE.as_secs());
                        Ok(())
                    }
                }
            }
        }
    });
    Ok(Server { addr, handle })
}

/// How long requests in flight may take to finish once the server is told to stop.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
