//! `rollbook demo` as an operator runs it: the real binary writes a package folder, which must
//! be a valid, plausible district and the same for the same seed.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    fs::File,
    path::Path,
    process::{Command, Output},
};

use oneroster::{
    csv::{file_spec, validate, Diagnostics, FileReader, Mode},
    Version,
};

fn rollbook(args: &[&str], out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rollbook"))
        .env_clear()
        .env("RUST_LOG", "warn")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run rollbook")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `rollbook demo` and returns its one line of output.
fn demo(out: &Path, args: &[&str]) -> String {
    let output = rollbook(&[&["demo"], args].concat(), out);
    assert!(output.status.success(), "stdout: {} stderr: {}", text(&output.stdout), text(&output.stderr));
    let stdout = text(&output.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    stdout
}

/// The rows of one data file as column → value maps (read with the crate's own reader).
fn rows(dir: &Path, name: &str) -> Vec<HashMap<&'static str, String>> {
    let spec = file_spec(Version::V1p2, name).expect("a 1.2 file");
    let mut diags = Diagnostics::default();
    let mut reader = FileReader::open(spec, Version::V1p2, Mode::Bulk, File::open(dir.join(name)).unwrap(), &mut diags).unwrap();
    let mut out = Vec::new();
    while let Some(row) = reader.next_row(&mut diags) {
        out.push(spec.columns.iter().map(|c| c.name).zip(row.values.iter().map(String::from)).collect());
    }
    assert!(diags.is_empty(), "{:?}", diags.items());
    out
}

/// Every file of a folder, by name.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect()
}

fn assert_clean(dir: &Path) {
    let report = validate(dir).expect("a package");
    let d = &report.diagnostics;
    assert_eq!((d.errors, d.warnings), (0, 0), "{:#?}", d.items().iter().take(20).collect::<Vec<_>>());
    assert_eq!(report.files.len(), 8, "{:?}", report.files);
    let out = Command::new(env!("CARGO_BIN_EXE_rollbook")).env_clear().arg("validate").arg(dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("Valid (0 warnings)."), "{}", text(&out.stdout));
}

#[test]
fn a_2000_student_district_is_valid_plausible_and_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    let line = demo(&a, &["--students", "2000", "--seed", "7"]);
    assert!(line.starts_with(&format!("wrote {}: ", a.display())), "{line}");
    assert!(line.contains(" 2,000 students, ") && line.contains("enrollments.csv ") && line.ends_with(" s\n"), "{line}");
    assert_clean(&a);

    // The same seed gives the same bytes; another seed another district.
    demo(&b, &["--students", "2000", "--seed", "7"]);
    let (first, second) = (contents(&a), contents(&b));
    assert_eq!(first.keys().collect::<Vec<_>>(), second.keys().collect::<Vec<_>>());
    for (name, bytes) in &first {
        assert!(bytes == &second[name], "{name} differs between two runs with the same seed");
    }
    demo(&c, &["--students", "2000", "--seed", "8"]);
    let third = contents(&c);
    for name in ["orgs.csv", "users.csv", "enrollments.csv", "demographics.csv"] {
        assert_ne!(first[name], third[name], "{name} is the same for seeds 7 and 8");
    }

    let roles = rows(&a, "roles.csv");
    let with_role = |role: &str| roles.iter().filter(|r| r["role"] == role).map(|r| r["userSourcedId"].clone()).collect::<HashSet<_>>();
    let students = with_role("student");
    assert_eq!(students.len(), 2000);
    let teachers = with_role("teacher");
    let expected_teachers = 2000.0 / 13.0;
    assert!(
        (teachers.len() as f64) > expected_teachers * 0.8 && (teachers.len() as f64) < expected_teachers * 1.2,
        "{} teachers for 2,000 students",
        teachers.len()
    );
    assert!(with_role("principal").len() >= 3 && !with_role("districtAdministrator").is_empty());

    let orgs = rows(&a, "orgs.csv");
    for level in ["Elementary School", "Middle School", "High School"] {
        assert!(orgs.iter().any(|o| o["type"] == "school" && o["name"].ends_with(level)), "no {level}");
    }

    // Enrollments: about eight classes per student, classes of realistic size, one primary
    // teacher per class, always at the class's own school.
    let classes = rows(&a, "classes.csv");
    let class_school: HashMap<&str, &str> = classes.iter().map(|c| (c["sourcedId"].as_str(), c["schoolSourcedId"].as_str())).collect();
    let enrollments = rows(&a, "enrollments.csv");
    let mut per_student: HashMap<&str, usize> = HashMap::new();
    let mut class_students: HashMap<&str, usize> = HashMap::new();
    let mut class_teachers: HashMap<&str, (usize, usize)> = HashMap::new();
    for e in &enrollments {
        let class = e["classSourcedId"].as_str();
        assert_eq!(class_school[class], e["schoolSourcedId"], "{e:?}");
        match e["role"].as_str() {
            "student" => {
                assert!(students.contains(&e["userSourcedId"]));
                *per_student.entry(&e["userSourcedId"]).or_default() += 1;
                *class_students.entry(class).or_default() += 1;
            }
            "teacher" => {
                assert!(teachers.contains(&e["userSourcedId"]));
                let t = class_teachers.entry(class).or_default();
                t.0 += 1;
                t.1 += usize::from(e["primary"] == "true");
            }
            other => panic!("unexpected enrollment role {other}"),
        }
    }
    assert_eq!(per_student.len(), 2000, "every student has at least one enrollment");
    let mean = per_student.values().sum::<usize>() as f64 / 2000.0;
    assert!((6.0..=10.0).contains(&mean), "{mean} enrollments per student");
    for c in &classes {
        let id = c["sourcedId"].as_str();
        let (teachers, primary) = class_teachers.get(id).copied().unwrap_or_default();
        assert!(teachers >= 1 && primary == 1, "{id}: {teachers} teachers, {primary} primary");
        assert!(class_students.get(id).is_some_and(|&n| n > 0), "{id} has no students");
        let period: u8 = c["periods"].parse().unwrap();
        assert!((1..=7).contains(&period), "{id}: period {period}");
    }
    let size = class_students.values().sum::<usize>() as f64 / class_students.len() as f64;
    assert!((20.0..=30.0).contains(&size), "{size} students per class");
    assert!(classes.iter().any(|c| c["classType"] == "homeroom") && classes.iter().any(|c| c["classType"] == "scheduled"));

    // Users: students with their grade and e-mail; guardians linked both ways.
    let users = rows(&a, "users.csv");
    let by_id: HashMap<&str, &HashMap<&str, String>> = users.iter().map(|u| (u["sourcedId"].as_str(), u)).collect();
    assert_eq!(by_id.len(), users.len());
    let guardians = with_role("guardian");
    assert!(guardians.len() > 2000 / 2 && guardians.len() < 2000 * 9 / 10, "{} guardians", guardians.len());
    for u in &users {
        for agent in u["agentSourcedIds"].split(',').filter(|a| !a.is_empty()) {
            assert!(by_id[agent]["agentSourcedIds"].split(',').any(|back| back == u["sourcedId"]), "{agent} ↔ {}", u["sourcedId"]);
        }
    }
    let demographics = rows(&a, "demographics.csv");
    assert_eq!(demographics.len(), 2000);
    for d in &demographics {
        let student = by_id[d["sourcedId"].as_str()];
        assert!(student["email"].contains("@students."), "{student:?}");
        // A kindergartner of 2026-27 was born between September 2020 and August 2021
        // (a year earlier if they repeated a year).
        let grade = match student["grades"].as_str() {
            "KG" => 0,
            g => g.parse::<i32>().unwrap(),
        };
        let (from, to) = (format!("{}-09-02", 2019 - grade), format!("{}-09-01", 2021 - grade));
        assert!(d["birthDate"] >= from && d["birthDate"] <= to, "grade {grade} born {}", d["birthDate"]);
    }
}

#[test]
fn a_tiny_district_still_has_every_level_and_guardians_can_be_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tiny");
    let line = demo(&out, &["--students", "20", "--no-guardians"]);
    assert!(line.contains(" 3 schools, 20 students, ") && line.contains(" 0 guardians, "), "{line}");
    assert_clean(&out);
    let roles = rows(&out, "roles.csv");
    assert_eq!(roles.iter().filter(|r| r["role"] == "student").count(), 20);
    assert!(!roles.iter().any(|r| r["role"] == "guardian"));
    assert!(rows(&out, "users.csv").iter().all(|u| u["agentSourcedIds"].is_empty()));

    // Writing again over the earlier package replaces it (same seed: same bytes).
    let before = contents(&out);
    demo(&out, &["--students", "20", "--no-guardians", "--seed", "1"]);
    assert_eq!(before, contents(&out), "the default seed is 1");
}

#[test]
fn bad_requests_are_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "keep me").unwrap();
    let out = rollbook(&["demo", "--students", "10"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: cannot write the demo package to ") && stderr.contains("notes.txt"), "{stderr}");
    assert!(tmp.path().join("notes.txt").exists());

    let out = rollbook(&["demo", "--students", "0"], &tmp.path().join("x"));
    assert_eq!(out.status.code(), Some(2), "a usage error: {}", text(&out.stderr));
    assert!(!tmp.path().join("x").exists());
}
