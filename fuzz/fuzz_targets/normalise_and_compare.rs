//! Fuzz target: any two strings must analyse and compare without panicking, and the comparison
//! must keep the invariants callers rely on (a finite score in [0, 1], symmetric score and tier,
//! an explanation).
//!
//! Run: `cargo +nightly fuzz run normalise_and_compare` from `fuzz/` (see README.md).

#![no_main]

use haven_names::Matcher;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // 0xFF never occurs in UTF-8, so it is a separator that cannot clash with a name's bytes;
    // lossy decoding still lets the fuzzer reach malformed-input handling via U+FFFD.
    let (left, right) = match data.iter().position(|&b| b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let a = String::from_utf8_lossy(left);
    let b = String::from_utf8_lossy(right);

    let matcher = Matcher::bundled();
    let _ = matcher.analyse(&a);
    let _ = matcher.analyse(&b);

    let ab = matcher.compare(&a, &b);
    let ba = matcher.compare(&b, &a);

    assert!(
        ab.score.is_finite(),
        "score not finite: {} for {a:?} vs {b:?}",
        ab.score
    );
    assert!(
        (0.0..=1.0).contains(&ab.score),
        "score out of [0,1]: {} for {a:?} vs {b:?}",
        ab.score
    );
    assert!(
        (ab.score - ba.score).abs() <= 1e-5,
        "asymmetric: compare(a,b)={} compare(b,a)={} for {a:?} vs {b:?}",
        ab.score,
        ba.score
    );
    assert_eq!(
        ab.tier, ba.tier,
        "tier depends on the order: {a:?} vs {b:?}"
    );
    assert_eq!(ab.is_match, ab.tier == haven_names::Tier::Match);
    assert!(
        !ab.explanation.is_empty(),
        "empty explanation for {a:?} vs {b:?}"
    );
});
