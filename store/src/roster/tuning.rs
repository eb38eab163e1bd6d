//! The import's two tuning knobs, read from the environment: how many rows a first import
//! commits at a time (`ROLLBOOK_IMPORT_COMMIT_ROWS`) and how long a roster writer (an import,
//! an approval, a rollback) waits for another to finish (`ROLLBOOK_IMPORT_WAIT_SECS`).
//!
//! The store reads them where they are used, so that every process (the CLI, the server, the
//! tests' child processes) sees the same values. [`check_environment`] lets a command refuse a
//! bad value at start, naming it, instead of quietly falling back to the default.

use std::time::Duration;

const COMMIT_ROWS: (&str, u64) = ("ROLLBOOK_IMPORT_COMMIT_ROWS", 500_000);
const WAIT_SECS: (&str, u64) = ("ROLLBOOK_IMPORT_WAIT_SECS", 120);

/// Rows a first import commits at a time: enough that each commit's checkpoint is a fraction
/// of the work, few enough that the write-ahead log stays a few hundred megabytes. The kill
/// test sets a small value, to be killed between commits.
pub(crate) fn commit_rows() -> u64 {
    read(COMMIT_ROWS, 1).unwrap_or(COMMIT_ROWS.1)
}

/// How long a roster writer waits for another: an import or rollback holding the write lock,
/// or a first import loading shadow tables.
pub(crate) fn writer_wait() -> Duration {
    Duration::from_secs(read(WAIT_SECS, 0).unwrap_or(WAIT_SECS.1))
}

/// Checks both knobs; the message names the variable, its value and what it must be.
pub fn check_environment() -> Result<(), String> {
    read(COMMIT_ROWS, 1)?;
    read(WAIT_SECS, 0)?;
    Ok(())
}

/// The whole number in the variable `name`, at least `min`; its default when unset.
fn read((name, default): (&str, u64), min: u64) -> Result<u64, String> {
    parse(name, std::env::var(name).ok().as_deref(), default, min)
}

fn parse(name: &str, value: Option<&str>, default: u64, min: u64) -> Result<u64, String> {
    let Some(value) = value else { return Ok(default) };
    match value.trim().parse::<u64>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(format!("{name} is `{value}`; it must be a whole number of at least {min} (unset, it is {default})")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn values_are_whole_numbers_with_a_floor() {
        assert_eq!(parse("X", None, 120, 0), Ok(120));
        assert_eq!(parse("X", Some("0"), 120, 0), Ok(0));
        assert_eq!(parse("X", Some(" 30 "), 120, 0), Ok(30));
        assert_eq!(parse("X", Some("0"), 500_000, 1), Err("X is `0`; it must be a whole number of at least 1 (unset, it is 500000)".to_string()));
        assert_eq!(parse("X", Some("2m"), 120, 0), Err("X is `2m`; it must be a whole number of at least 0 (unset, it is 120)".to_string()));
        assert_eq!(parse("X", Some("-5"), 120, 0), Err("X is `-5`; it must be a whole number of at least 0 (unset, it is 120)".to_string()));
    }
}
