//! The PostgreSQL store: [`PgDatabase`], the [`Database`](crate::Database) that several `haven
//! serve` processes share (DESIGN §5.1: `--database-url postgres://…`).
//!
//! The SQL is PostgreSQL's own (its migrations under `migrations/postgres/`); the rules are the
//! same as SQLite's because they are not in SQL: ledger hashing, proofs and checkpoints come from
//! `haven-ledger`, the import checks from the domain. What several processes need is here:
//! - ledger appends lock the head row (`SELECT … FOR UPDATE`), so the log never forks whichever
//!   process writes, and each committed transaction signs a checkpoint of exactly its tree;
//! - migrations and the ledger's first key run under an advisory lock, once, however many
//!   servers start together;
//! - an import announces its new data version with `NOTIFY haven_data` in its transaction, and
//!   [`Database::wait_for_change`](crate::Database::wait_for_change) waits for it on a
//!   connection of its own, so a running index catches up within moments of an import anywhere.
//!
//! Connections are pooled; one that broke (the server restarted, the network failed) is dropped
//! and the next use connects afresh, so requests fail with an "unavailable" error while the
//! database is away and succeed again when it is back.

mod accounts;
mod cases;
mod database;
mod import;
mod ledger;
mod ledger_read;
mod migrate;
mod records;
mod sessions;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use haven_ledger::{Frontier, Signer, SigningKey};
use postgres::{Client, Config, IsolationLevel, NoTls};

use crate::StoreError;

pub use migrate::PG_SCHEMA_VERSION;

/// The notification channel an import raises with its new data version.
pub(crate) const DATA_CHANNEL: &str = "haven_data";

/// The current time as the RFC 3339 UTC text SQLite's `strftime('%Y-%m-%dT%H:%M:%SZ', 'now')`
/// writes, so both stores hand the service the same strings.
pub(crate) const NOW_UTC: &str =
    "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";

/// Connections kept open between uses; more are opened under load and closed after.
const POOLED_CONNECTIONS: usize = 8;

/// How long a connection attempt may take when the URL does not say (`connect_timeout=`): a
/// request must fail as "unavailable" in reasonable time while the database is away.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The ledger's identity and signing key in this process (see `crate::LedgerState`).
#[derive(Debug)]
pub(crate) struct PgLedger {
    pub(crate) origin: String,
    pub(crate) key_path: PathBuf,
    pub(crate) key: Result<Arc<dyn Signer>, StoreError>,
}

/// A PostgreSQL database shared by every thread of a server, and by several servers.
pub struct PgDatabase {
    config: Config,
    /// Where the database is, without the password, for messages and logs.
    location: String,
    pool: Mutex<Vec<Client>>,
    listener: Mutex<Option<Client>>,
    pub(crate) ledger: Mutex<PgLedger>,
}

impl std::fmt::Debug for PgDatabase {
    // The configuration holds the password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgDatabase")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Drop for PgDatabase {
    /// Closes the connections on a thread of their own: the last handle may be dropped on an
    /// async runtime's worker (a server task's state), where the client's blocking close would
    /// panic. The close only says goodbye to the server, so nothing waits for it.
    fn drop(&mut self) {
        let pooled = std::mem::take(&mut *lock(&self.pool));
        let listener = lock(&self.listener).take();
        if pooled.is_empty() && listener.is_none() {
            return;
        }
        let closing = std::thread::Builder::new()
            .name("haven-pg-close".into())
            .spawn(move || drop((pooled, listener)));
        // Without a thread the clients are dropped here, which is right off a runtime anyway.
        drop(closing);
    }
}

/// A poisoned lock means a thread panicked holding it; the data behind it (a pool, a listener,
/// the ledger's key) stays consistent because every change to it is a single assignment.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `host:port/dbname` of a configuration, never its password.
pub(crate) fn describe(config: &Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("postgres://{host}:{port}/{db}")
}

impl PgDatabase {
    /// Connects to the database at `url` (a `postgres://` URL or a libpq key=value string),
    /// applies migrations (once, under an advisory lock, however many servers start together)
    /// and loads the ledger signing key from `key_path`: on first use of the database the key is
    /// created there and announced as the log's first entry. Every server sharing the database
    /// must be given the same key file.
    pub fn connect(url: &str, key_path: &Path) -> Result<PgDatabase, StoreError> {
        let mut config: Config = url
            .parse()
            .map_err(|err: postgres::Error| StoreError::DatabaseUrl(err.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("haven");
        }
        let location = describe(&config);
        let mut client = config.connect(NoTls)?;
        migrate::migrate(&mut client)?;
        let ledger = ledger::init(&mut client, key_path)?;
        Ok(PgDatabase {
            config,
            location,
            pool: Mutex::new(vec![client]),
            listener: Mutex::new(None),
            ledger: Mutex::new(ledger),
        })
    }

    /// Where the database at `url` is (`postgres://host:port/dbname`), without credentials, for
    /// messages written before (or instead of) connecting.
    pub fn describe_url(url: &str) -> String {
        match url.parse::<Config>() {
            Ok(config) => describe(&config),
            Err(_) => "(a database URL that does not parse)".into(),
        }
    }

    /// Where the database is (`postgres://host:port/dbname`), without credentials.
    pub fn location(&self) -> &str {
        &self.location
    }

    fn checkout(&self) -> Result<Client, StoreError> {
        loop {
            let pooled = lock(&self.pool).pop();
            match pooled {
                Some(client) if client.is_closed() => continue,
                Some(client) => return Ok(client),
                None => return Ok(self.config.connect(NoTls)?),
            }
        }
    }

    fn checkin(&self, client: Client) {
        if client.is_closed() {
            return;
        }
        let mut pool = lock(&self.pool);
        if pool.len() < POOLED_CONNECTIONS {
            pool.push(client);
        }
    }

    /// Runs `f` in a read-only snapshot (REPEATABLE READ), so everything it reads is of one
    /// moment.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.checkout()?;
        let result = (|| {
            let mut tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })();
        self.checkin(client);
        result
    }

    /// Runs `f` in one write transaction. If `f` returns `Ok`, its changes, its ledger entries
    /// and a signed checkpoint covering them commit together; if it returns `Err` (or panics),
    /// nothing is kept.
    pub(crate) fn write<T, E>(
        &self,
        f: impl FnOnce(&mut PgTransaction<'_>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut client = self.checkout()?;
        let result = (|| {
            let tx = client.transaction().map_err(StoreError::from)?;
            let mut wrapper = PgTransaction {
                tx,
                db: self,
                head: None,
                in_force: None,
                rotation: None,
            };
            let value = f(&mut wrapper)?;
            wrapper.commit()?;
            Ok(value)
        })();
        self.checkin(client);
        result
    }

    /// Waits up to `timeout` for an import anywhere to announce new data. `Ok(true)`: something
    /// may have changed (a notification came, or the listening connection was just (re)made and
    /// notifications may have been missed meanwhile), so the caller should catch up.
    pub(crate) fn wait_for_change(&self, timeout: Duration) -> Result<bool, StoreError> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut listener = lock(&self.listener);
        let client = match listener.as_mut() {
            Some(client) if !client.is_closed() => client,
            _ => {
                *listener = None;
                let mut client = self.config.connect(NoTls)?;
                client.batch_execute(&format!("LISTEN {DATA_CHANNEL}"))?;
                *listener = Some(client);
                return Ok(true);
            }
        };
        let outcome = {
            let mut notifications = client.notifications();
            let first = notifications.timeout_iter(timeout).next();
            match first {
                Ok(Some(_)) => {
                    // Several imports may have announced themselves: one catch-up covers them.
                    while let Ok(Some(_)) = notifications.iter().next() {}
                    Ok(true)
                }
                Ok(None) => Ok(false),
                Err(err) => Err(err),
            }
        };
        if outcome.is_err() {
            *listener = None;
        }
        Ok(outcome?)
    }
}

/// A write transaction in progress on PostgreSQL. Dropping it without committing rolls
/// everything back.
pub(crate) struct PgTransaction<'c> {
    pub(crate) tx: postgres::Transaction<'c>,
    pub(crate) db: &'c PgDatabase,
    /// The ledger head, loaded (and locked) at the first append.
    head: Option<Frontier>,
    /// The key the log has in force, read with the head (it cannot change while the head is
    /// locked: a rotation locks it too).
    in_force: Option<String>,
    /// A key rotation to finish at commit: the new key and its not-yet-installed key file.
    rotation: Option<(SigningKey, tempfile::NamedTempFile)>,
}

impl PgTransaction<'_> {
    /// Announces, at commit, that the registry or context data reached `version`.
    pub(crate) fn notify_data_changed(&mut self, version: u64) -> Result<(), StoreError> {
        self.tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&DATA_CHANNEL, &version.to_string()],
        )?;
        Ok(())
    }
}

/// Ledger sizes, indexes and versions as PostgreSQL BIGINTs (far below 2^63; saturate rather
/// than wrap on nonsense).
pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A BIGINT read back (never negative when this store wrote it).
pub(crate) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
