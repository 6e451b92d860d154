//! Schema migrations: applied once, recorded, and idempotent on reopen.

use haven_store::{SCHEMA_VERSION, Store};

use crate::{fresh, raw};

#[test]
fn migrations_are_recorded_once() {
    let (dir, store) = fresh();
    drop(store);
    // Reopening applies nothing twice.
    let _again = Store::open(dir.path()).expect("reopens");
    let conn = raw(dir.path());
    let versions: Vec<i64> = conn
        .prepare("SELECT version FROM schema_migrations ORDER BY version")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("readable");
    assert_eq!(versions, (1..=SCHEMA_VERSION).collect::<Vec<_>>());
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("readable");
    assert_eq!(mode, "wal");
}

#[test]
fn refuses_a_newer_schema() {
    let (dir, store) = fresh();
    drop(store);
    raw(dir.path())
        .execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')",
            [],
        )
        .expect("writable");
    let err = Store::open(dir.path()).expect_err("too new");
    assert!(err.to_string().contains("newer than this build"), "{err}");
}
