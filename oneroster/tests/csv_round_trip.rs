//! Writing what was read gives back the same bytes (synthetic samples), and any value survives
//! a write→read round trip (property test).

use std::path::PathBuf;

use oneroster::{
    csv::{file_spec, Diagnostics, FileReader, FileWriter, Manifest, Mode, Row},
    Version,
};
use proptest::prelude::*;

fn sample(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path)
}

fn read_rows(spec: &'static oneroster::csv::FileSpec, version: Version, mode: Mode, bytes: &[u8]) -> (Vec<Row>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let mut reader = FileReader::open(spec, version, mode, bytes, &mut diags).expect("header");
    let mut rows = Vec::new();
    while let Some(row) = reader.next_row(&mut diags) {
        rows.push(row);
    }
    (rows, diags)
}

#[test]
fn synthetic_files_round_trip_byte_for_byte() {
    for folder in ["synthetic/v1p1-bulk", "synthetic/v1p2-bulk", "synthetic/v1p2-delta"] {
        let dir = sample(folder);
        let mut diags = Diagnostics::default();
        let manifest = Manifest::read(std::fs::File::open(dir.join("manifest.csv")).unwrap(), &mut diags);
        let version = manifest.version.unwrap();
        let mut checked = 0;
        for (name, mode) in &manifest.files {
            if *mode == Mode::Absent {
                continue;
            }
            let original = std::fs::read(dir.join(name)).unwrap();
            let spec = file_spec(version, name).unwrap();
            let (rows, diags) = read_rows(spec, version, *mode, &original);
            assert!(diags.is_empty(), "{folder}/{name}: {:?}", diags.items());
            let mut writer = FileWriter::new(spec, vec![], Vec::new()).unwrap();
            for row in &rows {
                writer.write(row).unwrap();
            }
            let written = writer.finish().unwrap();
            assert_eq!(String::from_utf8_lossy(&written), String::from_utf8_lossy(&original), "{folder}/{name}");
            checked += 1;
        }
        assert!(checked >= 7, "{folder}: {checked} files");
    }
}

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_map(|s| s.replace('\0', "")),
        prop::collection::vec(prop_oneof![Just(",".to_string()), Just("\"".to_string()), Just("\r\n".to_string()),
            Just("\n".to_string()), Just(" ".to_string()), "[a-zé✓日本]{0,3}"], 0..8).prop_map(|p| p.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_text_survives_write_then_read(name in text_value(), identifier in text_value(), meta in text_value()) {
        // orgs.csv: name and identifier are free text
        let spec = file_spec(Version::V1p2, "orgs.csv").unwrap();
        prop_assume!(!name.is_empty());
        let row = Row {
            line: 2,
            values: vec!["org-1".into(), String::new(), String::new(), name.clone(), "school".into(), identifier.clone(), String::new()],
            metadata: if meta.is_empty() { vec![] } else { vec![("note".into(), meta.clone())] },
        };
        let mut writer = FileWriter::new(spec, vec!["note".into()], Vec::new()).unwrap();
        writer.write(&row).unwrap();
        let bytes = writer.finish().unwrap();
        let (rows, _) = read_rows(spec, Version::V1p2, Mode::Bulk, &bytes);
        prop_assert_eq!(rows.len(), 1);
        prop_assert_eq!(&rows[0].values[3], &name);
        prop_assert_eq!(&rows[0].values[5], &identifier);
        prop_assert_eq!(&rows[0].metadata, &row.metadata);
    }
}
