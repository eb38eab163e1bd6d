//! Loading the next bulk file's index while the current file streams (SQLite).
//!
//! A bulk file is compared with an index of every record its table holds. Loaded on the apply
//! thread, each load stalled the whole pipeline (3.3 s for 8.4 M enrollments). Here a second
//! connection of the pool reads the indexes in apply order, one file ahead: it loads the next
//! index only once the previous one has been taken, so at most two are in memory. It reads the
//! last committed state, which for a table the import has not reached yet is what the
//! transaction sees too (SQLite has one writer: nobody else commits meanwhile).

use tokio::sync::mpsc;

use crate::{
    db::Db,
    roster::{index::Index, tables::Table, tx::lite},
    StoreError,
};

/// Indexes arriving in the order of `tables`.
pub(super) struct Prefetch {
    indexes: mpsc::Receiver<(&'static str, Result<Index, StoreError>)>,
    /// One permit per index the loader may load beyond those taken.
    permits: mpsc::Sender<()>,
}

impl Prefetch {
    /// Starts loading, on SQLite with more than one connection; `None` otherwise (the apply
    /// pass then loads each index itself).
    pub(super) fn start(db: &Db, tables: Vec<&'static Table>) -> Option<Prefetch> {
        let Db::Sqlite(pool) = db else { return None };
        if tables.is_empty() || pool.options().get_max_connections() < 2 {
            return None;
        }
        let pool = pool.clone();
        let (send, indexes) = mpsc::channel(1);
        let (permits, mut permit) = mpsc::channel::<()>(tables.len() + 1);
        // The first index may load at once.
        let _ = permits.try_send(());
        tokio::spawn(async move {
            let mut conn = match pool.acquire().await {
                Ok(conn) => conn,
                Err(e) => {
                    let _ = send.send((tables[0].name, Err(e.into()))).await;
                    return;
                }
            };
            for table in tables {
                if permit.recv().await.is_none() {
                    break;
                }
                let index = lite::index_entries(&mut conn, table.name).await.map(Index::build);
                if send.send((table.name, index)).await.is_err() {
                    break;
                }
            }
        });
        Some(Prefetch { indexes, permits })
    }

    /// The index of `table`, passing over indexes of tables that come before it (their file
    /// was listed in the manifest but never opened, a header that could not be read for
    /// example); lets the loader start on the one after. `None` when `table` was not loaded.
    pub(super) async fn take(&mut self, table: &'static str) -> Option<Result<Index, StoreError>> {
        loop {
            let (name, index) = self.indexes.recv().await?;
            let _ = self.permits.try_send(());
            if name == table {
                return Some(index);
            }
            // Both follow the order of TABLES, so `name` is a table the apply pass skipped.
            tracing::debug!(expected = table, passed = name, "index prefetch: file not applied");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::tables::by_name;

    /// A file the manifest lists but the validator never opens (its header was unreadable)
    /// is passed over: the files after it still get their indexes from the loader.
    #[tokio::test]
    async fn a_file_never_applied_is_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::connect(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
        let tables = ["orgs", "users", "enrollments"].map(|n| by_name(n).unwrap()).to_vec();
        let mut ahead = Prefetch::start(&store.db, tables).expect("SQLite with a pool of several connections");
        assert_eq!(ahead.take("users").await.expect("users loaded").unwrap().len(), 0);
        assert_eq!(ahead.take("enrollments").await.expect("enrollments loaded").unwrap().len(), 0);
        assert!(ahead.take("demographics").await.is_none(), "nothing more was loaded");
    }
}
