//! The context knowledge base: persons and their links, sourced findings about political
//! persecution, and risk profiles of states (DESIGN §5.2).

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::error::ValueError;
use crate::id::{FindingId, PersonId};
use crate::person::{Gender, PersonName, PersonRole, Relation, non_empty_names};

/// The longest free text accepted (a summary, a source), in characters.
const MAX_TEXT_CHARS: usize = 20_000;

/// A free text that must say something: trimmed, non-empty, bounded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text(String);

impl Text {
    /// Trims and checks a text.
    pub fn parse(value: &str) -> Result<Text, ValueError> {
        let text = value.trim();
        if text.is_empty() {
            return Err(ValueError::new("may not be empty"));
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(ValueError::new(format!(
                "is longer than {MAX_TEXT_CHARS} characters"
            )));
        }
        Ok(Text(text.to_owned()))
    }
}

string_newtype!(Text);

/// A person in the context knowledge base: a political prisoner, an associate, a relative, a
/// person named in a court finding. No protection status: that is the registry's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextPerson {
    /// The knowledge base's id.
    pub id: PersonId,
    /// Every known written form of the name (at least one).
    #[serde(deserialize_with = "non_empty_names")]
    pub names: Vec<PersonName>,
    /// Birth date, possibly partial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<PartialDate>,
    /// Nationalities.
    #[serde(default)]
    pub nationalities: Vec<CountryCode>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Roles.
    #[serde(default)]
    pub roles: Vec<PersonRole>,
    /// Links to other context persons or to registry persons.
    #[serde(default)]
    pub relations: Vec<Relation>,
}

/// What a finding establishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingType {
    /// INTERPOL deleted a notice or diffusion (Art 3, refugee policy).
    InterpolNoticeDeleted,
    /// An opinion of the UN Working Group on Arbitrary Detention.
    UnArbitraryDetentionOpinion,
    /// A court refused extradition as political.
    ExtraditionRefusedPolitical,
    /// Recognised as a political prisoner.
    RecognisedPoliticalPrisoner,
    /// A court found a political motive behind a prosecution.
    CourtFoundPoliticalMotive,
    /// An incident of transnational repression.
    TransnationalRepressionIncident,
}

impl FindingType {
    /// The finding type in words, as memos and pages say it.
    pub fn label(self) -> &'static str {
        match self {
            FindingType::InterpolNoticeDeleted => "INTERPOL notice deleted",
            FindingType::UnArbitraryDetentionOpinion => {
                "UN Working Group on Arbitrary Detention opinion"
            }
            FindingType::ExtraditionRefusedPolitical => "extradition refused as political",
            FindingType::RecognisedPoliticalPrisoner => "recognised political prisoner",
            FindingType::CourtFoundPoliticalMotive => "court found a political motive",
            FindingType::TransnationalRepressionIncident => "transnational repression incident",
        }
    }
}

/// A sourced fact about a person and a state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// The finding's id.
    pub id: FindingId,
    /// The person it is about (context or registry id).
    pub about: PersonId,
    /// What it establishes.
    #[serde(rename = "type")]
    pub finding_type: FindingType,
    /// The state concerned (usually the persecuting one).
    pub state: CountryCode,
    /// When, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
    /// What happened, in a sentence or two.
    pub summary: Text,
    /// A citation or URL: every finding is sourced.
    pub source: Text,
}

/// How much a state's requests call for scrutiny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// No known pattern of abuse.
    Low,
    /// Isolated documented abuse.
    Medium,
    /// A documented pattern of politically motivated requests.
    High,
    /// Systematic transnational repression.
    VeryHigh,
}

/// A state's risk profile, one per state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateProfile {
    /// The state.
    pub state: CountryCode,
    /// Its risk level.
    pub risk: RiskLevel,
    /// Why, in a few sentences.
    pub summary: Text,
    /// Citations or URLs (at least one).
    #[serde(deserialize_with = "non_empty_sources")]
    pub sources: Vec<Text>,
}

fn non_empty_sources<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Text>, D::Error> {
    let sources = Vec::<Text>::deserialize(d)?;
    if sources.is_empty() {
        return Err(serde::de::Error::custom("at least one source is required"));
    }
    Ok(sources)
}

/// One line of a context file; `kind` tells which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ContextRecord {
    /// `{"kind": "person", …}`.
    Person(ContextPerson),
    /// `{"kind": "finding", …}`.
    Finding(Finding),
    /// `{"kind": "state_profile", …}`.
    StateProfile(StateProfile),
}
