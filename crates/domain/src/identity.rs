//! Who acts: roles, account names and principals, each with its one wire spelling (snake_case)
//! shared by the HTTP API, the CLI, the cedar policy (`haven-access`) and the case workflow
//! (`haven-policy`), which decides who may move a case on.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A user's role (DESIGN §2). One account has exactly one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Officer,
    AsylumLiaison,
    Judge,
    Police,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: &[Role] = &[
        Role::Officer,
        Role::AsylumLiaison,
        Role::Judge,
        Role::Police,
        Role::Auditor,
        Role::Admin,
    ];

    /// The role with this wire name, if there is one. Exact match: a role name is not free text.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|role| role.as_str() == text)
    }

    /// The wire name, also the cedar entity id (`Haven::Role::"officer"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::AsylumLiaison => "asylum_liaison",
            Role::Judge => "judge",
            Role::Police => "police",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Why a text is not an account name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountNameError {
    #[error("an account name must be 1 to {max} characters long, not {length}", max = AccountName::MAX_CHARS)]
    Length { length: usize },
    #[error("an account name must start with a letter a-z")]
    FirstCharacter,
    #[error("an account name may hold only a-z, 0-9, '_' and '-', not {found:?}")]
    Character { found: char },
}

/// An account's name: 1–64 characters of `[a-z0-9_-]`, starting with a letter. The narrow
/// alphabet keeps the name safe inside a token (`hv1.NAME.SECRET`), a cedar entity id and a log
/// line without escaping.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountName(String);

impl AccountName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(text: &str) -> Result<AccountName, AccountNameError> {
        let length = text.chars().count();
        if length == 0 || length > AccountName::MAX_CHARS {
            return Err(AccountNameError::Length { length });
        }
        if !text.starts_with(|first: char| first.is_ascii_lowercase()) {
            return Err(AccountNameError::FirstCharacter);
        }
        if let Some(found) = text
            .chars()
            .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'))
        {
            return Err(AccountNameError::Character { found });
        }
        Ok(AccountName(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl TryFrom<String> for AccountName {
    type Error = AccountNameError;

    fn try_from(text: String) -> Result<AccountName, AccountNameError> {
        AccountName::parse(&text)
    }
}

impl From<AccountName> for String {
    fn from(name: AccountName) -> String {
        name.0
    }
}

/// Who is asking: parsed once per request from a verified credential, then handed to every
/// authorisation check and ledger entry of that request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub actor: AccountName,
    pub role: Role,
}
