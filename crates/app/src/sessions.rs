//! Web UI sign-in and sessions. A password is checked once (Argon2id, tens of milliseconds) and
//! then a session stands for the account: a random secret in an `HttpOnly` cookie, stored only as
//! its SHA-256, with its own CSRF token for the session's forms. Sessions live in the database,
//! so every server behind a load balancer knows them.
//!
//! Repeated wrong passwords lock the account's web sign-in for a while: `MAX_FAILED_SIGN_INS`
//! consecutive failures lock it for `LOCKED_FOR`, and the lock is a ledger entry and a warning in
//! the log (naming the account, never the password). A timed lock rather than one an
//! administrator must lift, so a stranger guessing at a name cannot keep its owner out for good.

use std::sync::LazyLock;

use haven_access::{AccountName, Principal};
use haven_store::{FailedSignIn, NewSession, StoredSession};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use crate::accounts::active_principal;
use crate::{AppError, AuthError, Service, entry_by};

/// Consecutive wrong passwords that lock an account's web sign-in.
pub const MAX_FAILED_SIGN_INS: u32 = 5;
/// How long the lock lasts.
pub const LOCKED_FOR: SignedDuration = SignedDuration::from_mins(15);
/// A session unused this long has ended.
pub const SESSION_IDLE: SignedDuration = SignedDuration::from_mins(30);
/// No session lasts longer than a working day.
pub const SESSION_MAX: SignedDuration = SignedDuration::from_hours(10);
/// A session's last use is written at most this often (one write per page would be waste).
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);
/// 256 bits of randomness for the session secret and the CSRF token.
const SECRET_BYTES: usize = 32;

/// Why a sign-in was refused. Towards the person signing in, `Invalid` and `Disabled` read alike
/// ("wrong name or password"); `Locked` says until when, since its owner needs to know.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignInError {
    #[error("wrong account name or password")]
    Invalid,
    #[error("sign-in is locked after repeated wrong passwords, until {until}")]
    Locked { until: Timestamp },
    #[error(transparent)]
    Unavailable(AppError),
}

/// A signed-in web session: who, and the token every form of this session must carry.
#[derive(Clone, PartialEq, Eq)]
pub struct WebSession {
    pub principal: Principal,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for WebSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSession")
            .field("principal", &self.principal)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A new session: `secret` goes into the cookie and is never stored.
#[derive(Clone)]
pub struct SignedIn {
    pub secret: String,
    pub session: WebSession,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// Checks a name and password and opens a session. A wrong password counts towards the lock;
    /// a locked account is refused without its password being checked.
    pub fn sign_in(&self, name: &str, password: &str) -> Result<SignedIn, SignInError> {
        let now = self.clock().now();
        let account = match self.db.account(name) {
            Ok(Some(account)) => account,
            Ok(None) => {
                // Spend the same Argon2 time as for a real account, so the answer's timing does
                // not tell which names exist.
                let _ = haven_access::verify_password(password, &DUMMY_HASH);
                return Err(SignInError::Invalid);
            }
            Err(error) => return Err(SignInError::Unavailable(AppError::from_store(error))),
        };
        if let Some(until) = account.locked_until.as_deref().and_then(parse_time)
            && until > now
        {
            return Err(SignInError::Locked { until });
        }
        let verified = account
            .password_hash
            .as_deref()
            .is_some_and(|hash| haven_access::verify_password(password, hash));
        if !verified {
            return Err(self.count_failure(&account, now));
        }
        let principal = active_principal(&account).map_err(|error| match error {
            AuthError::Unavailable(error) => SignInError::Unavailable(error),
            _ => SignInError::Invalid,
        })?;
        self.db
            .clear_failed_sign_ins(&account.name)
            .map_err(|e| SignInError::Unavailable(AppError::from_store(e)))?;
        let secret = random_token().map_err(SignInError::Unavailable)?;
        let csrf_token = random_token().map_err(SignInError::Unavailable)?;
        let expires_at = now.saturating_add(SESSION_MAX).unwrap_or(now);
        self.db
            .create_session(&NewSession {
                id_hash: secret_hash(&secret),
                account: account.name.clone(),
                csrf_token: csrf_token.clone(),
                created_at: now.to_string(),
                expires_at: expires_at.to_string(),
            })
            .map_err(|e| SignInError::Unavailable(AppError::from_store(e)))?;
        tracing::info!(account = %account.name, "web sign-in");
        Ok(SignedIn {
            secret,
            session: WebSession {
                principal,
                csrf_token,
                expires_at,
            },
        })
    }

    /// The session a cookie's secret stands for, if it is current and its account still active
    /// (with its current role). An expired session is ended here.
    pub fn web_session(&self, secret: &str) -> Result<Option<WebSession>, AppError> {
        let id_hash = secret_hash(secret);
        let Some(stored) = self.db.session(&id_hash).map_err(AppError::from_store)? else {
            return Ok(None);
        };
        let now = self.clock().now();
        if !is_current(&stored, now) {
            self.db
                .end_session(&id_hash)
                .map_err(AppError::from_store)?;
            return Ok(None);
        }
        let principal = match self
            .db
            .account(&stored.account)
            .map_err(AppError::from_store)?
        {
            Some(account) => match active_principal(&account) {
                Ok(principal) => principal,
                Err(_) => return Ok(None),
            },
            None => return Ok(None),
        };
        if parse_time(&stored.last_seen_at)
            .is_none_or(|seen| now.duration_since(seen) >= TOUCH_EVERY)
        {
            self.db
                .touch_session(&id_hash, &now.to_string())
                .map_err(AppError::from_store)?;
        }
        Ok(Some(WebSession {
            principal,
            csrf_token: stored.csrf_token,
            expires_at: parse_time(&stored.expires_at).unwrap_or(now),
        }))
    }

    /// Ends the session of this secret (signing out twice is harmless).
    pub fn sign_out(&self, secret: &str) -> Result<(), AppError> {
        self.db
            .end_session(&secret_hash(secret))
            .map_err(AppError::from_store)
    }

    /// Counts a wrong password; the failure that reaches the limit locks sign-in (a ledger entry).
    fn count_failure(&self, account: &haven_store::Account, now: Timestamp) -> SignInError {
        let until = now.saturating_add(LOCKED_FOR).unwrap_or(now);
        let entry = match self.lock_entry(account, until) {
            Ok(entry) => entry,
            Err(error) => return SignInError::Unavailable(error),
        };
        match self.db.record_failed_sign_in(
            &account.name,
            MAX_FAILED_SIGN_INS,
            &until.to_string(),
            entry,
        ) {
            Ok(FailedSignIn::Locked { .. }) => {
                tracing::warn!(
                    account = %account.name,
                    %until,
                    failures = MAX_FAILED_SIGN_INS,
                    "web sign-in locked after repeated wrong passwords"
                );
                SignInError::Locked { until }
            }
            Ok(FailedSignIn::Counted(failures)) => {
                tracing::info!(account = %account.name, failures, "wrong password at web sign-in");
                SignInError::Invalid
            }
            Ok(FailedSignIn::UnknownAccount) => SignInError::Invalid,
            Err(error) => SignInError::Unavailable(AppError::from_store(error)),
        }
    }

    /// The ledger entry of a lock: the account itself is the actor (it is its sign-in that
    /// failed), in its stored role.
    fn lock_entry(
        &self,
        account: &haven_store::Account,
        until: Timestamp,
    ) -> Result<haven_ledger::Entry, AppError> {
        let actor = AccountName::parse(&account.name)
            .map_err(|e| AppError::Invalid(format!("account name: {e}")))?;
        let role = haven_access::Role::parse(&account.role)
            .ok_or_else(|| AppError::Invalid(format!("account role {:?}", account.role)))?;
        entry_by(
            &Principal { actor, role },
            haven_ledger::Action::UserManagement,
            format!(
                "web sign-in of account {} locked until {until} after {MAX_FAILED_SIGN_INS} \
                 consecutive wrong passwords",
                account.name
            ),
        )
    }
}

/// An Argon2id hash (same parameters as real ones) verified against when the account is
/// unknown; made once per process from a random password nobody knows.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    random_token()
        .ok()
        .and_then(|password| haven_access::hash_password(&password).ok())
        .unwrap_or_default()
});

fn is_current(stored: &StoredSession, now: Timestamp) -> bool {
    let (Some(expires), Some(seen)) = (
        parse_time(&stored.expires_at),
        parse_time(&stored.last_seen_at),
    ) else {
        return false;
    };
    now < expires && now.duration_since(seen) < SESSION_IDLE
}

fn parse_time(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

/// 32 random bytes, base64url without padding: a session secret, a CSRF token.
pub fn random_token() -> Result<String, AppError> {
    use base64::Engine;
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Credentials(format!("the system's random source failed: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
