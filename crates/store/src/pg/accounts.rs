//! Accounts on PostgreSQL, each change recorded in the ledger in the same transaction.

// PLACEHOLDER: filled in by the PostgreSQL store work; every function below must be written.
#![allow(unused)]

use super::*;
use crate::*;
use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::*;
use haven_ledger::*;

pub(crate) fn add_account(
    db: &PgDatabase,
    account: &NewAccount,
    entry: Entry,
) -> Result<(), StoreError> {
    todo!("add_account")
}

pub(crate) fn disable_account(
    db: &PgDatabase,
    name: &str,
    entry: Entry,
) -> Result<bool, StoreError> {
    todo!("disable_account")
}

pub(crate) fn account(db: &PgDatabase, name: &str) -> Result<Option<Account>, StoreError> {
    todo!("account")
}

pub(crate) fn list_accounts(db: &PgDatabase) -> Result<Vec<Account>, StoreError> {
    todo!("list_accounts")
}
