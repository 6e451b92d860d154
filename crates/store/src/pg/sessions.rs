//! Web sessions and failed sign-ins on PostgreSQL.

// PLACEHOLDER: filled in by the PostgreSQL store work; every function below must be written.
#![allow(unused)]

use super::*;
use crate::*;
use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::*;
use haven_ledger::*;

pub(crate) fn create_session(db: &PgDatabase, session: &NewSession) -> Result<(), StoreError> {
    todo!("create_session")
}

pub(crate) fn session(db: &PgDatabase, id_hash: &str) -> Result<Option<StoredSession>, StoreError> {
    todo!("session")
}

pub(crate) fn touch_session(db: &PgDatabase, id_hash: &str, at: &str) -> Result<(), StoreError> {
    todo!("touch_session")
}

pub(crate) fn end_session(db: &PgDatabase, id_hash: &str) -> Result<(), StoreError> {
    todo!("end_session")
}

pub(crate) fn record_failed_sign_in(
    db: &PgDatabase,
    name: &str,
    limit: u32,
    lock_until: &str,
    lock_entry: Entry,
) -> Result<FailedSignIn, StoreError> {
    todo!("record_failed_sign_in")
}

pub(crate) fn clear_failed_sign_ins(db: &PgDatabase, name: &str) -> Result<(), StoreError> {
    todo!("clear_failed_sign_ins")
}
