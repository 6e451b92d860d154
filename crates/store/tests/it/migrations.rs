//! Schema migrations: applied once, recorded, and idempotent on reopen; a newer schema is
//! refused. SQLite's through a raw connection; PostgreSQL's twins through a raw client, and
//! several servers starting together on a fresh database.

use std::sync::Arc;

use haven_store::{
    PG_SCHEMA_VERSION, PgDatabase, SCHEMA_VERSION, SIGNING_KEY_FILE, Store, StoreError,
};

use crate::{Backend, fresh, raw, raw_pg};

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

#[test]
fn postgres_migrations_are_recorded_once() {
    let mut backend = Backend::postgres("postgres_migrations_are_recorded_once");
    backend.reopen();
    let url = backend.url.clone().expect("a PostgreSQL backend");
    let versions: Vec<i64> = raw_pg(&url)
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .expect("readable")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, (1..=PG_SCHEMA_VERSION).collect::<Vec<_>>());
}

#[test]
fn postgres_refuses_a_newer_schema() {
    let backend = Backend::postgres("postgres_refuses_a_newer_schema");
    let url = backend.url.clone().expect("a PostgreSQL backend");
    raw_pg(&url)
        .execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')",
            &[],
        )
        .expect("writable");
    let err = backend.open_again().expect_err("too new");
    assert!(
        matches!(
            err,
            StoreError::SchemaTooNew {
                found: 99,
                known: PG_SCHEMA_VERSION
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("newer than this build"), "{err}");
}

/// Four servers starting at once on a fresh database with one shared key file: the schema is
/// applied once and one key is announced (the advisory lock), whichever wins; each server then
/// signs with that key (an append checks the key in force).
#[test]
fn postgres_servers_starting_together_migrate_once_and_announce_one_key() {
    let url = Arc::new(
        haven_testpg::server().fresh_database("postgres_servers_starting_together_migrate_once"),
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let key_path = Arc::new(dir.path().join(SIGNING_KEY_FILE));
    let barrier = Arc::new(std::sync::Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (url, key_path, barrier) = (
                Arc::clone(&url),
                Arc::clone(&key_path),
                Arc::clone(&barrier),
            );
            std::thread::spawn(move || {
                barrier.wait();
                let db = PgDatabase::connect(&url, &key_path)?;
                haven_store::Database::append_ledger(&db, &crate::entry(1)).map(|r| r.index)
            })
        })
        .collect();
    let mut indexes: Vec<u64> = threads
        .into_iter()
        .map(|t| {
            t.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                .expect("connects and appends")
        })
        .collect();
    indexes.sort_unstable();
    assert_eq!(indexes, [1, 2, 3, 4], "each after the one genesis entry");

    let mut raw = raw_pg(&url);
    let count = |raw: &mut postgres::Client, sql: &str| -> i64 {
        raw.query_one(sql, &[]).expect("readable").get(0)
    };
    assert_eq!(
        count(&mut raw, "SELECT COUNT(*) FROM schema_migrations"),
        PG_SCHEMA_VERSION
    );
    assert_eq!(
        count(&mut raw, "SELECT COUNT(*) FROM ledger_keys"),
        1,
        "one key announced"
    );
    assert_eq!(
        count(&mut raw, "SELECT COUNT(*) FROM ledger_entries"),
        5,
        "one genesis entry and the four appends"
    );
    assert_eq!(
        count(&mut raw, "SELECT COUNT(*) FROM ledger_checkpoints"),
        5
    );
    let genesis: String = raw
        .query_one("SELECT json FROM ledger_entries WHERE idx = 0", &[])
        .expect("readable")
        .get(0);
    assert!(genesis.contains("key_rotation"), "{genesis}");
}
