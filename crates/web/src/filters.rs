//! Template filters of Haven's own (askama finds them as `filters` in the template's module).

use askama::Values;

/// A wire name in words: `freeze_and_refer` → "freeze and refer".
#[askama::filter_fn]
pub fn words<T: std::fmt::Display>(value: T, _: &dyn Values) -> askama::Result<String> {
    Ok(crate::cases::words(&value.to_string()))
}
