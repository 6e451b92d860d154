//! The auditor's export: a self-contained JSON file with every entry, the latest signed
//! checkpoint and the signing keys, verifiable without Haven's database.

use serde::{Deserialize, Serialize};

use crate::hash::Hash;
use crate::note::{Checkpoint, SignedNote};
use crate::verify::{StoredCheckpoint, StoredEntry, VerifiedLog, Verifier, VerifyError};

/// The format tag of version 1 of the export.
pub const EXPORT_FORMAT: &str = "haven-ledger-export/1";

/// One entry in an export. The canonical JSON travels as a string so that its exact bytes, and
/// so its leaf hash, survive any JSON tool the auditor passes the file through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportEntry {
    /// The position in the log.
    pub index: u64,
    /// The leaf hash, `SHA-256(0x00 || canonical_json)`.
    pub leaf_hash: Hash,
    /// The entry's canonical JSON.
    pub canonical_json: String,
}

/// A whole-log export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    /// Always [`EXPORT_FORMAT`].
    pub format: String,
    /// The log's origin line.
    pub origin: String,
    /// Every signing key of the log (C2SP verifier keys), oldest first. An auditor should compare
    /// the first with the key published out of band (`haven ledger public-key`).
    pub public_keys: Vec<String>,
    /// The latest signed checkpoint (a C2SP signed note), covering every entry.
    pub checkpoint: Option<String>,
    /// Every entry, in index order.
    pub entries: Vec<ExportEntry>,
}

/// Why an export does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The file is not a version-1 export.
    #[error("not a Haven ledger export (format {0:?})")]
    Format(String),
    /// The checkpoint is not a readable signed checkpoint.
    #[error("the export's checkpoint is malformed: {0}")]
    Checkpoint(String),
    /// The log does not verify.
    #[error(transparent)]
    Log(#[from] VerifyError),
    /// The listed keys are not the keys the log announces.
    #[error("the export lists public keys {listed:?} but its log announces {announced:?}")]
    Keys {
        /// The keys listed in the export.
        listed: Vec<String>,
        /// The keys found in the log's key_rotation entries.
        announced: Vec<String>,
    },
}

impl Export {
    /// Verifies the export on its own: every leaf hash, the key history, the checkpoint's root
    /// over all entries and its signature by the key in force.
    pub fn verify(&self) -> Result<VerifiedLog, ExportError> {
        if self.format != EXPORT_FORMAT {
            return Err(ExportError::Format(self.format.clone()));
        }
        let mut checkpoints = Vec::new();
        if let Some(note) = &self.checkpoint {
            // Only read the claimed size and root here; the verifier checks the signature with
            // the key the log puts in force at that size.
            let parsed = SignedNote::parse(note)
                .map_err(|e| ExportError::Checkpoint(e.to_string()))
                .and_then(|n| {
                    Checkpoint::parse_text(n.text())
                        .map_err(|e| ExportError::Checkpoint(e.to_string()))
                })?;
            checkpoints.push(StoredCheckpoint {
                size: parsed.size,
                root: parsed.root,
                note: note.clone(),
            });
        }
        let mut verifier = Verifier::new(self.origin.clone(), checkpoints);
        for entry in &self.entries {
            verifier.push(&StoredEntry {
                index: entry.index,
                json: entry.canonical_json.clone(),
                leaf_hash: entry.leaf_hash,
            })?;
        }
        let log = verifier.finish(true)?;
        let announced: Vec<String> = log.keys.keys().iter().map(|(_, k)| k.to_string()).collect();
        if announced != self.public_keys {
            return Err(ExportError::Keys {
                listed: self.public_keys.clone(),
                announced,
            });
        }
        Ok(log)
    }
}
