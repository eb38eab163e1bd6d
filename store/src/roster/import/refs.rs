//! References a package leaves to the roster (a delta enrollment naming a class imported
//! earlier): each must name an active record that this import does not delete.

use std::collections::{BTreeMap, HashMap};

use oneroster::csv::{Diagnostics, UnresolvedRef};

use crate::{
    db::Db,
    roster::{
        tables::{by_stem, Table},
        tx::lite,
    },
    Store, StoreError,
};

/// Reports every unresolved reference that the roster does not satisfy either.
///
/// `bulk_stems` are the files this package replaces in bulk for `source`: a record of that
/// source missing from them is about to be deleted, so a reference to it cannot stand.
pub(super) async fn check(
    store: &Store,
    unresolved: &[UnresolvedRef],
    source: i64,
    bulk_stems: &[&str],
    diags: &mut Diagnostics,
) -> Result<(), StoreError> {
    let mut by_target: BTreeMap<&str, Vec<&UnresolvedRef>> = BTreeMap::new();
    for r in unresolved {
        by_target.entry(r.target).or_default().push(r);
    }
    for (target, refs) in by_target {
        let Some(table) = by_stem(target) else { continue };
        let mut ids: Vec<&str> = refs.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let found = records(store, table, &ids).await?;
        let replaced = bulk_stems.contains(&target);
        for r in refs {
            let why = match found.get(&r.id) {
                None => format!("refers to `{}`, which is neither in {target}.csv nor in the roster", r.id),
                Some((_, active)) if !active => {
                    format!("refers to `{}`, which {target}.csv does not list and the roster holds as deleted", r.id)
                }
                Some((s, _)) if *s == source && replaced => {
                    format!("refers to `{}`, which this bulk {target}.csv no longer lists (it would be deleted)", r.id)
                }
                Some(_) => continue,
            };
            diags.error(r.file, Some(r.line), Some(r.field), why);
        }
    }
    Ok(())
}

/// The source and whether it is active, of each record of `table` with one of these sourcedIds.
async fn records(store: &Store, table: &Table, ids: &[&str]) -> Result<HashMap<String, (i64, bool)>, StoreError> {
    match &store.db {
        Db::Sqlite(pool) => {
            // One prepared look-up per id on the raw connection: a delta names hundreds of
            // thousands of records, and sqlx's per-row hand-off made this take seconds.
            let mut conn = pool.acquire().await?;
            let rows = lite::lookup(&mut conn, table.name, ids).await?;
            Ok(rows.into_iter().map(|(id, _, source, active)| (id, (source, active))).collect())
        }
        Db::Postgres(pool) => {
            let mut found = HashMap::new();
            for chunk in ids.chunks(500) {
                let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                let sql = format!("SELECT sourced_id, source_id, status FROM {} WHERE sourced_id IN ({})", table.name, placeholders.join(", "));
                let mut q = sqlx::query_as::<_, (String, i64, String)>(&sql);
                for id in chunk {
                    q = q.bind(*id);
                }
                found.extend(q.fetch_all(pool).await?.into_iter().map(|(id, s, st)| (id, (s, st == "active"))));
            }
            Ok(found)
        }
    }
}
