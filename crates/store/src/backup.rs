//! Backups of a Haven database and their restore, for both stores, taken while servers run.
//!
//! SQLite: the online backup API copies every page from one read snapshot (WAL lets writers go on
//! meanwhile) into a temporary file beside the backup, which is renamed into place only when
//! complete. PostgreSQL: `pg_dump --format=custom` under a snapshot exported by a transaction of
//! ours, so the counts reported are those of the dump.
//!
//! A restore refuses a target that already holds data, checks the file before anything is put in
//! place, verifies the restored ledger and reports what it holds. The ledger signing key is never
//! in a backup (it is a secret kept apart); a restore says which key the ledger needs when the
//! key file is missing.

use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use haven_ledger::VerifiedLog;
use postgres::{Config, NoTls};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::{
    DATABASE_FILE, Database, LedgerState, PgDatabase, Store, StoreError, ledger, migrate, pg,
};

/// The first bytes of an SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// The first bytes of a `pg_dump --format=custom` archive.
const PGDUMP_MAGIC: &[u8] = b"PGDMP";

/// How long a backup keeps retrying while another connection holds a lock the copy needs (a
/// checkpoint, WAL recovery): the busy timeout writers use.
const LOCKED_RETRY_FOR: Duration = crate::BUSY_TIMEOUT;

/// Counts of the same moment: what a backup holds or a restore brought back.
const COUNTS_SQL: &str = "SELECT (SELECT COUNT(*) FROM ledger_entries), \
     (SELECT COUNT(*) FROM registry_persons) + (SELECT COUNT(*) FROM context_persons), \
     (SELECT COUNT(*) FROM cases)";

/// Which store a backup file is of, told from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    /// An SQLite database file (a copy of `haven.sqlite`).
    Sqlite,
    /// A PostgreSQL custom-format dump.
    Postgres,
}

impl BackupKind {
    /// The kind of the file at `path`.
    pub fn of_file(path: &Path) -> Result<BackupKind, BackupError> {
        let mut head = Vec::with_capacity(SQLITE_MAGIC.len());
        File::open(path)
            .and_then(|file| file.take(SQLITE_MAGIC.len() as u64).read_to_end(&mut head))
            .map_err(|source| BackupError::Io {
                path: path.to_owned(),
                source,
            })?;
        if head.starts_with(SQLITE_MAGIC) {
            Ok(BackupKind::Sqlite)
        } else if head.starts_with(PGDUMP_MAGIC) {
            Ok(BackupKind::Postgres)
        } else {
            Err(BackupError::NotABackup {
                path: path.to_owned(),
            })
        }
    }

    /// The kind in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            BackupKind::Sqlite => "an SQLite database (haven.sqlite)",
            BackupKind::Postgres => "a PostgreSQL database (pg_dump custom format)",
        }
    }
}

/// Entries, persons and cases of one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupCounts {
    /// Ledger entries.
    pub entries: u64,
    /// Registry and context persons.
    pub persons: u64,
    /// Cases.
    pub cases: u64,
}

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    /// The backup file.
    pub file: PathBuf,
    /// Its kind.
    pub kind: BackupKind,
    /// What it holds.
    pub counts: BackupCounts,
}

/// Whether the restored ledger can sign new entries with the key file beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoredKey {
    /// The key file holds the key in force.
    Ready,
    /// No key file: the backed-up one must be put back (or a new key recorded).
    Missing {
        /// Where the key file belongs.
        path: PathBuf,
        /// The public key in force, which the key file must match.
        in_force: String,
    },
    /// The key file holds another key than the one in force.
    Mismatch {
        /// The key file.
        path: PathBuf,
        /// Its public key.
        found: String,
        /// The public key in force.
        in_force: String,
    },
    /// The key file cannot be used for another reason (unreadable, malformed).
    Unusable(String),
}

/// What a restore brought back.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// Where the data now is (a database file, or `postgres://host:port/dbname`).
    pub location: String,
    /// What it holds.
    pub counts: BackupCounts,
    /// The verified ledger's size.
    pub verified_entries: u64,
    /// The verified ledger's root.
    pub root: String,
    /// The signing key's state.
    pub key: RestoredKey,
}

/// What can go wrong in a backup or a restore. No message repeats a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// There is no database to back up.
    #[error("no Haven database at {0}: nothing to back up")]
    NoDatabase(String),
    /// A file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The backup would replace the database it is taken from.
    #[error("{0} is the database itself: write the backup to another file")]
    OverSource(PathBuf),
    /// The file is neither kind of backup.
    #[error(
        "{path} is not a Haven backup: it is neither an SQLite database nor a PostgreSQL \
         custom-format dump"
    )]
    NotABackup {
        /// The file.
        path: PathBuf,
    },
    /// A backup of one store given to the other.
    #[error(
        "{path} is a backup of {found}; it cannot be restored into {target}{hint}",
        found = found.describe(), target = target.describe(),
        hint = match target {
            BackupKind::Postgres => ": restore it without a database URL, into a data directory",
            BackupKind::Sqlite => ": restore it with a database URL (--database-url)",
        }
    )]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// What the file is a backup of.
        found: BackupKind,
        /// The store it was to be restored into.
        target: BackupKind,
    },
    /// The target already holds data; nothing was changed.
    #[error("{target} already holds {what}; nothing was restored. {remedy}")]
    TargetNotEmpty {
        /// The data directory or database.
        target: String,
        /// What is there.
        what: String,
        /// What to do.
        remedy: &'static str,
    },
    /// The backup file is incomplete or damaged; nothing was restored.
    #[error("{path} is damaged or incomplete ({reason}); nothing was restored")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The backup's ledger does not verify; nothing was restored.
    #[error("the backup's ledger does not verify: {0}; nothing was restored")]
    Unverified(StoreError),
    /// The ledger restored into PostgreSQL does not verify (`pg_restore` had committed).
    #[error(
        "the restored ledger does not verify: {source}. The restored data is in {location}: \
         drop that database before using it"
    )]
    RestoredUnverified {
        /// The database holding the restored data.
        location: String,
        /// Why it does not verify.
        source: StoreError,
    },
    /// A PostgreSQL client program is not installed.
    #[error(
        "{0} was not found: install the PostgreSQL client programs (of the server's major \
         version or newer) and put {0} on PATH"
    )]
    ToolMissing(&'static str),
    /// A PostgreSQL client program failed.
    #[error("{tool} failed ({status}): {stderr}")]
    ToolFailed {
        /// The program.
        tool: &'static str,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// What it said.
        stderr: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for BackupError {
    fn from(err: rusqlite::Error) -> BackupError {
        BackupError::Store(StoreError::Sqlite(err))
    }
}

impl From<postgres::Error> for BackupError {
    fn from(err: postgres::Error) -> BackupError {
        BackupError::Store(StoreError::Postgres(err))
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

fn to_counts(entries: i64, persons: i64, cases: i64) -> BackupCounts {
    BackupCounts {
        entries: pg::to_u64(entries),
        persons: pg::to_u64(persons),
        cases: pg::to_u64(cases),
    }
}

fn sqlite_counts(conn: &Connection) -> Result<BackupCounts, BackupError> {
    Ok(conn.query_row(COUNTS_SQL, [], |r| {
        Ok(to_counts(r.get(0)?, r.get(1)?, r.get(2)?))
    })?)
}

/// A temporary file beside `file`, so the final rename stays on one file system. Created with
/// mode 0600 (tempfile's default on Unix): a backup holds protection data.
fn temp_beside(file: &Path) -> Result<tempfile::NamedTempFile, BackupError> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(io_error(file))
}

/// Syncs a finished temporary file and renames it to `file` (replacing an older backup).
fn install(temp: tempfile::NamedTempFile, file: &Path) -> Result<(), BackupError> {
    temp.as_file().sync_all().map_err(io_error(file))?;
    temp.persist(file).map_err(|err| BackupError::Io {
        path: file.to_owned(),
        source: err.error,
    })?;
    Ok(())
}

/// Backs up the SQLite database of `data_dir` to `file`, consistently while servers write to it.
pub fn backup_sqlite(data_dir: &Path, file: &Path) -> Result<BackupReport, BackupError> {
    let source_path = data_dir.join(DATABASE_FILE);
    if !source_path.is_file() {
        return Err(BackupError::NoDatabase(source_path.display().to_string()));
    }
    if let (Ok(a), Ok(b)) = (source_path.canonicalize(), file.canonicalize())
        && a == b
    {
        return Err(BackupError::OverSource(file.to_owned()));
    }
    // Opened without CREATE and without migrating: a backup never changes its source.
    let source = Connection::open_with_flags(
        &source_path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    source.busy_timeout(crate::BUSY_TIMEOUT)?;
    let temp = temp_beside(file)?;
    let mut dest = Connection::open(temp.path())?;
    {
        let backup = Backup::new(&source, &mut dest)?;
        let started = std::time::Instant::now();
        // One step of every page (-1) copies from a single read transaction: the snapshot of
        // one moment. Smaller steps would restart whenever another process commits.
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                // Busy or Locked (StepResult is non-exhaustive: anything else is not done
                // either): another connection holds a lock the copy needs, for a moment.
                _ if started.elapsed() < LOCKED_RETRY_FOR => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                _ => {
                    return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        Some("the database stayed locked during the backup".into()),
                    ))
                    .into());
                }
            }
        }
    }
    // The copy carries the source's WAL mode; a rollback journal makes the backup one
    // self-contained file (the store turns WAL back on when it opens a restored copy).
    dest.pragma_update(None, "journal_mode", "DELETE")?;
    let counts = sqlite_counts(&dest)?;
    dest.close().map_err(|(_, err)| BackupError::from(err))?;
    install(temp, file)?;
    Ok(BackupReport {
        file: file.to_owned(),
        kind: BackupKind::Sqlite,
        counts,
    })
}

/// A file shorter than its header says was cut off (a copy or transfer interrupted).
fn check_sqlite_length(file: &Path) -> Result<(), BackupError> {
    let mut header = [0u8; 100];
    let mut handle = File::open(file).map_err(io_error(file))?;
    let damaged = |reason: String| BackupError::Damaged {
        path: file.to_owned(),
        reason,
    };
    handle
        .read_exact(&mut header)
        .map_err(|_| damaged("shorter than an SQLite header".into()))?;
    let len = handle.metadata().map_err(io_error(file))?.len();
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536,
        n => u64::from(n),
    };
    let change_counter = &header[24..28];
    let valid_for = &header[92..96];
    let pages = u64::from(u32::from_be_bytes([
        header[28], header[29], header[30], header[31],
    ]));
    if page_size < 512 || !page_size.is_power_of_two() {
        return Err(damaged(format!("page size {page_size}")));
    }
    // The page count in the header is trustworthy only when written by the last change. Only a
    // shorter file is refused here; anything else wrong is for SQLite's own check.
    if change_counter == valid_for && pages > 0 && len < pages * page_size {
        return Err(damaged(format!(
            "the header says {} bytes, the file has {len}",
            pages * page_size
        )));
    }
    if len % page_size != 0 {
        return Err(damaged(format!(
            "{len} bytes is not a whole number of {page_size}-byte pages"
        )));
    }
    Ok(())
}

fn key_state(key: &Result<std::sync::Arc<dyn haven_ledger::Signer>, StoreError>) -> RestoredKey {
    match key {
        Ok(_) => RestoredKey::Ready,
        Err(StoreError::KeyMissing { path, in_force }) => RestoredKey::Missing {
            path: path.clone(),
            in_force: in_force.clone(),
        },
        Err(StoreError::KeyMismatch {
            path,
            found,
            in_force,
        }) => RestoredKey::Mismatch {
            path: path.clone(),
            found: found.clone(),
            in_force: in_force.clone(),
        },
        Err(other) => RestoredKey::Unusable(other.to_string()),
    }
}

fn refuse_wrong_kind(file: &Path, target: BackupKind) -> Result<(), BackupError> {
    let found = BackupKind::of_file(file)?;
    if found != target {
        return Err(BackupError::WrongKind {
            path: file.to_owned(),
            found,
            target,
        });
    }
    Ok(())
}

/// Restores an SQLite backup into `data_dir`, which must not hold a database yet. The copy is
/// checked (complete, intact, a Haven database whose ledger verifies) before it is renamed into
/// place, so a refused restore changes nothing.
pub fn restore_sqlite(file: &Path, data_dir: &Path) -> Result<RestoreReport, BackupError> {
    let target = data_dir.join(DATABASE_FILE);
    let wal = data_dir.join(format!("{DATABASE_FILE}-wal"));
    if target.exists() || wal.exists() {
        return Err(BackupError::TargetNotEmpty {
            target: format!("the data directory {}", data_dir.display()),
            what: format!("a Haven database ({DATABASE_FILE})"),
            remedy: "Restore into a new, empty data directory (--data-dir), or move the \
                     existing database away first.",
        });
    }
    refuse_wrong_kind(file, BackupKind::Sqlite)?;
    check_sqlite_length(file)?;
    let created_dir = !data_dir.exists();
    std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    let result = restore_sqlite_into(file, data_dir, &target);
    if result.is_err() && created_dir {
        // Leave no trace of a refused restore; remove_dir fails (harmlessly) if anything else
        // was put there meanwhile.
        let _ = std::fs::remove_dir(data_dir);
    }
    result
}

fn restore_sqlite_into(
    file: &Path,
    data_dir: &Path,
    target: &Path,
) -> Result<RestoreReport, BackupError> {
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{DATABASE_FILE}.restore."))
        .tempfile_in(data_dir)
        .map_err(io_error(target))?;
    let mut source = File::open(file).map_err(io_error(file))?;
    std::io::copy(&mut source, temp.as_file_mut()).map_err(io_error(target))?;
    temp.as_file().sync_all().map_err(io_error(target))?;

    let damaged = |reason: String| BackupError::Damaged {
        path: file.to_owned(),
        reason,
    };
    let mut conn = Connection::open(temp.path())?;
    // A copy of a live WAL database keeps its journal in one file once converted, so the rename
    // below moves everything.
    conn.pragma_update(None, "journal_mode", "DELETE")
        .map_err(|err| damaged(err.to_string()))?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|err| damaged(err.to_string()))?;
    if check != "ok" {
        return Err(damaged(check));
    }
    // Checked before migrating, which would otherwise turn any SQLite file into a Haven one.
    let keys: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'ledger_keys'",
            [],
            |r| r.get(0),
        )
        .map_err(|err| damaged(err.to_string()))?;
    let keys = if keys == 0 {
        0
    } else {
        conn.query_row("SELECT COUNT(*) FROM ledger_keys", [], |r| {
            r.get::<_, i64>(0)
        })?
    };
    if keys == 0 {
        // Without a key in force, opening would start a new ledger instead of restoring one.
        return Err(damaged(
            "not a Haven database: it has no ledger signing key".into(),
        ));
    }
    migrate::migrate(&mut conn)?;
    let ledger: LedgerState = ledger::init(&mut conn, data_dir)?;
    let store = Store {
        conn,
        data_dir: data_dir.to_owned(),
        ledger,
    };
    let log = store.verify_ledger().map_err(BackupError::Unverified)?;
    let counts = sqlite_counts(&store.conn)?;
    let key = key_state(&store.ledger.key);
    store
        .conn
        .close()
        .map_err(|(_, err)| BackupError::from(err))?;
    temp.persist_noclobber(target).map_err(|err| {
        if err.error.kind() == std::io::ErrorKind::AlreadyExists {
            BackupError::TargetNotEmpty {
                target: format!("the data directory {}", data_dir.display()),
                what: format!("a Haven database ({DATABASE_FILE}), created during the restore"),
                remedy: "Restore into a new, empty data directory.",
            }
        } else {
            BackupError::Io {
                path: target.to_owned(),
                source: err.error,
            }
        }
    })?;
    Ok(report(target.display().to_string(), counts, &log, key))
}

fn report(
    location: String,
    counts: BackupCounts,
    log: &VerifiedLog,
    key: RestoredKey,
) -> RestoreReport {
    RestoreReport {
        location,
        counts,
        verified_entries: log.size,
        root: log.root.to_string(),
        key,
    }
}

fn parse_url(url: &str) -> Result<Config, BackupError> {
    url.parse()
        .map_err(|err: postgres::Error| StoreError::DatabaseUrl(err.to_string()).into())
}

/// A PostgreSQL client program connecting where `config` says. The password goes in the
/// environment (`PGPASSWORD`), never on the command line, where any local user could read it.
fn pg_command(tool: &'static str, config: &Config) -> Result<Command, BackupError> {
    let mut cmd = Command::new(tool);
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        cmd.env("PGHOST", hosts.join(","));
    }
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    if !ports.is_empty() {
        cmd.env("PGPORT", ports.join(","));
    }
    if let Some(user) = config.get_user() {
        cmd.env("PGUSER", user);
    }
    match config.get_password() {
        Some(password) => {
            let password = std::str::from_utf8(password)
                .map_err(|_| StoreError::DatabaseUrl("the password is not UTF-8 text".into()))?;
            cmd.env("PGPASSWORD", password);
        }
        // Not one inherited from the environment for another database.
        None => {
            cmd.env_remove("PGPASSWORD");
        }
    }
    if let Some(timeout) = config.get_connect_timeout() {
        cmd.env("PGCONNECT_TIMEOUT", timeout.as_secs().max(1).to_string());
    }
    cmd.env("PGAPPNAME", format!("haven {tool}"));
    // Never wait for a password on a terminal.
    cmd.arg("--no-password");
    Ok(cmd)
}

/// `--dbname` as a connection string naming only the database (quoted, so no name is read as
/// an option or as more connection settings).
fn dbname_arg(config: &Config) -> OsString {
    let name = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    let quoted = name.replace('\\', "\\\\").replace('\'', "\\'");
    OsString::from(format!("--dbname=dbname='{quoted}'"))
}

fn run_tool(tool: &'static str, mut cmd: Command) -> Result<std::process::Output, BackupError> {
    let output = cmd.output().map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            BackupError::ToolMissing(tool)
        } else {
            BackupError::Io {
                path: tool.into(),
                source: err,
            }
        }
    })?;
    if !output.status.success() {
        return Err(BackupError::ToolFailed {
            tool,
            status: output.status,
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(output)
}

/// Backs up the PostgreSQL database at `url` to `file` with `pg_dump --format=custom`, which
/// reads one snapshot: the one a transaction of ours exports and counts in.
pub fn backup_postgres(url: &str, file: &Path) -> Result<BackupReport, BackupError> {
    let config = parse_url(url)?;
    let location = pg::describe(&config);
    let mut client = config.connect(NoTls)?;
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let snapshot: String = tx.query_one("SELECT pg_export_snapshot()", &[])?.get(0);
    let row = match tx.query_one(COUNTS_SQL, &[]) {
        Ok(row) => row,
        Err(err) if err.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) => {
            return Err(BackupError::NoDatabase(location));
        }
        Err(err) => return Err(err.into()),
    };
    let counts = to_counts(row.get(0), row.get(1), row.get(2));
    let temp = temp_beside(file)?;
    let mut cmd = pg_command("pg_dump", &config)?;
    cmd.arg("--format=custom")
        .arg(format!("--snapshot={snapshot}"))
        .arg("--file")
        .arg(temp.path())
        .arg(dbname_arg(&config));
    run_tool("pg_dump", cmd)?;
    // The snapshot must live until pg_dump has taken it.
    tx.commit()?;
    install(temp, file)?;
    Ok(BackupReport {
        file: file.to_owned(),
        kind: BackupKind::Postgres,
        counts,
    })
}

/// Restores a `pg_dump` backup into the PostgreSQL database at `url`, which must hold no table
/// yet, in one transaction (`pg_restore --single-transaction --exit-on-error`, so a damaged
/// file leaves the database empty); then opens it with the key file `key_path` and verifies the
/// ledger.
pub fn restore_postgres(
    file: &Path,
    url: &str,
    key_path: &Path,
) -> Result<RestoreReport, BackupError> {
    let config = parse_url(url)?;
    let location = pg::describe(&config);
    refuse_wrong_kind(file, BackupKind::Postgres)?;
    let mut client = config.connect(NoTls)?;
    let tables: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM pg_catalog.pg_tables \
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
            &[],
        )?
        .get(0);
    drop(client);
    if tables > 0 {
        return Err(BackupError::TargetNotEmpty {
            target: format!("the database {location}"),
            what: format!("{tables} table(s)"),
            remedy: "Restore into a new, empty database (CREATE DATABASE …), or drop this one \
                     and create it again first.",
        });
    }
    // Reading the table of contents catches a file cut off in its header before connecting.
    let mut list = pg_command("pg_restore", &config)?;
    list.arg("--list").arg(file);
    let contents = run_tool("pg_restore", list).map_err(|err| match err {
        BackupError::ToolFailed { stderr, .. } => BackupError::Damaged {
            path: file.to_owned(),
            reason: stderr,
        },
        other => other,
    })?;
    // A dump of another application's database would be restored and then migrated into a
    // Haven database with a new ledger: refuse it before anything is written.
    if !String::from_utf8_lossy(&contents.stdout).contains("TABLE DATA public ledger_keys ") {
        return Err(BackupError::Damaged {
            path: file.to_owned(),
            reason: "not a dump of a Haven database: it has no ledger signing keys".into(),
        });
    }
    let mut restore = pg_command("pg_restore", &config)?;
    restore
        .args(["--no-owner", "--exit-on-error", "--single-transaction"])
        .arg(dbname_arg(&config))
        .arg(file);
    run_tool("pg_restore", restore).map_err(|err| match err {
        BackupError::ToolFailed { stderr, .. } => BackupError::Damaged {
            path: file.to_owned(),
            reason: stderr,
        },
        other => other,
    })?;
    let db = PgDatabase::connect(url, key_path)?;
    let log = db
        .verify_ledger()
        .map_err(|source| BackupError::RestoredUnverified {
            location: location.clone(),
            source,
        })?;
    let counts = db.read(|tx| {
        let row = tx.query_one(COUNTS_SQL, &[])?;
        Ok(to_counts(row.get(0), row.get(1), row.get(2)))
    })?;
    let key = key_state(&pg::lock(&db.ledger).key);
    Ok(report(location, counts, &log, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_goes_in_the_environment_never_on_the_command_line() {
        let config = parse_url("postgres://haven:s3cret-pw@db.example:6543/it's").expect("a URL");
        let mut cmd = pg_command("pg_dump", &config).expect("a command");
        cmd.arg(dbname_arg(&config));
        for arg in cmd.get_args() {
            assert!(!arg.to_string_lossy().contains("s3cret"), "{arg:?}");
        }
        let env: Vec<(String, Option<String>)> = cmd
            .get_envs()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.map(|v| v.to_string_lossy().into_owned()),
                )
            })
            .collect();
        let get = |key: &str| {
            env.iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.clone())
        };
        assert_eq!(get("PGPASSWORD").as_deref(), Some("s3cret-pw"));
        assert_eq!(get("PGHOST").as_deref(), Some("db.example"));
        assert_eq!(get("PGPORT").as_deref(), Some("6543"));
        assert_eq!(get("PGUSER").as_deref(), Some("haven"));
        // The database name is quoted: a quote in it cannot add connection settings.
        assert_eq!(
            cmd.get_args()
                .last()
                .map(|a| a.to_string_lossy().into_owned()),
            Some(r"--dbname=dbname='it\'s'".to_owned())
        );
    }

    #[test]
    fn without_a_password_none_is_inherited() {
        let config = parse_url("postgres://haven@localhost/haven").expect("a URL");
        let cmd = pg_command("pg_restore", &config).expect("a command");
        assert!(
            cmd.get_envs()
                .any(|(k, v)| k == "PGPASSWORD" && v.is_none())
        );
    }

    #[test]
    fn a_missing_client_program_is_named() {
        let err = run_tool("pg_dump", Command::new("/nonexistent/haven-test/pg_dump"))
            .expect_err("not installed");
        assert!(matches!(err, BackupError::ToolMissing("pg_dump")), "{err}");
        assert!(
            err.to_string()
                .starts_with("pg_dump was not found: install the PostgreSQL client"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_url_is_reported_without_repeating_it() {
        let err = parse_url("postgres://haven:s3cret@[bad").expect_err("not a URL");
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
