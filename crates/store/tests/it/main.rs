//! Integration tests of haven-store, one binary (ripgrep style): each module is one feature, each
//! test has its own temporary data directory.

mod accounts;
mod cases;
mod import;
mod keys;
mod ledger;
mod migrations;
mod pg_data;
mod tamper;

use std::path::Path;

use haven_ledger::{Action, Actor, Entry, Justification, ObjectId, Role};
use haven_store::{Store, StoreError};

/// A fresh data directory and a store opened in it.
pub fn fresh() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(dir.path()).expect("store opens");
    (dir, store)
}

/// A screening entry about case `n`.
pub fn entry(n: u64) -> Entry {
    Entry::new(
        Actor::parse("alice").expect("valid"),
        Role::parse("officer").expect("valid"),
        Action::Screen,
        Justification::parse("screening for request MLA/2019/0412").expect("valid"),
    )
    .with_objects([ObjectId::parse(format!("case:{n}")).expect("valid")])
}

/// Appends `n` entries, one transaction each, as callers will.
pub fn append(store: &mut Store, n: u64) {
    for i in 0..n {
        store
            .transaction(|tx| tx.append_ledger(&entry(i)).map(|_| ()))
            .expect("append commits");
    }
}

/// Opens the database behind the store's back, as someone tampering with it would.
pub fn raw(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join(haven_store::DATABASE_FILE)).expect("database opens")
}

/// Verifies and returns the error message, or "ok".
pub fn verify_message(store: &Store) -> String {
    match store.verify_ledger() {
        Ok(_) => "ok".into(),
        Err(err @ StoreError::Tampered(_)) => err.to_string(),
        Err(err) => format!("other error: {err}"),
    }
}
