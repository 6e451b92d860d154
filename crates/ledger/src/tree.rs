//! The Merkle tree over the log: roots, the running frontier, and inclusion and consistency
//! proofs (RFC 6962 §2.1, RFC 9162 §2.1).
//!
//! Proof *verification* is delegated to `ct-merkle` 0.3, which carries the transparency-dev
//! known-answer tests; re-implementing the verifier would only add a second place for a subtle
//! bug. Proof *generation* cannot use `ct-merkle`'s `MemoryBackedTree`, which wants every leaf
//! value in memory, so we ask `ct-merkle` which nodes a proof needs
//! (`indices_for_inclusion_proof`, `indices_for_consistency_proof`) and compute those subtree
//! hashes ourselves from leaf hashes read through [`LeafStore`]. Its proofs are therefore
//! byte-for-byte the ones `ct-merkle` (and every RFC 6962 implementation) produces.

use std::convert::Infallible;
use std::ops::Range;

use ct_merkle::digest::Output;
use serde::{Deserialize, Serialize};

use crate::Sha256;
use crate::hash::{Hash, node_hash};

/// The largest tree we accept. `ct-merkle` panics on leaf indices above `u64::MAX / 2`; refusing
/// absurd sizes up front keeps every function here panic-free on hostile input.
const MAX_SIZE: u64 = 1 << 62;

/// Where the leaf hashes of a log live. The ledger reads through this trait so that it never
/// needs to know whether they come from memory, SQLite or PostgreSQL.
pub trait LeafStore {
    /// What goes wrong when reading.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The number of leaves.
    fn size(&self) -> Result<u64, Self::Error>;

    /// The leaf hashes of the leaves in `range`, in order. Callers only ask for ranges within
    /// `0..size()`.
    fn leaf_hashes(&self, range: Range<u64>) -> Result<Vec<Hash>, Self::Error>;
}

impl LeafStore for [Hash] {
    type Error = Infallible;

    fn size(&self) -> Result<u64, Infallible> {
        Ok(self.len() as u64)
    }

    fn leaf_hashes(&self, range: Range<u64>) -> Result<Vec<Hash>, Infallible> {
        Ok(self[range.start as usize..range.end as usize].to_vec())
    }
}

/// Why a root or a proof could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TreeError<E: std::error::Error + 'static> {
    /// Reading leaf hashes failed.
    #[error("reading leaf hashes: {0}")]
    Store(#[source] E),
    /// The requested tree size exceeds the log.
    #[error("the log has {log_size} entries; a tree of size {size} does not exist")]
    SizeBeyondLog {
        /// The size asked for.
        size: u64,
        /// The size of the log.
        log_size: u64,
    },
    /// The leaf index is outside the tree.
    #[error("entry {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The size of the tree.
        size: u64,
    },
    /// A consistency proof from a larger to a smaller tree was asked for.
    #[error("no consistency proof from size {old_size} to the smaller size {new_size}")]
    OldLarger {
        /// The older size.
        old_size: u64,
        /// The newer size.
        new_size: u64,
    },
}

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The proof has the wrong number of hashes for its sizes and index.
    #[error("the proof has the wrong shape for its tree size and index")]
    Malformed,
    /// The index or sizes are impossible (index beyond the tree, old tree larger than new, …).
    #[error("the proof's index or tree sizes are out of range")]
    OutOfRange,
    /// The hashes do not lead to the expected root(s).
    #[error("the proof does not lead to the expected root hash")]
    Mismatch,
}

/// The Merkle tree hash (RFC 6962 §2.1 `MTH`) of a run of leaf hashes.
pub(crate) fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Hash::empty_root(),
        1 => leaves[0],
        n => {
            // Split at the largest power of two strictly less than n.
            let k = if n.is_power_of_two() {
                n / 2
            } else {
                1 << n.ilog2()
            };
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// Reads the first `size` leaf hashes, checking that the log is that long.
fn load<S: LeafStore + ?Sized>(store: &S, size: u64) -> Result<Vec<Hash>, TreeError<S::Error>> {
    let log_size = store.size().map_err(TreeError::Store)?;
    if size > log_size || size > MAX_SIZE {
        return Err(TreeError::SizeBeyondLog { size, log_size });
    }
    store.leaf_hashes(0..size).map_err(TreeError::Store)
}

/// The root of the tree made of the first `size` leaves.
pub fn root_at<S: LeafStore + ?Sized>(store: &S, size: u64) -> Result<Hash, TreeError<S::Error>> {
    Ok(mth(&load(store, size)?))
}

/// The leaves covered by a node in `ct-merkle`'s in-order node numbering (leaf `i` is node `2i`;
/// a node at level `k` has `k` trailing one bits and spans an aligned block of `2^k` leaves,
/// cut short at the right edge of a tree that is not full).
fn node_span(node: u64, size: u64) -> Range<usize> {
    let level = node.trailing_ones();
    let start = (node >> (level + 1)) << level;
    let end = start.saturating_add(1 << level).min(size);
    start as usize..end as usize
}

/// An RFC 6962 audit path: proves that the entry at `index` is in the tree of `size` leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The entry's index.
    pub index: u64,
    /// The size of the tree the proof is for.
    pub size: u64,
    /// The sibling hashes from the leaf up to the root.
    pub path: Vec<Hash>,
}

/// An RFC 6962 consistency proof: proves that the tree of `old_size` leaves is a prefix of the
/// tree of `new_size` leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsistencyProof {
    /// The size of the older tree.
    pub old_size: u64,
    /// The size of the newer tree.
    pub new_size: u64,
    /// The proof hashes.
    pub path: Vec<Hash>,
}

/// Proves that the entry at `index` is in the tree of the first `size` leaves.
pub fn prove_inclusion<S: LeafStore + ?Sized>(
    store: &S,
    index: u64,
    size: u64,
) -> Result<InclusionProof, TreeError<S::Error>> {
    if index >= size {
        return Err(TreeError::IndexOutOfRange { index, size });
    }
    let leaves = load(store, size)?;
    let path = ct_merkle::indices_for_inclusion_proof(size, index)
        .into_iter()
        .map(|node| mth(&leaves[node_span(node, size)]))
        .collect();
    Ok(InclusionProof { index, size, path })
}

/// Proves that the tree of `old_size` leaves is a prefix of the tree of `new_size` leaves.
pub fn prove_consistency<S: LeafStore + ?Sized>(
    store: &S,
    old_size: u64,
    new_size: u64,
) -> Result<ConsistencyProof, TreeError<S::Error>> {
    if old_size > new_size {
        return Err(TreeError::OldLarger { old_size, new_size });
    }
    let leaves = load(store, new_size)?;
    // RFC 9162 §2.1.4: the proof from the empty tree is empty; ct-merkle rejects that case.
    let path = if old_size == 0 {
        Vec::new()
    } else {
        ct_merkle::indices_for_consistency_proof(old_size, new_size - old_size)
            .into_iter()
            .map(|node| mth(&leaves[node_span(node, new_size)]))
            .collect()
    };
    Ok(ConsistencyProof {
        old_size,
        new_size,
        path,
    })
}

fn ct_root(root: &Hash, size: u64) -> ct_merkle::RootHash<Sha256> {
    ct_merkle::RootHash::new(Output::<Sha256>::from(root.0), size)
}

fn concat(path: &[Hash]) -> Vec<u8> {
    path.iter().flat_map(|h| h.0).collect()
}

/// Checks that `data` (an entry's canonical bytes) is the leaf at `proof.index` in the tree of
/// `proof.size` leaves whose root is `root`.
pub fn verify_inclusion(
    data: &[u8],
    root: &Hash,
    proof: &InclusionProof,
) -> Result<(), ProofError> {
    if proof.size > MAX_SIZE || proof.index >= proof.size {
        return Err(ProofError::OutOfRange);
    }
    let bytes = ct_merkle::InclusionProof::<Sha256>::try_from_bytes(concat(&proof.path))
        .map_err(|_| ProofError::Malformed)?;
    ct_root(root, proof.size)
        .verify_inclusion(&data, proof.index, &bytes)
        .map_err(|err| match err {
            ct_merkle::InclusionVerifError::IncorrectHash => ProofError::Mismatch,
            ct_merkle::InclusionVerifError::MalformedProof => ProofError::Malformed,
            _ => ProofError::OutOfRange,
        })
}

/// Checks that the tree with root `old_root` is a prefix of the tree with root `new_root`.
pub fn verify_consistency(
    old_root: &Hash,
    new_root: &Hash,
    proof: &ConsistencyProof,
) -> Result<(), ProofError> {
    if proof.new_size > MAX_SIZE || proof.old_size > proof.new_size {
        return Err(ProofError::OutOfRange);
    }
    if proof.old_size == 0 {
        // Every tree extends the empty one; the proof must be empty and the old root must be the
        // empty root (RFC 9162 §2.1.4.2).
        return if !proof.path.is_empty() {
            Err(ProofError::Malformed)
        } else if *old_root != Hash::empty_root() {
            Err(ProofError::Mismatch)
        } else {
            Ok(())
        };
    }
    let bytes = ct_merkle::ConsistencyProof::<Sha256>::try_from_bytes(concat(&proof.path))
        .map_err(|_| ProofError::Malformed)?;
    ct_root(new_root, proof.new_size)
        .verify_consistency(&ct_root(old_root, proof.old_size), &bytes)
        .map_err(|err| match err {
            ct_merkle::ConsistencyVerifError::VerificationFailure => ProofError::Mismatch,
            ct_merkle::ConsistencyVerifError::MalformedProof => ProofError::Malformed,
            _ => ProofError::OutOfRange,
        })
}

/// The right edge of the tree: the roots of its perfect subtrees, largest first, one per set bit
/// of the size. It is what an appender needs to extend the tree and compute the new root in
/// O(log n) hashes without reading old leaves (the "compact range" of transparency logs).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

/// A stored frontier whose hash count does not fit its size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a frontier of size {size} has {expected} subtree hashes, not {found}")]
pub struct FrontierError {
    size: u64,
    expected: u32,
    found: usize,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// Rebuilds a frontier from its stored parts, checking that they fit together.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Frontier, FrontierError> {
        let expected = size.count_ones();
        if hashes.len() != expected as usize {
            return Err(FrontierError {
                size,
                expected,
                found: hashes.len(),
            });
        }
        Ok(Frontier { size, hashes })
    }

    /// The frontier of a tree of the given leaf hashes.
    pub fn from_leaves(leaves: &[Hash]) -> Frontier {
        let mut frontier = Frontier::new();
        for leaf in leaves {
            frontier.push(*leaf);
        }
        frontier
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect-subtree roots, largest first.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Appends one leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        // Like a binary increment: each trailing one bit of the size is a perfect subtree of the
        // same height as the carry, and merges with it.
        let mut carry = leaf;
        let mut size = self.size;
        while size & 1 == 1 {
            // The invariant (one hash per set bit) guarantees the pop succeeds.
            if let Some(left) = self.hashes.pop() {
                carry = node_hash(&left, &carry);
            }
            size >>= 1;
        }
        self.hashes.push(carry);
        self.size += 1;
    }

    /// The root hash of the tree.
    pub fn root(&self) -> Hash {
        let mut iter = self.hashes.iter().rev();
        let Some(last) = iter.next() else {
            return Hash::empty_root();
        };
        iter.fold(*last, |right, left| node_hash(left, &right))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn frontier_parts_round_trip_and_reject_mismatches() {
        let leaves: Vec<Hash> = (0u8..11).map(|i| leaf_hash(&[i])).collect();
        let frontier = Frontier::from_leaves(&leaves);
        // 11 = 0b1011: subtrees of 8, 2 and 1 leaves.
        assert_eq!(frontier.hashes().len(), 3);
        let rebuilt = Frontier::from_parts(11, frontier.hashes().to_vec()).expect("fits");
        assert_eq!(rebuilt.root(), mth(&leaves));
        assert!(Frontier::from_parts(12, frontier.hashes().to_vec()).is_err());
        assert_eq!(Frontier::new().root(), Hash::empty_root());
    }

    #[test]
    fn node_spans_follow_ct_merkle_numbering() {
        // Size 3: leaves are nodes 0, 2, 4; node 1 spans leaves 0..2; the root (3) spans 0..3.
        assert_eq!(node_span(4, 3), 2..3);
        assert_eq!(node_span(1, 3), 0..2);
        assert_eq!(node_span(3, 3), 0..3);
    }
}
