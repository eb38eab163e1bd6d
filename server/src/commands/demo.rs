//! `rollbook demo`: write a generated school district as a OneRoster CSV package.

use std::{path::Path, time::Duration, time::Instant};

use crate::{
    cli::DemoArgs,
    demo::{generate, DemoOptions, DemoSummary},
    CliError,
};

/// Generates the package and prints one summary line.
pub(crate) fn run(args: &DemoArgs) -> Result<(), CliError> {
    let opts = DemoOptions { students: args.students, seed: args.seed, guardians: args.guardians };
    let started = Instant::now();
    let summary = generate(&opts, &args.out)
        .map_err(|e| CliError::Io(format!("cannot write the demo package to {}: {e}", args.out.display())))?;
    println!("{}", summary_line(&args.out, &summary, started.elapsed()));
    Ok(())
}

/// `wrote DIR: <district>, 4 schools, 2,000 students, ... (orgs.csv 5 rows, ...) in 0.4 s`.
fn summary_line(out: &Path, s: &DemoSummary, elapsed: Duration) -> String {
    let people = [
        (s.schools, "schools"),
        (s.students, "students"),
        (s.teachers, "teachers"),
        (s.administrators, "administrators"),
        (s.guardians, "guardians"),
        (s.rows("courses.csv"), "courses"),
        (s.rows("classes.csv"), "classes"),
        (s.rows("enrollments.csv"), "enrollments"),
    ];
    let counts: Vec<String> = people.iter().map(|(n, what)| format!("{} {what}", thousands(*n))).collect();
    let files: Vec<String> = s.files.iter().map(|(name, rows)| format!("{name} {}", thousands(*rows))).collect();
    format!(
        "wrote {}: {}, {}; rows: {} in {:.1} s",
        out.display(),
        s.district,
        counts.join(", "),
        files.join(", "),
        elapsed.as_secs_f64()
    )
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn the_summary_is_one_line_with_every_count() {
        let s = DemoSummary {
            district: "Riverbend Public Schools".into(),
            schools: 4,
            students: 2000,
            teachers: 154,
            administrators: 11,
            guardians: 1403,
            files: vec![("orgs.csv", 5), ("classes.csv", 620), ("enrollments.csv", 16_250)],
        };
        let line = summary_line(Path::new("out"), &s, Duration::from_millis(420));
        assert_eq!(
            line,
            "wrote out: Riverbend Public Schools, 4 schools, 2,000 students, 154 teachers, 11 administrators, \
             1,403 guardians, 0 courses, 620 classes, 16,250 enrollments; rows: orgs.csv 5, classes.csv 620, \
             enrollments.csv 16,250 in 0.4 s"
        );
    }
}
