//! Reading the sample packages in ../shared: the synthetic ones are clean, the Moodle fixtures
//! show exactly their documented deviations.

use std::{collections::BTreeSet, fs::File, path::PathBuf};

use oneroster::csv::{file_spec, Diagnostics, FileReader, Manifest, Mode, Severity};

fn sample(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/oneroster/samples").join(path)
}

/// Reads a package folder: the manifest, then every file it lists as bulk or delta.
fn read_folder(path: &str) -> (Diagnostics, u64) {
    let dir = sample(path);
    let mut diags = Diagnostics::with_cap(10_000);
    let manifest = Manifest::read(File::open(dir.join("manifest.csv")).unwrap(), &mut diags);
    let version = manifest.version.expect("version");
    let mut rows = 0;
    for (name, mode) in &manifest.files {
        if *mode == Mode::Absent {
            continue;
        }
        let spec = file_spec(version, name).unwrap();
        let Ok(file) = File::open(dir.join(name)) else {
            diags.push(oneroster::csv::Diagnostic {
                file: name.clone(),
                line: None,
                field: None,
                severity: Severity::Error,
                message: "is listed but missing".into(),
            });
            continue;
        };
        if let Some(mut reader) = FileReader::open(spec, version, *mode, file, &mut diags) {
            while reader.next_row(&mut diags).is_some() {
                rows += 1;
            }
        }
    }
    (diags, rows)
}

/// (file, field, severity) of every diagnostic, to compare with the documented deviations.
fn kinds(diags: &Diagnostics) -> BTreeSet<(String, String, Severity)> {
    diags.items().iter().map(|d| (d.file.clone(), d.field.clone().unwrap_or_default(), d.severity)).collect()
}

fn all(diags: &Diagnostics) -> String {
    diags.items().iter().map(|d| format!("{d}\n")).collect()
}

#[test]
fn synthetic_packages_read_without_any_diagnostic() {
    for (folder, expected_rows) in [("synthetic/v1p1-bulk", 0), ("synthetic/v1p2-bulk", 0), ("synthetic/v1p2-delta", 0)] {
        let (diags, rows) = read_folder(folder);
        assert!(diags.is_empty(), "{folder}:\n{}", all(&diags));
        assert!(rows > expected_rows, "{folder} has rows");
    }
}

#[test]
fn moodle_v1p2_delta_small_only_has_upper_case_booleans() {
    let (diags, _) = read_folder("moodle-enrol_oneroster/v1p2-delta-small");
    assert_eq!(diags.errors, 0, "{}", all(&diags));
    let expected: BTreeSet<_> = [("users.csv".to_string(), "enabledUser".to_string(), Severity::Warning)].into();
    assert_eq!(kinds(&diags), expected, "{}", all(&diags));
    assert!(all(&diags).contains("users.csv line 2, field `enabledUser`: warning: `TRUE` read as `true`"), "{}", all(&diags));
}

#[test]
fn moodle_v1p1_minimal_capitalised_values_are_warnings() {
    let (diags, _) = read_folder("moodle-enrol_oneroster/v1p1-bulk-minimal");
    let text = all(&diags);
    assert!(text.contains("field `classType`: warning: `Scheduled` read as `scheduled`"), "{text}");
    assert!(text.contains("field `enabledUser`: warning: `TRUE` read as `true`"), "{text}");
    assert_eq!(diags.errors, 0, "{text}");
}

#[test]
fn moodle_v1p1_full_set_shows_its_deliberate_errors() {
    let (diags, _) = read_folder("moodle-enrol_oneroster/v1p1-mixed-with-deliberate-errors");
    let text = all(&diags);
    // filled status/dateLastModified in bulk rows: ignored with a warning in 1.1
    assert!(text.contains("field `status`: warning: must be blank in a bulk file; the value is ignored"), "{text}");
    assert!(text.contains("field `dateLastModified`: warning: must be blank in a bulk file"), "{text}");
    // subjects and subjectCodes counts differ
    assert!(text.contains("field `subjectCodes`: error: has "), "{text}");
}

#[test]
fn moodle_v1p2_malformed_headers_are_errors() {
    let (diags, _) = read_folder("moodle-enrol_oneroster/v1p2-malformed-negative");
    let text = all(&diags);
    assert!(text.contains("roles.csv line 1, field `dataLastModified`: error: column 3 is `dataLastModified`; expected `dateLastModified`"), "{text}");
    assert!(text.contains("users.csv line 1, field `prefferedGivenName`: error: column 18 is `prefferedGivenName`; expected `preferredGivenName`"), "{text}");
    assert!(text.contains("manifest.csv line 22, field `file.userProfiles`: error: has no mode; expected absent, bulk or delta"), "{text}");
    // filled status/dateLastModified in bulk rows are errors in 1.2 (blank is required)
    assert!(text.contains("academicSessions.csv line 2, field `status`: error: must be blank in a bulk file\n"), "{text}");
}

mod whole_packages {
    use super::sample;
    use oneroster::{csv::validate, Version};

    fn report_text(r: &oneroster::csv::Report) -> String {
        r.diagnostics.items().iter().map(|d| format!("{d}\n")).collect()
    }

    #[test]
    fn synthetic_folders_and_zips_are_valid_without_diagnostics() {
        for path in [
            "synthetic/v1p1-bulk",
            "synthetic/v1p1-bulk/v1p1-bulk.zip",
            "synthetic/v1p2-bulk",
            "synthetic/v1p2-bulk/v1p2-bulk.zip",
            "synthetic/v1p2-delta",
            "synthetic/v1p2-delta/v1p2-delta.zip",
        ] {
            let r = validate(&sample(path)).unwrap();
            let text = report_text(&r);
            if path.ends_with(".zip") {
                assert!(r.is_valid() && r.diagnostics.is_empty(), "{path}:\n{text}");
            } else {
                // the sample folders also hold their zip, which is reported and ignored
                assert!(r.is_valid() && r.diagnostics.errors == 0 && r.diagnostics.warnings == 1, "{path}:\n{text}");
                assert!(text.contains(".zip: warning: is not a file of OneRoster"), "{text}");
            }
            assert!(r.files.iter().all(|f| f.rows > 0), "{path}: {:?}", r.files);
        }
        let r = validate(&sample("synthetic/v1p2-bulk")).unwrap();
        assert_eq!(r.version, Some(Version::V1p2));
        assert!(r.files.iter().any(|f| f.name == "enrollments.csv" && f.mode == "bulk"));
    }

    #[test]
    fn moodle_minimal_set_has_its_documented_cross_file_errors() {
        let r = validate(&sample("moodle-enrol_oneroster/v1p1-bulk-minimal/Test_minimal_data_set.zip")).unwrap();
        let text = report_text(&r);
        assert!(!r.is_valid());
        assert!(text.contains("field `courseSourcedId`: error: refers to"), "courses.csv is absent: {text}");
        assert!(text.contains("courses.csv is not in the package"), "{text}");
        assert!(text.contains("field `schoolSourcedId`: error: ") && text.contains("is an org of type department, not a school"), "{text}");
    }

    #[test]
    fn moodle_malformed_set_flags_the_wrongly_cased_file() {
        let r = validate(&sample("moodle-enrol_oneroster/v1p2-malformed-negative")).unwrap();
        let text = report_text(&r);
        assert!(text.contains("userprofiles.csv: error: file names are case-sensitive: expected `userProfiles.csv`"), "{text}");
    }

    #[test]
    fn not_a_package_is_unusable() {
        let err = validate(&sample("synthetic/does-not-exist")).unwrap_err();
        assert!(err.to_string().contains("does-not-exist"), "{err}");
        let err = validate(&sample("synthetic/v1p2-bulk/users.csv")).unwrap_err();
        assert!(err.to_string().contains("neither a folder nor a readable zip file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = validate(dir.path()).unwrap_err();
        assert_eq!(err.to_string(), "there is no manifest.csv; this is not a OneRoster CSV package");
    }
}

mod cross_file_rules {
    use super::sample;
    use oneroster::csv::validate;

    /// A copy of the synthetic 1.2 bulk package with one file changed (removed when dropped).
    fn variant(file: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
        let src = sample("synthetic/v1p2-bulk");
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for entry in std::fs::read_dir(&src).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                let text = std::fs::read_to_string(&path).unwrap();
                let text = if name == file { edit(text) } else { text };
                std::fs::write(dir.join(name), text).unwrap();
            }
        }
        tmp
    }

    fn messages(dir: &std::path::Path) -> String {
        validate(dir).unwrap().diagnostics.items().iter().map(|d| format!("{d}\n")).collect()
    }

    #[test]
    fn a_second_primary_role_at_the_same_org_is_an_error() {
        let dir = variant("roles.csv", |text| {
            let first_primary = text.lines().find(|l| l.contains(",primary,")).unwrap().to_string();
            let mut copy: Vec<String> = first_primary.split(',').map(String::from).collect();
            copy[0] = "role-duplicate".into();
            format!("{text}{}\r\n", copy.join(","))
        });
        let text = messages(dir.path());
        assert!(text.contains("field `roleType`: error: ") && text.contains("at most one primary role per org"), "{text}");
    }

    #[test]
    fn a_primary_org_without_a_role_there_is_an_error() {
        let dir = variant("roles.csv", |text| {
            // keep only the header: nobody has a role anywhere
            let header = text.lines().next().unwrap();
            format!("{header}\r\n")
        });
        let text = messages(dir.path());
        assert!(text.contains("field `primaryOrgSourcedId`: error: ") && text.contains("gives"), "{text}");
    }

    #[test]
    fn a_role_may_only_use_its_own_users_profile() {
        let dir = variant("roles.csv", |text| {
            text.replace("rol-usr-s-201,,,usr-s-201,primary,student,2025-08-18,,org-school-hs,",
                         "rol-usr-s-201,,,usr-s-201,primary,student,2025-08-18,,org-school-hs,upf-usr-s-200-lms")
        });
        let text = messages(dir.path());
        assert!(
            text.contains("roles.csv line 5, field `userProfileSourcedId`: error: `upf-usr-s-200-lms` is a profile of `usr-s-200`, not of `usr-s-201`"),
            "{text}"
        );
    }
}
