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

/// Reads one row of `file` (1.2, delta) whose cells are `cells` by column name (others blank),
/// and returns its values by column name with the diagnostics.
fn read_one(file: &str, cells: &[(&str, &str)]) -> (Vec<(String, String)>, Vec<String>) {
    let spec = file_spec(Version::V1p2, file).unwrap();
    let names: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
    let quote = |v: &str| if v.contains([',', '"']) { format!("\"{}\"", v.replace('"', "\"\"")) } else { v.to_string() };
    let row: Vec<String> = names.iter().map(|n| cells.iter().find(|(c, _)| c == n).map(|(_, v)| quote(v)).unwrap_or_default()).collect();
    let data = format!("{}\r\n{}\r\n", names.join(","), row.join(","));
    let mut diags = Diagnostics::default();
    let mut r = FileReader::open(spec, Version::V1p2, Mode::Delta, data.as_bytes(), &mut diags).unwrap();
    let row = r.next_row(&mut diags).expect("one row");
    assert!(r.next_row(&mut diags).is_none());
    let values = names.iter().map(|n| n.to_string()).zip(row.values.iter().map(String::from)).collect();
    (values, diags.items().iter().map(|d| d.to_string()).collect())
}

fn value<'a>(values: &'a [(String, String)], name: &str) -> &'a str {
    &values.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn cells_are_kept_as_written_or_normalised_with_a_warning() {
    let exact = [
        ("sourcedId", "cls-1"),
        ("status", "active"),
        ("dateLastModified", "2026-09-01T08:00:00.000Z"),
        ("title", "Algebra, Period 1"),
        ("grades", "09,10"),
        ("courseSourcedId", "crs-1"),
        ("classType", "scheduled"),
        ("schoolSourcedId", "sch-1"),
        ("termSourcedIds", "t1,t2"),
        ("subjects", "Math,Science"),
        ("subjectCodes", "m,s"),
        ("periods", "1,2"),
    ];
    let (values, diags) = read_one("classes.csv", &exact);
    assert_eq!(diags, Vec::<String>::new());
    for (name, text) in exact {
        assert_eq!(value(&values, name), text, "{name}");
    }
    assert_eq!(value(&values, "location"), "");

    let (values, diags) = read_one(
        "classes.csv",
        &[
            ("sourcedId", "cls-2"),
            ("status", "inactive"),
            ("dateLastModified", "2026-09-01"),
            ("title", "Art"),
            ("grades", "09, 10"),
            ("courseSourcedId", "crs-1"),
            ("classType", "Scheduled"),
            ("schoolSourcedId", "sch-1"),
            ("termSourcedIds", " t1,t2 "),
        ],
    );
    assert_eq!(value(&values, "status"), "tobedeleted");
    assert_eq!(value(&values, "dateLastModified"), "2026-09-01T00:00:00.000Z");
    assert_eq!(value(&values, "grades"), "09,10");
    assert_eq!(value(&values, "classType"), "scheduled");
    assert_eq!(value(&values, "termSourcedIds"), "t1,t2");
    assert_eq!(value(&values, "title"), "Art");
    assert_eq!(
        diags,
        [
            "classes.csv line 2, field `status`: warning: `inactive` read as `tobedeleted`",
            "classes.csv line 2, field `dateLastModified`: warning: `2026-09-01` read as `2026-09-01T00:00:00.000Z` (expected exactly YYYY-MM-DDTHH:MM:SS.sssZ)",
            "classes.csv line 2, field `grades`: warning: `09, 10` has spaces around items; read as `09,10`",
            "classes.csv line 2, field `classType`: warning: `Scheduled` read as `scheduled`",
            "classes.csv line 2, field `termSourcedIds`: warning: ` t1,t2 ` has spaces around items; read as `t1,t2`",
        ]
    );
}

/// Reads `data` as a 1.2 orgs.csv (bulk) and returns the diagnostics as text.
fn orgs_diagnostics(version: Version, data: &[u8]) -> Vec<String> {
    let spec = file_spec(Version::V1p2, "orgs.csv").unwrap();
    let mut diags = Diagnostics::default();
    let mut r = FileReader::open(spec, version, Mode::Bulk, data, &mut diags).unwrap();
    while r.next_row(&mut diags).is_some() {}
    diags.items().iter().map(|d| d.to_string()).collect()
}

/// A row is checked as UTF-8 in one go, but every cell must be valid text on its own: two
/// halves of one character on either side of a comma are two invalid cells.
#[test]
fn every_cell_is_checked_as_utf8_text() {
    let header = b"sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n".to_vec();
    let mut data = header.clone();
    data.extend_from_slice("o1,,,Ecole Émile,school,,\r\n".as_bytes());
    data.extend_from_slice(b"o2,,,B,school,id\xC3,\xA9p\r\n");
    data.extend_from_slice(b"o3,,,C\xFF,school,,\r\n");
    assert_eq!(
        orgs_diagnostics(Version::V1p2, &data),
        [
            "orgs.csv line 3, field `identifier`: error: is not valid UTF-8 text",
            "orgs.csv line 3, field `parentSourcedId`: error: is not valid UTF-8 text",
            "orgs.csv line 4, field `name`: error: is not valid UTF-8 text",
        ]
    );
}

/// A quoted value may hold a line break for the csv format, but not for OneRoster: an error
/// in 1.2, a warning in 1.1; only the cell that has one is named.
#[test]
fn line_breaks_inside_values_are_reported() {
    let data = b"sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n\
                 o1,,,\"North\r\nSchool\",school,,\r\no2,,,South,school,\"a\nb\",\r\no3,,,East,school,,\r\n";
    let message = "contains a line break; OneRoster CSV values must stay on one line";
    assert_eq!(
        orgs_diagnostics(Version::V1p2, data),
        [format!("orgs.csv line 2, field `name`: error: {message}"), format!("orgs.csv line 4, field `identifier`: error: {message}")]
    );
    assert_eq!(
        orgs_diagnostics(Version::V1p1, data),
        [format!("orgs.csv line 2, field `name`: warning: {message}"), format!("orgs.csv line 4, field `identifier`: warning: {message}")]
    );
}

/// A date and time written exactly is kept as written; a leap second is read as the last
/// instant before it, with a warning that says so.
#[test]
fn exact_date_times_are_kept_and_leap_seconds_are_normalised() {
    let (values, diags) = read_one("orgs.csv", &[("sourcedId", "o1"), ("status", "active"), ("dateLastModified", "2016-12-31T23:59:59.999Z"), ("name", "A"), ("type", "school")]);
    assert_eq!((value(&values, "dateLastModified"), diags), ("2016-12-31T23:59:59.999Z", vec![]));
    let (values, diags) = read_one("orgs.csv", &[("sourcedId", "o1"), ("status", "active"), ("dateLastModified", "2016-12-31T23:59:60.000Z"), ("name", "A"), ("type", "school")]);
    assert_eq!(value(&values, "dateLastModified"), "2016-12-31T23:59:59.999Z");
    assert_eq!(
        diags,
        ["orgs.csv line 2, field `dateLastModified`: warning: `2016-12-31T23:59:60.000Z` read as `2016-12-31T23:59:59.999Z` (expected exactly YYYY-MM-DDTHH:MM:SS.sssZ)"]
    );
}

/// Reads `data` as a 1.1 or 1.2 bulk users.csv and returns every diagnostic, and the rows'
/// metadata.
fn users_diagnostics(version: Version, data: &[u8]) -> (Vec<String>, Vec<Vec<(String, String)>>) {
    let mut diags = Diagnostics::default();
    let spec = file_spec(version, "users.csv").unwrap();
    let mut r = FileReader::open(spec, version, Mode::Bulk, data, &mut diags).unwrap();
    let mut metadata = Vec::new();
    while let Some(row) = r.next_row(&mut diags) {
        metadata.push(row.metadata);
    }
    (diags.items().iter().map(|d| d.to_string()).collect(), metadata)
}

/// What no database of Rollbook's can keep is an error naming the cell: a NUL character
/// (PostgreSQL refuses it in text), a value or list item over 1,024 bytes (longer than an
/// index entry may be), and metadata that is not UTF-8 (it used to be changed silently).
#[test]
fn values_a_database_cannot_keep_are_errors() {
    let header = "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,\
                  agentSourcedIds,grades,password,userMasterIdentifier,preferredGivenName,preferredMiddleName,preferredFamilyName,\
                  primaryOrgSourcedId,pronouns,metadata.note\n";
    // A row of user `n`, with these columns (by index) set, and this metadata.note.
    let row = |n: usize, set: &[(usize, &[u8])], note: &[u8]| -> Vec<u8> {
        let id = format!("u{n}");
        let mut cells: Vec<Vec<u8>> = vec![Vec::new(); 22];
        cells[0] = id.clone().into_bytes();
        cells[3] = b"true".to_vec();
        cells[4] = id.into_bytes();
        cells[6] = b"Pat".to_vec();
        cells[7] = b"Lee".to_vec();
        for (i, v) in set {
            cells[*i] = v.to_vec();
        }
        cells.push(note.to_vec());
        let mut out = cells.join(&b","[..]);
        out.push(b'\n');
        out
    };
    let long = "x".repeat(1025);
    let mut data = header.as_bytes().to_vec();
    data.extend(row(1, &[(6, b"Pat\0")], b"ok"));
    data.extend(row(2, &[(9, long.as_bytes())], b""));
    data.extend(row(3, &[(9, "x".repeat(1024).as_bytes())], b""));
    data.extend(row(4, &[(13, format!("\"a,{long}\"").as_bytes())], b""));
    data.extend(row(5, &[], b"bad\xff"));
    data.extend(row(6, &[], b"nul\0"));
    let (messages, metadata) = users_diagnostics(Version::V1p2, &data);
    assert_eq!(
        messages,
        [
            "users.csv line 2, field `givenName`: error: contains a NUL character (byte 0), which Rollbook cannot store",
            "users.csv line 3, field `identifier`: error: is 1025 bytes long; Rollbook keeps values of at most 1,024 bytes",
            "users.csv line 5, field `agentSourcedIds`: error: has an item 1025 bytes long; Rollbook keeps values of at most 1,024 bytes",
            &format!("users.csv line 5, field `agentSourcedIds`: error: `{long}` is not a valid sourcedId; use 1 to 255 of 0-9 A-Z a-z . - _ / @"),
            "users.csv line 6, field `metadata.note`: error: is not valid UTF-8 text",
            "users.csv line 7, field `metadata.note`: error: contains a NUL character (byte 0), which Rollbook cannot store",
        ]
    );
    assert_eq!(metadata[0], [("note".to_string(), "ok".to_string())]);
    assert!(metadata[4].is_empty() && metadata[5].is_empty());

    // 1.1 only warns about a sourcedId over 255 characters, but one over 1,024 bytes is an
    // error there too.
    let header11 = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n";
    let data = format!("{header11}{},,,true,o1,student,pat,,Pat,Lee,,,,,,,,\n{},,,true,o1,student,pat2,,Pat,Lee,,,,,,,,\n", "y".repeat(300), long);
    let (messages, _) = users_diagnostics(Version::V1p1, data.as_bytes());
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("users.csv line 2, field `sourcedId`: warning: `yyy"), "{messages:?}");
    assert_eq!(messages[1], "users.csv line 3, field `sourcedId`: error: is 1025 bytes long; Rollbook keeps values of at most 1,024 bytes");
}

/// Extension columns that would lose a value when nested as JSON are errors on the header, and
/// are not read; the others are.
#[test]
fn clashing_metadata_columns_are_errors() {
    let header = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId,metadata.a,metadata.a.b,metadata.x,metadata.x,metadata.c..d,metadata.e.f\n";
    let data = format!("{header}o1,,,A,school,,,1,2,3,4,5,6\n");
    let mut diags = Diagnostics::default();
    let spec = file_spec(Version::V1p2, "orgs.csv").unwrap();
    let mut r = FileReader::open(spec, Version::V1p2, Mode::Bulk, data.as_bytes(), &mut diags).unwrap();
    let row = r.next_row(&mut diags).unwrap();
    let messages: Vec<String> = diags.items().iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        [
            "orgs.csv line 1, field `metadata.a.b`: error: column 9 `metadata.a.b` clashes with column 8 `metadata.a`: one name cannot be both a value and a group of values; rename one of them",
            "orgs.csv line 1, field `metadata.x`: error: column 11 `metadata.x` repeats column 10 of the same name; rename one of them",
            "orgs.csv line 1, field `metadata.c..d`: error: column 12 `metadata.c..d` has an empty part between dots; name it metadata.NAME or metadata.GROUP.NAME",
        ]
    );
    let kept: Vec<(&str, &str)> = row.metadata.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(kept, [("a", "1"), ("x", "3"), ("e.f", "6")]);
}
