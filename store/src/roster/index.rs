//! What a roster table already holds, compactly: per record a fingerprint of its sourcedId, its
//! content digest, its source and status. About 30 bytes a record, so 8 million enrollments fit
//! in a quarter of a gigabyte, where the ids themselves would need several times that.

/// One table's records, sorted by fingerprint for binary search.
#[derive(Default)]
pub struct Index {
    ids: Vec<u128>,
    hashes: Vec<i64>,
    sources: Vec<i64>,
    active: Vec<bool>,
    seen: Vec<bool>,
}

/// A record found in the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Existing {
    pub slot: usize,
    pub hash: i64,
    pub source: i64,
    pub active: bool,
}

impl Index {
    /// Builds the index from `(fingerprint, hash, source, active)` tuples in any order.
    pub fn build(mut entries: Vec<(u128, i64, i64, bool)>) -> Index {
        entries.sort_unstable_by_key(|e| e.0);
        let n = entries.len();
        let mut index = Index {
            ids: Vec::with_capacity(n),
            hashes: Vec::with_capacity(n),
            sources: Vec::with_capacity(n),
            active: Vec::with_capacity(n),
            seen: vec![false; n],
        };
        for (id, hash, source, active) in entries {
            index.ids.push(id);
            index.hashes.push(hash);
            index.sources.push(source);
            index.active.push(active);
        }
        index
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the table holds no record at all (of any source).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The record with this fingerprint, if the table has it.
    pub fn get(&self, fingerprint: u128) -> Option<Existing> {
        let slot = self.ids.binary_search(&fingerprint).ok()?;
        Some(Existing { slot, hash: self.hashes[slot], source: self.sources[slot], active: self.active[slot] })
    }

    /// Marks a record as present in the file being imported; false when it was already marked
    /// (the same sourcedId twice across the files that feed one table).
    pub fn mark_seen(&mut self, slot: usize) -> bool {
        !std::mem::replace(&mut self.seen[slot], true)
    }

    /// True when the record with this fingerprint was marked seen.
    pub fn was_seen(&self, fingerprint: u128) -> bool {
        self.ids.binary_search(&fingerprint).map(|slot| self.seen[slot]).unwrap_or(false)
    }

    /// Active records of `source` not marked seen: what a bulk file of that source deletes.
    pub fn unseen_active(&self, source: i64) -> usize {
        (0..self.ids.len()).filter(|&i| self.active[i] && self.sources[i] == source && !self.seen[i]).count()
    }

    /// Active records of `source`: the base the hold thresholds are measured against.
    pub fn active_of(&self, source: i64) -> usize {
        (0..self.ids.len()).filter(|&i| self.active[i] && self.sources[i] == source).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_marks_and_counts() {
        let mut index = Index::build(vec![(30, 3, 1, true), (10, 1, 1, true), (20, 2, 2, true), (40, 4, 1, false)]);
        assert_eq!(index.len(), 4);
        let e = index.get(10).unwrap();
        assert_eq!((e.hash, e.source, e.active), (1, 1, true));
        assert!(index.get(15).is_none());
        assert_eq!(index.active_of(1), 2);
        assert!(index.mark_seen(e.slot));
        assert!(!index.mark_seen(e.slot));
        assert!(index.was_seen(10));
        assert!(!index.was_seen(30));
        // 30 is active, of source 1 and unseen; 40 is a tombstone; 20 belongs to source 2.
        assert_eq!(index.unseen_active(1), 1);
    }
}
