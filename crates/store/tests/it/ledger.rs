//! Appending in the caller's transaction, checkpoints, proofs and exports. What goes through
//! [`Database`] runs on both backends; `Store::transaction` (a caller's own SQL beside its
//! entries, batches) is SQLite's API.

use haven_ledger::{Action, Checkpoint, Entry, Export, VerifierKey, verify_inclusion};
use haven_store::{Database, StoreError};

use crate::{Backend, append, append_db, entry, fresh, on_backends, raw_pg};

#[test]
fn first_use_records_the_key_and_verifies() {
    on_backends("first_use_records_the_key_and_verifies", |b| {
        first_use_records_the_key_and_verifies_on(b.db())
    });
}

fn first_use_records_the_key_and_verifies_on(store: &dyn Database) {
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
    on_backends("key_rotation_entries_are_reserved", |b| {
        key_rotation_entries_are_reserved_on(b.db())
    });
}

fn key_rotation_entries_are_reserved_on(store: &dyn Database) {
    let rotation = Entry {
        action: Action::KeyRotation,
        ..entry(0)
    };
    let result = store.append_ledger(&rotation);
    assert!(
        matches!(result, Err(StoreError::ReservedAction)),
        "{result:?}"
    );
}

#[test]
fn inclusion_proofs_verify_against_the_signed_checkpoint() {
    on_backends(
        "inclusion_proofs_verify_against_the_signed_checkpoint",
        |b| inclusion_proofs_verify_against_the_signed_checkpoint_on(b.db()),
    );
}

fn inclusion_proofs_verify_against_the_signed_checkpoint_on(store: &dyn Database) {
    append_db(store, 12);
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
    on_backends("exports_verify_alone_and_detect_tampering", |b| {
        exports_verify_alone_and_detect_tampering_on(b.db())
    });
}

fn exports_verify_alone_and_detect_tampering_on(store: &dyn Database) {
    append_db(store, 5);
    let export = store.export_ledger().expect("export");
    let json = serde_json::to_string_pretty(&export).expect("serialisable");

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

/// Appends from several threads and two handles (two servers' pools) on one PostgreSQL
/// database queue on the ledger head row: every entry gets its own index, none is lost, and
/// each commit left a checkpoint of exactly its tree.
#[test]
fn postgres_appends_from_threads_and_handles_never_collide() {
    let first = Backend::postgres("postgres_appends_from_threads_and_handles_never_collide");
    let second: std::sync::Arc<dyn Database> =
        std::sync::Arc::from(first.open_again().expect("a second handle"));
    let first_db: std::sync::Arc<dyn Database> =
        std::sync::Arc::from(first.open_again().expect("a handle"));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let db = std::sync::Arc::clone(if t % 2 == 0 { &first_db } else { &second });
            std::thread::spawn(move || {
                (0..25)
                    .map(|i| {
                        db.append_ledger(&entry(t * 100 + i))
                            .expect("appends")
                            .index
                    })
                    .collect::<Vec<u64>>()
            })
        })
        .collect();
    let mut indexes: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| {
            t.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .collect();
    indexes.sort_unstable();
    assert_eq!(
        indexes,
        (1..=100).collect::<Vec<u64>>(),
        "distinct indexes after the genesis"
    );

    let url = first.url.as_deref().expect("a PostgreSQL backend");
    let mut raw = raw_pg(url);
    let stored: Vec<i64> = raw
        .query("SELECT idx FROM ledger_entries ORDER BY idx", &[])
        .expect("readable")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(stored, (0..=100).collect::<Vec<i64>>());
    let head: i64 = raw
        .query_one("SELECT size FROM ledger_head WHERE id = 1", &[])
        .expect("readable")
        .get(0);
    assert_eq!(head, 101);
    let checkpoints: Vec<i64> = raw
        .query("SELECT size FROM ledger_checkpoints ORDER BY size", &[])
        .expect("readable")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        checkpoints,
        (1..=101).collect::<Vec<i64>>(),
        "one checkpoint per commit, each of its own tree size"
    );
}
