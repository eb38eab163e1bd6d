//! Writing what was read gives back the same bytes (synthetic samples), and any value survives
//! a write→read round trip (property test).

use std::path::PathBuf;

use oneroster::{
    csv::{file_spec, record_from_row, record_to_row, Diagnostics, FileReader, FileWriter, Manifest, Mode, Record, Row},
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

            // and through the entities: row → record → row gives the same file again
            let mut writer = FileWriter::new(spec, vec![], Vec::new()).unwrap();
            for row in &rows {
                let record = record_from_row(spec, version, row).unwrap_or_else(|| panic!("{name} line {}", row.line));
                writer.write(&record_to_row(&record, spec, version, *mode)).unwrap();
            }
            let written = writer.finish().unwrap();
            assert_eq!(String::from_utf8_lossy(&written), String::from_utf8_lossy(&original), "{folder}/{name} via entities");
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
            values: ["org-1", "", "", name.as_str(), "school", identifier.as_str(), ""].into_iter().collect(),
            metadata: if meta.is_empty() { vec![] } else { vec![("note".into(), meta.clone())] },
        };
        let mut writer = FileWriter::new(spec, vec!["note".into()], Vec::new()).unwrap();
        writer.write(&row).unwrap();
        let bytes = writer.finish().unwrap();
        let (rows, _) = read_rows(spec, Version::V1p2, Mode::Bulk, &bytes);
        prop_assert_eq!(rows.len(), 1);
        prop_assert_eq!(&rows[0].values[3], name.as_str());
        prop_assert_eq!(&rows[0].values[5], identifier.as_str());
        prop_assert_eq!(&rows[0].metadata, &row.metadata);
    }
}

#[test]
fn metadata_columns_nest_into_metadata_and_back() {
    let spec = file_spec(Version::V1p2, "users.csv").unwrap();
    let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
    let text = format!(
        "{},metadata.jp.kanaGivenName,metadata.house\r\nu1,,,true,ana,,Ana,Ruiz,,,,,,,,,,,,,,,アナ,Blue\r\n",
        header.join(",")
    );
    let (rows, diags) = read_rows(spec, Version::V1p2, Mode::Bulk, text.as_bytes());
    assert!(diags.is_empty(), "{:?}", diags.items());
    let Some(Record::User(user)) = record_from_row(spec, Version::V1p2, &rows[0]) else { panic!("a user") };
    assert_eq!(user.base.metadata, serde_json::json!({"jp": {"kanaGivenName": "アナ"}, "house": "Blue"}).as_object().unwrap().clone());
    let row = record_to_row(&Record::User(user), spec, Version::V1p2, Mode::Bulk);
    assert_eq!(row.metadata, vec![("house".to_string(), "Blue".to_string()), ("jp.kanaGivenName".to_string(), "アナ".to_string())]);
}

#[test]
fn written_packages_validate_without_diagnostics() {
    use oneroster::csv::{validate, PackageWriter};
    for folder in ["synthetic/v1p1-bulk", "synthetic/v1p2-bulk", "synthetic/v1p2-delta"] {
        let dir = sample(folder);
        let mut diags = Diagnostics::default();
        let manifest = Manifest::read(std::fs::File::open(dir.join("manifest.csv")).unwrap(), &mut diags);
        let version = manifest.version.unwrap();
        let mut package = PackageWriter::new(version).source_system_name("Rollbook, test");
        for (name, mode) in &manifest.files {
            if *mode == Mode::Absent {
                continue;
            }
            let spec = file_spec(version, name).unwrap();
            let (rows, _) = read_rows(spec, version, *mode, &std::fs::read(dir.join(name)).unwrap());
            package.add_file(name, *mode, vec![], &rows).unwrap();
        }
        let out = std::env::temp_dir().join(format!("oneroster-written-{}-{}.zip", std::process::id(), folder.replace('/', "-")));
        package.finish_zip(std::fs::File::create(&out).unwrap()).unwrap();
        let report = validate(&out).unwrap();
        let text: String = report.diagnostics.items().iter().map(|d| format!("{d}\n")).collect();
        assert!(report.diagnostics.is_empty(), "{folder}:\n{text}");
        assert_eq!(report.version, Some(version));
        let rows: u64 = report.files.iter().map(|f| f.rows).sum();
        assert!(rows >= 15, "{folder}: {rows} rows");
        std::fs::remove_file(out).ok();
    }
}
