//! Cases on PostgreSQL: recording an assessed request with its ledger entry, reading cases, and
//! changing a case's file under the caller's rules in one transaction.

// PLACEHOLDER: filled in by the PostgreSQL store work; every function below must be written.
#![allow(unused)]

use super::*;
use crate::*;
use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::*;
use haven_ledger::*;

pub(crate) fn record_case(
    db: &PgDatabase,
    request: &Request,
    decision: &mut Decision,
    entry: Entry,
) -> Result<String, StoreError> {
    todo!("record_case")
}

pub(crate) fn list_cases(db: &PgDatabase) -> Result<Vec<CaseSummary>, StoreError> {
    todo!("list_cases")
}

pub(crate) fn get_case(db: &PgDatabase, id: &str) -> Result<Option<Case>, StoreError> {
    todo!("get_case")
}

pub(crate) fn case_files(db: &PgDatabase) -> Result<Vec<(CaseSummary, CaseFile)>, StoreError> {
    todo!("case_files")
}

pub(crate) fn case_listing(db: &PgDatabase) -> Result<Vec<ListedCase>, StoreError> {
    todo!("case_listing")
}

pub(crate) fn update_case_file(
    db: &PgDatabase,
    id: &str,
    change: &mut dyn FnMut(&Case) -> Result<FileChange, Refusal>,
) -> Result<CaseUpdate, CaseUpdateError> {
    todo!("update_case_file")
}
