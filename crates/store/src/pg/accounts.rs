//! Accounts on PostgreSQL, each change recorded in the ledger in the same transaction.

use haven_ledger::Entry;

use super::{NOW_UTC, PgDatabase};
use crate::accounts::{COLUMNS, added_entry, naming_account};
use crate::{Account, NewAccount, StoreError};

fn account_row(row: &postgres::Row) -> Account {
    Account {
        name: row.get(0),
        role: row.get(1),
        token_hash: row.get(2),
        password_hash: row.get(3),
        created_at: row.get(4),
        disabled_at: row.get(5),
        locked_until: row.get(6),
    }
}

pub(crate) fn add_account(
    db: &PgDatabase,
    account: &NewAccount,
    entry: Entry,
) -> Result<(), StoreError> {
    db.write(|tx| {
        // ON CONFLICT rather than a check first: two servers adding the same name at once must
        // both see the name taken but one, not fail with a constraint violation.
        let inserted = tx.tx.execute(
            &format!(
                "INSERT INTO accounts (name, role, token_hash, password_hash, created_at)
                 VALUES ($1, $2, $3, $4, {NOW_UTC})
                 ON CONFLICT (name) DO NOTHING"
            ),
            &[
                &account.name,
                &account.role,
                &account.token_hash,
                &account.password_hash,
            ],
        )?;
        if inserted == 0 {
            return Err(StoreError::AccountExists(account.name.clone()));
        }
        tx.append_ledger(&added_entry(entry, account)?)?;
        Ok(())
    })
}

pub(crate) fn disable_account(
    db: &PgDatabase,
    name: &str,
    entry: Entry,
) -> Result<bool, StoreError> {
    db.write(|tx| {
        let changed = tx.tx.execute(
            &format!(
                "UPDATE accounts SET disabled_at = {NOW_UTC}
                 WHERE name = $1 AND disabled_at IS NULL"
            ),
            &[&name],
        )?;
        if changed == 0 {
            return Ok(false);
        }
        tx.append_ledger(&naming_account(entry, name)?)?;
        Ok(true)
    })
}

pub(crate) fn account(db: &PgDatabase, name: &str) -> Result<Option<Account>, StoreError> {
    db.read(|tx| {
        Ok(tx
            .query_opt(
                &format!("SELECT {COLUMNS} FROM accounts WHERE name = $1"),
                &[&name],
            )?
            .as_ref()
            .map(account_row))
    })
}

pub(crate) fn list_accounts(db: &PgDatabase) -> Result<Vec<Account>, StoreError> {
    db.read(|tx| {
        // Byte order, as SQLite sorts, whatever the database's collation.
        let rows = tx.query(
            &format!("SELECT {COLUMNS} FROM accounts ORDER BY name COLLATE \"C\""),
            &[],
        )?;
        Ok(rows.iter().map(account_row).collect())
    })
}
