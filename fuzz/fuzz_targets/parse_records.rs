//! Fuzz target: the domain's parsers of outside input (a request, a registry line, a context
//! line, as the HTTP API and `haven import` receive them) never panic on any text; a refusal
//! says what is wrong, a field error names its field, and what a parser accepts writes back to
//! JSON that parses to the same value (nothing is lost or changed on the way in).
//!
//! Run: `cargo +nightly fuzz run parse_records` from `fuzz/`, seeded with the example requests
//! and data lines (see README.md).

#![no_main]

use haven_domain::{RecordError, parse_context_line, parse_registry_line, parse_request};
use libfuzzer_sys::fuzz_target;

/// A refusal must tell the person who sent the text what is wrong, and where.
fn check_refusal(error: &RecordError, text: &str) {
    assert!(!error.to_string().is_empty(), "empty error for {text:?}");
    if let RecordError::Field { field, .. } = error {
        assert!(!field.is_empty(), "a field error without its field for {text:?}");
    }
}

/// Parses `text`; a refusal is checked, an accepted value must write back to JSON that parses to
/// the same value.
fn check<T>(text: &str, parse: fn(&str) -> Result<T, RecordError>, what: &str)
where
    T: serde::Serialize + PartialEq + std::fmt::Debug,
{
    match parse(text) {
        Ok(value) => {
            let json = serde_json::to_string(&value).expect("an accepted value serialises");
            let again = parse(&json).expect("a written value parses");
            assert_eq!(again, value, "{what} round trip for {text:?}");
        }
        Err(error) => check_refusal(&error, text),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(text, parse_request, "request");
    check(text, parse_registry_line, "registry person");
    if let Err(error) = parse_context_line(text) {
        check_refusal(&error, text);
    }
});
