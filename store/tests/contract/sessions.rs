//! Contract cases for console sessions stored in the database.

use store::SessionAuth;
use time::{Duration, OffsetDateTime};
use tower_sessions::{
    session::{Id, Record},
    session_store::ExpiredDeletion,
    SessionStore,
};

use crate::support::TestDb;

fn record(expiry: OffsetDateTime) -> Record {
    let mut data = std::collections::HashMap::new();
    let auth = SessionAuth { account_id: 7, epoch: 2 };
    data.insert(store::SESSION_AUTH_KEY.to_string(), serde_json::to_value(auth).unwrap());
    Record { id: Id::default(), data, expiry_date: expiry }
}

pub async fn sessions_round_trip(db: &TestDb) {
    let sessions = db.session_store();
    let mut rec = record(OffsetDateTime::now_utc() + Duration::hours(1));
    sessions.create(&mut rec).await.unwrap();
    let loaded = sessions.load(&rec.id).await.unwrap().expect("stored session loads");
    assert_eq!(loaded.data, rec.data);
    let auth: SessionAuth = serde_json::from_value(loaded.data[store::SESSION_AUTH_KEY].clone()).unwrap();
    assert_eq!(auth, SessionAuth { account_id: 7, epoch: 2 });

    rec.data.clear();
    sessions.save(&rec).await.unwrap();
    assert!(sessions.load(&rec.id).await.unwrap().unwrap().data.is_empty());

    sessions.delete(&rec.id).await.unwrap();
    assert!(sessions.load(&rec.id).await.unwrap().is_none());
}

pub async fn sessions_are_shared_between_processes(db: &TestDb) {
    let mut rec = record(OffsetDateTime::now_utc() + Duration::hours(1));
    db.session_store().create(&mut rec).await.unwrap();
    // a second server process behind the load balancer sees the same sign-in
    let other = db.second_process().await;
    let loaded = other.session_store().load(&rec.id).await.unwrap();
    assert_eq!(loaded.map(|r| r.data), Some(rec.data.clone()));
    other.session_store().delete(&rec.id).await.unwrap();
    assert!(db.session_store().load(&rec.id).await.unwrap().is_none(), "sign-out is shared too");
    other.close().await;
}

pub async fn expired_sessions_are_deleted(db: &TestDb) {
    let sessions = db.session_store();
    let mut live = record(OffsetDateTime::now_utc() + Duration::hours(1));
    let mut dead = record(OffsetDateTime::now_utc() - Duration::minutes(1));
    sessions.create(&mut live).await.unwrap();
    sessions.create(&mut dead).await.unwrap();
    assert!(sessions.load(&dead.id).await.unwrap().is_none(), "an expired session never loads");
    assert_eq!(db.stored_session_count().await.unwrap(), 2);
    sessions.delete_expired().await.unwrap();
    assert_eq!(db.stored_session_count().await.unwrap(), 1, "the expired row is gone");
    assert!(sessions.load(&live.id).await.unwrap().is_some());
}
