//! Web UI sessions and failed sign-ins. The store keeps what it is given: the service decides
//! lifetimes, makes the secrets and hashes them, and says when an account is to be locked; the
//! lock and its ledger entry are written in one transaction.

use haven_ledger::Entry;
use rusqlite::{OptionalExtension, params};

use crate::accounts::naming_account;
use crate::{Store, StoreError};

/// A session to store. `id_hash` is the SHA-256 (hex) of the cookie's secret, never the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id_hash: String,
    pub account: String,
    pub csrf_token: String,
    /// RFC 3339 UTC timestamps, written by the service's clock.
    pub created_at: String,
    pub expires_at: String,
}

impl std::fmt::Debug for NewSession {
    // The CSRF token is a per-session secret: it has no business in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("account", &self.account)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A stored session.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub account: String,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
}

impl std::fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSession")
            .field("account", &self.account)
            .field("last_seen_at", &self.last_seen_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What a failed sign-in did to the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailedSignIn {
    /// Counted: this many consecutive failures so far.
    Counted(u32),
    /// This failure reached the limit: the account is locked until then (a ledger entry says so).
    Locked { until: String },
    /// No such account: nothing to count.
    UnknownAccount,
}

impl Store {
    /// Stores a new session.
    pub fn create_session(&mut self, session: &NewSession) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO web_sessions (id_hash, account, csrf_token, created_at, last_seen_at,
                                       expires_at)
             VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
            params![
                session.id_hash,
                session.account,
                session.csrf_token,
                session.created_at,
                session.expires_at
            ],
        )?;
        Ok(())
    }

    /// The session whose secret hashes to `id_hash`, if stored (expired or not: the service
    /// judges).
    pub fn session(&self, id_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT account, csrf_token, created_at, last_seen_at, expires_at
                 FROM web_sessions WHERE id_hash = ?1",
            )?
            .query_row([id_hash], |r| {
                Ok(StoredSession {
                    account: r.get(0)?,
                    csrf_token: r.get(1)?,
                    created_at: r.get(2)?,
                    last_seen_at: r.get(3)?,
                    expires_at: r.get(4)?,
                })
            })
            .optional()?)
    }

    /// Records that the session was used at `at` (the idle timeout counts from here).
    pub fn touch_session(&mut self, id_hash: &str, at: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE web_sessions SET last_seen_at = ?2 WHERE id_hash = ?1",
            params![id_hash, at],
        )?;
        Ok(())
    }

    /// Ends a session (sign-out, expiry). Ending one that is gone is not an error.
    pub fn end_session(&mut self, id_hash: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM web_sessions WHERE id_hash = ?1", [id_hash])?;
        Ok(())
    }

    /// Counts a wrong password for `name`. The `limit`-th consecutive failure locks the account's
    /// sign-in until `lock_until`, resets the count, and appends `lock_entry` (which should say
    /// so), all in one transaction.
    pub fn record_failed_sign_in(
        &mut self,
        name: &str,
        limit: u32,
        lock_until: &str,
        lock_entry: Entry,
    ) -> Result<FailedSignIn, StoreError> {
        self.transaction(|tx| {
            let failures: Option<u32> = tx
                .sqlite()
                .query_row(
                    "UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE name = ?1
                     RETURNING failed_sign_ins",
                    [name],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(failures) = failures else {
                return Ok(FailedSignIn::UnknownAccount);
            };
            if failures < limit {
                return Ok(FailedSignIn::Counted(failures));
            }
            tx.sqlite().execute(
                "UPDATE accounts SET failed_sign_ins = 0, locked_until = ?2 WHERE name = ?1",
                params![name, lock_until],
            )?;
            tx.append_ledger(&naming_account(lock_entry, name)?)?;
            Ok(FailedSignIn::Locked {
                until: lock_until.to_owned(),
            })
        })
    }

    /// A successful sign-in: the count of failures starts again, an expired lock is cleared.
    pub fn clear_failed_sign_ins(&mut self, name: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE accounts SET failed_sign_ins = 0, locked_until = NULL WHERE name = ?1",
            [name],
        )?;
        Ok(())
    }
}
