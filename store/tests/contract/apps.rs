//! Contract cases for apps, credentials and API authentication.

use oneroster::{scope::Scope, Version};
use store::{
    secret_key::SecretKey, ApiAuthError, AppPatch, NewApp, SecretState, StoreError,
};
use time::Duration;

use crate::support::TestDb;

const HOUR: Duration = Duration::hours(1);

fn app(name: &str, versions: &[Version]) -> NewApp {
    NewApp { name: name.into(), vendor: "Acme Learning".into(), contact: "help@acme.example".into(), versions: versions.to_vec() }
}

/// Every text value stored in the app tables, to check what is at rest.
async fn stored_text(db: &TestDb) -> String {
    let queries = [
        "SELECT client_id || '|' || name FROM apps",
        "SELECT secret_hash || '|' || COALESCE(sealed_secret, '') FROM app_secrets",
        "SELECT token_hash || '|' || scopes FROM app_tokens",
    ];
    let mut all = String::new();
    if db.url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        for q in queries {
            for v in sqlx::query_scalar::<_, String>(q).fetch_all(&pool).await.unwrap() {
                all.push_str(&v);
                all.push('\n');
            }
        }
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        for q in queries {
            for v in sqlx::query_scalar::<_, String>(q).fetch_all(&pool).await.unwrap() {
                all.push_str(&v);
                all.push('\n');
            }
        }
        pool.close().await;
    }
    all
}

pub async fn create_find_and_edit_apps(db: &TestDb) {
    let key = SecretKey::generate();
    let creds = db.create_app(app("  Reading Coach ", &[]), &key).await.unwrap();
    assert_eq!(creds.client_secret.len(), 43, "256 random bits, base64url");
    assert_ne!(creds.client_id, creds.client_secret);

    let shown = db.app(creds.id).await.unwrap();
    assert_eq!(shown.name, "Reading Coach");
    assert_eq!(shown.versions, vec![Version::V1p1, Version::V1p2], "both versions unless told");
    assert!(shown.enabled);
    assert_eq!(shown.client_id, creds.client_id);
    assert_eq!(shown.secrets.len(), 1);
    assert_eq!(shown.secrets[0].state, SecretState::Current);
    assert!(shown.secrets[0].oauth1, "1.1 is offered, so the secret can sign OAuth 1.0a");

    // found by id, name or client id
    assert_eq!(db.find_app(&creds.id.to_string()).await.unwrap().id, creds.id);
    assert_eq!(db.find_app("Reading Coach").await.unwrap().id, creds.id);
    assert_eq!(db.find_app(&creds.client_id).await.unwrap().id, creds.id);
    let missing = db.find_app("Nope").await.unwrap_err();
    assert!(matches!(missing, StoreError::NotFound(_)), "{missing}");
    assert!(missing.to_string().contains("`Nope`"), "{missing}");

    // names are unique; bad input is named
    let dup = db.create_app(app("Reading Coach", &[Version::V1p2]), &key).await.unwrap_err();
    assert_eq!(dup.to_string(), "an app named `Reading Coach` exists already");
    let empty = db.create_app(app("   ", &[]), &key).await.unwrap_err();
    assert_eq!(empty.to_string(), "the app's name must not be empty");
    let bad = store::service::apps::parse_versions("1.0").unwrap_err();
    assert_eq!(bad.to_string(), "`1.0` is not a OneRoster version Rollbook serves; use 1.1, 1.2 or 1.1,1.2");

    let other = db.create_app(app("Math Lab", &[Version::V1p2]), &key).await.unwrap();
    assert!(!db.app(other.id).await.unwrap().secrets[0].oauth1, "a 1.2-only secret is never stored reversibly");
    let names: Vec<String> = db.apps().await.unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Math Lab", "Reading Coach"]);

    let edited = db
        .update_app(other.id, AppPatch { vendor: Some("Numbers Inc".into()), rate_limit: Some(Some(600)), ..Default::default() })
        .await
        .unwrap();
    assert_eq!((edited.vendor.as_str(), edited.rate_limit), ("Numbers Inc", Some(600)));
    let clash = db.update_app(other.id, AppPatch { name: Some("Reading Coach".into()), ..Default::default() }).await;
    assert_eq!(clash.unwrap_err().to_string(), "an app named `Reading Coach` exists already");
    let limit = db.update_app(other.id, AppPatch { rate_limit: Some(Some(0)), ..Default::default() }).await;
    assert!(limit.unwrap_err().to_string().starts_with("the rate limit must be between 1"));

    // nothing usable is at rest: no secret, no token
    let token = db.issue_token(&creds.client_id, &creds.client_secret, None, HOUR).await.unwrap();
    let at_rest = stored_text(db).await;
    assert!(!at_rest.contains(&creds.client_secret), "a client secret is stored in the clear");
    assert!(!at_rest.contains(&other.client_secret), "a client secret is stored in the clear");
    assert!(!at_rest.contains(&token.access_token), "a bearer token is stored in the clear");
    assert_eq!(at_rest.matches("$argon2id$").count(), 2, "{at_rest}");
}

pub async fn tokens_carry_the_granted_scopes(db: &TestDb) {
    let key = SecretKey::generate();
    let creds = db.create_app(app("Roster Sync", &[Version::V1p2]), &key).await.unwrap();

    let all = db.issue_token(&creds.client_id, &creds.client_secret, None, HOUR).await.unwrap();
    assert_eq!(all.expires_in, 3600);
    assert_eq!(all.access_token.len(), 43);
    assert!(all.scope.contains("https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly"), "{}", all.scope);
    let caller = db.caller_by_token(&all.access_token).await.unwrap();
    assert_eq!(caller.app_id, creds.id);
    assert_eq!(caller.app_name, "Roster Sync");
    assert_eq!(caller.scopes, Scope::ALL.to_vec());
    assert_eq!(caller.versions, vec![Version::V1p2]);

    // unoffered scopes are dropped; a request for none of ours is invalid_scope
    let asked = "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly \
                 https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly";
    let core = db.issue_token(&creds.client_id, &creds.client_secret, Some(asked), HOUR).await.unwrap();
    assert_eq!(core.scope, "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly");
    assert_eq!(db.caller_by_token(&core.access_token).await.unwrap().scopes, vec![Scope::RosterCore]);
    let none = db.issue_token(&creds.client_id, &creds.client_secret, Some("gradebook.readonly"), HOUR).await;
    assert!(matches!(none, Err(ApiAuthError::InvalidScope(_))), "{none:?}");

    // wrong secret and unknown client look the same
    let wrong = db.issue_token(&creds.client_id, "not-the-secret", None, HOUR).await.unwrap_err();
    let unknown = db.issue_token("no-such-client", &creds.client_secret, None, HOUR).await.unwrap_err();
    assert_eq!(wrong.to_string(), "the client id or secret is not valid");
    assert_eq!(unknown.to_string(), wrong.to_string());

    // a bad or expired token is refused
    assert!(matches!(db.caller_by_token("made-up").await, Err(ApiAuthError::InvalidToken(_))));
    let short = db.issue_token(&creds.client_id, &creds.client_secret, None, Duration::seconds(1)).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let expired = db.caller_by_token(&short.access_token).await.unwrap_err();
    assert_eq!(expired.to_string(), "the access token has expired; request a new one");

    // disabling stops tokens and new grants; enabling brings both back
    db.set_app_enabled(creds.id, false).await.unwrap();
    let disabled = db.caller_by_token(&all.access_token).await.unwrap_err();
    assert_eq!(disabled.to_string(), "this app is disabled; the district can enable it again");
    assert!(matches!(
        db.issue_token(&creds.client_id, &creds.client_secret, None, HOUR).await,
        Err(ApiAuthError::InvalidClient(_))
    ));
    db.set_app_enabled(creds.id, true).await.unwrap();
    db.caller_by_token(&all.access_token).await.unwrap();
    assert!(db.app(creds.id).await.unwrap().last_access_at.is_some());
}

pub async fn rotation_keeps_the_old_secret_for_the_grace_period(db: &TestDb) {
    let key = SecretKey::generate();
    let first = db.create_app(app("Library", &[]), &key).await.unwrap();
    let old_token = db.issue_token(&first.client_id, &first.client_secret, None, HOUR).await.unwrap();

    let second = db.rotate_app_secret(first.id, Duration::hours(2), &key).await.unwrap();
    assert_eq!(second.client_id, first.client_id, "the client id stays");
    assert_ne!(second.client_secret, first.client_secret);
    let states: Vec<SecretState> = db.app(first.id).await.unwrap().secrets.iter().map(|s| s.state).collect();
    assert_eq!(states, [SecretState::Current, SecretState::Grace]);
    // both secrets work during the grace period, and the old one's tokens too
    db.issue_token(&first.client_id, &first.client_secret, None, HOUR).await.unwrap();
    db.issue_token(&first.client_id, &second.client_secret, None, HOUR).await.unwrap();
    db.caller_by_token(&old_token.access_token).await.unwrap();
    let (_, oauth1) = db.oauth1_client(&first.client_id, &key).await.unwrap();
    assert_eq!(oauth1, vec![second.client_secret.clone(), first.client_secret.clone()]);

    // a rotation without grace stops the earlier secrets at once, with their tokens
    let third = db.rotate_app_secret(first.id, Duration::ZERO, &key).await.unwrap();
    for old in [&first.client_secret, &second.client_secret] {
        assert!(db.issue_token(&first.client_id, old, None, HOUR).await.is_err());
    }
    assert!(db.caller_by_token(&old_token.access_token).await.is_err());
    let fresh = db.issue_token(&first.client_id, &third.client_secret, None, HOUR).await.unwrap();
    let too_long = db.rotate_app_secret(first.id, Duration::days(31), &key).await.unwrap_err();
    assert_eq!(too_long.to_string(), "the grace period must be between 0 and 720 hours");

    // revoking stops everything; a rotation afterwards issues a working secret again
    let revoked = db.revoke_app_credentials(first.id).await.unwrap();
    assert!(revoked.secrets.iter().all(|s| s.state == SecretState::Revoked));
    assert!(db.caller_by_token(&fresh.access_token).await.is_err());
    assert!(db.issue_token(&first.client_id, &third.client_secret, None, HOUR).await.is_err());
    assert!(db.oauth1_client(&first.client_id, &key).await.is_err());
    let fourth = db.rotate_app_secret(first.id, Duration::hours(24), &key).await.unwrap();
    let token = db.issue_token(&first.client_id, &fourth.client_secret, None, HOUR).await.unwrap();

    // a token dies with its secret when the grace period ends, even if issued for longer
    // (two seconds, as times are kept in whole seconds: the check right after the rotation has
    // at least a second to spare on a busy machine)
    db.rotate_app_secret(first.id, Duration::seconds(2), &key).await.unwrap();
    db.caller_by_token(&token.access_token).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    assert!(db.caller_by_token(&token.access_token).await.is_err(), "outlived its secret");
    assert!(db.issue_token(&first.client_id, &fourth.client_secret, None, HOUR).await.is_err());

    // the server key this database's secrets are sealed with is remembered
    assert!(db.check_secret_key(&key).await.unwrap());
    assert!(db.check_secret_key(&key).await.unwrap());
    assert!(!db.check_secret_key(&SecretKey::generate()).await.unwrap());

    // an app that is no longer offered 1.1 keeps no reversible copy of its secret
    db.update_app(first.id, AppPatch { versions: Some(vec![Version::V1p2]), ..Default::default() }).await.unwrap();
    assert!(db.app(first.id).await.unwrap().secrets.iter().all(|s| !s.oauth1));
}

pub async fn oauth1_secrets_and_nonces(db: &TestDb) {
    let key = SecretKey::generate();
    let v11 = db.create_app(app("Legacy LMS", &[Version::V1p1]), &key).await.unwrap();
    let v12 = db.create_app(app("Modern LMS", &[Version::V1p2]), &key).await.unwrap();

    let (caller, secrets) = db.oauth1_client(&v11.client_id, &key).await.unwrap();
    assert_eq!(secrets, vec![v11.client_secret.clone()]);
    assert_eq!(caller.scopes, Scope::ALL.to_vec());
    let not_offered = db.oauth1_client(&v12.client_id, &key).await.unwrap_err();
    assert_eq!(not_offered.to_string(), "this app is not offered OneRoster 1.1");
    assert!(db.oauth1_client("unknown", &key).await.is_err());
    // a different server key cannot open the stored secret
    assert!(db.oauth1_client(&v11.client_id, &SecretKey::generate()).await.is_err());

    let window = Duration::minutes(15);
    let ts = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(db.remember_nonce(v11.id, "n-1", ts, window).await.unwrap());
    assert!(!db.remember_nonce(v11.id, "n-1", ts, window).await.unwrap(), "a replay");
    assert!(db.remember_nonce(v11.id, "n-1", ts + 1, window).await.unwrap(), "another timestamp");
    assert!(db.remember_nonce(v12.id, "n-1", ts, window).await.unwrap(), "another app");
    // nonces of timestamps long outside the window are forgotten (such requests are refused
    // by their timestamp before the nonce is looked at)
    let old = ts - 3600;
    assert!(db.remember_nonce(v11.id, "n-2", old, window).await.unwrap());
    assert!(db.remember_nonce(v11.id, "n-2", old, window).await.unwrap(), "forgotten at once");
}

/// A server remembers token checks for a moment (`StoreOptions::server`): its own changes
/// take effect at once, another process's once the memo expires.
pub async fn a_server_remembers_token_checks_briefly(db: &TestDb) {
    let key = SecretKey::generate();
    let server = store::connect_with(&db.url, store::StoreOptions::server()).await.unwrap();
    let command = db.second_process().await;
    let creds = server.create_app(app("Memo", &[]), &key).await.unwrap();
    let token = server.issue_token(&creds.client_id, &creds.client_secret, None, HOUR).await.unwrap();
    assert_eq!(server.caller_by_token(&token.access_token).await.unwrap().app_name, "Memo");

    // a change through the server itself: the next check sees it
    server.set_app_enabled(creds.id, false).await.unwrap();
    let refused = server.caller_by_token(&token.access_token).await.unwrap_err();
    assert_eq!(refused.to_string(), "this app is disabled; the district can enable it again");
    server.set_app_enabled(creds.id, true).await.unwrap();
    server.caller_by_token(&token.access_token).await.unwrap();

    // the same change made by another process: seen once the memo has expired
    command.revoke_app_credentials(creds.id).await.unwrap();
    assert!(command.caller_by_token(&token.access_token).await.is_err(), "the command itself does not remember");
    server.caller_by_token(&token.access_token).await.expect("remembered for up to a second");
    tokio::time::sleep(store::StoreOptions::SERVER_TOKEN_MEMO + std::time::Duration::from_millis(100)).await;
    let revoked = server.caller_by_token(&token.access_token).await.unwrap_err();
    assert_eq!(revoked.to_string(), "the access token is not valid; request a new one");

    // a share change made through the server is part of the next answer's view
    let fresh = server.rotate_app_secret(creds.id, Duration::ZERO, &key).await.unwrap();
    let token = server.issue_token(&creds.client_id, &fresh.client_secret, None, HOUR).await.unwrap();
    let (_, before) = server.caller_and_view(&token.access_token, Duration::days(400)).await.unwrap();
    let withheld = store::sharing::Share { all: true, withhold: vec!["users.email".into()], ..Default::default() };
    server.set_share(creds.id, &withheld, "admin@example.org").await.unwrap();
    let (_, after) = server.caller_and_view(&token.access_token, Duration::days(400)).await.unwrap();
    assert_ne!(before.cache_key(), after.cache_key(), "the share's new generation is seen at once");
    assert!(!before.withholds(store::delivery::Entity::Users, "email"));
    assert!(after.withholds(store::delivery::Entity::Users, "email"), "the new share's field rules apply at once");
    command.close().await;
    server.close().await;
}
