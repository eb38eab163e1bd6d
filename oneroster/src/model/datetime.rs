//! Dates and date-times as OneRoster writes them.
//!
//! Written: dates as `YYYY-MM-DD`, date-times as `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, exactly three
//! fractional digits), which CSV 1.2.1 demands and JSON uses too (SPEC-NOTES §2.1, §7.5).
//! Read: strictly, or leniently (any RFC 3339 precision and offset, or a bare date) with a flag
//! saying the value was normalised, for readers that report such deviations as warnings.

use time::{format_description::well_known::Rfc3339, Date, OffsetDateTime, UtcOffset};

/// How strictly a date-time is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateTimeStrictness {
    /// Only `YYYY-MM-DDTHH:MM:SS.sssZ`.
    Exact,
    /// Also other RFC 3339 forms and bare dates (read as midnight UTC).
    Lenient,
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ` in UTC (sub-millisecond digits are truncated).
pub fn format_datetime(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    // Written digit by digit: this runs for every record the API serves, and `format!` was
    // a noticeable part of a large page's time.
    let year = t.year();
    if !(0..=9999).contains(&year) {
        return format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            year,
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        );
    }
    let mut text = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut n: u32| {
        for i in (at..at + width).rev() {
            text[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, u8::from(t.month()).into());
    put(8, 2, t.day().into());
    put(11, 2, t.hour().into());
    put(14, 2, t.minute().into());
    put(17, 2, t.second().into());
    put(20, 3, t.millisecond().into());
    String::from_utf8(text.to_vec()).expect("ASCII digits")
}

/// `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Reads a calendar-valid `YYYY-MM-DD`. (Hand-rolled: CSV files carry millions of dates, and
/// this is several times faster than a format-description parse.)
pub fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(year as i32, month, u8::try_from(day).ok()?).ok()
}

/// Reads a date-time; the flag is true when a lenient read had to normalise the form.
pub fn parse_datetime(text: &str, strictness: DateTimeStrictness) -> Option<(OffsetDateTime, bool)> {
    let exact = text.len() == 24
        && text.ends_with('Z')
        && text.as_bytes()[10] == b'T'
        && text.as_bytes()[19] == b'.';
    if exact {
        if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
            return Some((t, false));
        }
    }
    if strictness == DateTimeStrictness::Exact {
        return None;
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some((t.to_offset(UtcOffset::UTC), true));
    }
    parse_date(text).map(|d| (d.midnight().assume_utc(), true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn writes_the_exact_forms() {
        assert_eq!(format_datetime(datetime!(2025-09-02 14:05:00 UTC)), "2025-09-02T14:05:00.000Z");
        assert_eq!(format_datetime(datetime!(2025-09-02 14:05:00.123456 UTC)), "2025-09-02T14:05:00.123Z");
        assert_eq!(format_datetime(datetime!(2025-09-02 16:05:00 +2)), "2025-09-02T14:05:00.000Z");
        assert_eq!(format_datetime(datetime!(0987-01-31 00:00:09.5 UTC)), "0987-01-31T00:00:09.500Z");
        assert_eq!(format_datetime(datetime!(9999-12-31 23:59:59.999 UTC)), "9999-12-31T23:59:59.999Z");
        assert_eq!(format_date(date!(2025 - 09 - 02)), "2025-09-02");
    }

    #[test]
    fn reads_exactly_or_leniently() {
        let exact = parse_datetime("2025-09-02T14:05:00.000Z", DateTimeStrictness::Exact);
        assert_eq!(exact, Some((datetime!(2025-09-02 14:05:00 UTC), false)));
        assert_eq!(parse_datetime("2025-09-02T14:05:00Z", DateTimeStrictness::Exact), None);
        assert_eq!(parse_datetime("2025-09-02", DateTimeStrictness::Exact), None);
        assert_eq!(
            parse_datetime("2025-09-02T16:05:00+02:00", DateTimeStrictness::Lenient),
            Some((datetime!(2025-09-02 14:05:00 UTC), true))
        );
        assert_eq!(
            parse_datetime("2025-09-02", DateTimeStrictness::Lenient),
            Some((datetime!(2025-09-02 0:00 UTC), true))
        );
        assert_eq!(parse_datetime("2025-13-02T14:05:00.000Z", DateTimeStrictness::Lenient), None);
        assert_eq!(parse_datetime("yesterday", DateTimeStrictness::Lenient), None);
    }

    #[test]
    fn dates_must_be_on_the_calendar() {
        assert_eq!(parse_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
        assert_eq!(parse_date("2025-02-29"), None);
        assert_eq!(parse_date("2025-9-2"), None);
        assert_eq!(parse_date("20250902"), None);
    }
}
