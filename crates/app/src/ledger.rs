//! The ledger as its readers see it: the latest signed checkpoint, inclusion proofs, and full
//! verification for auditors.

use haven_access::{Action, Principal};
use haven_ledger::{StoredCheckpoint, VerifiedLog};
use haven_store::{InclusionBundle, StoreError};

use crate::{AppError, Service};

impl Service {
    /// The latest signed checkpoint (`None` before the first entry).
    pub fn checkpoint(&self, who: &Principal) -> Result<Option<StoredCheckpoint>, AppError> {
        self.authorize(who, Action::ReadCheckpoint)?;
        self.db.ledger_checkpoint().map_err(AppError::from_store)
    }

    /// An inclusion proof for entry `index` against the latest checkpoint.
    pub fn inclusion_proof(
        &self,
        who: &Principal,
        index: u64,
    ) -> Result<InclusionBundle, AppError> {
        self.authorize(who, Action::ReadProof)?;
        match self.db.ledger_inclusion_proof(index) {
            Err(StoreError::NoSuchEntry { index, size }) => Err(AppError::NotFound(format!(
                "ledger entry {index} (the ledger has {size} entries)"
            ))),
            other => other.map_err(AppError::from_store),
        }
    }

    /// Recomputes every hash and checks every checkpoint signature. A tampered ledger is an
    /// error naming the first bad entry.
    pub fn verify_ledger(&self, who: &Principal) -> Result<VerifiedLog, AppError> {
        self.authorize(who, Action::VerifyLedger)?;
        match self.db.verify_ledger() {
            Err(StoreError::Tampered(err)) => Err(AppError::Tampered(err.to_string())),
            other => other.map_err(AppError::from_store),
        }
    }
}
