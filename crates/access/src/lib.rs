//! Haven's access model: who is asking (`Principal`: an account name and its role), what they ask
//! to do (`Action`), whether the bundled cedar policy allows it (`Authorizer`), and the
//! credentials that prove who is asking (bearer tokens and passwords, stored only as Argon2id
//! hashes).
//!
//! Architecture invariant: no I/O and no async. The server parses the `Authorization` header and
//! looks the account up; this crate only decides and hashes.

mod authorize;
mod credentials;
mod identity;

pub use authorize::{Authorizer, PolicyError};
pub use credentials::{
    CredentialError, IssuedToken, MIN_PASSWORD_CHARS, hash_password, issue_token, token_account,
    verify_password, verify_token,
};
pub use haven_domain::{AccountName, AccountNameError, Principal, Role};
pub use identity::Action;
