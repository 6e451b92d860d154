//! Reading the registry and the context knowledge base on PostgreSQL: persons, relations,
//! findings, state profiles, the data version and counts.

// PLACEHOLDER: filled in by the PostgreSQL store work; every function below must be written.
#![allow(unused)]

use super::*;
use crate::*;
use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::*;
use haven_ledger::*;

pub(crate) fn data_version(db: &PgDatabase) -> Result<u64, StoreError> {
    todo!("data_version")
}

pub(crate) fn data_counts(db: &PgDatabase) -> Result<DataCounts, StoreError> {
    todo!("data_counts")
}

pub(crate) fn for_each_person(
    db: &PgDatabase,
    f: &mut dyn FnMut(StoredPerson),
) -> Result<u64, StoreError> {
    todo!("for_each_person")
}

pub(crate) fn persons_changed_since(
    db: &PgDatabase,
    version: u64,
) -> Result<(Vec<StoredPerson>, u64), StoreError> {
    todo!("persons_changed_since")
}

pub(crate) fn registry_person(
    db: &PgDatabase,
    id: &PersonId,
) -> Result<Option<RegistryPerson>, StoreError> {
    todo!("registry_person")
}

pub(crate) fn context_person(
    db: &PgDatabase,
    id: &PersonId,
) -> Result<Option<ContextPerson>, StoreError> {
    todo!("context_person")
}

pub(crate) fn links_of(db: &PgDatabase, id: &PersonId) -> Result<Vec<Link>, StoreError> {
    todo!("links_of")
}

pub(crate) fn findings_about(db: &PgDatabase, id: &PersonId) -> Result<Vec<Finding>, StoreError> {
    todo!("findings_about")
}

pub(crate) fn state_profile(
    db: &PgDatabase,
    state: CountryCode,
) -> Result<Option<StateProfile>, StoreError> {
    todo!("state_profile")
}
