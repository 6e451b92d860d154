//! One ledger entry: who did what to which objects, when, why, and for whom (LED Art 25).
//!
//! An entry names objects by id and carries a justification; it never carries the content of an
//! asylum file. The field types enforce what they can of that: ids are short tokens, texts are
//! bounded, and there is no free-form payload.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::canonical::to_canonical_json;

/// What was done. Extend at the end; the snake_case names are stored in the log forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// Data collected: a registry or context import.
    Import,
    /// A person screened against the registry and context.
    Screen,
    /// A request assessed and a decision proposed.
    Assess,
    /// A protected record's details read (need-to-know consultation).
    ReadProtected,
    /// A case referred to an authority.
    Referral,
    /// A decision taken (freeze, authorisation, refusal).
    Decision,
    /// An execution record completed or amended.
    ExecutionRecord,
    /// Material transferred (disclosed) abroad.
    Transfer,
    /// An account created, changed or removed.
    UserManagement,
    /// The ledger's signing key introduced or replaced.
    KeyRotation,
    /// Data altered.
    Alteration,
    /// Data erased.
    Erasure,
    /// The ledger, or other data, exported for an auditor.
    Export,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The serde name is the one people see in the log, so print that.
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => f.write_str(&s),
            _ => write!(f, "{self:?}"),
        }
    }
}

/// Why an entry is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    /// A field is empty, too long or contains characters it may not.
    #[error("invalid {field}: {reason}")]
    Field {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `key_rotation` is present without the `key_rotation` action or missing with it.
    #[error("a key_rotation entry, and only such an entry, names the old and new keys")]
    KeyRotationMismatch,
    /// The JSON does not describe an entry.
    #[error("not a ledger entry: {0}")]
    Json(String),
    /// The JSON is a valid entry but not in canonical form.
    #[error("not in canonical form (sorted keys, no whitespace, UTC time)")]
    NotCanonical,
}

/// Defines a validated string newtype that (de)serialises as a plain string.
macro_rules! text_newtype {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:expr, $allowed:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps the value.
            pub fn parse(value: impl Into<String>) -> Result<Self, EntryError> {
                let value = value.into();
                if value.is_empty() {
                    return Err(EntryError::Field { field: $field, reason: "empty" });
                }
                if value.chars().count() > $max {
                    return Err(EntryError::Field { field: $field, reason: "too long" });
                }
                let allowed: fn(char) -> bool = $allowed;
                if !value.chars().all(allowed) {
                    return Err(EntryError::Field {
                        field: $field,
                        reason: "contains a character it may not",
                    });
                }
                Ok($name(value))
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = EntryError;
            fn try_from(value: String) -> Result<Self, EntryError> {
                $name::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.:/@#+=".contains(c)
}

fn text_char(c: char) -> bool {
    // Printable text on one line: no control characters, so an entry prints as one line.
    !c.is_control()
}

text_newtype!(
    /// Who acted: an account name, or `system` for Haven itself.
    Actor, "actor", 200, text_char
);
text_newtype!(
    /// The role the actor acted in (`officer`, `judge`, `auditor`, `admin`, `system`, …).
    Role, "role", 64, |c| c.is_ascii_lowercase() || c == '_'
);
text_newtype!(
    /// An object's identifier (a case, request, registry record, account, transfer item…). Ids
    /// are short tokens so that no content can travel in them.
    ObjectId, "object id", 200, token_char
);
impl ObjectId {
    /// `prefix:value` for a value that may hold anything (a file name, a foreign reference):
    /// characters outside the id token set become `_`, and the value is cut to 180 characters,
    /// so that naming an object never fails and never carries content.
    pub fn tagged(prefix: &str, value: &str) -> Result<ObjectId, EntryError> {
        let safe: String = value
            .chars()
            .map(|c| if token_char(c) { c } else { '_' })
            .take(180)
            .collect();
        ObjectId::parse(format!("{prefix}:{safe}"))
    }
}

text_newtype!(
    /// Why the action was taken, in the actor's words (a legal basis, a case reference).
    Justification, "justification", 2000, text_char
);
text_newtype!(
    /// Who received disclosed data (a state, an authority).
    Recipient, "recipient", 200, text_char
);

/// The signing keys named by a `key_rotation` entry, as C2SP verifier keys
/// (`name+hash+base64`). `old` is absent for the log's first key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRotation {
    /// The key in force before this entry; absent for the first key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    /// The key that signs every checkpoint that includes this entry, until the next rotation.
    pub new: String,
}

/// One ledger entry. Its canonical JSON (see [`Entry::to_canonical_json`]) is the leaf data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// When, in UTC (RFC 3339).
    pub time: jiff::Timestamp,
    /// Who.
    pub actor: Actor,
    /// In which role.
    pub role: Role,
    /// What.
    pub action: Action,
    /// On which objects.
    #[serde(default)]
    pub objects: Vec<ObjectId>,
    /// Why.
    pub justification: Justification,
    /// To whom data was disclosed, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Recipient>,
    /// For `key_rotation` entries: the old and new keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_rotation: Option<KeyRotation>,
}

impl Entry {
    /// Builds an entry with the current time and no objects or recipient.
    pub fn new(actor: Actor, role: Role, action: Action, justification: Justification) -> Entry {
        Entry {
            // Milliseconds are precise enough for an audit trail and keep entries short.
            time: jiff::Timestamp::now()
                .round(jiff::Unit::Millisecond)
                .unwrap_or_else(|_| jiff::Timestamp::now()),
            actor,
            role,
            action,
            objects: Vec::new(),
            justification,
            recipient: None,
            key_rotation: None,
        }
    }

    /// Adds object ids.
    pub fn with_objects(mut self, objects: impl IntoIterator<Item = ObjectId>) -> Entry {
        self.objects.extend(objects);
        self
    }

    /// Sets the recipient.
    pub fn with_recipient(mut self, recipient: Recipient) -> Entry {
        self.recipient = Some(recipient);
        self
    }

    /// Checks the rules that span fields.
    pub fn validate(&self) -> Result<(), EntryError> {
        if (self.action == Action::KeyRotation) != self.key_rotation.is_some() {
            return Err(EntryError::KeyRotationMismatch);
        }
        Ok(())
    }

    /// The canonical JSON of the entry: the exact bytes that are hashed into the log.
    pub fn to_canonical_json(&self) -> Result<String, EntryError> {
        self.validate()?;
        to_canonical_json(self).map_err(|err| EntryError::Json(err.to_string()))
    }

    /// Parses stored canonical JSON, refusing anything that would not serialise back to the same
    /// bytes (so one entry has exactly one leaf hash).
    pub fn from_canonical_json(json: &str) -> Result<Entry, EntryError> {
        let entry: Entry =
            serde_json::from_str(json).map_err(|err| EntryError::Json(err.to_string()))?;
        if entry.to_canonical_json()? != json {
            return Err(EntryError::NotCanonical);
        }
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_object_ids_keep_only_token_characters() {
        let id = ObjectId::tagged("file", "registry 2024 (final).jsonl").expect("valid");
        assert_eq!(id.as_str(), "file:registry_2024__final_.jsonl");
        let long = "x".repeat(500);
        assert_eq!(
            ObjectId::tagged("request", &long)
                .expect("valid")
                .as_str()
                .len(),
            188
        );
        assert!(
            ObjectId::tagged("bad prefix", "x").is_err(),
            "the prefix is the caller's token"
        );
    }

    fn entry() -> Entry {
        Entry {
            time: "2026-11-28T08:00:26.5Z".parse().expect("valid time"),
            actor: Actor::parse("alice").expect("valid"),
            role: Role::parse("officer").expect("valid"),
            action: Action::Screen,
            objects: vec![ObjectId::parse("R-1001").expect("valid")],
            justification: Justification::parse("MLA/2019/0412 screening").expect("valid"),
            recipient: None,
            key_rotation: None,
        }
    }

    #[test]
    fn canonical_form_is_fixed() {
        let json = entry().to_canonical_json().expect("valid entry");
        assert_eq!(
            json,
            r#"{"action":"screen","actor":"alice","justification":"MLA/2019/0412 screening","objects":["R-1001"],"role":"officer","time":"2026-11-28T08:00:26.5Z"}"#
        );
        assert_eq!(Entry::from_canonical_json(&json), Ok(entry()));
    }

    #[test]
    fn rejects_non_canonical_and_invalid() {
        let check = |json: &str| Entry::from_canonical_json(json).map(|_| ());
        assert_eq!(
            check(
                r#"{"actor":"alice","action":"screen","justification":"j","objects":[],"role":"officer","time":"2026-11-28T08:00:26Z"}"#
            ),
            Err(EntryError::NotCanonical)
        );
        assert_eq!(
            check(
                r#"{"action":"screen","actor":"alice","justification":"j","objects":[],"role":"officer","time":"2026-11-28T09:00:26+01:00"}"#
            ),
            Err(EntryError::NotCanonical)
        );
        assert!(matches!(
            check(
                r#"{"action":"screen","actor":"alice","file":"…","justification":"j","objects":[],"role":"officer","time":"2026-11-28T08:00:26Z"}"#
            ),
            Err(EntryError::Json(_))
        ));
        assert!(matches!(
            check(
                r#"{"action":"screen","actor":"alice","justification":"j","objects":["has space"],"role":"officer","time":"2026-11-28T08:00:26Z"}"#
            ),
            Err(EntryError::Json(_))
        ));
        assert_eq!(
            check(
                r#"{"action":"key_rotation","actor":"alice","justification":"j","objects":[],"role":"admin","time":"2026-11-28T08:00:26Z"}"#
            ),
            Err(EntryError::KeyRotationMismatch)
        );
    }
}
