//! Haven's tamper-evident ledger: an append-only Merkle log of every consultation, decision and
//! disclosure (DESIGN §1, §6 "Logging").
//!
//! The log is hashed as in RFC 6962/9162 (leaf hash `SHA-256(0x00 || data)`, node hash
//! `SHA-256(0x01 || left || right)`), so an auditor can check inclusion and consistency proofs
//! with any RFC 6962 verifier. Its heads are signed as C2SP `tlog-checkpoint` notes with Ed25519
//! keys, and the signing keys' history is written into the log itself (`key_rotation` entries).
//!
//! Architecture invariant: this crate is pure. It never opens a database or a file; it reads
//! leaf hashes through the small [`LeafStore`] trait and verifies whatever rows its caller hands
//! it. Persistence lives in `haven-store`, so SQLite and PostgreSQL share this one implementation
//! of the hashing, proofs and verification.

mod canonical;
mod entry;
mod export;
mod hash;
mod note;
mod tree;
mod verify;

pub use canonical::to_canonical_json;
pub use entry::{
    Action, Actor, Entry, EntryError, Justification, KeyRotation, ObjectId, Recipient, Role,
};
pub use export::{EXPORT_FORMAT, Export, ExportEntry, ExportError};
pub use hash::{Hash, HashParseError, leaf_hash, node_hash};
pub use note::{
    Checkpoint, CheckpointError, KeyError, NoteError, SignedNote, Signer, SigningKey, VerifierKey,
    sign_checkpoint,
};
pub use tree::{
    ConsistencyProof, Frontier, FrontierError, InclusionProof, LeafStore, ProofError, TreeError,
    prove_consistency, prove_inclusion, root_at, verify_consistency, verify_inclusion,
};
pub use verify::{
    KeyHistory, StoredCheckpoint, StoredEntry, VerifiedLog, Verifier, VerifyError, VerifyErrorKind,
    key_in_force,
};

/// The hash function of the log (RFC 6962 uses SHA-256).
pub(crate) type Sha256 = sha2::Sha256;
