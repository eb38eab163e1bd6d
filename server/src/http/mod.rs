//! The HTTP surface: console pages and server functions, health checks, static assets.

mod client_addr;
mod console;
mod health;
mod oauth;
mod session_touch;
mod uploads;
pub mod rostering;

use axum::{
    extract::FromRef,
    routing::{get, post},
    Router,
};
use leptos::prelude::LeptosOptions;
use leptos_axum::{AxumRouteListing, LeptosRoutes};
use store::Store;
use http::{header, HeaderValue};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

/// Name of the console's session cookie.
pub const SESSION_COOKIE: &str = "rollbook_session";

/// A console session ends after this long without a request.
pub const SESSION_IDLE: time::Duration = time::Duration::hours(8);

/// What every handler can reach. axum clones the state for every request, so it is one
/// reference count; the parts themselves live in [`Shared`].
#[derive(Clone, Debug)]
pub struct AppState(std::sync::Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The server's parts, shared by every request.
#[derive(Debug)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub routes: Vec<AxumRouteListing>,
    pub trust_forwarded_for: bool,
    pub api: ApiSettings,
    pub rostering: rostering::RosteringRuntime,
    /// Rollbook's data folder (uploads are spooled and held packages kept below it).
    pub data_dir: std::path::PathBuf,
    /// Sends invitation e-mail (`ROLLBOOK_SMTP_URL`).
    pub mailer: Option<app::mail::Mailer>,
}

/// What the API's authentication needs from the server's settings.
#[derive(Clone, Debug)]
pub struct ApiSettings {
    /// Opens the stored OAuth 1.0a secrets.
    pub secret_key: store::secret_key::SecretKey,
    /// How long a bearer token lives.
    pub token_lifetime: time::Duration,
    /// The URL apps use (GUIDRef hrefs, `Link` headers, OAuth 1.0a base strings, discovery);
    /// without one, the request's `Host` over http.
    pub public_url: Option<url::Url>,
    /// Requests per minute an app may make unless it has its own limit.
    pub rate_limit: u32,
    /// How long deleted records and records that left a share are served as tombstones.
    pub tombstone_window: time::Duration,
    /// Bytes of rendered answers kept for repeated requests (0: none).
    pub answer_cache_bytes: usize,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Options that shape the router beyond the state.
#[derive(Clone, Debug)]
pub struct RouterOptions {
    /// Mark the session cookie `Secure` (the public URL is https).
    pub secure_cookies: bool,
    pub api: ApiSettings,
    /// Rollbook's data folder.
    pub data_dir: std::path::PathBuf,
    /// Sends invitation e-mail, when configured.
    pub mailer: Option<app::mail::Mailer>,
}

/// Builds the whole application router.
pub fn router(
    leptos_options: LeptosOptions,
    store: Store,
    trust_forwarded_for: bool,
    options: RouterOptions,
) -> Router {
    let routes = leptos_axum::generate_route_list(app::App);
    let state = AppState(std::sync::Arc::new(Shared {
        leptos_options,
        store: store.clone(),
        routes: routes.clone(),
        trust_forwarded_for,
        api: options.api.clone(),
        rostering: rostering::RosteringRuntime::start(store.clone(), &options.api),
        data_dir: options.data_dir.clone(),
        mailer: options.mailer.clone(),
    }));

    let sessions = SessionManagerLayer::new(store.session_store())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(options.secure_cookies)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(SESSION_IDLE))
        // Saved when changed; `session_touch` moves the idle deadline (and the cookie's
        // max-age) with activity, without a write on every request.
        .with_always_save(false);

    let console = Router::new()
        .route("/api/{*fn_name}", post(console::server_fn).get(console::server_fn))
        .route("/audit.csv", get(console::audit_csv))
        .route(
            "/imports/upload",
            post(uploads::upload).layer(axum::extract::DefaultBodyLimit::max(uploads::MAX_UPLOAD_BYTES)),
        )
        .route("/imports/{id}/report.csv", get(uploads::report_csv))
        .route("/apps/{id}/preview", get(rostering::preview::preview))
        .route("/apps/{id}/export.zip", get(rostering::preview::export_zip))
        .leptos_routes_with_handler(routes, get(console::page))
        // Pages and server function answers are per person (and will carry student data):
        // never cached. Static assets (the fallback) stay cacheable.
        .route_layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), session_touch::touch))
        .layer(sessions);

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/oauth/token", post(oauth::token).fallback(oauth::method_not_allowed))
        .merge(rostering::routes())
        .merge(console)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}
