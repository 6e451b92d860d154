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

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_request(text) {
        Ok(request) => {
            let json = serde_json::to_string(&request).expect("an accepted request serialises");
            let again = parse_request(&json).expect("a written request parses");
            assert_eq!(again, request, "request round trip for {text:?}");
        }
        Err(error) => check_refusal(&error, text),
    }
    match parse_registry_line(text) {
        Ok(person) => {
            let json = serde_json::to_string(&person).expect("an accepted person serialises");
            let again = parse_registry_line(&json).expect("a written person parses");
            assert_eq!(again, person, "registry round trip for {text:?}");
        }
        Err(error) => check_refusal(&error, text),
    }
    match parse_context_line(text) {
        Ok(_) => {}
        Err(error) => check_refusal(&error, text),
    }
});
