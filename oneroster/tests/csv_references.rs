//! Checks across files: every row that names a record the package lacks is reported, however
//! many rows before it named the same record or a good one; a user has one primary role per org.

use std::{fs, path::PathBuf};

use oneroster::csv::{validate_with, Options};

/// The clean 1.2 bulk sample in a temporary folder, with `rows` appended to its `file` (which
/// has `lines` lines in the sample).
fn sample_with(file: &str, lines: usize, rows: &[&str]) -> tempfile::TempDir {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples/synthetic/v1p2-bulk");
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(&sample).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let file = dir.path().join(file);
    let mut text = fs::read_to_string(&file).unwrap();
    assert_eq!(text.lines().count(), lines, "the sample changed; the line numbers below assume {lines} lines");
    for row in rows {
        text.push_str(row);
        text.push_str("\r\n");
    }
    fs::write(&file, text).unwrap();
    dir
}

fn errors(report: &oneroster::csv::Report) -> Vec<String> {
    report.diagnostics.items().iter().filter(|d| d.severity == oneroster::csv::Severity::Error).map(|d| d.to_string()).collect()
}

const ROWS: &[&str] = &[
    "enr-x1,,,cls-hs-alg1-p1,org-school-hs,usr-s-201,student,false,,",
    "enr-x2,,,cls-gone,org-school-hs,usr-s-201,student,false,,",
    "enr-x3,,,cls-gone,org-school-hs,usr-s-200,student,false,,",
    "enr-x4,,,cls-hs-alg1-p1,org-district-1,usr-s-200,student,false,,",
    "enr-x5,,,cls-hs-alg1-p1,org-district-1,usr-gone,student,false,,",
    "enr-x6,,,cls-hs-alg1-p1,org-school-hs,usr-gone,student,false,,",
];

#[test]
fn every_row_with_a_dangling_reference_is_named() {
    let dir = sample_with("enrollments.csv", 8, ROWS);
    let report = validate_with(dir.path(), Options::default()).unwrap();
    assert_eq!(
        errors(&report),
        [
            "enrollments.csv line 10, field `classSourcedId`: error: refers to `cls-gone`, which is not in classes.csv",
            "enrollments.csv line 11, field `classSourcedId`: error: refers to `cls-gone`, which is not in classes.csv",
            "enrollments.csv line 12, field `schoolSourcedId`: error: `org-district-1` is an org of type district, not a school",
            "enrollments.csv line 13, field `userSourcedId`: error: refers to `usr-gone`, which is not in users.csv",
            "enrollments.csv line 13, field `schoolSourcedId`: error: `org-district-1` is an org of type district, not a school",
            "enrollments.csv line 14, field `userSourcedId`: error: refers to `usr-gone`, which is not in users.csv",
        ]
    );
}

/// An importer defers what the package does not resolve, to look it up in its store: every
/// such row is handed over, not only the first of a run.
#[test]
fn deferred_references_list_every_row() {
    let dir = sample_with("enrollments.csv", 8, ROWS);
    let report = validate_with(dir.path(), Options { defer_references: true, ..Options::default() }).unwrap();
    let unresolved: Vec<(u64, &str, &str)> = report.unresolved.iter().map(|u| (u.line, u.field, u.id.as_str())).collect();
    assert_eq!(
        unresolved,
        [
            (10, "classSourcedId", "cls-gone"),
            (11, "classSourcedId", "cls-gone"),
            (13, "userSourcedId", "usr-gone"),
            (14, "userSourcedId", "usr-gone"),
        ]
    );
}

/// Secondary roles come and go; a second primary role of the same user at the same org is an
/// error, whichever rows come between.
#[test]
fn one_primary_role_per_user_and_org() {
    let dir = sample_with(
        "roles.csv",
        9,
        &[
            "rol-x1,,,usr-t-101,secondary,teacher,,,org-school-hs,",
            "rol-x2,,,usr-t-101,primary,teacher,,,org-school-hs,",
            "rol-x3,,,usr-t-101,primary,teacher,,,org-school-hs,",
            "rol-x4,,,usr-t-100,secondary,teacher,,,org-school-hs,",
            "rol-x5,,,usr-t-100,primary,teacher,,,org-school-ms,",
            "rol-x6,,,usr-t-101,secondary,teacher,,,org-school-hs,",
        ],
    );
    for defer_references in [false, true] {
        let report = validate_with(dir.path(), Options { defer_references, ..Options::default() }).unwrap();
        assert_eq!(
            errors(&report),
            ["roles.csv line 12, field `roleType`: error: `usr-t-101` already has a primary role at `org-school-hs`; a user has at most one primary role per org"]
        );
    }
}

/// The synthetic 1.2 delta in a temporary folder, with `edit` applied to each file's text.
fn delta_with(edit: impl Fn(&str, String) -> String) -> tempfile::TempDir {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples/synthetic/v1p2-delta");
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(&sample).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            fs::write(dir.path().join(&name), edit(&name, fs::read_to_string(&path).unwrap())).unwrap();
        }
    }
    dir
}

/// A delta that deletes a record cannot, in the same package, give it a new active reference:
/// the row naming it is an error (and is not left to the store, which still holds the record
/// as active). The deleting rows themselves refer to nothing.
#[test]
fn an_active_row_cannot_refer_to_what_the_package_deletes() {
    let dir = delta_with(|name, text| match name {
        "classes.csv" => text.replace("cls-hs-bio-p3,active,", "cls-hs-bio-p3,tobedeleted,"),
        "orgs.csv" => text.replace("org-district-1,active,", "org-district-1,tobedeleted,"),
        _ => text,
    });
    for defer_references in [false, true] {
        let report = validate_with(dir.path(), Options { defer_references, ..Options::default() }).unwrap();
        assert_eq!(
            errors(&report),
            [
                "orgs.csv line 3, field `parentSourcedId`: error: refers to `org-district-1`, which this package deletes (orgs.csv marks it tobedeleted)",
                "enrollments.csv line 3, field `classSourcedId`: error: refers to `cls-hs-bio-p3`, which this package deletes (classes.csv marks it tobedeleted)",
            ],
            "defer_references: {defer_references}"
        );
        assert!(report.unresolved.iter().all(|u| u.id != "cls-hs-bio-p3" && u.id != "org-district-1"), "{:?}", report.unresolved);
    }
    // The deleted enrollment on line 2 names the deleted class too: no error for it. Without
    // the active one, the package is clean.
    let dir = delta_with(|name, text| match name {
        "classes.csv" => text.replace("cls-hs-bio-p3,active,", "cls-hs-bio-p3,tobedeleted,"),
        "enrollments.csv" => text.lines().filter(|l| !l.starts_with("enr-bio-s203")).map(|l| format!("{l}\r\n")).collect(),
        _ => text,
    });
    let report = validate_with(dir.path(), Options::default()).unwrap();
    assert_eq!(errors(&report), Vec::<String>::new());
}
