//! Integration tests of the ledger: RFC 6962 known answers (transparency-dev reference tree),
//! property tests of proofs, and whole-log verification on plain values.

use haven_ledger::{
    Action, Actor, ConsistencyProof, Entry, Frontier, Hash, InclusionProof, Justification,
    KeyRotation, ObjectId, Role, SigningKey, StoredCheckpoint, StoredEntry, Verifier,
    VerifyErrorKind, leaf_hash, prove_consistency, prove_inclusion, root_at, sign_checkpoint,
    verify_consistency, verify_inclusion,
};
use proptest::prelude::*;

/// The transparency-dev reference tree (merkle/testonly/reference_test.go), the same leaves the
/// certificate-transparency C++/Go suites use.
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];

/// Roots of the reference tree at sizes 1..=8 (certificate-transparency `kRootHashes`). Quoted
/// from memory, so checked two ways below: against `ct-merkle`'s own `MemoryBackedTree`, and
/// against the proof vectors (the root of size 2 is the size-3 proof of index 2; the root of
/// size 4 ends the size-8 proof of index 5).
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

/// Inclusion proofs (size, index, path), from ct-merkle 0.3's tests/known_answer.rs, which copies
/// transparency-dev/merkle testonly/reference_test.go.
const INCLUSION: &[(u64, u64, &[&str])] = &[
    (1, 0, &[]),
    (
        2,
        0,
        &["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"],
    ),
    (
        2,
        1,
        &["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"],
    ),
    (
        3,
        2,
        &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
    ),
    (
        5,
        1,
        &[
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        8,
        0,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        8,
        5,
        &[
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

/// Consistency proofs (old size, new size, path), same source.
const CONSISTENCY: &[(u64, u64, &[&str])] = &[
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        2,
        5,
        &[
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        8,
        &[
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
];

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn hash(s: &str) -> Hash {
    s.parse().expect("64 hex digits")
}

fn reference_data() -> Vec<Vec<u8>> {
    LEAVES.iter().map(|l| unhex(l)).collect()
}

fn reference_leaves() -> Vec<Hash> {
    reference_data().iter().map(|d| leaf_hash(d)).collect()
}

#[test]
fn reference_roots() {
    let leaves = reference_leaves();
    assert_eq!(
        root_at(&leaves[..], 0).map_err(|e| e.to_string()),
        Ok(Hash::empty_root())
    );
    let mut frontier = Frontier::new();
    let mut ct = ct_merkle::mem_backed_tree::MemoryBackedTree::<sha2::Sha256, Vec<u8>>::new();
    for (i, data) in reference_data().into_iter().enumerate() {
        let size = i as u64 + 1;
        frontier.push(leaf_hash(&data));
        ct.push(data);
        let expected = hash(ROOTS[i]);
        assert_eq!(
            root_at(&leaves[..], size).ok(),
            Some(expected),
            "root at {size}"
        );
        assert_eq!(frontier.root(), expected, "frontier root at {size}");
        // Second witness: ct-merkle's in-memory tree.
        assert_eq!(
            ct.root().as_bytes().as_slice(),
            expected.as_bytes(),
            "ct-merkle at {size}"
        );
    }
    // Third witness: roots appear inside the published proofs.
    assert_eq!(INCLUSION[3].2[0], ROOTS[1]);
    assert_eq!(INCLUSION[6].2[2], ROOTS[3]);
}

#[test]
fn reference_inclusion_proofs() {
    let leaves = reference_leaves();
    let data = reference_data();
    for &(size, index, path) in INCLUSION {
        let proof = prove_inclusion(&leaves[..], index, size).expect("in range");
        let expected: Vec<Hash> = path.iter().map(|h| hash(h)).collect();
        assert_eq!(proof.path, expected, "inclusion of {index} in {size}");
        let root = hash(ROOTS[size as usize - 1]);
        assert_eq!(
            verify_inclusion(&data[index as usize], &root, &proof),
            Ok(())
        );
        // The proof does not vouch for another leaf.
        assert!(verify_inclusion(b"other", &root, &proof).is_err());
    }
}

#[test]
fn reference_consistency_proofs() {
    let leaves = reference_leaves();
    for &(old, new, path) in CONSISTENCY {
        let proof = prove_consistency(&leaves[..], old, new).expect("in range");
        let expected: Vec<Hash> = path.iter().map(|h| hash(h)).collect();
        assert_eq!(proof.path, expected, "consistency {old} → {new}");
        let (old_root, new_root) = (hash(ROOTS[old as usize - 1]), hash(ROOTS[new as usize - 1]));
        assert_eq!(verify_consistency(&old_root, &new_root, &proof), Ok(()));
        if old != new {
            assert!(verify_consistency(&new_root, &old_root, &proof).is_err());
        }
    }
}

#[test]
fn proofs_reject_bad_shapes() {
    let leaves = reference_leaves();
    let root = hash(ROOTS[7]);
    let proof = InclusionProof {
        index: 9,
        size: 8,
        path: vec![],
    };
    assert!(verify_inclusion(b"", &root, &proof).is_err());
    let proof = InclusionProof {
        index: 0,
        size: u64::MAX,
        path: vec![],
    };
    assert!(verify_inclusion(b"", &root, &proof).is_err());
    let proof = ConsistencyProof {
        old_size: 0,
        new_size: 8,
        path: vec![root],
    };
    assert!(verify_consistency(&Hash::empty_root(), &root, &proof).is_err());
    let empty = prove_consistency(&leaves[..], 0, 8).expect("in range");
    assert_eq!(
        verify_consistency(&Hash::empty_root(), &root, &empty),
        Ok(())
    );
    assert!(prove_inclusion(&leaves[..], 8, 8).is_err());
    assert!(prove_inclusion(&leaves[..], 0, 9).is_err());
    assert!(prove_consistency(&leaves[..], 5, 4).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Consistency between every pair of sizes 1..=n and inclusion of every index at every size,
    /// for random leaves; each proof also fails against a wrong root.
    #[test]
    fn all_proofs_verify(data in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 1..=64)) {
        let leaves: Vec<Hash> = data.iter().map(|d| leaf_hash(d)).collect();
        let n = leaves.len() as u64;
        let roots: Vec<Hash> = (0..=n).map(|s| root_at(&leaves[..], s).expect("in range")).collect();
        let wrong = leaf_hash(b"wrong");
        for new in 1..=n {
            prop_assert_eq!(Frontier::from_leaves(&leaves[..new as usize]).root(), roots[new as usize]);
            for old in 1..=new {
                let proof = prove_consistency(&leaves[..], old, new).expect("in range");
                prop_assert_eq!(verify_consistency(&roots[old as usize], &roots[new as usize], &proof), Ok(()));
                prop_assert!(verify_consistency(&wrong, &roots[new as usize], &proof).is_err());
                prop_assert!(verify_consistency(&roots[old as usize], &wrong, &proof).is_err());
            }
            for index in 0..new {
                let proof = prove_inclusion(&leaves[..], index, new).expect("in range");
                prop_assert_eq!(verify_inclusion(&data[index as usize], &roots[new as usize], &proof), Ok(()));
                prop_assert!(verify_inclusion(&data[index as usize], &wrong, &proof).is_err());
            }
        }
    }
}

const ORIGIN: &str = "haven.test/ledger";

fn entry(action: Action, n: u64) -> Entry {
    Entry {
        time: "2026-11-28T08:00:00Z".parse().expect("valid time"),
        actor: Actor::parse("alice").expect("valid"),
        role: Role::parse("officer").expect("valid"),
        action,
        objects: vec![ObjectId::parse(format!("case:{n}")).expect("valid")],
        justification: Justification::parse("test").expect("valid"),
        recipient: None,
        key_rotation: None,
    }
}

fn rotation(old: Option<&SigningKey>, new: &SigningKey) -> Entry {
    Entry {
        key_rotation: Some(KeyRotation {
            old: old.map(|k| k.verifier().to_string()),
            new: new.verifier().to_string(),
        }),
        ..entry(Action::KeyRotation, 0)
    }
}

/// Builds a log of a genesis key, `n` entries, a rotation, `n` more, checkpointing after each
/// entry with the key in force.
fn log(n: u64) -> (Vec<StoredEntry>, Vec<StoredCheckpoint>) {
    let k1 = SigningKey::from_seed(ORIGIN, [1; 32]).expect("valid");
    let k2 = SigningKey::from_seed(ORIGIN, [2; 32]).expect("valid");
    let mut entries = vec![rotation(None, &k1)];
    entries.extend((0..n).map(|i| entry(Action::Screen, i)));
    entries.push(rotation(Some(&k1), &k2));
    entries.extend((0..n).map(|i| entry(Action::Decision, i)));
    let mut stored = Vec::new();
    let mut checkpoints = Vec::new();
    let mut frontier = Frontier::new();
    let mut key = &k1;
    for (index, e) in entries.iter().enumerate() {
        let json = e.to_canonical_json().expect("valid");
        let hash = leaf_hash(json.as_bytes());
        frontier.push(hash);
        stored.push(StoredEntry {
            index: index as u64,
            json,
            leaf_hash: hash,
        });
        if e.action == Action::KeyRotation
            && e.key_rotation.as_ref().is_some_and(|r| r.old.is_some())
        {
            key = &k2;
        }
        let checkpoint = haven_ledger::Checkpoint {
            origin: ORIGIN.into(),
            size: frontier.size(),
            root: frontier.root(),
        };
        let note = sign_checkpoint(&checkpoint, key).expect("signable");
        checkpoints.push(StoredCheckpoint {
            size: checkpoint.size,
            root: checkpoint.root,
            note,
        });
    }
    (stored, checkpoints)
}

fn verify(entries: &[StoredEntry], checkpoints: Vec<StoredCheckpoint>) -> Result<u64, String> {
    let mut verifier = Verifier::new(ORIGIN, checkpoints);
    for e in entries {
        verifier.push(e).map_err(|e| e.to_string())?;
    }
    verifier
        .finish(true)
        .map(|v| v.size)
        .map_err(|e| e.to_string())
}

#[test]
fn a_rotated_log_verifies() {
    let (entries, checkpoints) = log(3);
    assert_eq!(verify(&entries, checkpoints), Ok(8));
}

#[test]
fn checkpoints_must_be_signed_by_the_key_in_force() {
    let (entries, mut checkpoints) = log(3);
    // Re-sign the checkpoint after the rotation (size 6) with the old key.
    let k1 = SigningKey::from_seed(ORIGIN, [1; 32]).expect("valid");
    let cp = haven_ledger::Checkpoint::parse_text(
        checkpoints[5]
            .note
            .split("\n\n")
            .next()
            .map(|t| format!("{t}\n"))
            .as_deref()
            .unwrap_or(""),
    )
    .expect("valid text");
    checkpoints[5].note = sign_checkpoint(&cp, &k1).expect("signable");
    let err = verify(&entries, checkpoints).expect_err("old key no longer valid");
    assert!(
        err.starts_with("entry 5: checkpoint at size 6: no signature by key"),
        "{err}"
    );
}

#[test]
fn tampering_names_the_first_bad_index() {
    let (entries, checkpoints) = log(3);
    let check = |entries: Vec<StoredEntry>, expected: &str| {
        let err = verify(&entries, checkpoints.clone()).expect_err("tampered");
        assert!(
            err.starts_with(expected),
            "{err:?} should start with {expected:?}"
        );
    };

    let mut edited = entries.clone();
    edited[2].json = edited[2].json.replace("case:1", "case:9");
    check(
        edited,
        "entry 2: stored leaf hash does not match its content",
    );

    let mut rehashed = entries.clone();
    rehashed[2].json = rehashed[2].json.replace("case:1", "case:9");
    rehashed[2].leaf_hash = leaf_hash(rehashed[2].json.as_bytes());
    check(
        rehashed,
        "entry 2: checkpoint at size 3: the entries do not hash to its signed root",
    );

    let mut deleted = entries.clone();
    deleted.remove(3);
    check(deleted.clone(), "entry 3: missing");
    for (i, e) in deleted.iter_mut().enumerate() {
        e.index = i as u64;
    }
    check(deleted, "entry 3: checkpoint at size 4:");

    let mut swapped = entries.clone();
    let (a, b) = (swapped[2].json.clone(), swapped[2].leaf_hash);
    swapped[2].json = swapped[3].json.clone();
    swapped[2].leaf_hash = swapped[3].leaf_hash;
    swapped[3].json = a;
    swapped[3].leaf_hash = b;
    check(
        swapped,
        "entry 2: checkpoint at size 3: the entries do not hash",
    );

    let mut truncated = entries.clone();
    truncated.truncate(5);
    check(
        truncated,
        "entry 5: missing (the signed checkpoint at size 6",
    );

    let mut bad_rotation = entries.clone();
    let json = entry(Action::Screen, 7).to_canonical_json().expect("valid");
    bad_rotation[4] = StoredEntry {
        index: 4,
        leaf_hash: leaf_hash(json.as_bytes()),
        json,
    };
    check(
        bad_rotation,
        "entry 4: checkpoint at size 5: no signature by key",
    );
}

#[test]
fn rotation_must_start_from_the_key_in_force() {
    let k1 = SigningKey::from_seed(ORIGIN, [1; 32]).expect("valid");
    let k3 = SigningKey::from_seed(ORIGIN, [3; 32]).expect("valid");
    let json = rotation(Some(&k3), &k1).to_canonical_json().expect("valid");
    let stored = StoredEntry {
        index: 0,
        leaf_hash: leaf_hash(json.as_bytes()),
        json,
    };
    let mut verifier = Verifier::new(ORIGIN, vec![]);
    let err = verifier.push(&stored).expect_err("no key in force");
    assert!(matches!(
        err.kind(),
        VerifyErrorKind::RotationFromWrongKey { index: 0, .. }
    ));
}
