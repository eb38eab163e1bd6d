//! Contract case: every sample package in ../shared imports, or is rejected, as SOURCES.md
//! describes it.

use store::roster::Outcome;

use crate::{
    packages::{import, sample},
    roster::{status, value},
    support::TestDb,
};

pub async fn samples_import_or_are_rejected_as_documented(db: &TestDb) {
    db.set_import_setting("hold.delete_percent", Some("100")).await.unwrap();
    db.set_import_setting("hold.change_percent", Some("100")).await.unwrap();
    // Per case: what the import must do; for an applied one, each entity's (created, updated,
    // deleted, unchanged) where any is non-zero; and problems its report must name, as the
    // report prints them (SOURCES.md lists each sample's deviations).
    type Counts = &'static [(&'static str, [u64; 4])];
    let cases: &[(&str, &str, Outcome, Counts, &[&str])] = &[
        // Clean synthetic packages, folder and zip, 1.1 and 1.2. The folders also hold their
        // zip, which is not a OneRoster file.
        ("synthetic/v1p1-bulk", "syn", Outcome::Applied, &[
            ("academic_sessions", [5, 0, 0, 0]), ("classes", [3, 0, 0, 0]), ("courses", [3, 0, 0, 0]), ("demographics", [3, 0, 0, 0]),
            ("enrollments", [7, 0, 0, 0]), ("orgs", [3, 0, 0, 0]), ("roles", [8, 0, 0, 0]), ("users", [7, 0, 0, 0]),
        ], &["v1p1-bulk.zip: warning: is not a file of OneRoster 1.1; ignored"]),
        ("synthetic/v1p1-bulk/v1p1-bulk.zip", "syn", Outcome::Applied, &[
            ("academic_sessions", [0, 0, 0, 5]), ("classes", [0, 0, 0, 3]), ("courses", [0, 0, 0, 3]), ("demographics", [0, 0, 0, 3]),
            ("enrollments", [0, 0, 0, 7]), ("orgs", [0, 0, 0, 3]), ("roles", [0, 0, 0, 8]), ("users", [0, 0, 0, 7]),
        ], &[]),
        // 1.2 over 1.1: its own role ids replace the ones made from 1.1 users; the users gain
        // 1.2 fields, and one demographics row differs.
        ("synthetic/v1p2-bulk/v1p2-bulk.zip", "syn", Outcome::Applied, &[
            ("academic_sessions", [0, 0, 0, 5]), ("classes", [0, 0, 0, 3]), ("courses", [0, 0, 0, 3]), ("demographics", [0, 1, 0, 2]),
            ("enrollments", [0, 0, 0, 7]), ("orgs", [0, 0, 0, 3]), ("roles", [8, 0, 8, 0]), ("user_profiles", [1, 0, 0, 0]), ("users", [0, 7, 0, 0]),
        ], &[]),
        // One new student with a role and an enrollment, one rename, one enrollment deleted.
        ("synthetic/v1p2-delta", "syn", Outcome::Applied, &[
            ("academic_sessions", [0, 0, 0, 2]), ("classes", [0, 0, 0, 1]), ("courses", [0, 0, 0, 1]), ("enrollments", [1, 0, 1, 0]),
            ("orgs", [0, 0, 0, 2]), ("roles", [1, 0, 0, 3]), ("user_profiles", [0, 0, 0, 1]), ("users", [1, 1, 0, 2]),
        ], &["v1p2-delta.zip: warning: is not a file of OneRoster 1.2; ignored"]),
        // Moodle: the 1.2 delta is nearly clean (TRUE is accepted with a warning).
        ("moodle-enrol_oneroster/v1p2-delta-small", "m12", Outcome::Applied, &[
            ("academic_sessions", [1, 0, 0, 0]), ("classes", [1, 0, 0, 0]), ("courses", [1, 0, 0, 0]), ("demographics", [1, 0, 0, 0]),
            ("enrollments", [1, 0, 0, 0]), ("orgs", [1, 0, 0, 0]), ("roles", [1, 0, 0, 0]), ("user_profiles", [1, 0, 0, 0]), ("users", [1, 0, 0, 0]),
        ], &[
            "oneroster_test_data.zip: warning: is not a file of OneRoster 1.2; ignored",
            "users.csv line 2, field `enabledUser`: warning: `TRUE` read as `true`",
            "users.csv, field `password`: warning: 1 password value not stored: Rollbook never keeps or discloses passwords",
        ]),
        ("moodle-enrol_oneroster/v1p2-delta-small/oneroster_test_data.zip", "m12", Outcome::Applied, &[
            ("academic_sessions", [0, 0, 0, 1]), ("classes", [0, 0, 0, 1]), ("courses", [0, 0, 0, 1]), ("demographics", [0, 0, 0, 1]),
            ("enrollments", [0, 0, 0, 1]), ("orgs", [0, 0, 0, 1]), ("roles", [0, 0, 0, 1]), ("user_profiles", [0, 0, 0, 1]), ("users", [0, 0, 0, 1]),
        ], &[
            "users.csv line 2, field `enabledUser`: warning: `TRUE` read as `true`",
            "users.csv, field `password`: warning: 1 password value not stored: Rollbook never keeps or discloses passwords",
        ]),
        // Classes refer to courses that are nowhere (references are checked against the roster
        // too); a department is used as a school.
        ("moodle-enrol_oneroster/v1p1-bulk-minimal", "m11", Outcome::Rejected, &[], &[
            "classes.csv line 2, field `courseSourcedId`: error: refers to `crs-222-2023-456-12345`, which is neither in courses.csv nor in the roster",
            "classes.csv line 2, field `schoolSourcedId`: error: `org-sch-222-456` is an org of type department, not a school",
            "enrollments.csv line 7, field `schoolSourcedId`: error: `org-sch-222-456` is an org of type department, not a school",
        ]),
        ("moodle-enrol_oneroster/v1p1-bulk-minimal/Test_minimal_data_set.zip", "m11", Outcome::Rejected, &[], &[
            "classes.csv line 3, field `courseSourcedId`: error: refers to `crs-222-2023-456-23456`, which is neither in courses.csv nor in the roster",
        ]),
        // All of the above, plus dangling parent sessions and orgs and unpaired subject codes.
        ("moodle-enrol_oneroster/v1p1-mixed-with-deliberate-errors", "m11", Outcome::Rejected, &[], &[
            "orgs.csv line 2, field `parentSourcedId`: error: refers to `org-sch-222-3456`, which is neither in orgs.csv nor in the roster",
            "academicSessions.csv line 3, field `parentSourcedId`: error: refers to `as-syr-222-2023`, which is neither in academicSessions.csv nor in the roster",
            "classes.csv line 2, field `subjectCodes`: error: has 2 codes for 3 subjects; they must pair up one to one",
            "orgs.csv line 2, field `status`: warning: must be blank in a bulk file; the value is ignored",
        ]),
        ("moodle-enrol_oneroster/v1p1-mixed-with-deliberate-errors/Test_full_data_set.zip", "m11", Outcome::Rejected, &[], &[
            "orgs.csv line 2, field `parentSourcedId`: error: refers to `org-sch-222-3456`, which is neither in orgs.csv nor in the roster",
        ]),
        // Misspelt headers, a lower-case file name, manifest keys without a mode.
        ("moodle-enrol_oneroster/v1p2-malformed-negative", "m12x", Outcome::Rejected, &[], &[
            "roles.csv line 1, field `dataLastModified`: error: column 3 is `dataLastModified`; expected `dateLastModified`",
            "users.csv line 1, field `prefferedGivenName`: error: column 18 is `prefferedGivenName`; expected `preferredGivenName`",
            "userprofiles.csv: error: file names are case-sensitive: expected `userProfiles.csv`; this file is not read",
            "manifest.csv line 21, field `file.scoreScales`: error: has no mode; expected absent, bulk or delta",
            "orgs.csv line 2, field `status`: error: must be blank in a bulk file",
        ]),
        ("moodle-enrol_oneroster/v1p2-malformed-negative/v1p2_full_dataset.zip", "m12x", Outcome::Rejected, &[], &[
            "roles.csv line 1, field `dataLastModified`: error: column 3 is `dataLastModified`; expected `dateLastModified`",
        ]),
    ];
    for (path, source, expected, counts, problems) in cases {
        let before = db.current_revision().await.unwrap();
        let r = import(db, &sample(path), source, None).await;
        assert_eq!(r.outcome, *expected, "{path}: {} {:?}", r.message, r.problems.first());
        let listed: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        for problem in *problems {
            assert!(listed.iter().any(|l| l == problem), "{path}: `{problem}` not in {listed:#?}");
        }
        match expected {
            Outcome::Applied => {
                assert_eq!(r.errors, 0, "{path}");
                assert_eq!(r.warnings as usize, problems.len(), "{path}: {listed:#?}");
                let changed: Vec<(&str, [u64; 4])> = r
                    .entities
                    .iter()
                    .map(|(t, c)| (t.as_str(), [c.created, c.updated, c.deleted, c.unchanged]))
                    .filter(|(_, n)| n.iter().any(|&n| n > 0))
                    .collect();
                assert_eq!(changed, *counts, "{path}");
                assert_eq!(db.current_revision().await.unwrap(), before + 1, "{path}: one revision");
            }
            _ => {
                assert!(r.errors > 0 && listed.iter().any(|l| l.contains(": error: ")), "{path}");
                assert_eq!(r.entities.values().map(|c| c.created + c.updated + c.deleted).sum::<u64>(), 0, "{path}: nothing counted as applied");
                assert_eq!(db.current_revision().await.unwrap(), before, "{path}: nothing applied");
            }
        }
    }
    // The 1.1 users became users plus one role per org; 1.2's own roles then replaced them.
    assert_eq!(value(db, "roles", "usr-t-100#role#org-school-hs", "role").await.as_deref(), Some("teacher"));
    assert_eq!(status(db, "roles", "usr-t-100#role#org-school-hs").await, "tobedeleted");
    assert_eq!(status(db, "users", "USER_0").await, "active");
    assert_eq!(db.roster_counts().await.unwrap()["users"].active, 8 + 1, "the synthetic district with its new student, and Moodle's one user");
    assert!(db.roster_record("users", "usr-222-123456").await.unwrap().is_none(), "nothing of the rejected packages");
}
