//! Verification of a whole log from its stored rows: every leaf hash recomputed from the stored
//! canonical JSON, the tree rebuilt, every checkpoint's root compared and its signature checked
//! with the key in force at its size.
//!
//! The same code checks the database (`haven ledger verify`) and an auditor's export
//! (`haven ledger verify-export`), so the two can never disagree about what "valid" means.

use std::fmt;

use crate::entry::{Action, Entry, EntryError};
use crate::hash::{Hash, leaf_hash};
use crate::note::{Checkpoint, CheckpointError, KeyError, VerifierKey};
use crate::tree::Frontier;

/// One stored entry as read back: its index, its canonical JSON and the leaf hash stored with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// The position in the log.
    pub index: u64,
    /// The canonical JSON, the leaf data.
    pub json: String,
    /// The leaf hash stored beside it.
    pub leaf_hash: Hash,
}

/// One stored checkpoint: its size, the root stored beside it and the signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// The tree size.
    pub size: u64,
    /// The root hash stored beside the note.
    pub root: Hash,
    /// The signed note text.
    pub note: String,
}

/// The signing keys of a log, each with the first tree size it signs. A `key_rotation` entry at
/// index `i` puts its new key in force for every tree that includes it, i.e. sizes `> i`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyHistory {
    keys: Vec<(u64, VerifierKey)>,
}

impl KeyHistory {
    /// The key that signs trees of `size` leaves, if any.
    pub fn key_at(&self, size: u64) -> Option<&VerifierKey> {
        key_in_force(&self.keys, size)
    }

    /// The newest key.
    pub fn current(&self) -> Option<&VerifierKey> {
        self.keys.last().map(|(_, key)| key)
    }

    /// Every key with the first size it signs, oldest first.
    pub fn keys(&self) -> &[(u64, VerifierKey)] {
        &self.keys
    }
}

/// Of `keys` (each with the first tree size it signs, oldest first), the one in force for a tree
/// of `size` leaves: the newest that starts at or before it. Generic over the key's form, so a
/// reader holding keys as stored text picks by the same rule as the verifier.
pub fn key_in_force<K>(keys: &[(u64, K)], size: u64) -> Option<&K> {
    keys.iter()
        .rev()
        .find(|(from, _)| *from <= size)
        .map(|(_, key)| key)
}

/// What went wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// An index is missing from the sequence.
    #[error("entry {index}: missing (the next stored entry has index {found})")]
    Missing {
        /// The missing index.
        index: u64,
        /// The index found instead.
        found: u64,
    },
    /// An index repeats or goes backwards.
    #[error("entry {index}: stored twice or out of order")]
    Duplicate {
        /// The repeated index.
        index: u64,
    },
    /// The stored leaf hash is not the hash of the stored JSON.
    #[error("entry {index}: stored leaf hash does not match its content")]
    LeafHash {
        /// The entry.
        index: u64,
    },
    /// The stored JSON is not a valid canonical entry.
    #[error("entry {index}: {error}")]
    Entry {
        /// The entry.
        index: u64,
        /// Why.
        error: EntryError,
    },
    /// A key rotation does not start from the key in force.
    #[error("entry {index}: key rotation names old key {named} but the key in force is {actual}")]
    RotationFromWrongKey {
        /// The entry.
        index: u64,
        /// The key named as old (or "none").
        named: String,
        /// The key actually in force (or "none").
        actual: String,
    },
    /// A key rotation names a key that cannot be parsed.
    #[error("entry {index}: key rotation names an invalid key: {error}")]
    RotationBadKey {
        /// The entry.
        index: u64,
        /// Why.
        error: KeyError,
    },
    /// The entries up to a checkpoint do not hash to its signed root.
    #[error(
        "entry {first}: checkpoint at size {size}: the entries do not hash to its signed root \
         (an entry from index {first} to {last} was altered, reordered, inserted or deleted)",
        last = size - 1
    )]
    RootMismatch {
        /// The first entry not covered by an earlier matching checkpoint.
        first: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// A checkpoint's signature (or note) does not verify with the key in force. The entries
    /// since the last good checkpoint are then unproven, and a tampered `key_rotation` entry
    /// among them shows up here too, so the first of them is named.
    #[error("entry {first}: checkpoint at size {size}: {error}")]
    Signature {
        /// The first entry not covered by an earlier matching checkpoint.
        first: u64,
        /// The checkpoint's size.
        size: u64,
        /// Why.
        error: CheckpointError,
    },
    /// No key was in force at a checkpoint's size.
    #[error("entry {first}: checkpoint at size {size}: no signing key is in force at that size")]
    NoKey {
        /// The first entry not covered by an earlier matching checkpoint.
        first: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// A checkpoint's columns disagree with its signed note, or it names another log.
    #[error("entry {first}: checkpoint at size {size}: {what}")]
    CheckpointMismatch {
        /// The first entry not covered by an earlier matching checkpoint.
        first: u64,
        /// The checkpoint's size.
        size: u64,
        /// What disagrees.
        what: String,
    },
    /// A checkpoint covers entries the log does not have.
    #[error(
        "entry {index}: missing (the signed checkpoint at size {size} covers it but the log ends \
         after {index} entries)"
    )]
    Truncated {
        /// The first missing index (the log's size).
        index: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// Entries at the end are not covered by any signed checkpoint.
    #[error("entry {index}: not covered by any signed checkpoint")]
    Uncovered {
        /// The first uncovered entry.
        index: u64,
    },
}

/// A verification failure: the first problem found, in log order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct VerifyError(pub Box<VerifyErrorKind>);

impl VerifyError {
    /// What went wrong.
    pub fn kind(&self) -> &VerifyErrorKind {
        &self.0
    }

    /// The first entry index that is not proven good.
    pub fn first_bad_index(&self) -> u64 {
        use VerifyErrorKind::*;
        match *self.0 {
            Missing { index, .. }
            | Duplicate { index }
            | LeafHash { index }
            | Entry { index, .. }
            | RotationFromWrongKey { index, .. }
            | RotationBadKey { index, .. }
            | Truncated { index, .. }
            | Uncovered { index } => index,
            RootMismatch { first, .. }
            | Signature { first, .. }
            | NoKey { first, .. }
            | CheckpointMismatch { first, .. } => first,
        }
    }
}

impl From<VerifyErrorKind> for VerifyError {
    fn from(kind: VerifyErrorKind) -> VerifyError {
        VerifyError(Box::new(kind))
    }
}

/// The summary of a log that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLog {
    /// The number of entries.
    pub size: u64,
    /// The recomputed root of all entries.
    pub root: Hash,
    /// The frontier of all entries (what the next append extends).
    pub frontier: Frontier,
    /// The signing keys found in the log.
    pub keys: KeyHistory,
    /// The number of checkpoints checked.
    pub checkpoints: usize,
    /// The newest checkpoint, if any.
    pub latest: Option<Checkpoint>,
}

/// Checks a log entry by entry, so a caller can stream millions of rows without holding them.
///
/// Feed entries in index order with [`Verifier::push`], then call [`Verifier::finish`]. Each
/// checkpoint is checked as soon as the entries reach its size, so the first error reported is
/// the first bad place in the log.
pub struct Verifier {
    origin: String,
    checkpoints: Vec<StoredCheckpoint>,
    next_checkpoint: usize,
    frontier: Frontier,
    keys: KeyHistory,
    /// The size of the last checkpoint that matched: entries before it are proven good.
    proven: u64,
    latest: Option<Checkpoint>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("origin", &self.origin)
            .field("size", &self.frontier.size())
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Starts verifying a log with this origin line against these stored checkpoints.
    pub fn new(origin: impl Into<String>, mut checkpoints: Vec<StoredCheckpoint>) -> Verifier {
        checkpoints.sort_by_key(|c| c.size);
        Verifier {
            origin: origin.into(),
            checkpoints,
            next_checkpoint: 0,
            frontier: Frontier::new(),
            keys: KeyHistory::default(),
            proven: 0,
            latest: None,
        }
    }

    /// Checks the next entry.
    pub fn push(&mut self, entry: &StoredEntry) -> Result<(), VerifyError> {
        // Checkpoints of the empty tree (none are ever written) are checked before any entry.
        self.check_checkpoints_at_current_size()?;
        let expected = self.frontier.size();
        if entry.index > expected {
            return Err(VerifyErrorKind::Missing {
                index: expected,
                found: entry.index,
            }
            .into());
        }
        if entry.index < expected {
            return Err(VerifyErrorKind::Duplicate { index: entry.index }.into());
        }
        let index = entry.index;
        let hash = leaf_hash(entry.json.as_bytes());
        if hash != entry.leaf_hash {
            return Err(VerifyErrorKind::LeafHash { index }.into());
        }
        let parsed = Entry::from_canonical_json(&entry.json)
            .map_err(|error| VerifyErrorKind::Entry { index, error })?;
        if parsed.action == Action::KeyRotation {
            self.rotate(index, &parsed)?;
        }
        self.frontier.push(hash);
        self.check_checkpoints_at_current_size()
    }

    fn rotate(&mut self, index: u64, entry: &Entry) -> Result<(), VerifyError> {
        // `validate` (inside from_canonical_json) guarantees key_rotation is present here.
        let Some(rotation) = &entry.key_rotation else {
            return Err(VerifyErrorKind::Entry {
                index,
                error: EntryError::KeyRotationMismatch,
            }
            .into());
        };
        let actual = self.keys.current().map(|k| k.to_string());
        if rotation.old != actual {
            return Err(VerifyErrorKind::RotationFromWrongKey {
                index,
                named: rotation.old.clone().unwrap_or_else(|| "none".into()),
                actual: actual.unwrap_or_else(|| "none".into()),
            }
            .into());
        }
        let key = VerifierKey::parse(&rotation.new)
            .map_err(|error| VerifyErrorKind::RotationBadKey { index, error })?;
        self.keys.keys.push((index + 1, key));
        Ok(())
    }

    fn check_checkpoints_at_current_size(&mut self) -> Result<(), VerifyError> {
        let size = self.frontier.size();
        while let Some(stored) = self.checkpoints.get(self.next_checkpoint) {
            if stored.size != size {
                break;
            }
            let root = self.frontier.root();
            let first = self.proven;
            let key = self
                .keys
                .key_at(size)
                .ok_or(VerifyErrorKind::NoKey { first, size })?;
            let checkpoint = Checkpoint::open(&stored.note, key)
                .map_err(|error| VerifyErrorKind::Signature { first, size, error })?;
            if checkpoint.origin != self.origin {
                return Err(VerifyErrorKind::CheckpointMismatch {
                    first,
                    size,
                    what: format!(
                        "it names the log {:?}, not {:?}",
                        checkpoint.origin, self.origin
                    ),
                }
                .into());
            }
            if checkpoint.size != size || checkpoint.root != stored.root {
                return Err(VerifyErrorKind::CheckpointMismatch {
                    first,
                    size,
                    what: "the stored size or root differs from the signed note".into(),
                }
                .into());
            }
            if checkpoint.root != root {
                return Err(VerifyErrorKind::RootMismatch { first, size }.into());
            }
            self.proven = size;
            self.latest = Some(checkpoint);
            self.next_checkpoint += 1;
        }
        Ok(())
    }

    /// Finishes: checks that no checkpoint lies beyond the log and, if `require_coverage`, that
    /// the newest checkpoint covers every entry.
    pub fn finish(mut self, require_coverage: bool) -> Result<VerifiedLog, VerifyError> {
        self.check_checkpoints_at_current_size()?;
        let size = self.frontier.size();
        if let Some(beyond) = self.checkpoints.get(self.next_checkpoint) {
            return Err(VerifyErrorKind::Truncated {
                index: size,
                size: beyond.size,
            }
            .into());
        }
        if require_coverage && self.proven < size {
            return Err(VerifyErrorKind::Uncovered { index: self.proven }.into());
        }
        Ok(VerifiedLog {
            size,
            root: self.frontier.root(),
            frontier: self.frontier,
            keys: self.keys,
            checkpoints: self.next_checkpoint,
            latest: self.latest,
        })
    }
}
