//! Parse errors: one value ([`ValueError`]) and one record ([`RecordError`], naming the field).

/// Why a single value (an id, a country code, a date) is not valid. The message quotes the value
/// and says what was expected; the record parser prefixes it with the field's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub(crate) String);

impl ValueError {
    pub(crate) fn new(message: impl Into<String>) -> ValueError {
        ValueError(message.into())
    }
}

/// Why one line (one record) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The line is not JSON at all.
    #[error("not valid JSON: {0}")]
    Json(String),
    /// A field is missing, unknown, or holds an invalid value.
    #[error("{field}: {message}")]
    Field {
        /// The field's path, as `birth_date`, `protection.granted_by` or `relations[0].to`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The record as a whole is wrong (a missing or unknown top-level field, a wrong shape).
    #[error("{0}")]
    Record(String),
    /// The line is not UTF-8 text.
    #[error("not UTF-8 text")]
    NotUtf8,
}

impl RecordError {
    /// An error about one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> RecordError {
        RecordError::Field {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The field the error is about, if it is about one.
    pub fn field_name(&self) -> Option<&str> {
        match self {
            RecordError::Field { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// serde_json appends " at line L column C" to messages from text; records are one line each,
/// so keep the column only.
pub(crate) fn json_syntax(err: &serde_json::Error) -> RecordError {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full);
    RecordError::Json(format!("{message} at column {}", err.column()))
}

/// Turns a deserialisation error with its path into a record error naming the field.
pub(crate) fn from_path_error(err: serde_path_to_error::Error<serde_json::Error>) -> RecordError {
    let path = err.path().to_string();
    let inner = err.into_inner();
    // Errors from a `Value` carry no position; strip one if present all the same.
    let full = inner.to_string();
    let suffix = format!(" at line {} column {}", inner.line(), inner.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    // The path of an unknown field ends with the field itself, which the message names
    // already: report it against the object that holds it.
    let mut path = path.as_str();
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, _)) = rest.split_once('`')
    {
        path = path
            .strip_suffix(key)
            .map(|p| p.strip_suffix('.').unwrap_or(p))
            .unwrap_or(path);
    }
    if path == "." || path.is_empty() {
        RecordError::Record(message)
    } else {
        RecordError::Field {
            field: path.to_owned(),
            message,
        }
    }
}
