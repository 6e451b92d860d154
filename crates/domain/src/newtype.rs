//! `string_newtype!`: the conversions every validated string newtype of the domain needs —
//! `as_str`, `Display`, and the `TryFrom<String>` / `Into<String>` pair that serde's
//! `try_from`/`into` attributes use, so that deserialising runs the type's own `parse`.

/// Implements the conversions for `$name(String)` whose `parse(&str)` validates.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::error::ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                $name::parse(value.as_str())
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
