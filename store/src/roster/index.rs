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
    /// Marked present in the file being imported. Kept in the entry (it fits the padding)
    /// rather than beside it: marking then touches the memory the look-up just read, where
    /// a separate array cost a cache miss per record of an unchanged re-import.
    seen: bool,
}

impl Entry {
    /// A record not yet seen in the file being imported.
    pub fn new(id: u128, hash: i64, source: u32, active: bool) -> Entry {
        Entry { id, hash, source, active, seen: false }
    }
}

/// One table's records, sorted by fingerprint, with a directory of where each range of
/// fingerprints starts.
#[derive(Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// `buckets[k]` is the position of the first entry whose fingerprint's top `bits` bits are
    /// `k` or more (`2^bits + 1` positions, about one bucket per entry). Fingerprints are
    /// uniformly spread, so a bucket holds about one entry: a look-up reads one directory slot
    /// and the entry beside it, two cache misses, where a search of the 270 MB array of 8.4M
    /// enrollments took half a dozen and was a quarter of an unchanged re-import's CPU time.
    buckets: Vec<u32>,
    bits: u32,
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
        assert!(entries.len() < u32::MAX as usize, "an index holds fewer than 2^32 records");
        // The smallest power of two at or above the count, capped (2^26 buckets = 256 MB).
        let bits = entries.len().next_power_of_two().trailing_zeros().min(26);
        let mut buckets = Vec::with_capacity((1usize << bits) + 1);
        for (i, e) in entries.iter().enumerate() {
            let k = bucket_of(e.id, bits);
            while buckets.len() <= k {
                buckets.push(i as u32);
            }
        }
        buckets.resize((1usize << bits) + 1, entries.len() as u32);
        Index { entries, buckets, bits }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table holds no record at all (of any source).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The position of the entry with this fingerprint: a binary search of its bucket
    /// (usually zero to three entries).
    fn slot(&self, fingerprint: u128) -> Option<usize> {
        if self.entries.is_empty() {
            return None;
        }
        let k = bucket_of(fingerprint, self.bits);
        let (lo, hi) = (self.buckets[k] as usize, self.buckets[k + 1] as usize);
        self.entries[lo..hi].binary_search_by_key(&fingerprint, |e| e.id).ok().map(|i| lo + i)
    }

    /// The record with this fingerprint, if the table has it.
    pub fn get(&self, fingerprint: u128) -> Option<Existing> {
        self.slot(fingerprint).map(|slot| self.at(slot))
    }

    /// The records with these fingerprints, if the table has them, in the same order.
    ///
    /// The look-ups go in passes over the whole batch: first every directory slot, then the
    /// first entry of every bucket, then the searches. Within a pass the reads do not depend
    /// on each other, so the processor has many cache misses under way at once; one look-up
    /// at a time waits for each of its misses in turn (a sixth of a re-import's CPU samples
    /// even with the directory).
    pub fn get_many(&self, fingerprints: &[u128]) -> Vec<Option<Existing>> {
        if self.entries.is_empty() {
            return vec![None; fingerprints.len()];
        }
        let ranges: Vec<(usize, usize)> = fingerprints
            .iter()
            .map(|&fp| {
                let k = bucket_of(fp, self.bits);
                (self.buckets[k] as usize, self.buckets[k + 1] as usize)
            })
            .collect();
        // Brings each bucket's first entry into the cache; the sum only keeps the reads.
        let touched = ranges.iter().filter(|(lo, hi)| lo < hi).fold(0i64, |acc, &(lo, _)| acc ^ self.entries[lo].hash);
        std::hint::black_box(touched);
        fingerprints
            .iter()
            .zip(ranges)
            .map(|(&fp, (lo, hi))| self.entries[lo..hi].binary_search_by_key(&fp, |e| e.id).ok().map(|i| self.at(lo + i)))
            .collect()
    }

    fn at(&self, slot: usize) -> Existing {
        let e = self.entries[slot];
        Existing { slot, hash: e.hash, source: i64::from(e.source), active: e.active }
    }

    /// Marks a record as present in the file being imported; false when it was already marked
    /// (the same sourcedId twice across the files that feed one table).
    pub fn mark_seen(&mut self, slot: usize) -> bool {
        !std::mem::replace(&mut self.entries[slot].seen, true)
    }

    /// True when the record with this fingerprint was marked seen.
    pub fn was_seen(&self, fingerprint: u128) -> bool {
        self.slot(fingerprint).is_some_and(|slot| self.entries[slot].seen)
    }

    /// Active records of `source` not marked seen: what a bulk file of that source deletes.
    pub fn unseen_active(&self, source: i64) -> usize {
        self.entries.iter().filter(|e| e.active && i64::from(e.source) == source && !e.seen).count()
    }

    /// Active records of `source`: the base the hold thresholds are measured against.
    pub fn active_of(&self, source: i64) -> usize {
        self.entries.iter().filter(|e| e.active && i64::from(e.source) == source).count()
    }
}

/// The directory bucket of a fingerprint: its top `bits` bits.
fn bucket_of(fingerprint: u128, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (fingerprint >> (128 - bits)) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(id: u128, hash: i64, source: u32, active: bool) -> Entry {
        Entry::new(id, hash, source, active)
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
    fn directory_finds_every_entry_and_nothing_else() {
        let ids: Vec<u128> = (0..10_000u32).map(|i| crate::roster::rows::fingerprint(&format!("id-{i}"))).collect();
        let index = Index::build(ids.iter().map(|&id| e(id, 0, 1, true)).collect());
        for id in &ids {
            assert!(index.get(*id).is_some());
        }
        // A batch look-up answers as the single ones do, in order, misses included.
        let mut batch: Vec<u128> = ids.iter().step_by(7).copied().collect();
        batch.push(crate::roster::rows::fingerprint("not-there"));
        let many = index.get_many(&batch);
        assert_eq!(many, batch.iter().map(|&id| index.get(id)).collect::<Vec<_>>());
        assert!(many[..many.len() - 1].iter().all(Option::is_some) && many[many.len() - 1].is_none());
        assert_eq!(Index::default().get_many(&batch), vec![None; batch.len()]);
        for i in 0..2_000u32 {
            assert!(index.get(crate::roster::rows::fingerprint(&format!("other-{i}"))).is_none());
        }
        // Skewed fingerprints crowd into few buckets; they are still found by the bucket's search.
        let skewed = Index::build(vec![e(1, 0, 1, true), e(2, 0, 1, true), e(u128::MAX, 0, 1, true)]);
        assert!(skewed.get(1).is_some() && skewed.get(2).is_some() && skewed.get(u128::MAX).is_some());
        assert!(skewed.get(3).is_none() && skewed.get(0).is_none() && skewed.get(u128::MAX - 1).is_none());
        // One entry (no directory bits) and none at all.
        let one = Index::build(vec![e(7, 0, 1, true)]);
        assert!(one.get(7).is_some() && one.get(8).is_none());
        assert!(Index::default().get(7).is_none() && Index::build(Vec::new()).get(7).is_none());
    }

    #[test]
    fn an_entry_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Entry>(), 32);
    }
}
