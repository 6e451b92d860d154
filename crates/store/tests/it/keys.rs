//! The signing key: created on first use with mode 0600, printable, rotated through the log.

use std::os::unix::fs::PermissionsExt;

use haven_ledger::{Actor, Justification, Role};
use haven_store::{SIGNING_KEY_FILE, Store, StoreError};

use crate::{append, entry, fresh, verify_message};

fn rotate(store: &mut Store) -> (String, String) {
    store
        .rotate_ledger_key(
            Actor::parse("admin-bob").expect("valid"),
            Role::parse("admin").expect("valid"),
            Justification::parse("scheduled rotation").expect("valid"),
        )
        .expect("rotates")
}

#[test]
fn key_file_is_private_and_stable() {
    let (dir, store) = fresh();
    let path = dir.path().join(SIGNING_KEY_FILE);
    let mode = std::fs::metadata(&path)
        .expect("exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let public = store.ledger_public_key().expect("key");
    assert!(public.starts_with("haven.local/ledger/"), "{public}");
    drop(store);
    let again = Store::open(dir.path()).expect("reopens");
    assert_eq!(again.ledger_public_key().expect("key"), public);
    assert_eq!(
        again.ledger_size().expect("size"),
        1,
        "no second announcement"
    );
}

#[test]
fn rotation_is_logged_and_old_checkpoints_still_verify() {
    let (dir, mut store) = fresh();
    append(&mut store, 3);
    let (old, new) = rotate(&mut store);
    assert_ne!(old, new);
    assert_eq!(store.ledger_public_key().expect("key"), new);
    append(&mut store, 3);
    let log = store.verify_ledger().expect("verifies across the rotation");
    assert_eq!(log.size, 8);
    let keys: Vec<String> = log.keys.keys().iter().map(|(_, k)| k.to_string()).collect();
    assert_eq!(keys, [old.clone(), new.clone()]);

    // The rotation entry names both keys.
    let export = store.export_ledger().expect("export");
    let rotation = &export.entries[4].canonical_json;
    assert!(
        rotation.contains(&old) && rotation.contains(&new),
        "{rotation}"
    );
    assert_eq!(export.verify().expect("verifies").size, 8);

    // The new key is on disk and mode 0600.
    let path = dir.path().join(SIGNING_KEY_FILE);
    let mode = std::fs::metadata(&path)
        .expect("exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    drop(store);
    let again = Store::open(dir.path()).expect("reopens with the new key");
    assert_eq!(verify_message(&again), "ok");
}

#[test]
fn a_lost_key_blocks_appends_until_rotated() {
    let (dir, store) = fresh();
    drop(store);
    std::fs::remove_file(dir.path().join(SIGNING_KEY_FILE)).expect("removable");
    let mut store = Store::open(dir.path()).expect("opens for reading");
    assert_eq!(verify_message(&store), "ok");
    let result = store.transaction(|tx| tx.append_ledger(&entry(1)));
    assert!(
        matches!(result, Err(StoreError::KeyMissing { .. })),
        "{result:?}"
    );
    rotate(&mut store);
    append(&mut store, 1);
    assert_eq!(verify_message(&store), "ok");
}

#[test]
fn a_foreign_key_file_is_refused() {
    let (dir, store) = fresh();
    drop(store);
    let (other, _store) = fresh();
    std::fs::copy(
        other.path().join(SIGNING_KEY_FILE),
        dir.path().join(SIGNING_KEY_FILE),
    )
    .expect("copyable");
    let mut store = Store::open(dir.path()).expect("opens for reading");
    let result = store.transaction(|tx| tx.append_ledger(&entry(1)));
    assert!(
        matches!(result, Err(StoreError::KeyMismatch { .. })),
        "{result:?}"
    );
}
