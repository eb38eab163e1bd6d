//! Small pieces every console page uses: number and time formatting, error alerts.

use leptos::prelude::*;

use crate::AppError;

/// `1234567` → `1,234,567`.
pub fn group(n: impl Into<i128>) -> String {
    let n: i128 = n.into();
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A stored RFC 3339 time as people read it: `2026-11-28 02:46 UTC`.
pub fn when(ts: &str) -> String {
    match (ts.get(..10), ts.get(11..16)) {
        (Some(date), Some(time)) if ts.len() >= 16 => format!("{date} {time} UTC"),
        _ => ts.to_string(),
    }
}

/// An error from a server function, as an alert.
#[component]
pub fn ErrorAlert(error: AppError) -> impl IntoView {
    view! { <p class="alert alert-error" role="alert">{error.to_string()}</p> }
}

/// The message beside one form field, when the last answer rejected that field. Give the
/// input `aria-describedby` = `id` and `aria-invalid` = [`invalid`].
#[component]
pub fn FieldError(#[prop(into)] error: Signal<Option<AppError>>, field: &'static str, #[prop(into)] id: String) -> impl IntoView {
    move || {
        let id = id.clone();
        error.get().and_then(|e| e.message_for(field)).map(|m| view! { <p class="field-error" id=id role="alert" data-field=field>{m}</p> })
    }
}

/// The form-wide message (errors that name no field), as an alert.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.get().and_then(|e| e.form_message()).map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })
}

/// `aria-invalid` for an input: `"true"` while the last answer rejected `field`.
pub fn invalid(error: Signal<Option<AppError>>, field: &'static str) -> impl Fn() -> Option<&'static str> + Send + Sync + Copy + 'static {
    move || error.get().and_then(|e| e.message_for(field)).map(|_| "true")
}

/// Percent-encodes a query value or path segment.
pub fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::group(0), "0");
        assert_eq!(super::group(999), "999");
        assert_eq!(super::group(1000), "1,000");
        assert_eq!(super::group(1234567), "1,234,567");
        assert_eq!(super::group(-1204), "-1,204");
    }

    #[test]
    fn times_read_as_minutes_in_utc() {
        assert_eq!(super::when("2026-11-28T02:46:21.000Z"), "2026-11-28 02:46 UTC");
        assert_eq!(super::when("2026-11-28T02:46:21Z"), "2026-11-28 02:46 UTC");
        assert_eq!(super::when("soon"), "soon");
    }

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(super::encode("usr-s 1/ä&x=y"), "usr-s%201%2F%C3%A4%26x%3Dy");
    }
}
