//! Assessment of one cooperation request (DESIGN §3): screen every party against the registry
//! and the context knowledge base, expand the context two hops along relations, derive typed
//! findings with their evidence, and let the policy decide.
//!
//! Pure orchestration: the data comes in through the [`Knowledge`] trait (the store and the
//! screening index implement it in the binary; tests implement it in memory), so this crate
//! does no I/O and knows no database. The same request and the same knowledge give the same
//! decision.

mod findings;
mod memo;
pub mod records;
mod whereabouts;

use haven_domain::{
    ContextPerson, CountryCode, Decision, Finding as ContextFinding, Party, PersonId,
    RegistryPerson, RelationKind, Request, StateProfile,
};
use haven_index::Match;
use haven_policy::{Catalogue, Facts};

pub use findings::derive_findings;
pub use memo::memo;
pub use whereabouts::whereabouts_findings;

/// An error from the knowledge source (a database, an index), passed through.
pub type KnowledgeError = Box<dyn std::error::Error + Send + Sync>;

/// A person linked to another: `kind` is what `id` is to the person asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: PersonId,
    pub kind: RelationKind,
}

/// What an assessment needs to know, from wherever it is kept.
pub trait Knowledge {
    /// Ranked matches for a party, best first.
    fn screen(&self, party: &Party, limit: usize) -> Result<Vec<Match>, KnowledgeError>;
    fn registry_person(&self, id: &PersonId) -> Result<Option<RegistryPerson>, KnowledgeError>;
    fn context_person(&self, id: &PersonId) -> Result<Option<ContextPerson>, KnowledgeError>;
    /// Stated and implied relations of a person.
    fn links_of(&self, id: &PersonId) -> Result<Vec<Link>, KnowledgeError>;
    /// Context findings about a person.
    fn findings_about(&self, id: &PersonId) -> Result<Vec<ContextFinding>, KnowledgeError>;
    fn state_profile(&self, state: CountryCode) -> Result<Option<StateProfile>, KnowledgeError>;
}

/// The assessing state's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The state that received the request and runs Haven: protection granted by another
    /// state is a finding of its own (CJEU C-352/22: consult the granting authority).
    pub receiving_state: CountryCode,
    /// How many matches per party are considered. Whether a match is the same person is the
    /// index's tier (`Match.tier`), not a threshold here.
    pub matches_per_party: usize,
}

impl Settings {
    /// The defaults for a receiving state.
    pub fn new(receiving_state: CountryCode) -> Settings {
        Settings {
            receiving_state,
            matches_per_party: 5,
        }
    }
}

/// Why an assessment could not be made. A safety check that cannot account for a candidate
/// stops: skipping it would drop a possibly protected person without a trace.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssessError {
    #[error("looking up the registry and context: {0}")]
    Knowledge(#[source] KnowledgeError),
    /// The index returned a candidate whose id is not a valid person id.
    #[error("screening returned {body} candidate {id:?}, which is not a valid person id: {reason}")]
    UnreadableMatchId {
        id: String,
        /// `registry` or `context`.
        body: &'static str,
        reason: String,
    },
    /// The index returned a candidate the store does not hold (index and store out of step).
    #[error(
        "screening returned {body} record {id}, which the {body} does not hold: the index and \
         the store are out of step; rebuild the index and assess again"
    )]
    MissingRecord {
        id: String,
        /// `registry` or `context`.
        body: &'static str,
    },
}

impl From<KnowledgeError> for AssessError {
    fn from(error: KnowledgeError) -> Self {
        AssessError::Knowledge(error)
    }
}

/// Assesses a request: findings, then the policy's decision (without a ledger reference: the
/// caller adds it when it stores the case).
pub fn assess(
    request: &Request,
    knowledge: &dyn Knowledge,
    settings: &Settings,
    catalogue: &Catalogue,
) -> Result<Decision, AssessError> {
    let mut findings = derive_findings(request, knowledge, settings)?;
    let whereabouts = whereabouts_findings(request, &findings);
    findings.extend(whereabouts);
    let state_risk = knowledge
        .state_profile(request.requesting_state)?
        .map(|p| p.risk);
    Ok(haven_policy::evaluate(
        catalogue,
        &Facts {
            request,
            requested_state: settings.receiving_state,
            findings,
            state_risk,
        },
    ))
}
