//! `haven backup` / `haven restore`: a backup taken while another thread writes restores to one
//! moment of the source, and restores refuse a non-empty target, a truncated file and a backup
//! of the other store, changing nothing. PostgreSQL: the same through the library until the
//! command line takes a database URL.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use haven_domain::{Numbered, parse_registry_line};
use haven_ledger::{Action, Actor, Entry, Justification, ObjectId, Role};
use haven_store::{
    BackupError, BackupKind, Database, ImportItem, ImportMeta, ImportMode, PgDatabase, RestoredKey,
    Store,
};

use super::{haven, stderr, stdout};

fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn entry(n: u64) -> Entry {
    Entry::new(
        Actor::parse("alice").expect("valid"),
        Role::parse("officer").expect("valid"),
        Action::Screen,
        Justification::parse("screening during a backup").expect("valid"),
    )
    .with_objects([ObjectId::parse(format!("case:{n}")).expect("valid")])
}

fn person(n: u64) -> ImportItem<haven_domain::RegistryPerson> {
    let line = serde_json::json!({
        "id": format!("R-{n}"), "names": [format!("Name {n}")], "birth_date": "1971",
        "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2013", "against": ["kz"]},
    })
    .to_string();
    let value = parse_registry_line(&line).expect("a valid registry line");
    Ok(Ok(Numbered { line: 1, value }))
}

fn import_meta() -> ImportMeta {
    ImportMeta {
        file_name: "backup-test.jsonl".into(),
        actor: Actor::parse("admin-alice").expect("valid"),
        role: Role::parse("admin").expect("valid"),
        justification: Justification::parse("test import").expect("valid"),
    }
}

/// (ledger entries, persons) of a store now.
fn moment(store: &Store) -> (u64, u64) {
    let counts = store.data_counts().expect("counts");
    (
        store.ledger_size().expect("size"),
        counts.registry_persons + counts.context_persons,
    )
}

/// "N ledger entries, P persons, C cases" read back from a line of output.
fn printed_counts(text: &str) -> (u64, u64, u64) {
    let numbers: Vec<u64> = text
        .lines()
        .next()
        .and_then(|line| line.rsplit_once(": "))
        .map(|(_, counts)| {
            counts
                .split(", ")
                .filter_map(|part| part.split(' ').next()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(numbers.len(), 3, "counts in {text:?}");
    (numbers[0], numbers[1], numbers[2])
}

/// Every file under `dir` with its contents, to show that a refused restore changed nothing.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    if let Ok(read) = std::fs::read_dir(dir) {
        for item in read {
            let path = item.expect("listable").path();
            files.push((path.clone(), std::fs::read(&path).expect("readable")));
        }
    }
    files.sort();
    files
}

#[test]
fn a_backup_taken_while_writing_restores_one_moment_of_the_source() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let mut store = Store::open(&data).expect("store opens");
    // Some megabytes, so the copy takes a while as the writer commits beside it.
    store
        .import_registry(
            (10_000..13_000).map(person),
            ImportMode::AllOrNothing,
            &import_meta(),
        )
        .expect("import commits");
    let history = Arc::new(Mutex::new(vec![moment(&store)]));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (history, stop) = (Arc::clone(&history), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                if n % 3 == 0 {
                    store
                        .import_registry([person(n)], ImportMode::AllOrNothing, &import_meta())
                        .expect("import commits");
                } else {
                    store
                        .transaction(|tx| tx.append_ledger(&entry(n)).map(|_| ()))
                        .expect("append commits");
                }
                // The only writer: each state it leaves is a moment of the source.
                history.lock().expect("not poisoned").push(moment(&store));
            }
        })
    };
    let wait_for = |writes: usize| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while history.lock().expect("not poisoned").len() < writes {
            assert!(Instant::now() < deadline, "the writer stalled");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    wait_for(20);
    let before = history.lock().expect("not poisoned").len();
    let file = dir.path().join("haven.backup");
    let backup = haven(&data, &["backup", arg(&file)]);
    // The source stayed usable: the writer went on committing during and after the backup.
    wait_for(before + 20);
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer finished");
    assert!(backup.status.success(), "{}", stderr(&backup));
    let said = stdout(&backup);
    assert!(
        said.contains("the ledger signing key is not in the backup"),
        "{said}"
    );
    assert!(
        !said.contains("PRIVATE")
            && !std::fs::read_dir(dir.path()).expect("listable").any(|f| f
                .expect("listable")
                .file_name()
                .to_string_lossy()
                .ends_with(".partial")),
        "no secret printed, no temporary file left: {said}"
    );
    let (entries, persons, cases) = printed_counts(&said);

    let restored = dir.path().join("restored");
    let out = haven(&restored, &["restore", arg(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let told = stdout(&out);
    assert_eq!(printed_counts(&told), (entries, persons, cases), "{told}");
    assert!(told.contains("ledger verified"), "{told}");
    assert!(
        told.contains("ledger-signing.key is missing: the ledger needs the key in force, haven"),
        "{told}"
    );

    let restored_store = Store::open(&restored).expect("restored store opens");
    let log = restored_store
        .verify_ledger()
        .expect("restored ledger verifies");
    let restored_moment = moment(&restored_store);
    assert_eq!(restored_moment, (entries, persons));
    assert_eq!(log.size, entries);
    assert_eq!(cases, 0);
    let history: BTreeSet<_> = history
        .lock()
        .expect("not poisoned")
        .iter()
        .copied()
        .collect();
    assert!(
        history.contains(&restored_moment),
        "{restored_moment:?} was never a state of the source: {history:?}"
    );
    // With the key file back, the restored store records again.
    std::fs::copy(
        data.join(haven_store::SIGNING_KEY_FILE),
        restored.join(haven_store::SIGNING_KEY_FILE),
    )
    .expect("key copied");
    let mut restored_store = Store::open(&restored).expect("restored store opens");
    restored_store
        .transaction(|tx| tx.append_ledger(&entry(0)).map(|_| ()))
        .expect("the restored ledger appends with the original key");
    restored_store.verify_ledger().expect("and still verifies");
}

/// A data directory with a small database, and a backup of it.
fn source_and_backup(dir: &Path) -> (PathBuf, PathBuf) {
    let data = dir.join("data");
    let mut store = Store::open(&data).expect("store opens");
    for n in 0..5 {
        store
            .transaction(|tx| tx.append_ledger(&entry(n)).map(|_| ()))
            .expect("append commits");
    }
    drop(store);
    let file = dir.join("haven.backup");
    let out = haven(&data, &["backup", arg(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    (data, file)
}

#[test]
fn backup_needs_a_database_and_never_replaces_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let empty = dir.path().join("empty");
    let out = haven(&empty, &["backup", arg(&dir.path().join("b"))]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no Haven database at ")
            && stderr(&out).contains("nothing to back up"),
        "{}",
        stderr(&out)
    );
    assert!(!empty.exists() && !dir.path().join("b").exists());

    let (data, _) = source_and_backup(dir.path());
    let database = data.join(haven_store::DATABASE_FILE);
    let before = std::fs::read(&database).expect("readable");
    let out = haven(&data, &["backup", arg(&database)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is the database itself: write the backup to another file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&database).expect("readable"), before);
}

#[test]
fn restore_refuses_a_directory_that_holds_a_database_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_, file) = source_and_backup(dir.path());
    let other = dir.path().join("other");
    drop(Store::open(&other).expect("store opens"));
    let before = snapshot(&other);
    let out = haven(&other, &["restore", arg(&file)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "error: the data directory {} already holds a Haven database (haven.sqlite); nothing \
             was restored. Restore into a new, empty data directory (--data-dir), or move the \
             existing database away first.",
            other.display()
        )
    );
    assert_eq!(snapshot(&other), before);
}

#[test]
fn restore_refuses_a_truncated_backup_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let (_, file) = source_and_backup(dir.path());
    let whole = std::fs::read(&file).expect("readable");
    let page = 4096;
    assert!(whole.len() > 2 * page, "a backup of several pages");
    // Cut inside a page, and cut at a page boundary (a whole number of pages, but fewer).
    for cut in [whole.len() - 100, whole.len() - page] {
        let truncated = dir.path().join(format!("truncated-{cut}"));
        std::fs::write(&truncated, &whole[..cut]).expect("writable");

        let fresh = dir.path().join(format!("fresh-{cut}"));
        let out = haven(&fresh, &["restore", arg(&truncated)]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains(&format!(
                "{} is damaged or incomplete (the header says {} bytes, the file has {cut}); \
                 nothing was restored",
                truncated.display(),
                whole.len()
            )),
            "{}",
            stderr(&out)
        );
        assert!(!fresh.exists(), "no data directory was created");

        let empty = dir.path().join(format!("empty-{cut}"));
        std::fs::create_dir(&empty).expect("creatable");
        let out = haven(&empty, &["restore", arg(&truncated)]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            snapshot(&empty).is_empty(),
            "the empty directory stays empty"
        );
    }
}

#[test]
fn restore_refuses_a_backup_of_the_other_store() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let dump = dir.path().join("haven.dump");
    std::fs::write(&dump, b"PGDMP\x01\x0e\x00 rest of a custom-format dump").expect("writable");
    let data = dir.path().join("data");
    let out = haven(&data, &["restore", arg(&dump)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim(),
        format!(
            "error: {} is a backup of a PostgreSQL database (pg_dump custom format); it cannot be \
             restored into an SQLite database (haven.sqlite): restore it with a database URL \
             (--database-url)",
            dump.display()
        )
    );
    assert!(!data.exists());

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a backup").expect("writable");
    let out = haven(&data, &["restore", arg(&text)]);
    assert!(
        stderr(&out).contains("is not a Haven backup: it is neither an SQLite database nor a PostgreSQL custom-format dump"),
        "{}",
        stderr(&out)
    );
}

/// A fresh PostgreSQL database for one test, named after `hint`, on the test process's
/// throwaway PostgreSQL (`haven-testpg`).
fn test_pg_url(hint: &str) -> String {
    haven_testpg::server().fresh_database(&format!("pg_backup_{hint}"))
}

fn table_count(url: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("database");
    client
        .query_one(
            "SELECT COUNT(*) FROM pg_catalog.pg_tables \
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
            &[],
        )
        .expect("counted")
        .get(0)
}

#[test]
fn postgres_backup_refusals_change_nothing() {
    let (source, target) = (test_pg_url("refuse_src"), test_pg_url("refuse_dst"));
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = PgDatabase::connect(&source, &dir.path().join("key")).expect("connects");
    db.append_ledger(&entry(1)).expect("append commits");
    drop(db);
    let dump = dir.path().join("haven.dump");
    let report = haven_store::backup_postgres(&source, &dump).expect("backup");
    assert_eq!(report.kind, BackupKind::Postgres);
    assert_eq!(report.counts.entries, 2);
    assert_eq!(
        BackupKind::of_file(&dump).expect("readable"),
        BackupKind::Postgres
    );

    // Into a database that has tables.
    let err = haven_store::restore_postgres(&dump, &source, &dir.path().join("key"))
        .expect_err("refused");
    assert!(matches!(err, BackupError::TargetNotEmpty { .. }), "{err}");
    assert!(err.to_string().contains("already holds"), "{err}");

    // A truncated dump.
    let whole = std::fs::read(&dump).expect("readable");
    let truncated = dir.path().join("truncated.dump");
    std::fs::write(&truncated, &whole[..whole.len() * 2 / 3]).expect("writable");
    let err = haven_store::restore_postgres(&truncated, &target, &dir.path().join("key2"))
        .expect_err("refused");
    assert!(matches!(err, BackupError::Damaged { .. }), "{err}");
    assert_eq!(table_count(&target), 0, "nothing restored");

    // An SQLite backup.
    let (_, sqlite_backup) = source_and_backup(dir.path());
    let err = haven_store::restore_postgres(&sqlite_backup, &target, &dir.path().join("key2"))
        .expect_err("refused");
    assert!(
        err.to_string().contains(
            "is a backup of an SQLite database (haven.sqlite); it cannot be restored into a \
             PostgreSQL database (pg_dump custom format): restore it without a database URL"
        ),
        "{err}"
    );
    assert_eq!(table_count(&target), 0, "nothing restored");
    // And a dump into SQLite, through the command.
    let out = haven(&dir.path().join("fresh"), &["restore", arg(&dump)]);
    assert!(
        stderr(&out).contains("cannot be restored into an SQLite database"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn postgres_backup_round_trip_verifies() {
    let (source, target) = (test_pg_url("trip_src"), test_pg_url("trip_dst"));
    let dir = tempfile::tempdir().expect("temporary directory");
    let key = dir.path().join("ledger-signing.key");
    let db = PgDatabase::connect(&source, &key).expect("connects");
    for n in 0..4 {
        db.append_ledger(&entry(n)).expect("append commits");
    }
    drop(db);
    let dump = dir.path().join("haven.dump");
    let backup = haven_store::backup_postgres(&source, &dump).expect("backup");
    assert_eq!(backup.counts.entries, 5);

    let missing_key = dir.path().join("elsewhere").join("ledger-signing.key");
    let restored = haven_store::restore_postgres(&dump, &target, &missing_key).expect("restored");
    assert_eq!(restored.counts, backup.counts);
    assert_eq!(restored.verified_entries, 5);
    assert!(
        matches!(&restored.key, RestoredKey::Missing { path, .. } if *path == missing_key),
        "{:?}",
        restored.key
    );
    let db = PgDatabase::connect(&target, &key).expect("connects with the original key");
    db.append_ledger(&entry(9))
        .expect("appends with the original key");
    assert_eq!(db.verify_ledger().expect("verifies").size, 6);
}
