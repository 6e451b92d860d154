//! Accounts: who may sign in to the API and the web UI, in which role, with which credential
//! hashes. The store keeps strings; what a role may do and how credentials are hashed and checked
//! belong to `haven-access`. Creating or disabling an account is recorded in the ledger in the
//! same transaction.

use haven_ledger::{Entry, ObjectId};
use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

/// An account as stored, with its credential hashes (for authentication only: never shown).
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// The account name (also the actor the ledger names).
    pub name: String,
    /// The role's wire name (`officer`, `asylum_liaison`, …).
    pub role: String,
    /// The Argon2id hash of the API token.
    pub token_hash: String,
    /// The Argon2id hash of the web UI password, if one was set.
    pub password_hash: Option<String>,
    /// When the account was created (UTC, RFC 3339).
    pub created_at: String,
    /// When it was disabled, if it was.
    pub disabled_at: Option<String>,
    /// Web sign-in is locked until then (after repeated wrong passwords), if it was locked.
    pub locked_until: Option<String>,
}

impl std::fmt::Debug for Account {
    // The hashes are not secrets in the way tokens are, but they have no business in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("has_password", &self.password_hash.is_some())
            .field("created_at", &self.created_at)
            .field("disabled_at", &self.disabled_at)
            .field("locked_until", &self.locked_until)
            .finish()
    }
}

impl Account {
    /// False once the account is disabled.
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

/// A new account to store.
#[derive(Clone)]
pub struct NewAccount {
    /// The account name.
    pub name: String,
    /// The role's wire name.
    pub role: String,
    /// The Argon2id hash of the API token.
    pub token_hash: String,
    /// The Argon2id hash of the password, if any.
    pub password_hash: Option<String>,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("name", &self.name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

/// The columns an [`Account`] is read from, in its fields' order.
pub(crate) const COLUMNS: &str =
    "name, role, token_hash, password_hash, created_at, disabled_at, locked_until";

fn account_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        name: row.get(0)?,
        role: row.get(1)?,
        token_hash: row.get(2)?,
        password_hash: row.get(3)?,
        created_at: row.get(4)?,
        disabled_at: row.get(5)?,
        locked_until: row.get(6)?,
    })
}

/// The entry that records a new account: it names the account and its role.
pub(crate) fn added_entry(entry: Entry, account: &NewAccount) -> Result<Entry, StoreError> {
    Ok(entry.with_objects([
        ObjectId::tagged("account", &account.name)?,
        ObjectId::tagged("role", &account.role)?,
    ]))
}

/// An entry about account `name` (disabled, locked): it names the account.
pub(crate) fn naming_account(entry: Entry, name: &str) -> Result<Entry, StoreError> {
    Ok(entry.with_objects([ObjectId::tagged("account", name)?]))
}

impl Store {
    /// Creates an account and appends `entry` (which should say who created it and why), naming
    /// the account and its role, in one transaction. Refuses a name already taken, disabled or not
    /// (the ledger's history of a name must stay unambiguous).
    pub fn add_account(&mut self, account: &NewAccount, entry: Entry) -> Result<(), StoreError> {
        self.transaction(|tx| {
            let taken: Option<String> = tx
                .sqlite()
                .query_row(
                    "SELECT name FROM accounts WHERE name = ?1",
                    [&account.name],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::AccountExists(account.name.clone()));
            }
            tx.sqlite().execute(
                "INSERT INTO accounts (name, role, token_hash, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                params![
                    account.name,
                    account.role,
                    account.token_hash,
                    account.password_hash
                ],
            )?;
            tx.append_ledger(&added_entry(entry, account)?)?;
            Ok(())
        })
    }

    /// Disables an account and appends `entry`; false if there is no such active account (then
    /// nothing is written).
    pub fn disable_account(&mut self, name: &str, entry: Entry) -> Result<bool, StoreError> {
        self.transaction(|tx| {
            let changed = tx.sqlite().execute(
                "UPDATE accounts SET disabled_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
                 WHERE name = ?1 AND disabled_at IS NULL",
                [name],
            )?;
            if changed == 0 {
                return Ok(false);
            }
            tx.append_ledger(&naming_account(entry, name)?)?;
            Ok(true)
        })
    }

    /// One account, active or not.
    pub fn account(&self, name: &str) -> Result<Option<Account>, StoreError> {
        // Cached: a server reads the account on every request.
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts WHERE name = ?1"))?
            .query_row([name], account_row)
            .optional()?)
    }

    /// Every account, by name.
    pub fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM accounts ORDER BY name"))?;
        let rows = stmt.query_map([], account_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
