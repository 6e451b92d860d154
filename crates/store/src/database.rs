//! The store as a service shares it: [`Database`], one handle for every thread of a server, and
//! [`SqliteDatabase`], its SQLite implementation ([`PgDatabase`](crate::PgDatabase) is the
//! PostgreSQL one).
//!
//! A [`Store`] is one SQLite connection: cheap to read through, and written through by one
//! transaction at a time. `SqliteDatabase` keeps one writer behind a mutex (SQLite admits one
//! writer anyway; queueing in the process is cheaper than `SQLITE_BUSY` retries) and a small pool
//! of reader connections, so screening, case reads and an auditor's verification do not wait for
//! an import. Every method takes `&self` and the handle is `Send + Sync`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::{
    ContextPerson, ContextRecord, CountryCode, Decision, Finding, PersonId, RegistryPerson,
    Request, StateProfile,
};
use haven_ledger::{Actor, Entry, Export, Justification, Role, StoredCheckpoint, VerifiedLog};

use crate::{
    Account, Case, CaseSummary, CaseUpdate, CaseUpdateError, DataCounts, FailedSignIn, FileChange,
    ImportError, ImportItem, ImportMeta, ImportMode, ImportReport, InclusionBundle, Link,
    ListedCase, NewAccount, NewSession, Receipt, Store, StoreError, StoredPerson, StoredSession,
};

/// What the service layer needs of persistence, shareable across threads. Each method is one
/// read, or one write transaction with its ledger entry (see [`Store`] for what each does).
pub trait Database: Send + Sync + std::fmt::Debug {
    /// The data version (raised by every import that changed data).
    fn data_version(&self) -> Result<u64, StoreError>;
    /// How many records of each kind are stored.
    fn data_counts(&self) -> Result<DataCounts, StoreError>;
    /// Calls `f` with every person, registry then context; returns their data version.
    fn for_each_person(&self, f: &mut dyn FnMut(StoredPerson)) -> Result<u64, StoreError>;
    /// The persons changed after data version `version`, and the version they bring one to.
    fn persons_changed_since(&self, version: u64) -> Result<(Vec<StoredPerson>, u64), StoreError>;
    /// One registry person (protection details: the caller logs any read it shows a user).
    fn registry_person(&self, id: &PersonId) -> Result<Option<RegistryPerson>, StoreError>;
    /// One context person.
    fn context_person(&self, id: &PersonId) -> Result<Option<ContextPerson>, StoreError>;
    /// Everyone linked to `id` in one hop.
    fn links_of(&self, id: &PersonId) -> Result<Vec<Link>, StoreError>;
    /// The context findings about a person.
    fn findings_about(&self, id: &PersonId) -> Result<Vec<Finding>, StoreError>;
    /// A state's risk profile.
    fn state_profile(&self, state: CountryCode) -> Result<Option<StateProfile>, StoreError>;
    /// Imports registry persons in one transaction with its ledger entry.
    fn import_registry(
        &self,
        records: &mut dyn Iterator<Item = ImportItem<RegistryPerson>>,
        mode: ImportMode,
        meta: &ImportMeta,
    ) -> Result<ImportReport, ImportError>;
    /// Imports context records in one transaction with its ledger entry.
    fn import_context(
        &self,
        records: &mut dyn Iterator<Item = ImportItem<ContextRecord>>,
        mode: ImportMode,
        meta: &ImportMeta,
    ) -> Result<ImportReport, ImportError>;
    /// Stores an assessed request as a new case with its ledger entry; returns the case id.
    fn record_case(
        &self,
        request: &Request,
        decision: &mut Decision,
        entry: Entry,
    ) -> Result<String, StoreError>;
    /// Every case, oldest first.
    fn list_cases(&self) -> Result<Vec<CaseSummary>, StoreError>;
    /// One case.
    fn get_case(&self, id: &str) -> Result<Option<Case>, StoreError>;
    /// Every case with its file, oldest first.
    fn case_files(&self) -> Result<Vec<(CaseSummary, CaseFile)>, StoreError>;
    /// Every case with its file and its decision's finding codes, oldest first.
    fn case_listing(&self) -> Result<Vec<ListedCase>, StoreError>;
    /// Changes a case's file under the caller's rules, with its ledger entries, in one
    /// transaction that no other writer interleaves with (see [`Store::update_case_file`]).
    fn update_case_file(
        &self,
        id: &str,
        change: &mut dyn FnMut(&Case) -> Result<FileChange, Refusal>,
    ) -> Result<CaseUpdate, CaseUpdateError>;
    /// Appends one entry in a transaction of its own (a consultation, a screening).
    fn append_ledger(&self, entry: &Entry) -> Result<Receipt, StoreError>;
    /// The latest signed checkpoint.
    fn ledger_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError>;
    /// Every signing key of the log with the first tree size it signs, oldest first.
    fn ledger_keys(&self) -> Result<Vec<(u64, String)>, StoreError>;
    /// An inclusion proof for one entry against the latest checkpoint.
    fn ledger_inclusion_proof(&self, index: u64) -> Result<InclusionBundle, StoreError>;
    /// Recomputes every hash and checks every checkpoint.
    fn verify_ledger(&self) -> Result<VerifiedLog, StoreError>;
    /// Creates an account, recorded by `entry`.
    fn add_account(&self, account: &NewAccount, entry: Entry) -> Result<(), StoreError>;
    /// Disables an account, recorded by `entry`; false if there was no active one.
    fn disable_account(&self, name: &str, entry: Entry) -> Result<bool, StoreError>;
    /// One account.
    fn account(&self, name: &str) -> Result<Option<Account>, StoreError>;
    /// Every account.
    fn list_accounts(&self) -> Result<Vec<Account>, StoreError>;
    /// Stores a new web session.
    fn create_session(&self, session: &NewSession) -> Result<(), StoreError>;
    /// The web session whose secret hashes to `id_hash`.
    fn session(&self, id_hash: &str) -> Result<Option<StoredSession>, StoreError>;
    /// Records that a web session was used at `at`.
    fn touch_session(&self, id_hash: &str, at: &str) -> Result<(), StoreError>;
    /// Ends a web session.
    fn end_session(&self, id_hash: &str) -> Result<(), StoreError>;
    /// Counts a wrong password; the `limit`-th locks sign-in until `lock_until` and appends
    /// `lock_entry` in the same transaction.
    fn record_failed_sign_in(
        &self,
        name: &str,
        limit: u32,
        lock_until: &str,
        lock_entry: Entry,
    ) -> Result<FailedSignIn, StoreError>;
    /// Clears the failed sign-in count and lock after a successful sign-in.
    fn clear_failed_sign_ins(&self, name: &str) -> Result<(), StoreError>;
    /// The public key in force (a C2SP verifier key), the one that signs new checkpoints.
    fn ledger_public_key(&self) -> Result<String, StoreError>;
    /// A self-contained export of the ledger for an auditor.
    fn export_ledger(&self) -> Result<Export, StoreError>;
    /// Replaces the signing key, recorded in the ledger; returns the old and new public keys.
    fn rotate_ledger_key(
        &self,
        actor: Actor,
        role: Role,
        justification: Justification,
    ) -> Result<(String, String), StoreError>;
    /// Where the database is, for messages and logs (never a password).
    fn location(&self) -> String;
    /// The ledger's origin line: unique per database (a restore of its backup keeps it), so it
    /// tells which database a file derived from one (an index snapshot) belongs to.
    fn ledger_origin(&self) -> String;
    /// Waits up to `timeout` for an import by any process; `Ok(true)` when one may have happened
    /// (the caller then catches up). The default, for a database that cannot announce changes,
    /// waits the whole timeout and says "maybe", so a caller polling on it still catches up.
    fn wait_for_change(&self, timeout: Duration) -> Result<bool, StoreError> {
        std::thread::sleep(timeout);
        Ok(true)
    }
}

/// The SQLite [`Database`]: one writer connection, a pool of readers, all on
/// `<data_dir>/haven.sqlite` in WAL mode.
#[derive(Debug)]
pub struct SqliteDatabase {
    data_dir: PathBuf,
    /// The ledger's origin, read once: it never changes, and the writer may be busy for long.
    origin: String,
    writer: Mutex<Store>,
    readers: Mutex<Vec<Store>>,
}

/// Readers kept open between uses; more may be opened under load and are then closed.
const POOLED_READERS: usize = 8;

/// A poisoned lock means a thread panicked while holding a connection. Its transaction was rolled
/// back when it unwound (rusqlite rolls back on drop), so the connection is consistent: keep
/// serving rather than failing every later request.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SqliteDatabase {
    /// Opens (creating and migrating if needed) the database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<SqliteDatabase, StoreError> {
        let writer = Store::open(data_dir)?;
        Ok(SqliteDatabase {
            data_dir: data_dir.to_owned(),
            origin: writer.ledger_origin().to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let pooled = lock(&self.readers).pop();
        let store = match pooled {
            Some(store) => store,
            None => Store::open(&self.data_dir)?,
        };
        let result = f(&store);
        let mut readers = lock(&self.readers);
        if readers.len() < POOLED_READERS {
            readers.push(store);
        }
        result
    }

    fn write<T, E>(&self, f: impl FnOnce(&mut Store) -> Result<T, E>) -> Result<T, E> {
        f(&mut lock(&self.writer))
    }
}

impl Database for SqliteDatabase {
    fn data_version(&self) -> Result<u64, StoreError> {
        self.read(Store::data_version)
    }

    fn data_counts(&self) -> Result<DataCounts, StoreError> {
        self.read(Store::data_counts)
    }

    fn for_each_person(&self, f: &mut dyn FnMut(StoredPerson)) -> Result<u64, StoreError> {
        self.read(|store| {
            // Each table is read in a read transaction of its own; equal versions show that no
            // import came between them.
            let registry = store.for_each_registry_person(|p| f(StoredPerson::Registry(p)))?;
            let context = store.for_each_context_person(|p| f(StoredPerson::Context(p)))?;
            if registry != context {
                return Err(StoreError::Inconsistent(
                    "the data changed while persons were read".into(),
                ));
            }
            Ok(registry)
        })
    }

    fn persons_changed_since(&self, version: u64) -> Result<(Vec<StoredPerson>, u64), StoreError> {
        self.read(|store| store.persons_changed_since(version))
    }

    fn registry_person(&self, id: &PersonId) -> Result<Option<RegistryPerson>, StoreError> {
        self.read(|store| store.get_registry_person(id))
    }

    fn context_person(&self, id: &PersonId) -> Result<Option<ContextPerson>, StoreError> {
        self.read(|store| store.get_context_person(id))
    }

    fn links_of(&self, id: &PersonId) -> Result<Vec<Link>, StoreError> {
        self.read(|store| store.links_of(id))
    }

    fn findings_about(&self, id: &PersonId) -> Result<Vec<Finding>, StoreError> {
        self.read(|store| store.findings_about(id))
    }

    fn state_profile(&self, state: CountryCode) -> Result<Option<StateProfile>, StoreError> {
        self.read(|store| store.state_profile(state))
    }

    fn import_registry(
        &self,
        records: &mut dyn Iterator<Item = ImportItem<RegistryPerson>>,
        mode: ImportMode,
        meta: &ImportMeta,
    ) -> Result<ImportReport, ImportError> {
        self.write(|store| store.import_registry(records, mode, meta))
    }

    fn import_context(
        &self,
        records: &mut dyn Iterator<Item = ImportItem<ContextRecord>>,
        mode: ImportMode,
        meta: &ImportMeta,
    ) -> Result<ImportReport, ImportError> {
        self.write(|store| store.import_context(records, mode, meta))
    }

    fn record_case(
        &self,
        request: &Request,
        decision: &mut Decision,
        entry: Entry,
    ) -> Result<String, StoreError> {
        self.write(|store| store.record_case(request, decision, entry))
    }

    fn list_cases(&self) -> Result<Vec<CaseSummary>, StoreError> {
        self.read(Store::list_cases)
    }

    fn get_case(&self, id: &str) -> Result<Option<Case>, StoreError> {
        self.read(|store| store.get_case(id))
    }

    fn case_listing(&self) -> Result<Vec<ListedCase>, StoreError> {
        self.read(Store::case_listing)
    }

    fn case_files(&self) -> Result<Vec<(CaseSummary, CaseFile)>, StoreError> {
        self.read(Store::case_files)
    }

    fn update_case_file(
        &self,
        id: &str,
        change: &mut dyn FnMut(&Case) -> Result<FileChange, Refusal>,
    ) -> Result<CaseUpdate, CaseUpdateError> {
        self.write(|store| store.update_case_file(id, change))
    }

    fn append_ledger(&self, entry: &Entry) -> Result<Receipt, StoreError> {
        self.write(|store| store.transaction(|tx| tx.append_ledger(entry)))
    }

    fn ledger_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        self.read(Store::ledger_checkpoint)
    }

    fn ledger_keys(&self) -> Result<Vec<(u64, String)>, StoreError> {
        self.read(Store::ledger_keys)
    }

    fn ledger_inclusion_proof(&self, index: u64) -> Result<InclusionBundle, StoreError> {
        self.read(|store| store.ledger_inclusion_proof(index))
    }

    fn verify_ledger(&self) -> Result<VerifiedLog, StoreError> {
        self.read(Store::verify_ledger)
    }

    fn add_account(&self, account: &NewAccount, entry: Entry) -> Result<(), StoreError> {
        self.write(|store| store.add_account(account, entry))
    }

    fn disable_account(&self, name: &str, entry: Entry) -> Result<bool, StoreError> {
        self.write(|store| store.disable_account(name, entry))
    }

    fn account(&self, name: &str) -> Result<Option<Account>, StoreError> {
        self.read(|store| store.account(name))
    }

    fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
        self.read(Store::list_accounts)
    }

    fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        self.write(|s| s.create_session(session))
    }

    fn session(&self, id_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        self.read(|s| s.session(id_hash))
    }

    fn touch_session(&self, id_hash: &str, at: &str) -> Result<(), StoreError> {
        self.write(|s| s.touch_session(id_hash, at))
    }

    fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        self.write(|s| s.end_session(id_hash))
    }

    fn record_failed_sign_in(
        &self,
        name: &str,
        limit: u32,
        lock_until: &str,
        lock_entry: Entry,
    ) -> Result<FailedSignIn, StoreError> {
        self.write(|s| s.record_failed_sign_in(name, limit, lock_until, lock_entry))
    }

    fn clear_failed_sign_ins(&self, name: &str) -> Result<(), StoreError> {
        self.write(|s| s.clear_failed_sign_ins(name))
    }

    fn ledger_public_key(&self) -> Result<String, StoreError> {
        self.read(Store::ledger_public_key)
    }

    fn export_ledger(&self) -> Result<Export, StoreError> {
        self.read(Store::export_ledger)
    }

    fn rotate_ledger_key(
        &self,
        actor: Actor,
        role: Role,
        justification: Justification,
    ) -> Result<(String, String), StoreError> {
        self.write(|s| s.rotate_ledger_key(actor, role, justification))
    }

    fn location(&self) -> String {
        self.data_dir
            .join(crate::DATABASE_FILE)
            .display()
            .to_string()
    }

    fn ledger_origin(&self) -> String {
        self.origin.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_handle_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SqliteDatabase>();
        assert_send_sync::<std::sync::Arc<dyn Database>>();
    }
}
