//! Appending in the caller's transaction, checkpoints, proofs and exports.

use haven_ledger::{Action, Checkpoint, Entry, Export, VerifierKey, verify_inclusion};
use haven_store::StoreError;

use crate::{append, entry, fresh};

#[test]
fn first_use_records_the_key_and_verifies() {
    let (_dir, store) = fresh();
    let log = store.verify_ledger().expect("a fresh ledger verifies");
    assert_eq!(log.size, 1, "the genesis key_rotation entry");
    assert_eq!(log.keys.keys().len(), 1);
    assert_eq!(
        log.keys.keys()[0].1.to_string(),
        store.ledger_public_key().expect("a key")
    );
}

#[test]
fn entries_commit_and_roll_back_with_the_change() {
    let (_dir, mut store) = fresh();
    store
        .transaction(|tx| {
            tx.sqlite()
                .execute_batch("CREATE TABLE changes (id TEXT PRIMARY KEY)")?;
            Ok::<_, StoreError>(())
        })
        .expect("schema change commits");

    // A change and its entry commit together.
    let receipt = store
        .transaction(|tx| {
            tx.sqlite()
                .execute("INSERT INTO changes (id) VALUES ('c1')", [])?;
            tx.append_ledger(&entry(1))
        })
        .expect("commits");
    assert_eq!(receipt.index, 1);

    // A failure after the append keeps neither the change nor the entry.
    let result: Result<(), StoreError> = store.transaction(|tx| {
        tx.sqlite()
            .execute("INSERT INTO changes (id) VALUES ('c2')", [])?;
        tx.append_ledger(&entry(2))?;
        tx.sqlite()
            .execute("INSERT INTO changes (id) VALUES ('c1')", [])?; // duplicate key
        Ok(())
    });
    assert!(result.is_err());
    assert_eq!(store.ledger_size().expect("size"), 2);
    let cases: i64 = store
        .transaction(|tx| {
            Ok::<_, StoreError>(
                tx.sqlite()
                    .query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0))?,
            )
        })
        .expect("readable");
    assert_eq!(cases, 1);

    let log = store.verify_ledger().expect("verifies");
    assert_eq!(log.size, 2);
    assert_eq!(
        log.root, receipt.root,
        "the receipt's root is the root after its entry"
    );
}

#[test]
fn batches_get_one_checkpoint() {
    let (_dir, mut store) = fresh();
    store
        .transaction(|tx| {
            for i in 0..10 {
                tx.append_ledger(&entry(i))?;
            }
            Ok::<_, StoreError>(())
        })
        .expect("commits");
    let checkpoint = store
        .ledger_checkpoint()
        .expect("readable")
        .expect("exists");
    assert_eq!(checkpoint.size, 11);
    assert_eq!(store.verify_ledger().expect("verifies").checkpoints, 2);
}

#[test]
fn key_rotation_entries_are_reserved() {
    let (_dir, mut store) = fresh();
    let rotation = Entry {
        action: Action::KeyRotation,
        ..entry(0)
    };
    let result = store.transaction(|tx| tx.append_ledger(&rotation));
    assert!(matches!(result, Err(StoreError::ReservedAction)));
}

#[test]
fn inclusion_proofs_verify_against_the_signed_checkpoint() {
    let (_dir, mut store) = fresh();
    append(&mut store, 12);
    let key = VerifierKey::parse(&store.ledger_public_key().expect("key")).expect("parses");
    for index in 0..13 {
        let bundle = store.ledger_inclusion_proof(index).expect("proof");
        let checkpoint = Checkpoint::open(&bundle.checkpoint.note, &key).expect("signed");
        assert_eq!(checkpoint.size, 13);
        verify_inclusion(bundle.entry.as_bytes(), &checkpoint.root, &bundle.proof)
            .expect("proof verifies");
    }
    assert!(matches!(
        store.ledger_inclusion_proof(13),
        Err(StoreError::NoSuchEntry {
            index: 13,
            size: 13
        })
    ));
}

#[test]
fn consistency_proofs_between_checkpoints() {
    let (_dir, mut store) = fresh();
    append(&mut store, 9);
    let export = store.export_ledger().expect("export");
    let log = export.verify().expect("verifies");
    let leaves: Vec<_> = export.entries.iter().map(|e| e.leaf_hash).collect();
    for old in 1..=log.size {
        let proof = store
            .ledger_consistency_proof(old, log.size)
            .expect("proof");
        let old_root = haven_ledger::root_at(&leaves[..], old).expect("in range");
        haven_ledger::verify_consistency(&old_root, &log.root, &proof).expect("consistent");
    }
}

#[test]
fn exports_verify_alone_and_detect_tampering() {
    let (_dir, mut store) = fresh();
    append(&mut store, 5);
    let export = store.export_ledger().expect("export");
    let json = serde_json::to_string_pretty(&export).expect("serialisable");
    drop(store);

    let parsed: Export = serde_json::from_str(&json).expect("parses");
    assert_eq!(parsed.verify().expect("verifies").size, 6);

    let mut edited = parsed.clone();
    edited.entries[3].canonical_json = edited.entries[3].canonical_json.replace("case:2", "case:7");
    let err = edited.verify().expect_err("tampered");
    assert_eq!(
        err.to_string(),
        "entry 3: stored leaf hash does not match its content"
    );

    let mut reordered = parsed.clone();
    reordered.entries.swap(2, 4);
    reordered.entries[2].index = 2;
    reordered.entries[4].index = 4;
    let err = reordered.verify().expect_err("tampered");
    assert!(
        err.to_string()
            .starts_with("entry 0: checkpoint at size 6: the entries do not hash"),
        "{err}"
    );

    let mut rekeyed = parsed.clone();
    rekeyed.public_keys.push("someone+00000000+AAAA".into());
    assert!(rekeyed.verify().is_err());
}
