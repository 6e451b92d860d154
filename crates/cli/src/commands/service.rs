//! What the commands share: where the data is ([`Location`]: a data directory, and PostgreSQL
//! when a database URL is given), the service over it, and who the operator is.
//!
//! The command line is the console of whoever holds the data directory: it acts as the operating
//! system's user, in the role the command calls for (an officer screens and assesses, an
//! administrator imports and manages accounts, an auditor verifies), and the same cedar policy
//! as the server's decides what that role may do. The case workflow is the exception: its
//! commands act as a named account ([`ActingUser`]), because who acts is part of the record and
//! four-eyes needs two people.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use haven_app::{
    AccountName, AppError, AuthError, INDEX_FILE, IndexOrigin, Principal, Role, Service,
    ServiceOptions,
};
use haven_domain::CountryCode;
use haven_domain::workflow::{Refusal, RefusalCode};
use haven_store::{Database, PgDatabase, SqliteDatabase};
use serde::de::DeserializeOwned;

/// The receiving state when none is configured: Haven's partner table is Belgium's.
pub const DEFAULT_RECEIVING_STATE: &str = "be";

/// Where Haven keeps its state: the data directory (the SQLite database, the ledger signing key,
/// the screening index snapshot) and, when a URL is given, the PostgreSQL database that takes
/// the SQLite database's place — the key and the snapshot stay in the data directory.
#[derive(Debug, Clone)]
pub struct Location {
    /// The data directory.
    pub data_dir: PathBuf,
    /// A `postgres://` URL (DESIGN §5.1 `--database-url`), or none for the embedded SQLite.
    pub database_url: Option<String>,
}

impl Location {
    /// The embedded default: SQLite in `data_dir`.
    pub fn sqlite(data_dir: &Path) -> Location {
        Location {
            data_dir: data_dir.to_owned(),
            database_url: None,
        }
    }

    /// Where the data is, in words for messages (never the URL's password).
    pub fn describe(&self) -> String {
        match &self.database_url {
            None => format!("the store in {}", self.data_dir.display()),
            Some(url) => format!("the database {}", PgDatabase::describe_url(url)),
        }
    }

    /// Opens (creating and migrating if needed) the database.
    pub fn open_database(&self) -> anyhow::Result<Arc<dyn Database>> {
        let db: Arc<dyn Database> = match &self.database_url {
            None => Arc::new(
                SqliteDatabase::open(&self.data_dir)
                    .with_context(|| format!("opening {}", self.describe()))?,
            ),
            Some(url) => {
                std::fs::create_dir_all(&self.data_dir).with_context(|| {
                    format!("creating the data directory {}", self.data_dir.display())
                })?;
                let key = self.data_dir.join(haven_store::SIGNING_KEY_FILE);
                Arc::new(
                    PgDatabase::connect(url, &key)
                        .with_context(|| format!("opening {}", self.describe()))?,
                )
            }
        };
        Ok(db)
    }

    /// True if there is a database to open without creating one. A PostgreSQL database is
    /// created by its administrator, so a mistyped name fails to connect instead.
    pub fn has_database(&self) -> bool {
        self.database_url.is_some() || self.data_dir.join(haven_store::DATABASE_FILE).is_file()
    }
}

/// Opens the service over `location` (creating the database if needed).
pub fn open(location: &Location, receiving_state: &str) -> anyhow::Result<Service> {
    let receiving_state = CountryCode::parse(receiving_state)
        .map_err(|e| anyhow::anyhow!("receiving state {receiving_state:?}: {e}"))?;
    let db = location.open_database()?;
    Ok(Service::new(
        db,
        ServiceOptions {
            receiving_state,
            index_snapshot: Some(location.data_dir.join(INDEX_FILE)),
            clock: haven_app::Clock::system(),
        },
    ))
}

/// Opens the service over a data directory that holds persons to screen against — registry or
/// context, either may be empty (FollowTheMoney context data is often loaded before the
/// registry) — and loads the screening index. Screening against nothing at all would answer
/// "no match" and mislead, so a directory without any person is refused; an empty registry is
/// said on stderr, because no answer from such a run can be a protected person.
pub fn open_with_data(location: &Location, receiving_state: &str) -> anyhow::Result<Service> {
    if !location.has_database() {
        bail!(
            "no Haven data in {}: import a registry or context first (haven import registry FILE, \
             haven import context FILE)",
            location.data_dir.display()
        );
    }
    let service = open(location, receiving_state)?;
    let counts = service.database().data_counts()?;
    if counts.registry_persons == 0 && counts.context_persons == 0 {
        bail!(
            "no persons to screen against in {}: import a registry or context first (haven \
             import registry FILE, haven import context FILE)",
            location.describe()
        );
    }
    if counts.registry_persons == 0 {
        eprintln!(
            "haven: the protection registry is empty: screening against the context knowledge \
             base only; no protected person can be found"
        );
    }
    if let Some(IndexOrigin::Built { persons, reason }) = service
        .load_index()
        .context("loading the screening index")?
    {
        eprintln!("haven: built the screening index over {persons} persons ({reason})");
    }
    Ok(service)
}

/// The operator in `role`: the operating system's user (it is who holds the data directory),
/// or `operator` when that name is not a valid account name.
pub fn operator(role: Role) -> Principal {
    let user = std::env::var("USER").unwrap_or_default();
    let actor = AccountName::parse(&user)
        .or_else(|_| AccountName::parse("operator"))
        .expect("\"operator\" is a valid account name");
    Principal { actor, role }
}

/// Opens the service over a data directory that must already hold a database: a workflow
/// command in a mistyped directory would otherwise create an empty one and then report that
/// no account exists.
pub fn open_existing(location: &Location) -> anyhow::Result<Service> {
    if !location.has_database() {
        bail!(
            "no Haven database in {} (expected {}): import data and assess a request first",
            location.data_dir.display(),
            haven_store::DATABASE_FILE
        );
    }
    open(location, DEFAULT_RECEIVING_STATE)
}

/// Who acts in the case workflow. Unlike the console's other commands, these act as an account:
/// its role (cedar and the workflow's table) decides, and four-eyes needs two accounts, so two
/// judges are `--user judge-a` and `--user judge-b`.
#[derive(Debug, Args)]
pub struct ActingUser {
    /// The account that acts (its role decides what it may do); default: the operating
    /// system's user.
    #[arg(long = "user", global = true, env = "HAVEN_USER", value_name = "NAME")]
    pub user: Option<String>,
}

impl ActingUser {
    /// The principal of the named account, which must exist and be active.
    pub fn principal(&self, service: &Service) -> anyhow::Result<Principal> {
        let name = match &self.user {
            Some(name) => name.clone(),
            None => std::env::var("USER").map_err(|_| {
                anyhow::anyhow!("no user: pass --user NAME or set HAVEN_USER to an account's name")
            })?,
        };
        let account =
            AccountName::parse(&name).map_err(|e| anyhow::anyhow!("--user {name:?}: {e}"))?;
        match service.console_principal(&account) {
            Ok(principal) => Ok(principal),
            Err(AuthError::Invalid) => bail!(
                "no active account {name}: create one with haven user add {name} --role judge"
            ),
            Err(AuthError::Disabled) => bail!(
                "no active account {name}: the account is disabled; act as another account \
                 (--user) or create one with haven user add NAME --role judge"
            ),
            Err(other) => Err(anyhow::Error::new(other).context(format!("account {name}"))),
        }
    }
}

/// How a workflow command prints what it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Lines a person reads.
    Text,
    /// JSON, as the HTTP API answers it.
    Json,
}

/// A step the rules refused, as the command line says it: `<code>: <message>`, then each
/// missing or wrong thing on its own indented line. `main` prints it after `error: ` and
/// decides the exit code, as for every other error.
#[derive(Debug)]
pub struct Refused(pub Refusal);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0.message)?;
        for detail in &self.0.details {
            write!(f, "\n  {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Refused {}

/// Turns a workflow use case's error into the command's: refusals, a role the policy forbids
/// and a missing case or transfer keep a stable code a script can match on.
pub fn step_error(err: AppError) -> anyhow::Error {
    let refusal = match err {
        AppError::Refused(refusal) => refusal,
        AppError::Forbidden { .. } => Refusal::new(RefusalCode::Forbidden, err.to_string()),
        AppError::NotFound(_) => Refusal::new(RefusalCode::NotFound, err.to_string()),
        other => return anyhow::Error::new(other),
    };
    anyhow::Error::new(Refused(refusal))
}

/// Reads a JSON document from `path` (`-`: standard input); an error names the field at fault
/// (`inventory[0].privileged: unknown variant …`), as the HTTP API's do.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let (name, text) = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input")?;
        ("standard input".to_owned(), text)
    } else {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        (path.display().to_string(), text)
    };
    haven_domain::parse_document(&text).map_err(|e| anyhow::anyhow!("{name}: {e}"))
}
