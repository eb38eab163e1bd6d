//! Authenticating apps on the API: OAuth 2 client credentials (tokens), bearer token checks,
//! and the state OAuth 1.0a needs (the client secrets to sign with, nonces seen).
//!
//! Bearer tokens are random 256-bit values; only their SHA-256 digest is stored, so the table
//! does not hold usable tokens. Tokens live in the database, so any server behind a load balancer
//! accepts a token another one issued, and revoking takes effect everywhere at once.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use oneroster::{
    scope::{self, Scope},
    Version,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::apps::{app_versions, now};
use crate::{
    password,
    repo::apps::{self as repo, AppRow},
    sealed,
    secret_key::SecretKey,
    Store, StoreError,
};

/// How long a bearer token lives unless the server is told otherwise.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::hours(1);

/// A verified API caller: which app, with which scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCaller {
    pub app_id: i64,
    pub app_name: String,
    pub versions: Vec<Version>,
    pub scopes: Vec<Scope>,
    /// Requests per minute; `None` is the server's default.
    pub rate_limit: Option<i64>,
}

/// A token response's contents (RFC 6749 §5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedToken {
    pub access_token: String,
    /// Seconds.
    pub expires_in: i64,
    pub scope: String,
}

/// Why a token request or an API call was refused. The text is safe to send to the client: it
/// never says whether a client id exists.
#[derive(Debug, thiserror::Error)]
pub enum ApiAuthError {
    /// Unknown client, wrong secret, disabled app (RFC 6749 `invalid_client`, HTTP 401).
    #[error("{0}")]
    InvalidClient(String),
    /// None of the requested scopes is offered (`invalid_scope`, HTTP 400).
    #[error("{0}")]
    InvalidScope(String),
    /// A bearer token that is unknown, expired or revoked (HTTP 401).
    #[error("{0}")]
    InvalidToken(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ApiAuthError {
    fn from(e: sqlx::Error) -> Self {
        ApiAuthError::Store(e.into())
    }
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An argon2id hash checked when the client id is unknown, so that an unknown client takes as
/// long to refuse as a wrong secret (no client-id discovery by timing).
static DUMMY_HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

async fn dummy_hash() -> Result<String, StoreError> {
    DUMMY_HASH.get_or_try_init(|| password::hash("not a client secret".into())).await.cloned()
}

fn caller(row: &AppRow, scopes: Vec<Scope>) -> ApiCaller {
    ApiCaller {
        app_id: row.id,
        app_name: row.name.clone(),
        versions: app_versions(row),
        scopes,
        rate_limit: row.rate_limit,
    }
}

fn scope_names(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.name()).collect::<Vec<_>>().join(" ")
}

impl Store {
    /// OAuth 2 client credentials grant: checks the client id and secret and issues a bearer
    /// token for the offered scopes among those requested (`None`: all of them).
    #[tracing::instrument(skip(self, client_secret, requested_scope))]
    pub async fn issue_token(
        &self,
        client_id: &str,
        client_secret: &str,
        requested_scope: Option<&str>,
        lifetime: Duration,
    ) -> Result<IssuedToken, ApiAuthError> {
        let refused = || ApiAuthError::InvalidClient("the client id or secret is not valid".into());
        let Some(app) = repo::by_client_id(&self.db, client_id).await? else {
            let _ = password::verify(client_secret.to_string(), dummy_hash().await?).await;
            return Err(refused());
        };
        let now = now();
        let mut matched = None;
        for secret in repo::secrets(&self.db, app.id).await? {
            let live = secret.revoked_at.is_none() && secret.expires_at.is_none_or(|at| at > now);
            if live && password::verify(client_secret.to_string(), secret.secret_hash.clone()).await? {
                matched = Some(secret);
                break;
            }
        }
        let Some(secret) = matched else { return Err(refused()) };
        if !app.enabled {
            return Err(ApiAuthError::InvalidClient("this app is disabled; the district can enable it again".into()));
        }
        let default_version = if app_versions(&app).contains(&Version::V1p2) { Version::V1p2 } else { Version::V1p1 };
        let grant = scope::grant(requested_scope, default_version).map_err(ApiAuthError::InvalidScope)?;

        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = URL_SAFE_NO_PAD.encode(bytes);
        // A token never outlives the secret it was issued for.
        let expires_at = secret.expires_at.map_or(now + lifetime, |at| at.min(now + lifetime));
        repo::insert_token(&self.db, &digest(&token), app.id, secret.id, &scope_names(&grant.scopes), now, expires_at)
            .await?;
        repo::touch_access(&self.db, app.id, now).await?;
        Ok(IssuedToken { access_token: token, expires_in: (expires_at - now).whole_seconds(), scope: grant.scope_text })
    }

    /// The app behind a bearer token, if the token is live and the app enabled.
    pub async fn caller_by_token(&self, token: &str) -> Result<ApiCaller, ApiAuthError> {
        self.caller_and_view(token, time::Duration::ZERO).await.map(|(caller, _)| caller)
    }

    /// [`Store::caller_by_token`] with the calling app's delivery view (tombstones served for
    /// `tombstone_window`), read in the same statement.
    pub async fn caller_and_view(
        &self,
        token: &str,
        tombstone_window: time::Duration,
    ) -> Result<(ApiCaller, crate::delivery::AppView), ApiAuthError> {
        let unknown = || ApiAuthError::InvalidToken("the access token is not valid; request a new one".into());
        let digest = digest(token);
        let row = match self.token_memo.get(&digest) {
            Some(row) => row,
            None => {
                let epoch = self.token_memo.epoch();
                let Some(row) = repo::token(&self.db, &digest).await? else { return Err(unknown()) };
                self.token_memo.put(&digest, epoch, row.clone());
                row
            }
        };
        if row.secret_revoked_at.is_some() {
            return Err(unknown());
        }
        let now = OffsetDateTime::now_utc();
        if row.expires_at <= now || row.secret_expires_at.is_some_and(|at| at <= now) {
            return Err(ApiAuthError::InvalidToken("the access token has expired; request a new one".into()));
        }
        let app = &row.app;
        if !app.enabled {
            return Err(ApiAuthError::InvalidToken("this app is disabled; the district can enable it again".into()));
        }
        let scopes = row.scopes.split(' ').filter_map(Scope::parse).collect();
        let view = crate::delivery::AppView::stored(
            app.id,
            row.share_rules.as_deref(),
            row.share_generation,
            row.revision,
            tombstone_window,
        )?;
        Ok((caller(app, scopes), view))
    }

    /// For OAuth 1.0a: the app with consumer key `client_id` and the secrets it may sign with
    /// (the current one and one in its grace period). An OAuth 1.0a caller has every scope.
    pub async fn oauth1_client(
        &self,
        client_id: &str,
        key: &SecretKey,
    ) -> Result<(ApiCaller, Vec<String>), ApiAuthError> {
        let refused = || ApiAuthError::InvalidClient("the OAuth consumer key or signature is not valid".into());
        let app = repo::by_client_id(&self.db, client_id).await?.ok_or_else(refused)?;
        if !app_versions(&app).contains(&Version::V1p1) {
            return Err(ApiAuthError::InvalidClient("this app is not offered OneRoster 1.1".into()));
        }
        if !app.enabled {
            return Err(ApiAuthError::InvalidClient("this app is disabled; the district can enable it again".into()));
        }
        let now = now();
        let mut secrets = Vec::new();
        for secret in repo::secrets(&self.db, app.id).await? {
            let live = secret.revoked_at.is_none() && secret.expires_at.is_none_or(|at| at > now);
            if let (true, Some(sealed)) = (live, &secret.sealed_secret) {
                secrets.push(sealed::open(key, &app.client_id, sealed)?);
            }
        }
        if secrets.is_empty() {
            return Err(refused());
        }
        Ok((caller(&app, Scope::ALL.to_vec()), secrets))
    }

    /// Records an OAuth 1.0a nonce; false when it was seen before for this app and timestamp
    /// (a replay). `window` is how far a timestamp may be from now; nonces with timestamps
    /// older than twice that are forgotten, as their requests are refused by timestamp.
    pub async fn remember_nonce(
        &self,
        app_id: i64,
        nonce: &str,
        timestamp: i64,
        window: Duration,
    ) -> Result<bool, StoreError> {
        let now = now();
        let forget_before = (now - window).unix_timestamp() - window.whole_seconds();
        Ok(repo::remember_nonce(&self.db, app_id, nonce, timestamp, now, forget_before).await?)
    }

    /// Forgets the token checks this process remembers: call after committing a change that a
    /// token's answer depends on (the app, its credentials, its share, the roster revision).
    pub(crate) fn forget_tokens(&self) {
        self.token_memo.forget_all();
    }

    /// Notes that an app used the API now.
    pub async fn touch_app_access(&self, app_id: i64) -> Result<(), StoreError> {
        Ok(repo::touch_access(&self.db, app_id, now()).await?)
    }
}
