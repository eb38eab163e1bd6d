//! Any bytes into the filter parser: it must never panic, and whatever it accepts must print
//! back to a filter that parses to the same AST.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oneroster::query::{Filter, QueryLimits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let limits = QueryLimits { max_clauses: 64, max_value_len: 1 << 16, max_filter_len: 1 << 18, ..QueryLimits::default() };
    if let Ok(filter) = Filter::parse(text, &limits) {
        let printed = filter.to_string();
        let again = Filter::parse(&printed, &limits).expect("a printed filter parses");
        assert_eq!(again, filter, "print/parse round trip of {printed:?}");
    }
});
