//! Haven's persistence: a SQLite database in the data directory (the embedded default) or a
//! PostgreSQL database shared by several servers ([`PgDatabase`]), their schema migrations, and
//! the ledger's tables.
//!
//! Architecture invariant: the store knows SQL and files, not rules. It decides nothing about
//! requests or persons, and it holds no ledger logic of its own: hashing, proofs, checkpoint
//! formats and verification come from `haven-ledger`, so a PostgreSQL store will share them.
//!
//! Every change that must be accounted for goes through [`Store::transaction`], whose
//! [`Transaction::append_ledger`] writes the ledger entry in the same SQLite transaction as the
//! change: both commit, or neither does. Each committed transaction that appended entries also
//! stores a signed checkpoint of the new tree, so any later rewrite of an entry is caught at the
//! first checkpoint that includes it.
//!
//! The registry and the context knowledge base (`import`, `records`) are stored as haven-domain
//! records' canonical JSON plus the columns queries need; an import stages a whole file in
//! temporary tables, checks it as a whole, merges it and appends its ledger entry in one
//! transaction, so a failed or killed import leaves the previous state intact.

mod accounts;
mod backup;
mod cases;
mod database;
mod import;
mod keyfile;
mod ledger;
mod migrate;
mod pg;
mod records;
mod sessions;

use std::path::{Path, PathBuf};
use std::time::Duration;

use haven_ledger::{EntryError, KeyError, NoteError, Signer, SigningKey, VerifyError};
use rusqlite::{Connection, TransactionBehavior};

pub use accounts::{Account, NewAccount};
pub use backup::{
    BackupCounts, BackupError, BackupKind, BackupReport, RestoreReport, RestoredKey,
    backup_postgres, backup_sqlite, restore_postgres, restore_sqlite,
};
pub use cases::{Case, CaseSummary, CaseUpdate, CaseUpdateError, FileChange, ListedCase};
pub use database::{Database, SqliteDatabase};
pub use import::{
    DataCounts, ImportError, ImportItem, ImportMeta, ImportMode, ImportReport, Reject,
    distinct_lines,
};
pub use ledger::{InclusionBundle, Receipt};
pub use migrate::SCHEMA_VERSION;
pub use pg::{PG_SCHEMA_VERSION, PgDatabase};
pub use records::{Link, RecordSource, StoredPerson};
pub use sessions::{FailedSignIn, NewSession, StoredSession};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "haven.sqlite";
/// The ledger's private signing key inside the data directory.
pub const SIGNING_KEY_FILE: &str = "ledger-signing.key";

/// How long a writer waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory cannot be created or read.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// SQLite failed.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed (or could not be reached).
    #[error("database: {0}")]
    Postgres(#[from] postgres::Error),
    /// The database URL cannot be read (the message never repeats the URL: it may hold a
    /// password).
    #[error("database URL: {0}")]
    DatabaseUrl(String),
    /// The database was written by a newer Haven.
    #[error("the database schema is version {found}, newer than this build's {known}")]
    SchemaTooNew {
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// The signing key file cannot be read or written.
    #[error("signing key {path}: {source}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The signing key file is malformed.
    #[error("signing key {path}: {source}")]
    KeyFormat {
        /// The key file.
        path: PathBuf,
        /// What is wrong.
        source: KeyError,
    },
    /// The signing key file is gone although the ledger has a key in force.
    #[error(
        "the ledger signing key {path} is missing; the key in force is {in_force}. Restore the \
         file, or record a new key with `haven ledger rotate-key`"
    )]
    KeyMissing {
        /// The key file.
        path: PathBuf,
        /// The public key the ledger expects.
        in_force: String,
    },
    /// The signing key file holds a key the ledger does not have in force.
    #[error(
        "the ledger signing key {path} ({found}) is not the key in force in the ledger ({in_force})"
    )]
    KeyMismatch {
        /// The key file.
        path: PathBuf,
        /// The file's public key.
        found: String,
        /// The public key the ledger expects.
        in_force: String,
    },
    /// The operating system gave no randomness for a new key.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// An entry is invalid.
    #[error("invalid ledger entry: {0}")]
    Entry(#[from] EntryError),
    /// Only the store itself records key rotations.
    #[error("key_rotation entries are written by the store's key rotation, not appended directly")]
    ReservedAction,
    /// Signing a checkpoint failed.
    #[error("signing a checkpoint: {0}")]
    Note(#[from] NoteError),
    /// The ledger does not verify.
    #[error(transparent)]
    Tampered(#[from] VerifyError),
    /// The ledger's bookkeeping tables disagree with its entries.
    #[error("{0}")]
    Inconsistent(String),
    /// An account of this name exists (active or disabled).
    #[error("an account named {0:?} already exists")]
    AccountExists(String),
    /// An entry index beyond the ledger was asked for.
    #[error("entry {index} does not exist: the ledger has {size} entries")]
    NoSuchEntry {
        /// The index asked for.
        index: u64,
        /// The ledger's size.
        size: u64,
    },
}

impl StoreError {
    /// True when the database could not be reached — its directory or file cannot be opened,
    /// it stayed locked past the busy timeout, or the disk failed — rather than refusing
    /// something: a client may retry later (HTTP 503).
    pub fn is_unavailable(&self) -> bool {
        use rusqlite::ErrorCode;
        match self {
            StoreError::DataDir { .. } => true,
            StoreError::Sqlite(err) => matches!(
                err.sqlite_error_code(),
                Some(
                    ErrorCode::CannotOpen
                        | ErrorCode::DatabaseBusy
                        | ErrorCode::DatabaseLocked
                        | ErrorCode::SystemIoFailure
                        | ErrorCode::DiskFull
                )
            ),
            StoreError::Postgres(err) => postgres_unavailable(err),
            _ => false,
        }
    }
}

/// True when PostgreSQL could not be reached or went away: the connection closed or failed, the
/// server is shutting down or starting, or it has no connection slot free (SQLSTATE classes 08
/// and 57P, 53300). Constraint violations and SQL errors are not this.
fn postgres_unavailable(err: &postgres::Error) -> bool {
    if err.is_closed() {
        return true;
    }
    match err.code() {
        Some(code) => {
            let code = code.code();
            code.starts_with("08") || code.starts_with("57P") || code == "53300"
        }
        // No SQLSTATE: the error came from the connection itself (refused, reset, timed out).
        None => err.as_db_error().is_none(),
    }
}

/// The ledger's identity and signing key, as loaded at open.
#[derive(Debug)]
pub(crate) struct LedgerState {
    pub(crate) origin: String,
    pub(crate) key_path: PathBuf,
    /// What signs new checkpoints (the key file today, behind [`Signer`] so a hardware or KMS
    /// signer can replace it), or why there is none usable (missing or not the key in force).
    /// Reads and key rotation work without it; appends do not.
    pub(crate) key: Result<std::sync::Arc<dyn Signer>, StoreError>,
}

/// A Haven database: `<data_dir>/haven.sqlite` and the ledger signing key beside it.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    data_dir: PathBuf,
    ledger: LedgerState,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`: applies migrations and, on first use,
    /// generates the ledger signing key and records it as the log's first entry.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let mut conn = Connection::open(data_dir.join(DATABASE_FILE))?;
        // WAL lets readers (an auditor's `verify`) run while a writer appends. synchronous=NORMAL
        // in WAL mode never corrupts or splits a transaction; a power cut may lose the last
        // commits, each together with its ledger entry, which keeps the log consistent.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        migrate::migrate(&mut conn)?;
        let ledger = ledger::init(&mut conn, data_dir)?;
        Ok(Store {
            conn,
            data_dir: data_dir.to_owned(),
            ledger,
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`, so writers queue instead of failing
    /// halfway). If `f` returns `Ok`, its changes, its ledger entries and a signed checkpoint
    /// covering them commit together; if it returns `Err` (or panics), nothing is kept.
    pub fn transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Transaction<'_>) -> Result<T, E>,
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut wrapper = Transaction {
            tx,
            ledger: &mut self.ledger,
            head: None,
            rotation: None,
        };
        let value = f(&mut wrapper)?;
        wrapper.commit()?;
        Ok(value)
    }
}

/// A write transaction in progress. Dropping it without committing rolls everything back.
#[derive(Debug)]
pub struct Transaction<'s> {
    tx: rusqlite::Transaction<'s>,
    ledger: &'s mut LedgerState,
    /// The ledger head, loaded at the first append.
    head: Option<haven_ledger::Frontier>,
    /// A key rotation to finish at commit: the new key and its not-yet-installed key file.
    rotation: Option<(SigningKey, tempfile::NamedTempFile)>,
}

impl Transaction<'_> {
    /// The SQLite connection, for the change that the ledger entry records. (A PostgreSQL store
    /// will offer the same methods on its own transaction; callers should prefer typed methods
    /// on `Transaction` as they are added.)
    pub fn sqlite(&self) -> &Connection {
        &self.tx
    }
}
