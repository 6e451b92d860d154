//! What the commands share: the service over a data directory, and who the operator is.
//!
//! The command line is the console of whoever holds the data directory: it acts as the operating
//! system's user, in the role the command calls for (an officer screens and assesses, an
//! administrator imports and manages accounts, an auditor verifies), and the same cedar policy
//! as the server's decides what that role may do.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use haven_app::{AccountName, INDEX_FILE, IndexOrigin, Principal, Role, Service, ServiceOptions};
use haven_domain::CountryCode;
use haven_store::SqliteDatabase;

/// The receiving state when none is configured: Haven's partner table is Belgium's.
pub const DEFAULT_RECEIVING_STATE: &str = "be";

/// Opens the service over `data_dir` (creating the database if needed).
pub fn open(data_dir: &Path, receiving_state: &str) -> anyhow::Result<Service> {
    let receiving_state = CountryCode::parse(receiving_state)
        .map_err(|e| anyhow::anyhow!("receiving state {receiving_state:?}: {e}"))?;
    let db = SqliteDatabase::open(data_dir)
        .with_context(|| format!("opening the store in {}", data_dir.display()))?;
    Ok(Service::new(
        Arc::new(db),
        ServiceOptions {
            receiving_state,
            index_snapshot: Some(data_dir.join(INDEX_FILE)),
            clock: haven_app::Clock::system(),
        },
    ))
}

/// Opens the service over a data directory that holds persons to screen against — registry or
/// context, either may be empty (FollowTheMoney context data is often loaded before the
/// registry) — and loads the screening index. Screening against nothing at all would answer
/// "no match" and mislead, so a directory without any person is refused; an empty registry is
/// said on stderr, because no answer from such a run can be a protected person.
pub fn open_with_data(data_dir: &Path, receiving_state: &str) -> anyhow::Result<Service> {
    if !data_dir.join(haven_store::DATABASE_FILE).exists() {
        bail!(
            "no Haven data in {}: import a registry or context first (haven import registry FILE, \
             haven import context FILE)",
            data_dir.display()
        );
    }
    let service = open(data_dir, receiving_state)?;
    let counts = service.database().data_counts()?;
    if counts.registry_persons == 0 && counts.context_persons == 0 {
        bail!(
            "no persons to screen against in {}: import a registry or context first (haven \
             import registry FILE, haven import context FILE)",
            data_dir.display()
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
