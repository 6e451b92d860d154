//! Tampering with the database behind the store's back: each kind makes `verify` fail with a
//! message naming the first bad index. SQLite through a raw SQLite connection; PostgreSQL twins
//! (an entry, a checkpoint, the key table) through a raw `postgres::Client`, with the same
//! messages.

use haven_ledger::leaf_hash;

use crate::{Backend, append, append_db, fresh, raw, raw_pg, verify_db_message, verify_message};

/// A store with the genesis entry and entries 1..=7, each committed with its own checkpoint.
fn ledger() -> (tempfile::TempDir, haven_store::Store) {
    let (dir, mut store) = fresh();
    append(&mut store, 7);
    assert_eq!(verify_message(&store), "ok");
    (dir, store)
}

fn check(sql: &str, expected: &str) {
    let (dir, store) = ledger();
    raw(dir.path())
        .execute_batch(sql)
        .expect("tampering SQL runs");
    let message = verify_message(&store);
    assert!(
        message.starts_with(expected),
        "{message:?} should start with {expected:?}"
    );
}

#[test]
fn edited_entry() {
    check(
        "UPDATE ledger_entries SET json = replace(json, 'case:2', 'case:9') WHERE idx = 3",
        "entry 3: stored leaf hash does not match its content",
    );
}

#[test]
fn edited_entry_with_recomputed_hash() {
    // A tamperer who also fixes the leaf hash is caught by the checkpoint at size 4.
    let (dir, store) = ledger();
    let conn = raw(dir.path());
    let json: String = conn
        .query_row("SELECT json FROM ledger_entries WHERE idx = 3", [], |r| {
            r.get(0)
        })
        .expect("readable");
    let json = json.replace("case:2", "case:9");
    conn.execute(
        "UPDATE ledger_entries SET json = ?1, leaf_hash = ?2 WHERE idx = 3",
        rusqlite::params![json, &leaf_hash(json.as_bytes()).0[..]],
    )
    .expect("writable");
    let message = verify_message(&store);
    assert!(
        message.starts_with(
            "entry 3: checkpoint at size 4: the entries do not hash to its signed root"
        ),
        "{message}"
    );
}

#[test]
fn deleted_entry() {
    check(
        "DELETE FROM ledger_entries WHERE idx = 3",
        "entry 3: missing (the next stored entry has index 4)",
    );
}

#[test]
fn deleted_entry_renumbered() {
    check(
        "DELETE FROM ledger_entries WHERE idx = 3;
         UPDATE ledger_entries SET idx = -idx WHERE idx > 3;
         UPDATE ledger_entries SET idx = -idx - 1 WHERE idx < 0;",
        "entry 3: checkpoint at size 4: the entries do not hash to its signed root",
    );
}

#[test]
fn deleted_last_entry() {
    check(
        "DELETE FROM ledger_entries WHERE idx = 7",
        "entry 7: missing (the signed checkpoint at size 8 covers it",
    );
}

#[test]
fn reordered_entries() {
    check(
        "UPDATE ledger_entries SET idx = -1 WHERE idx = 2;
         UPDATE ledger_entries SET idx = 2 WHERE idx = 5;
         UPDATE ledger_entries SET idx = 5 WHERE idx = -1;",
        "entry 2: checkpoint at size 3: the entries do not hash to its signed root",
    );
}

#[test]
fn inserted_entry() {
    check(
        "UPDATE ledger_entries SET idx = -idx WHERE idx >= 4;
         UPDATE ledger_entries SET idx = -idx + 1 WHERE idx <= -4;
         INSERT INTO ledger_entries (idx, json, leaf_hash)
             SELECT 4, json, leaf_hash FROM ledger_entries WHERE idx = 2;",
        "entry 4: checkpoint at size 5: the entries do not hash to its signed root",
    );
}

#[test]
fn appended_entry_without_checkpoint() {
    check(
        "INSERT INTO ledger_entries (idx, json, leaf_hash)
             SELECT 8, json, leaf_hash FROM ledger_entries WHERE idx = 2;",
        "entry 8: not covered by any signed checkpoint",
    );
}

#[test]
fn swapped_checkpoint_signatures() {
    // Give the checkpoint at size 5 the signature line of the one at size 6.
    check(
        "UPDATE ledger_checkpoints SET note =
             substr(note, 1, instr(note, char(10) || char(10)) + 1)
             || (SELECT substr(note, instr(note, char(10) || char(10)) + 2) FROM ledger_checkpoints WHERE size = 6)
         WHERE size = 5",
        "entry 4: checkpoint at size 5: the signature by key",
    );
}

#[test]
fn deleted_checkpoint_root_swap() {
    // Replace a checkpoint's note with another's (size and root then disagree with the row).
    check(
        "UPDATE ledger_checkpoints SET note = (SELECT note FROM ledger_checkpoints WHERE size = 3) WHERE size = 4",
        "entry 3: checkpoint at size 4: the stored size or root differs",
    );
}

#[test]
fn tampered_head() {
    let (dir, store) = ledger();
    raw(dir.path())
        .execute(
            "UPDATE ledger_head SET frontier = zeroblob(32 * length(frontier) / 32)",
            [],
        )
        .expect("writable");
    let err = store.verify_ledger().expect_err("head tampered");
    assert!(
        err.to_string().contains("ledger head does not match"),
        "{err}"
    );
}

#[test]
fn edited_key_table() {
    // ledger_keys is derived from the log's key_rotation entries; a key put there by hand (to
    // make another key's signatures pass) is caught.
    let (other, other_store) = fresh();
    let foreign = other_store.ledger_public_key().expect("a key");
    drop((other, other_store));
    let (dir, store) = ledger();
    raw(dir.path())
        .execute(
            "UPDATE ledger_keys SET public_key = ?1",
            rusqlite::params![foreign],
        )
        .expect("writable");
    let message = verify_message(&store);
    assert!(
        message.contains("ledger_keys differs from the key_rotation entries of the log"),
        "{message}"
    );
}

/// A PostgreSQL ledger with the genesis entry and entries 1..=7, each committed with its own
/// checkpoint, and a raw client on its database.
fn pg_ledger(test: &str) -> (Backend, postgres::Client) {
    let backend = Backend::postgres(test);
    append_db(backend.db(), 7);
    assert_eq!(verify_db_message(backend.db()), "ok");
    let raw = raw_pg(backend.url.as_deref().expect("a PostgreSQL backend"));
    (backend, raw)
}

#[test]
fn postgres_edited_entry() {
    let (backend, mut raw) = pg_ledger("postgres_edited_entry");
    raw.execute(
        "UPDATE ledger_entries SET json = replace(json, 'case:2', 'case:9') WHERE idx = 3",
        &[],
    )
    .expect("writable");
    let message = verify_db_message(backend.db());
    assert!(
        message.starts_with("entry 3: stored leaf hash does not match its content"),
        "{message}"
    );
}

#[test]
fn postgres_edited_entry_with_recomputed_hash() {
    let (backend, mut raw) = pg_ledger("postgres_edited_entry_with_recomputed_hash");
    let json: String = raw
        .query_one("SELECT json FROM ledger_entries WHERE idx = 3", &[])
        .expect("readable")
        .get(0);
    let json = json.replace("case:2", "case:9");
    let hash = leaf_hash(json.as_bytes()).0.to_vec();
    raw.execute(
        "UPDATE ledger_entries SET json = $1, leaf_hash = $2 WHERE idx = 3",
        &[&json, &hash],
    )
    .expect("writable");
    let message = verify_db_message(backend.db());
    assert!(
        message.starts_with(
            "entry 3: checkpoint at size 4: the entries do not hash to its signed root"
        ),
        "{message}"
    );
}

#[test]
fn postgres_edited_checkpoint() {
    let (backend, mut raw) = pg_ledger("postgres_edited_checkpoint");
    raw.execute(
        "UPDATE ledger_checkpoints SET note = (SELECT note FROM ledger_checkpoints WHERE size = 3)
         WHERE size = 4",
        &[],
    )
    .expect("writable");
    let message = verify_db_message(backend.db());
    assert!(
        message.starts_with("entry 3: checkpoint at size 4: the stored size or root differs"),
        "{message}"
    );
}

#[test]
fn postgres_edited_key_table() {
    let (other, other_store) = fresh();
    let foreign = other_store.ledger_public_key().expect("a key");
    drop((other, other_store));
    let (backend, mut raw) = pg_ledger("postgres_edited_key_table");
    raw.execute("UPDATE ledger_keys SET public_key = $1", &[&foreign])
        .expect("writable");
    let message = verify_db_message(backend.db());
    assert!(
        message.contains("ledger_keys differs from the key_rotation entries of the log"),
        "{message}"
    );
}

#[test]
fn postgres_tampered_head() {
    let (backend, mut raw) = pg_ledger("postgres_tampered_head");
    // A frontier of the right length but of another tree.
    raw.execute(
        "UPDATE ledger_head SET frontier = decode(repeat('00', length(frontier)), 'hex')",
        &[],
    )
    .expect("writable");
    let message = backend
        .db()
        .verify_ledger()
        .map(|_| ())
        .expect_err("tampered")
        .to_string();
    assert!(
        message.starts_with("entry 8: the ledger head does not match"),
        "{message}"
    );
}
