//! What `screen`, `assess` and `demo` share: opening a data directory that holds data, keeping
//! the screening index snapshot current, and the store and index seen as the assessment's
//! [`Knowledge`].

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};
use haven_assess::records::{context_record, registry_record};
use haven_assess::{Knowledge, KnowledgeError, Link};
use haven_domain::{
    ContextPerson, CountryCode, Finding, Party, PersonId, RegistryPerson, StateProfile,
};
use haven_index::{Index, IndexBuilder, IndexError, Match};
use haven_store::Store;

/// The index snapshot's file name in the data directory.
const INDEX_FILE: &str = "screening.index";

/// Opens the store of a data directory that holds persons to screen against: registry or
/// context, either may be empty (DESIGN §5.1; FollowTheMoney context data is often loaded
/// before the registry). Screening against nothing at all would answer "no match" and mislead,
/// so a directory without any person is refused; an empty registry is said on stderr, because
/// no answer from such a run can be a protected person.
pub fn open_with_data(data_dir: &Path) -> anyhow::Result<Store> {
    if !data_dir.join(haven_store::DATABASE_FILE).exists() {
        bail!(
            "no Haven data in {}: import a registry or context first (haven import registry FILE, \
             haven import context FILE)",
            data_dir.display()
        );
    }
    let store = Store::open(data_dir)
        .with_context(|| format!("opening the store in {}", data_dir.display()))?;
    let counts = store.data_counts()?;
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
    Ok(store)
}

/// The snapshot if it is of the store's current data, else a fresh build (saved for next time).
pub fn current_index(store: &Store, data_dir: &Path) -> anyhow::Result<Index> {
    let version = store.data_version()?;
    let path = data_dir.join(INDEX_FILE);
    match Index::load_current(&path, version) {
        Ok(index) => return Ok(index),
        Err(IndexError::Stale { .. }) | Err(IndexError::Io(_)) => {}
        Err(err) => eprintln!("haven: rebuilding the screening index ({err})"),
    }
    let started = Instant::now();
    let mut builder = IndexBuilder::new(version);
    let registry_version = store.for_each_registry_person(|person| {
        builder.push(&registry_record(&person));
    })?;
    let context_version = store.for_each_context_person(|person| {
        builder.push(&context_record(&person));
    })?;
    if registry_version != version || context_version != version {
        bail!("the data changed while the index was being built; run the command again");
    }
    let count = builder.len();
    let index = builder.finish();
    index
        .save(&path)
        .with_context(|| format!("saving the screening index to {}", path.display()))?;
    eprintln!(
        "haven: built the screening index over {count} persons in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(index)
}

/// The store and the screening index, seen as what an assessment needs to know.
#[derive(Debug)]
pub struct StoreKnowledge<'a> {
    pub store: &'a Store,
    pub index: &'a Index,
}

impl Knowledge for StoreKnowledge<'_> {
    fn screen(&self, party: &Party, limit: usize) -> Result<Vec<Match>, KnowledgeError> {
        Ok(self
            .index
            .screen(&haven_assess::records::query(party), limit))
    }

    fn registry_person(&self, id: &PersonId) -> Result<Option<RegistryPerson>, KnowledgeError> {
        Ok(self.store.get_registry_person(id)?)
    }

    fn context_person(&self, id: &PersonId) -> Result<Option<ContextPerson>, KnowledgeError> {
        Ok(self.store.get_context_person(id)?)
    }

    fn links_of(&self, id: &PersonId) -> Result<Vec<Link>, KnowledgeError> {
        Ok(self
            .store
            .links_of(id)?
            .into_iter()
            .map(|link| Link {
                id: link.id,
                kind: link.kind,
            })
            .collect())
    }

    fn findings_about(&self, id: &PersonId) -> Result<Vec<Finding>, KnowledgeError> {
        Ok(self.store.findings_about(id)?)
    }

    fn state_profile(&self, state: CountryCode) -> Result<Option<StateProfile>, KnowledgeError> {
        Ok(self.store.state_profile(state)?)
    }
}
