//! Integration tests of haven-store, one binary (ripgrep style): each module is one feature, each
//! test has its own temporary data directory.
//!
//! A test whose subject is a [`Database`] operation runs on both backends ([`on_backends`]):
//! SQLite in a temporary directory, and PostgreSQL on a fresh database of the test process's
//! throwaway server (`haven-testpg`), each with its key file in its own temporary directory.
//! Tests of SQLite internals (a raw connection, its migrations) use [`fresh`] and have
//! PostgreSQL twins where the phenomenon exists there.

mod accounts;
mod cases;
mod changes;
mod import;
mod keys;
mod ledger;
mod migrations;
mod pg_cases;
mod pg_data;
mod tamper;

use std::path::{Path, PathBuf};

use haven_domain::{Numbered, PersonId, parse_context_line, parse_registry_line};
use haven_ledger::{Action, Actor, Entry, Justification, ObjectId, Role};
use haven_store::{
    Database, ImportError, ImportItem, ImportMeta, ImportMode, ImportReport, PgDatabase, Reject,
    SIGNING_KEY_FILE, SqliteDatabase, Store, StoreError,
};

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

/// One backend under test: its name (for failure messages), its temporary directory (the SQLite
/// data directory, or the PostgreSQL key file's), and a handle on it.
#[derive(Debug)]
pub struct Backend {
    pub name: &'static str,
    pub dir: tempfile::TempDir,
    pub db: Box<dyn Database>,
    /// The PostgreSQL database's URL; `None` for SQLite.
    pub url: Option<String>,
}

impl Backend {
    /// A SQLite database in a new temporary directory.
    pub fn sqlite() -> Backend {
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = SqliteDatabase::open(dir.path()).expect("SQLite database opens");
        Backend {
            name: "sqlite",
            dir,
            db: Box::new(db),
            url: None,
        }
    }

    /// A fresh database on the test process's PostgreSQL server, named after `test`.
    pub fn postgres(test: &str) -> Backend {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = haven_testpg::server().fresh_database(test);
        let db = PgDatabase::connect(&url, &dir.path().join(SIGNING_KEY_FILE))
            .expect("PostgreSQL database connects");
        Backend {
            name: "postgres",
            dir,
            db: Box::new(db),
            url: Some(url),
        }
    }

    /// The handle, as the service sees it.
    pub fn db(&self) -> &dyn Database {
        self.db.as_ref()
    }

    /// The ledger signing key file.
    pub fn key_path(&self) -> PathBuf {
        self.dir.path().join(SIGNING_KEY_FILE)
    }

    /// Another handle on the same database (as a second server process, or a restart, would
    /// open it).
    pub fn open_again(&self) -> Result<Box<dyn Database>, StoreError> {
        Ok(match &self.url {
            None => Box::new(SqliteDatabase::open(self.dir.path())?),
            Some(url) => Box::new(PgDatabase::connect(url, &self.key_path())?),
        })
    }

    /// Replaces the handle with a new one on the same database.
    pub fn reopen(&mut self) {
        self.db = self.open_again().expect("the database reopens");
    }
}

/// Runs `body` on SQLite and on PostgreSQL, each on a database of its own. Both always run; a
/// failure names the backend it happened on (and says whether the other passed).
pub fn on_backends(test: &str, body: impl Fn(&mut Backend)) {
    let mut failures = Vec::new();
    let mut passed = Vec::new();
    let backends: [(&str, &dyn Fn() -> Backend); 2] = [
        ("sqlite", &Backend::sqlite),
        ("postgres", &|| Backend::postgres(test)),
    ];
    for (name, make) in backends {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut backend = make();
            body(&mut backend);
        }));
        match outcome {
            Ok(()) => passed.push(name),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "a panic without a message".into());
                failures.push(format!("on {name}: {message}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{test} failed {} (passed on: {passed:?})",
        failures.join("; ")
    );
}

/// The number of ledger entries (through the verifier, which every backend has).
pub fn ledger_size(db: &dyn Database) -> u64 {
    db.verify_ledger().expect("the ledger verifies").size
}

/// Appends `n` entries through the shared API, one transaction each.
pub fn append_db(db: &dyn Database, n: u64) {
    for i in 0..n {
        db.append_ledger(&entry(i)).expect("append commits");
    }
}

/// Verifies through the shared API and returns the error message, or "ok".
pub fn verify_db_message(db: &dyn Database) -> String {
    match db.verify_ledger() {
        Ok(_) => "ok".into(),
        Err(err @ StoreError::Tampered(_)) => err.to_string(),
        Err(err) => format!("other error: {err}"),
    }
}

/// A raw client on a PostgreSQL database, behind the store's back (as someone tampering with it
/// would connect).
pub fn raw_pg(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("PostgreSQL connects")
}

/// The metadata of a test import.
pub fn meta(file: &str) -> ImportMeta {
    ImportMeta {
        file_name: file.into(),
        actor: Actor::parse("admin-alice").expect("valid"),
        role: Role::parse("admin").expect("valid"),
        justification: Justification::parse("test import").expect("valid"),
    }
}

/// A registry line: id, relations as (kind, to), and a name.
pub fn registry_line(id: &str, relations: &[(&str, &str)], name: &str) -> String {
    let relations: Vec<_> = relations
        .iter()
        .map(|(k, t)| serde_json::json!({"kind": k, "to": t}))
        .collect();
    serde_json::json!({
        "id": id, "names": [name], "birth_date": "1971",
        "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2013", "against": ["kz"]},
        "relations": relations,
    })
    .to_string()
}

/// Lines parsed as an import's items, numbered from 1; a line that does not parse is a reject.
pub fn items<T>(
    lines: &[String],
    parse: impl Fn(&str) -> Result<T, haven_domain::RecordError>,
) -> Vec<ImportItem<T>> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| match parse(l) {
            Ok(value) => Ok(Ok(Numbered { line: i + 1, value })),
            Err(err) => Ok(Err(Reject {
                line: i + 1,
                message: err.to_string(),
            })),
        })
        .collect()
}

/// Imports registry `lines` into `store`.
pub fn registry(
    store: &dyn Database,
    lines: &[String],
    mode: ImportMode,
) -> Result<ImportReport, ImportError> {
    store.import_registry(
        &mut items(lines, parse_registry_line).into_iter(),
        mode,
        &meta("registry.jsonl"),
    )
}

/// Imports context `lines` into `store`.
pub fn context(
    store: &dyn Database,
    lines: &[String],
    mode: ImportMode,
) -> Result<ImportReport, ImportError> {
    store.import_context(
        &mut items(lines, parse_context_line).into_iter(),
        mode,
        &meta("context.jsonl"),
    )
}

/// A person id.
pub fn id(s: &str) -> PersonId {
    PersonId::parse(s).expect("valid id")
}
