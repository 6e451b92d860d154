//! [`Database`] for [`PgDatabase`]: each method is one read snapshot or one write transaction,
//! written in the module of its subject (records, import, cases, ledger, accounts, sessions).

use std::time::Duration;

use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::{
    ContextPerson, ContextRecord, CountryCode, Decision, Finding, PersonId, RegistryPerson,
    Request, StateProfile,
};
use haven_ledger::{Actor, Entry, Export, Justification, Role, StoredCheckpoint, VerifiedLog};

use super::{PgDatabase, accounts, cases, import, ledger_read, records, sessions};
use crate::{
    Account, Case, CaseSummary, CaseUpdate, CaseUpdateError, DataCounts, Database, FailedSignIn,
    FileChange, ImportError, ImportItem, ImportMeta, ImportMode, ImportReport, InclusionBundle,
    Link, ListedCase, NewAccount, NewSession, Receipt, StoreError, StoredPerson, StoredSession,
};

impl Database for PgDatabase {
    fn data_version(&self) -> Result<u64, StoreError> {
        records::data_version(self)
    }

    fn data_counts(&self) -> Result<DataCounts, StoreError> {
        records::data_counts(self)
    }

    fn for_each_person(&self, f: &mut dyn FnMut(StoredPerson)) -> Result<u64, StoreError> {
        records::for_each_person(self, f)
    }

    fn persons_changed_since(&self, version: u64) -> Result<(Vec<StoredPerson>, u64), StoreError> {
        records::persons_changed_since(self, version)
    }

    fn registry_person(&self, id: &PersonId) -> Result<Option<RegistryPerson>, StoreError> {
        records::registry_person(self, id)
    }

    fn context_person(&self, id: &PersonId) -> Result<Option<ContextPerson>, StoreError> {
        records::context_person(self, id)
    }

    fn links_of(&self, id: &PersonId) -> Result<Vec<Link>, StoreError> {
        records::links_of(self, id)
    }

    fn findings_about(&self, id: &PersonId) -> Result<Vec<Finding>, StoreError> {
        records::findings_about(self, id)
    }

    fn state_profile(&self, state: CountryCode) -> Result<Option<StateProfile>, StoreError> {
        records::state_profile(self, state)
    }

    fn import_registry(
        &self,
        records: &mut dyn Iterator<Item = ImportItem<RegistryPerson>>,
        mode: ImportMode,
        meta: &ImportMeta,
    ) -> Result<ImportReport, ImportError> {
        import::import_registry(self, records, mode, meta)
    }

    fn import_context(
        &self,
        records: &mut dyn Iterator<Item = ImportItem<ContextRecord>>,
        mode: ImportMode,
        meta: &ImportMeta,
    ) -> Result<ImportReport, ImportError> {
        import::import_context(self, records, mode, meta)
    }

    fn record_case(
        &self,
        request: &Request,
        decision: &mut Decision,
        entry: Entry,
    ) -> Result<String, StoreError> {
        cases::record_case(self, request, decision, entry)
    }

    fn list_cases(&self) -> Result<Vec<CaseSummary>, StoreError> {
        cases::list_cases(self)
    }

    fn get_case(&self, id: &str) -> Result<Option<Case>, StoreError> {
        cases::get_case(self, id)
    }

    fn case_files(&self) -> Result<Vec<(CaseSummary, CaseFile)>, StoreError> {
        cases::case_files(self)
    }

    fn case_listing(&self) -> Result<Vec<ListedCase>, StoreError> {
        cases::case_listing(self)
    }

    fn update_case_file(
        &self,
        id: &str,
        change: &mut dyn FnMut(&Case) -> Result<FileChange, Refusal>,
    ) -> Result<CaseUpdate, CaseUpdateError> {
        cases::update_case_file(self, id, change)
    }

    fn append_ledger(&self, entry: &Entry) -> Result<Receipt, StoreError> {
        self.write(|tx| tx.append_ledger(entry))
    }

    fn ledger_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        ledger_read::ledger_checkpoint(self)
    }

    fn ledger_keys(&self) -> Result<Vec<(u64, String)>, StoreError> {
        ledger_read::ledger_keys(self)
    }

    fn ledger_inclusion_proof(&self, index: u64) -> Result<InclusionBundle, StoreError> {
        ledger_read::ledger_inclusion_proof(self, index)
    }

    fn verify_ledger(&self) -> Result<VerifiedLog, StoreError> {
        ledger_read::verify_ledger(self)
    }

    fn add_account(&self, account: &NewAccount, entry: Entry) -> Result<(), StoreError> {
        accounts::add_account(self, account, entry)
    }

    fn disable_account(&self, name: &str, entry: Entry) -> Result<bool, StoreError> {
        accounts::disable_account(self, name, entry)
    }

    fn account(&self, name: &str) -> Result<Option<Account>, StoreError> {
        accounts::account(self, name)
    }

    fn list_accounts(&self) -> Result<Vec<Account>, StoreError> {
        accounts::list_accounts(self)
    }

    fn create_session(&self, session: &NewSession) -> Result<(), StoreError> {
        sessions::create_session(self, session)
    }

    fn session(&self, id_hash: &str) -> Result<Option<StoredSession>, StoreError> {
        sessions::session(self, id_hash)
    }

    fn touch_session(&self, id_hash: &str, at: &str) -> Result<(), StoreError> {
        sessions::touch_session(self, id_hash, at)
    }

    fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sessions::end_session(self, id_hash)
    }

    fn record_failed_sign_in(
        &self,
        name: &str,
        limit: u32,
        lock_until: &str,
        lock_entry: Entry,
    ) -> Result<FailedSignIn, StoreError> {
        sessions::record_failed_sign_in(self, name, limit, lock_until, lock_entry)
    }

    fn clear_failed_sign_ins(&self, name: &str) -> Result<(), StoreError> {
        sessions::clear_failed_sign_ins(self, name)
    }

    fn ledger_public_key(&self) -> Result<String, StoreError> {
        ledger_read::ledger_public_key(self)
    }

    fn export_ledger(&self) -> Result<Export, StoreError> {
        ledger_read::export_ledger(self)
    }

    fn rotate_ledger_key(
        &self,
        actor: Actor,
        role: Role,
        justification: Justification,
    ) -> Result<(String, String), StoreError> {
        self.rotate_key(actor, role, justification)
    }

    fn location(&self) -> String {
        self.location.clone()
    }

    fn ledger_origin(&self) -> String {
        super::lock(&self.ledger).origin.clone()
    }

    fn wait_for_change(&self, timeout: Duration) -> Result<bool, StoreError> {
        PgDatabase::wait_for_change(self, timeout)
    }
}
