//! Credentials: bearer tokens (`hv1.NAME.SECRET`, shown once, stored as a hash) and passwords,
//! both hashed with Argon2id.
//!
//! Cost: Argon2's defaults (Argon2id v19, m = 19456 KiB, t = 2, p = 1; OWASP's recommendation)
//! take tens of milliseconds a verification. That is right for a password typed once per session
//! and too much for every API call, so the server caches a token once it has verified it: the
//! cost is paid once per token, not per request.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use haven_domain::AccountName;

/// The token's format version. A new format gets a new prefix, so old tokens keep parsing.
const TOKEN_PREFIX: &str = "hv1.";
/// 256 bits: guessing is hopeless, so the hash need not be slow for the token's sake; Argon2 is
/// there so a stolen table of hashes gives nothing away.
const TOKEN_SECRET_BYTES: usize = 32;
/// Shorter passwords are refused outright (NIST SP 800-63B's floor for a password alone is 8; we
/// ask for more because these accounts see protection data).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a credential could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("a password must be at least {min} characters long; this one has {actual}", min = MIN_PASSWORD_CHARS)]
    PasswordTooShort { actual: usize },
    #[error("the system's random source failed: {0}")]
    Randomness(getrandom::Error),
    #[error("Argon2 hashing failed: {0}")]
    Hashing(argon2::password_hash::Error),
}

/// A freshly issued token: `token` is shown to the user once and never stored; `hash` (an
/// Argon2id PHC string) is what the store keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token: String,
    pub hash: String,
}

/// Issues a new token for `account`: `hv1.` + the name + `.` + 32 random bytes in base64url
/// without padding. The name travels in the token so the store can look up one row and verify
/// one hash, instead of trying every account's.
pub fn issue_token(account: &AccountName) -> Result<IssuedToken, CredentialError> {
    let mut secret = [0u8; TOKEN_SECRET_BYTES];
    getrandom::fill(&mut secret).map_err(CredentialError::Randomness)?;
    let token = format!("{TOKEN_PREFIX}{account}.{}", URL_SAFE_NO_PAD.encode(secret));
    let hash = argon2_hash(&token)?;
    Ok(IssuedToken { token, hash })
}

/// The account a well-formed token names, or `None` if the text is not a token of this format.
/// Says nothing about whether the token is valid: that is `verify_token`'s job.
pub fn token_account(token: &str) -> Option<AccountName> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    // The name's alphabet has no '.', so the first '.' ends it.
    let (name, secret) = rest.split_once('.')?;
    let secret_bytes = URL_SAFE_NO_PAD.decode(secret).ok()?;
    if secret_bytes.len() != TOKEN_SECRET_BYTES {
        return None;
    }
    AccountName::parse(name).ok()
}

/// Whether `token` is the one whose hash is `stored_hash`. Argon2's verification compares in
/// constant time; a malformed stored hash answers no.
pub fn verify_token(token: &str, stored_hash: &str) -> bool {
    argon2_verify(token, stored_hash)
}

/// Hashes a password with Argon2id and a random salt, refusing one shorter than
/// `MIN_PASSWORD_CHARS` characters.
pub fn hash_password(password: &str) -> Result<String, CredentialError> {
    let actual = password.chars().count();
    if actual < MIN_PASSWORD_CHARS {
        return Err(CredentialError::PasswordTooShort { actual });
    }
    argon2_hash(password)
}

/// Whether `password` is the one whose hash is `stored_hash`; a malformed stored hash answers no.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    argon2_verify(password, stored_hash)
}

fn argon2_hash(secret: &str) -> Result<String, CredentialError> {
    let hash = Argon2::default()
        .hash_password(secret.as_bytes())
        .map_err(CredentialError::Hashing)?;
    Ok(hash.to_string())
}

fn argon2_verify(secret: &str, stored_hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored_hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(secret.as_bytes(), &parsed)
        .is_ok()
}
