//! What a roster table already holds, compactly: per record a fingerprint of its sourcedId, its
//! content digest, its source and status — 32 bytes, so 8.4 million enrollments take 270 MB,
//! where the ids themselves would need several times that.

/// One record of the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub id: u128,
    pub hash: i64,
    pub source: u32,
    pub active: bool,
}

/// One table's records, sorted by fingerprint for binary search.
#[derive(Default)]
pub struct Index {
    entries: Vec<Entry>,
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
    /// Builds the index from entries in any order (sorted in place: no second copy).
    pub fn build(mut entries: Vec<Entry>) -> Index {
        entries.sort_unstable_by_key(|e| e.id);
        let seen = vec![false; entries.len()];
        Index { entries, seen }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table holds no record at all (of any source).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn slot(&self, fingerprint: u128) -> Option<usize> {
        self.entries.binary_search_by_key(&fingerprint, |e| e.id).ok()
    }

    /// The record with this fingerprint, if the table has it.
    pub fn get(&self, fingerprint: u128) -> Option<Existing> {
        let slot = self.slot(fingerprint)?;
        let e = self.entries[slot];
        Some(Existing { slot, hash: e.hash, source: i64::from(e.source), active: e.active })
    }

    /// Marks a record as present in the file being imported; false when it was already marked
    /// (the same sourcedId twice across the files that feed one table).
    pub fn mark_seen(&mut self, slot: usize) -> bool {
        !std::mem::replace(&mut self.seen[slot], true)
    }

    /// True when the record with this fingerprint was marked seen.
    pub fn was_seen(&self, fingerprint: u128) -> bool {
        self.slot(fingerprint).is_some_and(|slot| self.seen[slot])
    }

    /// Active records of `source` not marked seen: what a bulk file of that source deletes.
    pub fn unseen_active(&self, source: i64) -> usize {
        self.entries.iter().zip(&self.seen).filter(|(e, seen)| e.active && i64::from(e.source) == source && !**seen).count()
    }

    /// Active records of `source`: the base the hold thresholds are measured against.
    pub fn active_of(&self, source: i64) -> usize {
        self.entries.iter().filter(|e| e.active && i64::from(e.source) == source).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(id: u128, hash: i64, source: u32, active: bool) -> Entry {
        Entry { id, hash, source, active }
    }

    #[test]
    fn finds_marks_and_counts() {
        let mut index = Index::build(vec![e(30, 3, 1, true), e(10, 1, 1, true), e(20, 2, 2, true), e(40, 4, 1, false)]);
        assert_eq!(index.len(), 4);
        let found = index.get(10).unwrap();
        assert_eq!((found.hash, found.source, found.active), (1, 1, true));
        assert!(index.get(15).is_none());
        assert_eq!(index.active_of(1), 2);
        assert!(index.mark_seen(found.slot));
        assert!(!index.mark_seen(found.slot));
        assert!(index.was_seen(10));
        assert!(!index.was_seen(30));
        // 30 is active, of source 1 and unseen; 40 is a tombstone; 20 belongs to source 2.
        assert_eq!(index.unseen_active(1), 1);
    }

    #[test]
    fn an_entry_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
    }
}
