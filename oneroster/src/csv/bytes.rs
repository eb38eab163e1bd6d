//! Byte-level helpers of the reader: line-end checking and id fingerprints.

use std::io::Read;

/// Passes bytes through and notes whether a `\r` was ever not followed by `\n` (the csv crate
/// would silently take it as a line end; OneRoster allows only CRLF and LF), and whether a NUL
/// byte has come by (so that rows are searched for one only in a file that has one).
pub(crate) struct CrWatch<R> {
    pub inner: R,
    pub last_was_cr: bool,
    pub bare_cr: bool,
    pub nul: bool,
}

impl<R: Read> Read for CrWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !self.nul && memchr::memchr(0, &buf[..n]).is_some() {
            self.nul = true;
        }
        if self.bare_cr {
            return Ok(n);
        }
        let data = &buf[..n];
        if n == 0 {
            // A CR as the very last byte of the file is a bare CR too.
            self.bare_cr = self.last_was_cr;
            return Ok(0);
        }
        if self.last_was_cr && data[0] != b'\n' {
            self.bare_cr = true;
        }
        // Jump from CR to CR: most bytes are not one.
        if memchr::memchr_iter(b'\r', data).any(|at| matches!(data.get(at + 1), Some(next) if *next != b'\n')) {
            self.bare_cr = true;
        }
        self.last_was_cr = data[n - 1] == b'\r';
        Ok(n)
    }
}

pub(crate) fn fingerprint(seeds: &Seeds, id: &str) -> u128 {
    use std::hash::BuildHasher;
    (u128::from(seeds.0.hash_one(id)) << 64) | u128::from(seeds.1.hash_one(id))
}

/// One fingerprint for a pair of ids, without joining them into a new string first (`str`
/// hashes its bytes and then a 0xFF byte, which UTF-8 never contains, so ("ab", "c") and
/// ("a", "bc") differ).
pub(crate) fn fingerprint_pair(seeds: &Seeds, a: &str, b: &str) -> u128 {
    use std::hash::BuildHasher;
    (u128::from(seeds.0.hash_one((a, b))) << 64) | u128::from(seeds.1.hash_one((a, b)))
}


/// The two seeded hashers behind [`fingerprint`]; a reader and the validator share one pair so
/// that the reader's set of ids can serve the validator's reference checks.
pub(crate) type Seeds = (foldhash::fast::RandomState, foldhash::fast::RandomState);

/// Hashes a fingerprint for a hash table by taking it as it is: a fingerprint is already a
/// uniformly spread, randomly seeded hash of the id, so hashing it again (SipHash, foldhash)
/// only costs time, and ids cannot be crafted to collide in the table.
#[derive(Clone, Copy, Default)]
pub(crate) struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only fingerprints are hashed with this; fold anything else in all the same.
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = (v as u64) ^ ((v >> 64) as u64);
    }
}

/// Builds [`PassThrough`] hashers.
pub(crate) type PassThroughState = std::hash::BuildHasherDefault<PassThrough>;

/// A set of id fingerprints.
pub(crate) type IdSet = std::collections::HashSet<u128, PassThroughState>;

/// A map keyed by id fingerprints.
pub(crate) type IdMap<V> = std::collections::HashMap<u128, V, PassThroughState>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_differ_by_id_and_sets_hold_them() {
        let seeds = Seeds::default();
        let mut set = IdSet::default();
        for i in 0..10_000 {
            assert!(set.insert(fingerprint(&seeds, &format!("id-{i}"))));
        }
        assert!(!set.insert(fingerprint(&seeds, "id-77")));
        assert!(set.contains(&fingerprint(&seeds, "id-9999")));
        assert!(!set.contains(&fingerprint(&seeds, "id-10000")));
    }

    #[test]
    fn pair_fingerprints_keep_the_boundary() {
        let seeds = Seeds::default();
        assert_eq!(fingerprint_pair(&seeds, "u1", "o1"), fingerprint_pair(&seeds, "u1", "o1"));
        assert_ne!(fingerprint_pair(&seeds, "ab", "c"), fingerprint_pair(&seeds, "a", "bc"));
        assert_ne!(fingerprint_pair(&seeds, "u1", "o1"), fingerprint_pair(&seeds, "o1", "u1"));
    }
}
