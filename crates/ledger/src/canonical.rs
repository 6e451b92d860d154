//! Canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant whitespace.
//!
//! We write it ourselves rather than relying on `serde_json`'s map order, because any crate in
//! the workspace enabling `serde_json/preserve_order` would silently switch every map to
//! insertion order and change the bytes (and so the hashes) of new entries.

use serde::Serialize;
use serde_json::Value;

/// Serialises a value as canonical JSON.
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(value)?;
    let mut out = String::new();
    write_value(&value, &mut out)?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut String) -> Result<(), serde_json::Error> {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {
            out.push_str(&serde_json::to_string(value)?);
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key)?);
                out.push(':');
                write_value(&map[key], out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let value: Value =
            serde_json::from_str(r#"{ "b": [1, {"z": null, "a": "é\n"}], "a": true }"#)
                .expect("valid JSON");
        assert_eq!(
            to_canonical_json(&value).expect("serialisable"),
            r#"{"a":true,"b":[1,{"a":"é\n","z":null}]}"#
        );
    }
}
