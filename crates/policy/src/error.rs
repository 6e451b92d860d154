//! Why a rule catalogue was rejected: every error names the rule id and the field, so that the
//! person editing `rules/catalogue.toml` knows where to look.

/// A catalogue that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Not TOML, or not the catalogue's shape (an unknown key, a missing table).
    #[error("the catalogue is not valid: {0}")]
    Syntax(String),
    /// A problem with the catalogue as a whole.
    #[error("catalogue: {field}: {message}")]
    Catalogue {
        field: &'static str,
        message: String,
    },
    /// A problem with the partner table (`rules/partners.toml`).
    #[error("partner table: {field}: {message}")]
    Partners { field: String, message: String },
    /// A problem with one rule (`rule` is its id, or `#index` when it has none).
    #[error("rule {rule}: {field}: {message}")]
    Rule {
        rule: String,
        field: String,
        message: String,
    },
}

impl PolicyError {
    pub(crate) fn rule(rule: &str, field: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError::Rule {
            rule: rule.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// The rule the error is about, if one.
    pub fn rule_id(&self) -> Option<&str> {
        match self {
            PolicyError::Rule { rule, .. } => Some(rule),
            _ => None,
        }
    }

    /// The field the error is about, if known.
    pub fn field(&self) -> Option<&str> {
        match self {
            PolicyError::Rule { field, .. } => Some(field),
            PolicyError::Catalogue { field, .. } => Some(field),
            PolicyError::Partners { field, .. } => Some(field),
            PolicyError::Syntax(_) => None,
        }
    }
}
