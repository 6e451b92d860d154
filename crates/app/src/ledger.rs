//! The ledger as its readers see it: the latest signed checkpoint and its signature check,
//! inclusion proofs, and full verification for auditors.

use haven_access::{Action, Principal};
use haven_ledger::{Checkpoint, Hash, SignedNote, StoredCheckpoint, VerifiedLog, VerifierKey};
use haven_store::{InclusionBundle, StoreError};

use crate::{AppError, Service};

/// A stored checkpoint and what checking its signature found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointCheck {
    /// The checkpoint as stored (size and root columns, and the signed note).
    pub checkpoint: StoredCheckpoint,
    /// The tree head the note's text states (origin, size, root), read without trusting it:
    /// it is vouched for only when `signature` is [`SignatureCheck::Verified`].
    pub stated: Option<Checkpoint>,
    /// The log's key in force at the checkpoint's size (C2SP verifier key text), if it names one.
    pub public_key: Option<String>,
    /// Whether the signature holds.
    pub signature: SignatureCheck,
}

/// The outcome of checking a checkpoint's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// The note is signed by the log's key named `key_name`, and states the stored size and root.
    Verified { key_name: String },
    /// It is not: why, in words (a bad signature or a note that disagrees with its row is
    /// tampering).
    Failed(String),
}

impl CheckpointCheck {
    /// Checks `checkpoint` against `keys`, the log's signing keys each with the first tree size
    /// it signs (oldest first): the key in force at the checkpoint's size must have signed it,
    /// and the signed text must state the size and root stored beside it.
    pub fn of(checkpoint: StoredCheckpoint, keys: &[(u64, String)]) -> CheckpointCheck {
        let stated = SignedNote::parse(&checkpoint.note)
            .ok()
            .and_then(|note| Checkpoint::parse_text(note.text()).ok());
        let public_key = haven_ledger::key_in_force(keys, checkpoint.size).cloned();
        let signature = match &public_key {
            None => SignatureCheck::Failed(format!(
                "the log names no signing key for a tree of {} entries",
                checkpoint.size
            )),
            Some(text) => signature_check(&checkpoint, text),
        };
        CheckpointCheck {
            checkpoint,
            stated,
            public_key,
            signature,
        }
    }

    /// The root hash the signature vouches for, if it verified.
    pub fn verified_root(&self) -> Option<&Hash> {
        match self.signature {
            SignatureCheck::Verified { .. } => Some(&self.checkpoint.root),
            SignatureCheck::Failed(_) => None,
        }
    }
}

fn signature_check(checkpoint: &StoredCheckpoint, public_key: &str) -> SignatureCheck {
    let key = match VerifierKey::parse(public_key) {
        Ok(key) => key,
        Err(error) => {
            return SignatureCheck::Failed(format!(
                "the log's signing key cannot be read: {error}"
            ));
        }
    };
    match Checkpoint::open(&checkpoint.note, &key) {
        Err(error) => SignatureCheck::Failed(format!(
            "the signature does not verify with the log's key {}: {error}",
            key.name()
        )),
        Ok(signed) if signed.size != checkpoint.size || signed.root != checkpoint.root => {
            SignatureCheck::Failed(format!(
                "the signed note states {} entries with root {}, but the stored checkpoint says \
                 {} entries with root {}",
                signed.size, signed.root, checkpoint.size, checkpoint.root
            ))
        }
        Ok(_) => SignatureCheck::Verified {
            key_name: key.name().to_owned(),
        },
    }
}

impl Service {
    /// The latest signed checkpoint (`None` before the first entry).
    pub fn checkpoint(&self, who: &Principal) -> Result<Option<StoredCheckpoint>, AppError> {
        self.authorize(who, Action::ReadCheckpoint)?;
        self.db.ledger_checkpoint().map_err(AppError::from_store)
    }

    /// The latest signed checkpoint with its signature checked against the log's key (`None`
    /// before the first entry). Cheap, unlike [`Service::verify_ledger`]: one signature.
    pub fn verify_checkpoint(&self, who: &Principal) -> Result<Option<CheckpointCheck>, AppError> {
        self.authorize(who, Action::ReadCheckpoint)?;
        let Some(checkpoint) = self.db.ledger_checkpoint().map_err(AppError::from_store)? else {
            return Ok(None);
        };
        // Read after the checkpoint: keys are only added, so its key is in this list.
        let keys = self.db.ledger_keys().map_err(AppError::from_store)?;
        Ok(Some(CheckpointCheck::of(checkpoint, &keys)))
    }

    /// Checks the signature of a checkpoint read earlier (the one an inclusion proof leads to).
    pub fn check_checkpoint(
        &self,
        who: &Principal,
        checkpoint: StoredCheckpoint,
    ) -> Result<CheckpointCheck, AppError> {
        self.authorize(who, Action::ReadCheckpoint)?;
        let keys = self.db.ledger_keys().map_err(AppError::from_store)?;
        Ok(CheckpointCheck::of(checkpoint, &keys))
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

#[cfg(test)]
mod tests {
    use haven_ledger::{SigningKey, sign_checkpoint};

    use super::*;

    fn key(name: &str, seed: u8) -> SigningKey {
        SigningKey::from_seed(name, [seed; 32]).expect("valid key name")
    }

    fn stored(head: &Checkpoint, signer: &SigningKey) -> StoredCheckpoint {
        StoredCheckpoint {
            size: head.size,
            root: head.root,
            note: sign_checkpoint(head, signer).expect("signs"),
        }
    }

    fn head(size: u64, byte: u8) -> Checkpoint {
        Checkpoint {
            origin: "haven.test/ledger".into(),
            size,
            root: Hash([byte; 32]),
        }
    }

    #[test]
    fn a_checkpoint_signed_by_the_key_in_force_verifies() {
        let old = key("haven.test/ledger", 1);
        let new = key("haven.test/ledger", 2);
        let keys = vec![
            (1, old.verifier().to_string()),
            (5, new.verifier().to_string()),
        ];
        let early = CheckpointCheck::of(stored(&head(3, 7), &old), &keys);
        assert_eq!(
            early.signature,
            SignatureCheck::Verified {
                key_name: "haven.test/ledger".into()
            }
        );
        assert_eq!(early.public_key, Some(keys[0].1.clone()));
        assert_eq!(early.verified_root(), Some(&Hash([7; 32])));
        assert_eq!(early.stated, Some(head(3, 7)));
        let late = CheckpointCheck::of(stored(&head(6, 8), &new), &keys);
        assert_eq!(late.public_key, Some(keys[1].1.clone()));
        assert!(late.verified_root().is_some());
    }

    #[test]
    fn a_checkpoint_signed_by_a_retired_or_foreign_key_fails() {
        let old = key("haven.test/ledger", 1);
        let new = key("haven.test/ledger", 2);
        let keys = vec![
            (1, old.verifier().to_string()),
            (5, new.verifier().to_string()),
        ];
        let check = CheckpointCheck::of(stored(&head(6, 8), &old), &keys);
        assert!(
            matches!(&check.signature, SignatureCheck::Failed(why) if why.contains("does not verify")),
            "{check:?}"
        );
        assert_eq!(check.verified_root(), None);
        // Still shown, but not vouched for.
        assert_eq!(check.stated, Some(head(6, 8)));
    }

    #[test]
    fn a_row_that_disagrees_with_its_signed_note_fails() {
        let signer = key("haven.test/ledger", 1);
        let keys = vec![(1, signer.verifier().to_string())];
        let mut row = stored(&head(4, 9), &signer);
        row.root = Hash([10; 32]);
        let check = CheckpointCheck::of(row, &keys);
        assert!(
            matches!(&check.signature, SignatureCheck::Failed(why) if why.contains("stored checkpoint says")),
            "{check:?}"
        );
    }

    #[test]
    fn a_checkpoint_before_any_key_fails() {
        let signer = key("haven.test/ledger", 1);
        let keys = vec![(3, signer.verifier().to_string())];
        let check = CheckpointCheck::of(stored(&head(2, 1), &signer), &keys);
        assert_eq!(check.public_key, None);
        assert!(matches!(check.signature, SignatureCheck::Failed(_)));
    }
}
