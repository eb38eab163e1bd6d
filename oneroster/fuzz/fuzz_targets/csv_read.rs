//! Any bytes as a users.csv (1.1 and 1.2) and as a manifest: reading must never panic, and
//! every row must come back with one value per spec column.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oneroster::{
    csv::{file_spec, Diagnostics, FileReader, Manifest, Mode},
    Version,
};

fuzz_target!(|data: &[u8]| {
    let mut diags = Diagnostics::with_cap(50);
    let _ = Manifest::read(data, &mut diags);
    for (version, mode) in [(Version::V1p2, Mode::Delta), (Version::V1p1, Mode::Bulk)] {
        let spec = file_spec(version, "users.csv").unwrap();
        // Also read it with a valid header in front, so that the fuzzer reaches the rows.
        let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
        let mut with_header = header.join(",").into_bytes();
        with_header.extend_from_slice(b"\r\n");
        with_header.extend_from_slice(data);
        for input in [data, &with_header[..]] {
            if let Some(mut reader) = FileReader::open(spec, version, mode, input, &mut diags) {
                while let Some(row) = reader.next_row(&mut diags) {
                    assert_eq!(row.values.len(), reader.spec().columns.len());
                }
            }
        }
    }
});
