//! The database and the current screening index, seen as what an assessment needs to know.

use haven_assess::{Knowledge, KnowledgeError, Link};
use haven_domain::{
    ContextPerson, CountryCode, Finding, Party, PersonId, RegistryPerson, StateProfile,
};
use haven_index::{LiveIndex, Match};
use haven_store::Database;

/// One assessment's view: the index is the one current when it started, so every party of a
/// request is screened against the same data.
#[derive(Debug)]
pub(crate) struct DatabaseKnowledge<'a> {
    pub(crate) db: &'a dyn Database,
    pub(crate) index: &'a LiveIndex,
}

impl Knowledge for DatabaseKnowledge<'_> {
    fn screen(&self, party: &Party, limit: usize) -> Result<Vec<Match>, KnowledgeError> {
        Ok(self
            .index
            .screen(&haven_assess::records::query(party), limit))
    }

    fn registry_person(&self, id: &PersonId) -> Result<Option<RegistryPerson>, KnowledgeError> {
        Ok(self.db.registry_person(id)?)
    }

    fn context_person(&self, id: &PersonId) -> Result<Option<ContextPerson>, KnowledgeError> {
        Ok(self.db.context_person(id)?)
    }

    fn links_of(&self, id: &PersonId) -> Result<Vec<Link>, KnowledgeError> {
        Ok(self
            .db
            .links_of(id)?
            .into_iter()
            .map(|link| Link {
                id: link.id,
                kind: link.kind,
            })
            .collect())
    }

    fn findings_about(&self, id: &PersonId) -> Result<Vec<Finding>, KnowledgeError> {
        Ok(self.db.findings_about(id)?)
    }

    fn state_profile(&self, state: CountryCode) -> Result<Option<StateProfile>, KnowledgeError> {
        Ok(self.db.state_profile(state)?)
    }
}
