//! Accounts and authentication: `haven user add|list|disable`, and the bearer token of every
//! API request turned into a [`Principal`] once.
//!
//! Tokens and passwords are stored only as Argon2id hashes (`haven-access`). Verifying one costs
//! tens of milliseconds by design, far too much for every request of a server answering
//! thousands a second, so a verified token is remembered in memory under its SHA-256 digest (the
//! token itself is never kept) — and every request still checks that the account is active, so
//! a `haven user disable` takes effect at the next request, even from another process.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use haven_access::{AccountName, Principal, Role};
use haven_store::{Account, NewAccount};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{AppError, Service, entry_by};

/// Verified tokens remembered at most; beyond this the memory is cleared and refilled.
const MAX_REMEMBERED_TOKENS: usize = 10_000;

/// Why a token or password was not accepted. Deliberately coarse towards the client (every
/// variant answers 401), precise for the server's own error handling.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Not a Haven token, or the wrong token or password.
    #[error("invalid credentials")]
    Invalid,
    /// The account is disabled.
    #[error("the account is disabled")]
    Disabled,
    /// The account's stored role is not one this build knows.
    #[error("the account's role {0:?} is unknown")]
    UnknownRole(String),
    /// The accounts could not be read.
    #[error(transparent)]
    Unavailable(AppError),
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Its name.
    pub name: AccountName,
    /// Its role.
    pub role: Role,
}

/// An account as listed: never its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSummary {
    /// The account name.
    pub name: String,
    /// The role.
    pub role: String,
    /// When it was created.
    pub created_at: String,
    /// When it was disabled, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<String>,
    /// Whether a web UI password is set.
    pub has_password: bool,
}

/// Verified tokens, by SHA-256 digest.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    verified: Mutex<HashMap<[u8; 32], Principal>>,
}

impl TokenCache {
    fn get(&self, digest: &[u8; 32]) -> Option<Principal> {
        self.verified
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(digest)
            .cloned()
    }

    fn remember(&self, digest: [u8; 32], principal: Principal) {
        let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
        if verified.len() >= MAX_REMEMBERED_TOKENS {
            verified.clear();
        }
        verified.insert(digest, principal);
    }

    fn forget(&self, digest: &[u8; 32]) {
        self.verified
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(digest);
    }
}

impl Service {
    /// Creates an account; returns its API token, to be shown once (only its hash is stored).
    /// With a password, also sets the web UI password. `by` is recorded in the ledger as the
    /// account's creator. Account management is the administrator's, on the command line of the
    /// machine that holds the data: the HTTP API has no endpoint for it.
    pub fn add_user(
        &self,
        by: &Principal,
        user: &NewUser,
        password: Option<&str>,
    ) -> Result<String, AppError> {
        let issued = haven_access::issue_token(&user.name)
            .map_err(|e| AppError::Credentials(e.to_string()))?;
        let password_hash = password
            .map(haven_access::hash_password)
            .transpose()
            .map_err(|e| AppError::Invalid(format!("password: {e}")))?;
        let entry = entry_by(
            by,
            haven_ledger::Action::UserManagement,
            format!(
                "account {} created with role {}",
                user.name.as_str(),
                user.role.as_str()
            ),
        )?;
        self.db
            .add_account(
                &NewAccount {
                    name: user.name.as_str().to_owned(),
                    role: user.role.as_str().to_owned(),
                    token_hash: issued.hash,
                    password_hash,
                },
                entry,
            )
            .map_err(AppError::from_store)?;
        Ok(issued.token)
    }

    /// Every account, by name.
    pub fn list_users(&self) -> Result<Vec<UserSummary>, AppError> {
        Ok(self
            .db
            .list_accounts()
            .map_err(AppError::from_store)?
            .into_iter()
            .map(|a| UserSummary {
                has_password: a.password_hash.is_some(),
                name: a.name,
                role: a.role,
                created_at: a.created_at,
                disabled_at: a.disabled_at,
            })
            .collect())
    }

    /// Disables an account (recorded in the ledger); its tokens stop working at once.
    pub fn disable_user(&self, by: &Principal, name: &AccountName) -> Result<(), AppError> {
        let entry = entry_by(
            by,
            haven_ledger::Action::UserManagement,
            format!("account {} disabled", name.as_str()),
        )?;
        if self
            .db
            .disable_account(name.as_str(), entry)
            .map_err(AppError::from_store)?
        {
            Ok(())
        } else {
            Err(AppError::NotFound(format!(
                "active account {}",
                name.as_str()
            )))
        }
    }

    /// The principal of an active account, for the command line: whoever holds the data
    /// directory is trusted to name the account they act as (`haven case … --user NAME`), but
    /// the account must exist and be active, and its role, not the caller, says what it may do.
    pub fn console_principal(&self, name: &AccountName) -> Result<Principal, AuthError> {
        let account = self.read_account(name.as_str())?;
        active_principal(&account)
    }

    /// The principal a bearer token stands for.
    pub fn authenticate(&self, token: &str) -> Result<Principal, AuthError> {
        if let Some(outcome) = self.authenticate_remembered(token) {
            return outcome;
        }
        let name = haven_access::token_account(token).ok_or(AuthError::Invalid)?;
        let account = self.read_account(name.as_str())?;
        if !haven_access::verify_token(token, &account.token_hash) {
            return Err(AuthError::Invalid);
        }
        let principal = active_principal(&account)?;
        self.tokens
            .remember(Sha256::digest(token.as_bytes()).into(), principal.clone());
        Ok(principal)
    }

    /// The answer for a token verified before (no Argon2: one read of the account's current
    /// state), or `None` if this token was not verified by this process yet.
    fn authenticate_remembered(&self, token: &str) -> Option<Result<Principal, AuthError>> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let principal = self.tokens.get(&digest)?;
        // Remembered: skip the Argon2 check, never the account's current state.
        let current = self
            .read_account(principal.actor.as_str())
            .and_then(|account| active_principal(&account));
        Some(match current {
            Ok(current) if current == principal => Ok(principal),
            Ok(_) => {
                self.tokens.forget(&digest);
                Err(AuthError::Invalid)
            }
            Err(err) => {
                self.tokens.forget(&digest);
                Err(err)
            }
        })
    }

    /// The stored account of this name; an unknown name is invalid credentials.
    fn read_account(&self, name: &str) -> Result<Account, AuthError> {
        self.db
            .account(name)
            .map_err(|e| AuthError::Unavailable(AppError::from_store(e)))?
            .ok_or(AuthError::Invalid)
    }
}

/// The account's principal if it is active.
pub(crate) fn active_principal(account: &Account) -> Result<Principal, AuthError> {
    if !account.is_active() {
        return Err(AuthError::Disabled);
    }
    let role = Role::parse(&account.role).ok_or(AuthError::UnknownRole(account.role.clone()))?;
    let actor = AccountName::parse(&account.name).map_err(|_| AuthError::Invalid)?;
    Ok(Principal { actor, role })
}
