//! Contract cases for accounts, sign-in and throttling.

use std::{net::IpAddr, time::Duration};

use store::{AuthError, Backend, NewAccount, Role, SessionAuth, StoreError, ThrottlePolicy};

use crate::support::TestDb;

const PASSWORD: &str = "correct-horse-battery";

fn admin(email: &str) -> NewAccount {
    NewAccount {
        email: email.into(),
        display_name: Some("Dana Admin".into()),
        role: Role::DistrictAdmin,
        password: PASSWORD.into(),
    }
}

fn addr(text: &str) -> Option<IpAddr> {
    Some(text.parse().unwrap())
}

pub async fn connect_reports_backend_and_pings(db: &TestDb) {
    db.ping().await.unwrap();
    let expected = if db.url.starts_with("sqlite") { Backend::Sqlite } else { Backend::Postgres };
    assert_eq!(db.backend(), expected);
}

pub async fn migrations_are_idempotent(db: &TestDb) {
    db.create_account(admin("dana@district.example")).await.unwrap();
    // a second start runs the migrations again on the same data
    let again = db.second_process().await;
    assert_eq!(again.list_accounts().await.unwrap().len(), 1);
    again.close().await;
}

pub async fn several_servers_can_start_at_once(db: &TestDb) {
    // a load-balanced deployment starts its servers together on a new, empty database
    let url = db.fresh_database().await;
    let starts: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { store::connect(&url).await })
        })
        .collect();
    for start in starts {
        let s = start.await.unwrap().expect("every server starts");
        assert!(s.list_accounts().await.unwrap().is_empty());
        s.close().await;
    }
}

pub async fn create_list_and_find_accounts(db: &TestDb) {
    let created = db.create_account(admin("  Dana@District.Example ")).await.unwrap();
    assert_eq!(created.email, "dana@district.example");
    assert_eq!(created.display_name, "Dana Admin");
    assert_eq!(created.role, Role::DistrictAdmin);
    assert!(!created.disabled);
    assert_eq!(created.last_sign_in_at, None);

    let auditor = db
        .create_account(NewAccount {
            email: "audrey@district.example".into(),
            display_name: None,
            role: Role::Auditor,
            password: PASSWORD.into(),
        })
        .await
        .unwrap();
    assert_eq!(auditor.display_name, "audrey", "display name defaults to the e-mail's local part");

    let all = db.list_accounts().await.unwrap();
    let emails: Vec<_> = all.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(emails, ["audrey@district.example", "dana@district.example"]);

    let found = db.account_by_email("DANA@district.example").await.unwrap().unwrap();
    assert_eq!(found, created);
    assert_eq!(db.account_by_email("nobody@district.example").await.unwrap(), None);

    let json = serde_json::to_value(&found).unwrap();
    assert_eq!(json["email"], "dana@district.example");
    assert_eq!(json["role"], "district_admin");
    assert!(json.get("password_hash").is_none() && json.get("session_epoch").is_none());
}

pub async fn duplicate_email_is_a_conflict(db: &TestDb) {
    db.create_account(admin("dana@district.example")).await.unwrap();
    let err = db.create_account(admin("DANA@district.example")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(err.to_string(), "an account for dana@district.example exists already");
}

pub async fn weak_password_and_bad_email_are_refused(db: &TestDb) {
    let mut weak = admin("dana@district.example");
    weak.password = "short".into();
    let err = db.create_account(weak).await.unwrap_err();
    assert_eq!(err.to_string(), "the password is too short: use at least 12 characters");
    let err = db.create_account(admin("not-an-email")).await.unwrap_err();
    assert_eq!(err.to_string(), "`not-an-email` is not an e-mail address");
    assert!(db.list_accounts().await.unwrap().is_empty(), "nothing was half-created");
}

pub async fn sign_in_refusals_look_the_same(db: &TestDb) {
    let created = db.create_account(admin("dana@district.example")).await.unwrap();
    let (account, auth) = db.authenticate("Dana@District.example", PASSWORD, addr("10.0.0.1")).await.unwrap();
    assert_eq!(account.id, created.id);
    assert!(account.last_sign_in_at.is_some());
    assert_eq!(auth, SessionAuth { account_id: created.id, epoch: 0 });
    let stored = db.account_by_email("dana@district.example").await.unwrap().unwrap();
    assert!(stored.last_sign_in_at.is_some(), "last sign-in is recorded");

    let wrong = db.authenticate("dana@district.example", "wrong-password!", None).await.unwrap_err();
    let unknown = db.authenticate("nobody@district.example", PASSWORD, None).await.unwrap_err();
    assert!(matches!(wrong, AuthError::InvalidCredentials));
    assert!(matches!(unknown, AuthError::InvalidCredentials));
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(wrong.to_string(), "The e-mail address or password is incorrect.");
}

pub async fn throttling_slows_down_one_account(db: &TestDb) {
    db.create_account(admin("dana@district.example")).await.unwrap();
    for i in 0..5 {
        // different addresses: the account limit applies on its own
        let from = addr(&format!("10.0.1.{i}"));
        let err = db.authenticate("dana@district.example", "wrong-password!", from).await.unwrap_err();
        assert!(matches!(err, AuthError::InvalidCredentials), "attempt {i}: {err}");
    }
    // even the right password is not checked while the account is throttled
    let err = db.authenticate("dana@district.example", PASSWORD, addr("10.0.1.99")).await.unwrap_err();
    match err {
        AuthError::Throttled { retry_after_secs } => assert_eq!(retry_after_secs, 2),
        other => panic!("expected throttling, got {other}"),
    }
    assert_eq!(
        db.authenticate("dana@district.example", PASSWORD, None).await.unwrap_err().to_string(),
        "Too many failed sign-in attempts. Wait 2 seconds, then try again."
    );
    // unknown e-mails are throttled the same way, so throttling reveals nothing either
    for _ in 0..5 {
        let _ = db.authenticate("ghost@district.example", "wrong-password!", None).await;
    }
    assert!(matches!(
        db.authenticate("ghost@district.example", "wrong-password!", None).await,
        Err(AuthError::Throttled { .. })
    ));
    // another account is unaffected
    db.create_account(admin("eli@district.example")).await.unwrap();
    db.authenticate("eli@district.example", PASSWORD, None).await.unwrap();
    // once the delay has passed, the right password works again
    tokio::time::sleep(Duration::from_millis(2100)).await;
    db.authenticate("dana@district.example", PASSWORD, None).await.unwrap();
}

pub async fn parallel_guesses_are_throttled_too(db: &TestDb) {
    db.create_account(admin("dana@district.example")).await.unwrap();
    // twelve guesses at once: they cannot all get past the five free attempts
    let guesses: Vec<_> = (0..12)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { store.authenticate("dana@district.example", "wrong-password!", None).await })
        })
        .collect();
    let mut refused = 0;
    let mut throttled = 0;
    for g in guesses {
        match g.await.unwrap() {
            Err(AuthError::InvalidCredentials) => refused += 1,
            Err(AuthError::Throttled { .. }) => throttled += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(throttled > 0, "some parallel guesses are throttled ({refused} checked)");
    assert!(refused < 12);
    // old failures are purged by housekeeping
    assert_eq!(db.purge_sign_in_failures().await.unwrap(), 0, "recent failures stay");
}

pub async fn throttling_slows_down_one_address(db: &TestDb) {
    let policy = ThrottlePolicy { free_attempts_per_address: 3, ..ThrottlePolicy::default() };
    let store = db.store.clone().with_throttle_policy(policy);
    store.create_account(admin("dana@district.example")).await.unwrap();
    for i in 0..3 {
        let email = format!("guess{i}@district.example");
        let _ = store.authenticate(&email, "wrong-password!", addr("192.0.2.7")).await;
    }
    assert!(matches!(
        store.authenticate("dana@district.example", PASSWORD, addr("192.0.2.7")).await,
        Err(AuthError::Throttled { .. })
    ));
    // the same account from another address is fine
    store.authenticate("dana@district.example", PASSWORD, addr("192.0.2.8")).await.unwrap();
}

pub async fn reset_password_ends_sessions_and_lifts_throttle(db: &TestDb) {
    db.create_account(admin("dana@district.example")).await.unwrap();
    let (_, old_session) = db.authenticate("dana@district.example", PASSWORD, None).await.unwrap();
    assert!(db.session_account(old_session).await.unwrap().is_some());
    for _ in 0..5 {
        let _ = db.authenticate("dana@district.example", "wrong-password!", None).await;
    }

    let err = db.reset_password("dana@district.example", "short".into()).await.unwrap_err();
    assert_eq!(err.to_string(), "the password is too short: use at least 12 characters");
    let err = db.reset_password("nobody@district.example", "a-new-long-password".into()).await.unwrap_err();
    assert_eq!(err.to_string(), "there is no account for nobody@district.example");

    db.reset_password("dana@district.example", "a-new-long-password".into()).await.unwrap();
    assert_eq!(db.session_account(old_session).await.unwrap(), None, "old sessions end");
    assert!(matches!(
        db.authenticate("dana@district.example", PASSWORD, None).await,
        Err(AuthError::InvalidCredentials)
    ));
    let (_, new_session) = db.authenticate("dana@district.example", "a-new-long-password", None).await.unwrap();
    assert_eq!(new_session.epoch, old_session.epoch + 1);
    assert!(db.session_account(new_session).await.unwrap().is_some());
}

pub async fn disabled_account_cannot_sign_in_or_keep_sessions(db: &TestDb) {
    db.create_account(admin("dana@district.example")).await.unwrap();
    let (_, session) = db.authenticate("dana@district.example", PASSWORD, None).await.unwrap();
    let disabled = db.set_account_disabled("dana@district.example", true).await.unwrap();
    assert!(disabled.disabled);
    assert_eq!(db.session_account(session).await.unwrap(), None);
    let err = db.authenticate("dana@district.example", PASSWORD, None).await.unwrap_err();
    assert_eq!(err.to_string(), "The e-mail address or password is incorrect.");
    db.set_account_disabled("dana@district.example", false).await.unwrap();
    assert!(db.session_account(session).await.unwrap().is_some());
}

pub async fn servers_starting_together_create_one_first_admin(db: &TestDb) {
    // different ROLLBOOK_ADMIN_EMAIL on each server: still exactly one first admin
    let url = db.fresh_database().await;
    let mut stores = Vec::new();
    for _ in 0..3 {
        stores.push(store::connect(&url).await.unwrap());
    }
    let starts: Vec<_> = stores
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.clone();
            tokio::spawn(async move { s.create_first_admin(&format!("admin{i}@rollbook.local")).await })
        })
        .collect();
    let mut created = 0;
    for start in starts {
        if start.await.unwrap().unwrap().is_some() {
            created += 1;
        }
    }
    assert_eq!(created, 1);
    assert_eq!(stores[0].list_accounts().await.unwrap().len(), 1);
    for s in stores {
        s.close().await;
    }
}

pub async fn first_admin_is_created_once(db: &TestDb) {
    let (account, password) = db.create_first_admin("admin@rollbook.local").await.unwrap().unwrap();
    assert_eq!(account.email, "admin@rollbook.local");
    assert_eq!(account.role, Role::DistrictAdmin);
    assert_eq!(password.len(), 24);
    db.authenticate("admin@rollbook.local", &password, None).await.unwrap();
    assert_eq!(db.create_first_admin("admin@rollbook.local").await.unwrap(), None);
    let other = db.second_process().await;
    assert_eq!(other.create_first_admin("other@rollbook.local").await.unwrap(), None);
    other.close().await;
    assert_eq!(db.list_accounts().await.unwrap().len(), 1);
}
