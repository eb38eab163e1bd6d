//! The values of one CSV row, kept in one buffer.
//!
//! A row of a large file used to be a `Vec<String>`: one allocation per cell, made by the thread
//! that reads the file and freed by whichever thread consumes the row. For 8.4M enrollments
//! that was a fifth of the reading thread's time (allocating, copying, and collecting the blocks
//! other threads had freed). Here a row is two allocations whatever its width.

use std::ops::Index;

/// One value per column, in order; a blank cell is the empty string.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Values {
    text: String,
    /// Where each value ends in `text` (it starts where the previous one ends).
    ends: Vec<usize>,
}

impl Values {
    /// Empty, with room for `columns` values of `bytes` bytes in all.
    pub fn with_capacity(columns: usize, bytes: usize) -> Values {
        Values { text: String::with_capacity(bytes), ends: Vec::with_capacity(columns) }
    }

    /// Appends a value.
    pub fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    /// Removes every value, keeping the memory for the next row.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are no values (not even blank ones).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Value `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.text[start..end])
    }

    /// The values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| &self[i])
    }

    /// Replaces value `i` (a copy of the rest moves; meant for the odd edit, not a loop).
    ///
    /// # Panics
    /// When there is no value `i`.
    pub fn set(&mut self, i: usize, value: &str) {
        assert!(i < self.len(), "no value {i} in a row of {}", self.len());
        let mut next = Values::with_capacity(self.len(), self.text.len() + value.len());
        for (j, old) in self.iter().enumerate() {
            next.push(if i == j { value } else { old });
        }
        *self = next;
    }
}

impl Index<usize> for Values {
    type Output = str;

    /// Value `i`.
    ///
    /// # Panics
    /// When there is no value `i`, as a slice would.
    fn index(&self, i: usize) -> &str {
        match self.get(i) {
            Some(value) => value,
            None => panic!("no value {i} in a row of {}", self.len()),
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Values {
    fn from_iter<I: IntoIterator<Item = S>>(values: I) -> Values {
        let mut out = Values::default();
        for value in values {
            out.push(value.as_ref());
        }
        out
    }
}

impl std::fmt::Debug for Values {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Values;

    #[test]
    fn values_keep_their_order_blanks_and_edits() {
        let mut v: Values = ["u1", "", "Ada", "Lovelace"].into_iter().collect();
        assert_eq!(v.len(), 4);
        assert_eq!(v.iter().collect::<Vec<_>>(), ["u1", "", "Ada", "Lovelace"]);
        assert_eq!((&v[0], &v[1], v.get(3), v.get(4)), ("u1", "", Some("Lovelace"), None));
        v.set(1, "active");
        v.set(3, "");
        assert_eq!(format!("{v:?}"), r#"["u1", "active", "Ada", ""]"#);
        v.clear();
        assert!(v.is_empty());
        v.push("");
        assert_eq!((v.len(), &v[0]), (1, ""));
    }

    #[test]
    #[should_panic(expected = "no value 2 in a row of 2")]
    fn a_missing_value_panics_like_a_slice() {
        let v: Values = ["a", "b"].into_iter().collect();
        let _ = &v[2];
    }
}
