//! Haven's service layer: one method of [`Service`] per use case — screen, assess and record,
//! read cases and their context network, consult a protected record, import, read and verify
//! the ledger, manage accounts, authenticate — called alike by the `haven` command line and the
//! HTTP server.
//!
//! **Architecture Invariant:** no HTTP, no argument parsing, no printing. Every use case takes
//! the [`Principal`] asking, checks what its role may do with the bundled cedar policy
//! (`haven-access`) before touching data, and records in the ledger what the law requires to be
//! recorded (screenings, protected-record reads, imports, decisions, account changes) in the
//! same transaction as the change. What a role may *see* is decided in one place,
//! [`need_to_know`]: protection details (status, granting state, dates) reach only a role the
//! policy allows `view_protection_details`, and every such read is a ledger entry.
//!
//! The service owns the process's long-lived screening index ([`screening_index`]) and keeps it
//! current incrementally: after an import through it, and on [`Service::catch_up`] for imports
//! made by other processes, which a [`ChangeFollower`] calls as soon as the database announces
//! one.

mod accounts;
mod cases;
mod follow;
mod imports;
mod knowledge;
mod ledger;
pub mod need_to_know;
pub mod network;
mod screening;
pub mod screening_index;
mod sessions;
mod workflow;

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use haven_access::{Action, Authorizer};
use haven_domain::CountryCode;
use haven_ledger::{Actor, Entry, Justification};
use haven_store::{Database, StoreError};

pub use accounts::{AuthError, NewUser, UserSummary};
pub use cases::{Assessed, CaseFilter, CaseListing, CaseView, HistoryEntry, ProtectionFlag};
pub use follow::ChangeFollower;
pub use haven_access::{AccountName, Principal, Role};
pub use imports::{
    FileSource, ImportKind, ImportOutcome, ImportProgress, ImportSource, MemorySource,
};
pub use ledger::{CheckpointCheck, SignatureCheck};
pub use need_to_know::{ProtectionView, ScreenedMatch};
pub use network::{ContextNetwork, NetworkEdge, NetworkNode, NodeFinding};
pub use screening::ScreenOptions;
pub use screening_index::{INDEX_FILE, IndexOrigin, IndexUpdate, ScreeningIndex};
pub use sessions::{
    LOCKED_FOR, MAX_FAILED_SIGN_INS, SESSION_IDLE, SESSION_MAX, SignInError, SignedIn, WebSession,
    random_token,
};
pub use workflow::{
    EventOutcome, ReferralListing, Statistics, StatisticsRow, TransferRequest, TransferView,
};

/// What a use case could not do. Each variant maps to one HTTP status and one exit message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The principal's role may not do this.
    #[error("the {role} role may not {action}")]
    Forbidden {
        /// The role's wire name.
        role: &'static str,
        /// The action's wire name.
        action: &'static str,
    },
    /// What was asked for does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The input is invalid; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// An import had invalid lines and stored nothing.
    #[error("{} invalid line(s); nothing was imported", haven_store::distinct_lines(.rejects))]
    InvalidImport {
        /// Every invalid line, with the field and reason.
        rejects: Vec<haven_store::Reject>,
    },
    /// The request conflicts with the stored state (a name taken).
    #[error("{0}")]
    Conflict(String),
    /// A case step the rules refuse (DESIGN §5.5): its stable code says which rule.
    #[error(transparent)]
    Refused(haven_domain::workflow::Refusal),
    /// The database cannot be reached or opened.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] StoreError),
    /// The store failed otherwise.
    #[error(transparent)]
    Store(StoreError),
    /// The assessment could not account for a candidate.
    #[error(transparent)]
    Assess(#[from] haven_assess::AssessError),
    /// The import input could not be read.
    #[error("reading {name}: {source}")]
    Input {
        /// The input's name.
        name: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The ledger does not verify: the message names the first bad entry.
    #[error("the ledger does not verify: {0}")]
    Tampered(String),
    /// The screening index snapshot could not be saved.
    #[error("screening index: {0}")]
    Index(String),
    /// Hashing a credential failed.
    #[error("credentials: {0}")]
    Credentials(String),
}

impl AppError {
    /// Sorts a store error: SQLite failing to open or reach its file is "unavailable" (a
    /// client may retry); anything else is the store's own error.
    pub(crate) fn from_store(err: StoreError) -> AppError {
        match err {
            err if err.is_unavailable() => AppError::Unavailable(err),
            StoreError::AccountExists(name) => {
                AppError::Conflict(format!("an account named {name:?} already exists"))
            }
            other => AppError::Store(other),
        }
    }
}

/// An entry or object id the service composed was refused by the ledger's checks (a field too
/// long, a character it may not hold): said as invalid input, naming the ledger entry.
impl From<haven_ledger::EntryError> for AppError {
    fn from(err: haven_ledger::EntryError) -> AppError {
        AppError::Invalid(format!("ledger entry: {err}"))
    }
}

/// How a service is set up.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// The state that receives requests and runs Haven (protection granted by any other state
    /// is a finding of its own).
    pub receiving_state: CountryCode,
    /// Where the screening index snapshot is kept (`None`: never saved, always built).
    pub index_snapshot: Option<PathBuf>,
    /// The time every case step is stamped with.
    pub clock: Clock,
}

/// The service's clock: the system's, which a test may move forward to see referrals fall due.
/// Clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// Now, to the millisecond (the ledger's precision), moved by any offset.
    pub fn now(&self) -> jiff::Timestamp {
        let now = jiff::Timestamp::now();
        let moved = now
            .checked_add(jiff::SignedDuration::from_secs(
                self.offset_seconds.load(Ordering::Relaxed),
            ))
            .unwrap_or(now);
        moved.round(jiff::Unit::Millisecond).unwrap_or(moved)
    }

    /// Moves the clock forward (tests and demonstrations only).
    pub fn advance(&self, by: jiff::SignedDuration) {
        self.offset_seconds
            .fetch_add(by.as_secs(), Ordering::Relaxed);
    }
}

/// Haven's use cases over one database and one long-lived screening index. `Send + Sync`: a
/// server shares one across all its threads.
#[derive(Debug)]
pub struct Service {
    db: Arc<dyn Database>,
    /// Loaded on first use (an import or an account change from the command line never needs
    /// it; a server loads it at start with [`Service::load_index`]).
    index: OnceLock<ScreeningIndex>,
    index_loading: Mutex<()>,
    options: ServiceOptions,
    tokens: accounts::TokenCache,
}

impl Service {
    /// Opens the service over a database. The screening index is loaded when first needed.
    pub fn new(db: Arc<dyn Database>, options: ServiceOptions) -> Service {
        Service {
            db,
            index: OnceLock::new(),
            index_loading: Mutex::new(()),
            options,
            tokens: accounts::TokenCache::default(),
        }
    }

    /// The clock every case step is stamped with.
    pub fn clock(&self) -> &Clock {
        &self.options.clock
    }

    /// The database (for front ends' own read-only reports, e.g. counts at start-up).
    pub fn database(&self) -> &dyn Database {
        self.db.as_ref()
    }

    /// Loads the screening index now (from its snapshot, caught up with the store, or built):
    /// how it came to be, or `None` if it was already loaded.
    pub fn load_index(&self) -> Result<Option<IndexOrigin>, AppError> {
        let _one_loader = self
            .index_loading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if self.index.get().is_some() {
            return Ok(None);
        }
        let (index, origin) =
            ScreeningIndex::open(self.db.as_ref(), self.options.index_snapshot.as_deref())?;
        // Cannot be set meanwhile: setting happens only here, under the lock.
        let _ = self.index.set(index);
        Ok(Some(origin))
    }

    /// The screening index, loaded if it was not.
    pub fn screening_index(&self) -> Result<&ScreeningIndex, AppError> {
        if let Some(index) = self.index.get() {
            return Ok(index);
        }
        self.load_index()?;
        self.index
            .get()
            .ok_or_else(|| AppError::Index("the screening index did not load".into()))
    }

    /// Applies imports made by other processes to the running index; `None` if it was current
    /// (or not loaded: it will be current when it is). A server calls this on a timer, so a
    /// command-line import becomes visible without a restart.
    pub fn catch_up(&self) -> Result<Option<IndexUpdate>, AppError> {
        match self.index.get() {
            Some(index) => index.catch_up(self.db.as_ref()),
            None => Ok(None),
        }
    }

    /// Checks that the principal's role may take `action` (the bundled cedar policy).
    pub fn authorize(&self, who: &Principal, action: Action) -> Result<(), AppError> {
        if Authorizer::bundled().is_allowed(who, action) {
            Ok(())
        } else {
            Err(AppError::Forbidden {
                role: who.role.as_str(),
                action: action.as_str(),
            })
        }
    }
}

/// A ledger entry by `who`: the actor is the account, the role its role.
pub(crate) fn entry_by(
    who: &Principal,
    action: haven_ledger::Action,
    why: impl Into<String>,
) -> Result<Entry, AppError> {
    Ok(Entry::new(
        Actor::parse(who.actor.as_str())?,
        haven_ledger::Role::parse(who.role.as_str())?,
        action,
        Justification::parse(why.into())
            .map_err(|e| AppError::Invalid(format!("justification: {e}")))?,
    ))
}
