//! Byte-level helpers of the reader: line-end checking and id fingerprints.

use std::io::Read;

/// Passes bytes through and notes whether a `\r` was ever not followed by `\n` (the csv crate
/// would silently take it as a line end; OneRoster allows only CRLF and LF).
pub(crate) struct CrWatch<R> {
    pub inner: R,
    pub last_was_cr: bool,
    pub bare_cr: bool,
}

impl<R: Read> Read for CrWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
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
        let mut from = 0;
        while let Some(p) = data[from..].iter().position(|&b| b == b'\r') {
            let at = from + p;
            if matches!(data.get(at + 1), Some(next) if *next != b'\n') {
                self.bare_cr = true;
                break;
            }
            from = at + 1;
        }
        self.last_was_cr = data[n - 1] == b'\r';
        Ok(n)
    }
}

pub(crate) fn fingerprint(seeds: &(foldhash::fast::RandomState, foldhash::fast::RandomState), id: &str) -> u128 {
    use std::hash::BuildHasher;
    (u128::from(seeds.0.hash_one(id)) << 64) | u128::from(seeds.1.hash_one(id))
}

