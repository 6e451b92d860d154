//! Imports on PostgreSQL: a whole file staged, checked as a whole and merged in one transaction
//! with its ledger entry and a NOTIFY of the new data version.

// PLACEHOLDER: filled in by the PostgreSQL store work; every function below must be written.
#![allow(unused)]

use super::*;
use crate::*;
use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::*;
use haven_ledger::*;

pub(crate) fn import_registry(
    db: &PgDatabase,
    records: &mut dyn Iterator<Item = ImportItem<RegistryPerson>>,
    mode: ImportMode,
    meta: &ImportMeta,
) -> Result<ImportReport, ImportError> {
    todo!("import_registry")
}

pub(crate) fn import_context(
    db: &PgDatabase,
    records: &mut dyn Iterator<Item = ImportItem<ContextRecord>>,
    mode: ImportMode,
    meta: &ImportMeta,
) -> Result<ImportReport, ImportError> {
    todo!("import_context")
}
