//! The signing key: created on first use with mode 0600, printable, rotated through the log. On
//! both backends: the key file is the server's, whichever database holds the log.

use std::os::unix::fs::PermissionsExt;

use haven_ledger::{Actor, Justification, Role};
use haven_store::{Database, SIGNING_KEY_FILE, StoreError};

use crate::{append_db, entry, fresh, ledger_size, on_backends, verify_db_message};

fn rotate(db: &dyn Database) -> (String, String) {
    db.rotate_ledger_key(
        Actor::parse("admin-bob").expect("valid"),
        Role::parse("admin").expect("valid"),
        Justification::parse("scheduled rotation").expect("valid"),
    )
    .expect("rotates")
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn key_file_is_private_and_stable() {
    on_backends("key_file_is_private_and_stable", |b| {
        assert_eq!(mode(&b.key_path()), 0o600);
        let public = b.db().ledger_public_key().expect("key");
        assert!(public.starts_with("haven.local/ledger/"), "{public}");
        b.reopen();
        assert_eq!(b.db().ledger_public_key().expect("key"), public);
        assert_eq!(ledger_size(b.db()), 1, "no second announcement");
    });
}

#[test]
fn rotation_is_logged_and_old_checkpoints_still_verify() {
    on_backends("rotation_is_logged_and_old_checkpoints_still_verify", |b| {
        append_db(b.db(), 3);
        let (old, new) = rotate(b.db());
        assert_ne!(old, new);
        assert_eq!(b.db().ledger_public_key().expect("key"), new);
        append_db(b.db(), 3);
        let log = b
            .db()
            .verify_ledger()
            .expect("verifies across the rotation");
        assert_eq!(log.size, 8);
        let keys: Vec<String> = log.keys.keys().iter().map(|(_, k)| k.to_string()).collect();
        assert_eq!(keys, [old.clone(), new.clone()]);

        // The rotation entry names both keys.
        let export = b.db().export_ledger().expect("export");
        let rotation = &export.entries[4].canonical_json;
        assert!(
            rotation.contains(&old) && rotation.contains(&new),
            "{rotation}"
        );
        assert_eq!(export.verify().expect("verifies").size, 8);

        // The new key is on disk and mode 0600.
        assert_eq!(mode(&b.key_path()), 0o600);
        b.reopen();
        assert_eq!(verify_db_message(b.db()), "ok");
    });
}

#[test]
fn a_lost_key_blocks_appends_until_rotated() {
    on_backends("a_lost_key_blocks_appends_until_rotated", |b| {
        std::fs::remove_file(b.key_path()).expect("removable");
        b.reopen();
        assert_eq!(verify_db_message(b.db()), "ok");
        let result = b.db().append_ledger(&entry(1));
        assert!(
            matches!(result, Err(StoreError::KeyMissing { .. })),
            "{result:?}"
        );
        rotate(b.db());
        append_db(b.db(), 1);
        assert_eq!(verify_db_message(b.db()), "ok");
    });
}

#[test]
fn a_foreign_key_file_is_refused() {
    on_backends("a_foreign_key_file_is_refused", |b| {
        let (other, _store) = fresh();
        std::fs::copy(other.path().join(SIGNING_KEY_FILE), b.key_path()).expect("copyable");
        b.reopen();
        let result = b.db().append_ledger(&entry(1));
        assert!(
            matches!(result, Err(StoreError::KeyMismatch { .. })),
            "{result:?}"
        );
    });
}
