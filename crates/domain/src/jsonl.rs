//! JSON lines: reading numbered lines from a reader the caller opened, detecting the format of a
//! file, and parsing one registry or context line.

use std::borrow::Cow;
use std::io::{self, BufRead};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::context::ContextRecord;
use crate::error::{RecordError, from_path_error, json_syntax};
use crate::person::{RegistryPerson, check_relations};

/// A value with the (1-based) line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered<T> {
    /// The line number, counting from 1.
    pub line: usize,
    /// The value.
    pub value: T,
}

/// One non-blank line of input, without its line ending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The line number, counting from 1 (blank lines count).
    pub number: usize,
    /// The raw bytes.
    pub bytes: Vec<u8>,
}

impl Line {
    /// The line as text, or [`RecordError::NotUtf8`].
    pub fn text(&self) -> Result<&str, RecordError> {
        std::str::from_utf8(&self.bytes).map_err(|_| RecordError::NotUtf8)
    }

    /// The line as text, invalid bytes replaced (for reports of rejected lines).
    pub fn lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }
}

/// The non-blank lines of a reader, numbered. Reading fails only on I/O errors; a line that is
/// not UTF-8 is still yielded (see [`Line::text`]) so that it can be reported by number.
#[derive(Debug)]
pub struct Lines<R> {
    reader: R,
    number: usize,
    bytes_read: u64,
}

impl<R: BufRead> Lines<R> {
    /// Reads lines from `reader`.
    pub fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            number: 0,
            bytes_read: 0,
        }
    }

    /// Bytes consumed so far, line endings included (for progress reports).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<io::Result<Line>> {
        loop {
            let mut bytes = Vec::new();
            match self.reader.read_until(b'\n', &mut bytes) {
                Ok(0) => return None,
                Ok(n) => self.bytes_read += n as u64,
                Err(err) => return Some(Err(err)),
            }
            self.number += 1;
            while matches!(bytes.last(), Some(b'\n' | b'\r')) {
                bytes.pop();
            }
            if self.number == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
                bytes.drain(..3);
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(Ok(Line {
                number: self.number,
                bytes,
            }));
        }
    }
}

/// The two input formats of `haven import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Haven's own JSON lines (DESIGN §5.2).
    HavenJsonLines,
    /// FollowTheMoney entities, one per line (OpenSanctions exports).
    FollowTheMoney,
}

/// Detects a file's format from its first non-blank line: an object with a `schema` key is a
/// FollowTheMoney entity; anything else is read as Haven JSON lines (and rejected line by line
/// if it is not).
pub fn detect_format(first_line: &str) -> Format {
    match serde_json::from_str::<Value>(first_line) {
        Ok(Value::Object(map)) if map.contains_key("schema") => Format::FollowTheMoney,
        _ => Format::HavenJsonLines,
    }
}

/// Parses a line into a JSON object.
pub(crate) fn object(line: &str) -> Result<serde_json::Map<String, Value>, RecordError> {
    match serde_json::from_str::<Value>(line).map_err(|e| json_syntax(&e))? {
        Value::Object(map) => Ok(map),
        other => Err(RecordError::Record(format!(
            "expected a JSON object, found {}",
            kind_of(&other)
        ))),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Deserialises a value, naming the field of any error.
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, RecordError> {
    serde_path_to_error::deserialize(value).map_err(from_path_error)
}

/// Parses a JSON document that is one object (an execution record, a transfer proposal, an
/// event's body) into `T`; every error names the field at fault (`inventory[0].privileged: …`),
/// as the request and record parsers' do, so the HTTP API and the command line say the same.
pub fn parse_document<T: DeserializeOwned>(text: &str) -> Result<T, RecordError> {
    from_value(Value::Object(object(text)?))
}

/// Parses one registry line (DESIGN §5.2). Unknown fields are rejected.
pub fn parse_registry_line(line: &str) -> Result<RegistryPerson, RecordError> {
    let person: RegistryPerson = from_value(Value::Object(object(line)?))?;
    check_relations(&person.id, &person.relations)?;
    Ok(person)
}

/// Parses one context line: a person, a finding or a state profile, as its `kind` says.
pub fn parse_context_line(line: &str) -> Result<ContextRecord, RecordError> {
    let mut map = object(line)?;
    let kinds = "person, finding or state_profile";
    let kind = match map.remove("kind") {
        Some(Value::String(kind)) => kind,
        Some(other) => {
            return Err(RecordError::field(
                "kind",
                format!("expected a string ({kinds}), found {}", kind_of(&other)),
            ));
        }
        None => return Err(RecordError::field("kind", format!("missing ({kinds})"))),
    };
    let value = Value::Object(map);
    match kind.as_str() {
        "person" => {
            let person: crate::ContextPerson = from_value(value)?;
            check_relations(&person.id, &person.relations)?;
            Ok(ContextRecord::Person(person))
        }
        "finding" => Ok(ContextRecord::Finding(from_value(value)?)),
        "state_profile" => Ok(ContextRecord::StateProfile(from_value(value)?)),
        other => Err(RecordError::field(
            "kind",
            format!("{other:?} is not a context record kind ({kinds})"),
        )),
    }
}
