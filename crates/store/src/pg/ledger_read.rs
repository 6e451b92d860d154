//! Reading and checking the ledger on PostgreSQL: checkpoints, keys, proofs, verification and
//! export (the algorithms are haven-ledger's).

// PLACEHOLDER: filled in by the PostgreSQL store work; every function below must be written.
#![allow(unused)]

use super::*;
use crate::*;
use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::*;
use haven_ledger::*;

pub(crate) fn ledger_checkpoint(db: &PgDatabase) -> Result<Option<StoredCheckpoint>, StoreError> {
    todo!("ledger_checkpoint")
}

pub(crate) fn ledger_keys(db: &PgDatabase) -> Result<Vec<(u64, String)>, StoreError> {
    todo!("ledger_keys")
}

pub(crate) fn ledger_inclusion_proof(
    db: &PgDatabase,
    index: u64,
) -> Result<InclusionBundle, StoreError> {
    todo!("ledger_inclusion_proof")
}

pub(crate) fn verify_ledger(db: &PgDatabase) -> Result<VerifiedLog, StoreError> {
    todo!("verify_ledger")
}

pub(crate) fn ledger_public_key(db: &PgDatabase) -> Result<String, StoreError> {
    todo!("ledger_public_key")
}

pub(crate) fn export_ledger(db: &PgDatabase) -> Result<Export, StoreError> {
    todo!("export_ledger")
}
