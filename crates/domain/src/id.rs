//! Record identifiers: short tokens without whitespace, as the registry and context files give
//! them.

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// The longest id accepted, in characters.
const MAX_ID_CHARS: usize = 128;

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps an id: non-empty, at most 128 characters, no whitespace or
            /// control characters.
            pub fn parse(value: impl Into<String>) -> Result<Self, ValueError> {
                let value = value.into();
                if value.is_empty() {
                    return Err(ValueError::new("an id may not be empty"));
                }
                if value.chars().count() > MAX_ID_CHARS {
                    return Err(ValueError::new(format!(
                        "{value:?} is longer than {MAX_ID_CHARS} characters"
                    )));
                }
                if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(ValueError::new(format!(
                        "{value:?} contains whitespace; ids are single tokens"
                    )));
                }
                Ok($name(value))
            }

        }

        string_newtype!($name);

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id_newtype!(
    /// The id of a person, registry or context (`R-1001`, `C-7`, a FollowTheMoney entity id).
    PersonId
);
id_newtype!(
    /// The id of a context finding (`F-3`).
    FindingId
);
