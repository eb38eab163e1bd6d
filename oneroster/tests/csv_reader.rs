//! The file reader's own rules: line numbers, bare CRs, duplicate ids.

use oneroster::{
    csv::{file_spec, Diagnostics, FileReader, Mode},
    Version,
};


fn lines(data: &str) -> Vec<u64> {
    let mut diags = Diagnostics::default();
    let spec = file_spec(Version::V1p2, "orgs.csv").unwrap();
    let mut r = FileReader::open(spec, Version::V1p2, Mode::Bulk, data.as_bytes(), &mut diags).unwrap();
    let mut out = vec![];
    while let Some(row) = r.next_row(&mut diags) {
        out.push(row.line);
    }
    out
}

#[test]
fn bare_carriage_returns_are_errors() {
    let mut diags = Diagnostics::default();
    let spec = file_spec(Version::V1p2, "orgs.csv").unwrap();
    let data = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\ro1,,,A,school,,\r";
    let mut r = FileReader::open(spec, Version::V1p2, Mode::Bulk, data.as_bytes(), &mut diags).unwrap();
    while r.next_row(&mut diags).is_some() {}
    assert_eq!(
        diags.items().last().unwrap().to_string(),
        "orgs.csv: error: uses a bare carriage return (CR without LF) as a line end; save it with CRLF or LF line ends"
    );
    // CRLF inside a quoted value is not a bare CR
    let mut diags = Diagnostics::default();
    let data = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\no1,,,\"A\r\nB\",school,,\r\n";
    let mut r = FileReader::open(spec, Version::V1p1, Mode::Bulk, data.as_bytes(), &mut diags).unwrap();
    while r.next_row(&mut diags).is_some() {}
    assert!(diags.items().iter().all(|d| !d.message.contains("bare carriage")), "{:?}", diags.items());
}

#[test]
fn duplicate_sourced_ids_are_errors() {
    let mut diags = Diagnostics::default();
    let spec = file_spec(Version::V1p2, "orgs.csv").unwrap();
    let data = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n\
                o1,,,A,school,,\r\no2,,,B,school,,\r\no1,,,C,school,,\r\n";
    let mut r = FileReader::open(spec, Version::V1p2, Mode::Bulk, data.as_bytes(), &mut diags).unwrap();
    while r.next_row(&mut diags).is_some() {}
    let messages: Vec<String> = diags.items().iter().map(|d| d.to_string()).collect();
    assert_eq!(messages, ["orgs.csv line 4, field `sourcedId`: error: `o1` appears twice in this file"]);
}

/// The reader keeps ids cheaply while they come in increasing order and switches to a set
/// when the order breaks: a repeat is found either way, wherever it falls.
#[test]
fn duplicates_are_found_in_and_out_of_order() {
    let spec = file_spec(Version::V1p2, "orgs.csv").unwrap();
    let header = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n";
    let repeats = |ids: &[&str]| -> Vec<String> {
        let mut data = header.to_string();
        for id in ids {
            data.push_str(&format!("{id},,,N,school,,\n"));
        }
        let mut diags = Diagnostics::default();
        let mut r = FileReader::open(spec, Version::V1p2, Mode::Bulk, data.as_bytes(), &mut diags).unwrap();
        while r.next_row(&mut diags).is_some() {}
        diags.items().iter().map(|d| format!("{} {}", d.line.unwrap(), d.message)).collect()
    };
    // In order throughout: nothing repeats.
    assert!(repeats(&["a", "b", "c", "d"]).is_empty());
    // The same id twice in a row.
    assert_eq!(repeats(&["a", "b", "b", "c"]), ["4 `b` appears twice in this file"]);
    // The order breaks first, then an id of the ordered run comes back.
    assert_eq!(repeats(&["a", "c", "b", "d", "a"]), ["6 `a` appears twice in this file"]);
    // The repeat is what breaks the order.
    assert_eq!(repeats(&["a", "b", "c", "a", "e"]), ["5 `a` appears twice in this file"]);
    // Out of order from the start, with a repeat late.
    assert_eq!(repeats(&["d", "c", "b", "a", "c"]), ["6 `c` appears twice in this file"]);
}

#[test]
fn line_numbers_count_from_the_header_with_any_line_end() {
    let header = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId";
    assert_eq!(lines(&format!("{header}\r\no1,,,A,school,,\r\no2,,,B,school,,\r\n")), [2, 3]);
    assert_eq!(lines(&format!("{header}\no1,,,A,school,,\no2,,,B,school,,\n")), [2, 3]);
    assert_eq!(lines(&format!("{header}\r\no1,,,\"A\r\nB\",school,,\r\no2,,,B,school,,\r\n")), [2, 4]);
}
