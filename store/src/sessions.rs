//! Console sessions, kept in the same database as everything else.
//!
//! tower-sessions has one store type per database; [`SessionBackend`] picks the one matching the
//! open [`crate::Store`] so that the server needs a single session layer type.

use async_trait::async_trait;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::{db::Db, StoreError};

/// A tower-sessions store backed by Rollbook's database (SQLite or PostgreSQL).
#[derive(Clone, Debug)]
pub enum SessionBackend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionBackend {
    pub(crate) fn for_db(db: &Db) -> Self {
        match db {
            Db::Sqlite(pool) => SessionBackend::Sqlite(SqliteStore::new(pool.clone())),
            Db::Postgres(pool) => SessionBackend::Postgres(PostgresStore::new(pool.clone())),
        }
    }

    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        // Several servers starting at once race on `CREATE ... IF NOT EXISTS`, which PostgreSQL
        // can answer with a duplicate-object error for the loser; once the winner is done a
        // second attempt finds everything in place.
        let mut attempt = 0;
        loop {
            let result = match self {
                SessionBackend::Sqlite(s) => s.migrate().await,
                SessionBackend::Postgres(s) => s.migrate().await,
            };
            match result {
                Ok(()) => return Ok(()),
                Err(_) if attempt < 2 => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                Err(e) => return Err(StoreError::Migrate(format!("session table: {e}"))),
            }
        }
    }
}

impl crate::Store {
    /// How many console sessions are stored, expired ones included until housekeeping
    /// deletes them.
    pub async fn stored_session_count(&self) -> Result<i64, StoreError> {
        let count = match &self.db {
            Db::Sqlite(pool) => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM tower_sessions").fetch_one(pool).await,
            Db::Postgres(pool) => {
                sqlx::query_scalar::<_, i64>(r#"SELECT COUNT(*) FROM "tower_sessions"."session""#).fetch_one(pool).await
            }
        };
        Ok(count?)
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.create(record).await,
            SessionBackend::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.save(record).await,
            SessionBackend::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            SessionBackend::Sqlite(s) => s.load(id).await,
            SessionBackend::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.delete(id).await,
            SessionBackend::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.delete_expired().await,
            SessionBackend::Postgres(s) => s.delete_expired().await,
        }
    }
}
