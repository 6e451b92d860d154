//! Registry persons and the parts every person record shares: names, gender, roles, relations,
//! and the protection a state granted.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::country::CountryCode;
use crate::date::PartialDate;
use crate::error::{RecordError, ValueError};
use crate::id::PersonId;

/// The longest name accepted, in characters.
const MAX_NAME_CHARS: usize = 512;

/// One written form of a person's name, in any script: trimmed, non-empty, one line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

impl PersonName {
    /// Trims and checks a name.
    pub fn parse(value: &str) -> Result<PersonName, ValueError> {
        let name = value.trim();
        if name.is_empty() {
            return Err(ValueError::new("a name may not be empty"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(ValueError::new(format!(
                "a name is longer than {MAX_NAME_CHARS} characters"
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(ValueError::new(format!(
                "{name:?} contains a control character"
            )));
        }
        Ok(PersonName(name.to_owned()))
    }
}

string_newtype!(PersonName);

/// Deserialises `names`, which must hold at least one name.
pub(crate) fn non_empty_names<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<PersonName>, D::Error> {
    let names = Vec::<PersonName>::deserialize(d)?;
    if names.is_empty() {
        return Err(serde::de::Error::custom("at least one name is required"));
    }
    Ok(names)
}

/// Gender as recorded (DESIGN §5.2 `"gender": "f"`): evidence for matching, never a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Gender {
    /// Female.
    #[serde(rename = "f")]
    Female,
    /// Male.
    #[serde(rename = "m")]
    Male,
    /// Another gender, or recorded as neither.
    #[serde(rename = "x")]
    Other,
}

/// The kind of protection a state granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProtectionStatus {
    /// Recognised refugee (1951 Convention).
    Refugee,
    /// Subsidiary protection.
    Subsidiary,
    /// An application is pending.
    AsylumSeeker,
    /// Temporary protection.
    Temporary,
}

impl ProtectionStatus {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtectionStatus::Refugee => "refugee",
            ProtectionStatus::Subsidiary => "subsidiary",
            ProtectionStatus::AsylumSeeker => "asylum_seeker",
            ProtectionStatus::Temporary => "temporary",
        }
    }
}

/// What a state granted and against whom: only what matching and the decision need, never the
/// asylum grounds.
///
/// A granted status (refugee, subsidiary, temporary) carries the date it was granted; an asylum
/// seeker has been granted nothing yet and carries at most the date of the application (DESIGN
/// §5.2: an application pending is protection too, non-refoulement applies while it is
/// examined). Parsing enforces both, so a value that exists is one of the two shapes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawProtection")]
pub struct Protection {
    /// The kind of protection.
    pub status: ProtectionStatus,
    /// The state that granted it (for an asylum seeker: the state examining the application).
    pub granted_by: CountryCode,
    /// When it was granted: present for a granted status, absent for an asylum seeker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granted_on: Option<PartialDate>,
    /// When protection was applied for, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_on: Option<PartialDate>,
    /// The states the person is protected against (at least one).
    pub against: Vec<CountryCode>,
}

impl Protection {
    /// The date that dates the protection: when it was granted, else when it was applied for.
    pub fn since(&self) -> Option<PartialDate> {
        self.granted_on.or(self.applied_on)
    }
}

/// `Protection` as written, before the status and the dates are checked against each other
/// (also the shape a decision's protection facts are checked through).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProtection {
    pub(crate) status: ProtectionStatus,
    pub(crate) granted_by: CountryCode,
    #[serde(default)]
    pub(crate) granted_on: Option<PartialDate>,
    #[serde(default)]
    pub(crate) applied_on: Option<PartialDate>,
    #[serde(deserialize_with = "non_empty_states")]
    pub(crate) against: Vec<CountryCode>,
}

impl TryFrom<RawProtection> for Protection {
    type Error = String;

    fn try_from(raw: RawProtection) -> Result<Protection, String> {
        match (raw.status, raw.granted_on) {
            (ProtectionStatus::AsylumSeeker, Some(_)) => {
                return Err(
                    "granted_on: an asylum seeker has been granted nothing yet; give \
                            the application date as applied_on"
                        .to_owned(),
                );
            }
            (ProtectionStatus::AsylumSeeker, None) | (_, Some(_)) => {}
            (status, None) => {
                return Err(format!(
                    "granted_on: required for the granted status {}",
                    status.as_str()
                ));
            }
        }
        if let (Some(applied), Some(granted)) = (raw.applied_on, raw.granted_on)
            && applied > granted
            && !applied.is_compatible(&granted)
        {
            return Err(format!(
                "applied_on: {applied} is after granted_on {granted}"
            ));
        }
        Ok(Protection {
            status: raw.status,
            granted_by: raw.granted_by,
            granted_on: raw.granted_on,
            applied_on: raw.applied_on,
            against: raw.against,
        })
    }
}

pub(crate) fn non_empty_states<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<CountryCode>, D::Error> {
    let states = Vec::<CountryCode>::deserialize(d)?;
    if states.is_empty() {
        return Err(serde::de::Error::custom(
            "at least one state the person is protected against is required",
        ));
    }
    Ok(states)
}

/// A role that calls for particular safeguards (protected professions, minors) or weighs in the
/// political context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PersonRole {
    /// A lawyer (privileged material, strict search safeguards).
    Lawyer,
    /// A journalist (source protection).
    Journalist,
    /// A human-rights defender.
    HumanRightsDefender,
    /// A minor.
    Minor,
    /// A political opponent of the requesting state.
    PoliticalOpponent,
}

/// What the other person is *to this one*: `{"kind": "child", "to": "R-1002"}` reads "R-1002
/// is this person's child".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RelationKind {
    /// The other is this person's child.
    Child,
    /// The other is this person's parent.
    Parent,
    /// Brother or sister.
    Sibling,
    /// Spouse or partner.
    Spouse,
    /// Lives in the same household.
    Household,
    /// The other is this person's (a lawyer's) client.
    Client,
    /// The other is this person's counsel.
    Counsel,
    /// A business or political associate.
    Associate,
    /// The other is a group this person belongs to.
    MemberOf,
    /// Another family member (cousin, uncle, in-law…): an extension of DESIGN §5.2 for
    /// FollowTheMoney `Family` links that none of the kinds above describes.
    Relative,
}

impl RelationKind {
    /// Every kind, in declaration order.
    pub const ALL: [RelationKind; 10] = [
        RelationKind::Child,
        RelationKind::Parent,
        RelationKind::Sibling,
        RelationKind::Spouse,
        RelationKind::Household,
        RelationKind::Client,
        RelationKind::Counsel,
        RelationKind::Associate,
        RelationKind::MemberOf,
        RelationKind::Relative,
    ];

    /// The kind seen from the other side: if B is A's child, A is B's parent.
    /// `member_of` has no person-to-person inverse; it maps to itself so that expansion still
    /// links the two records.
    pub fn inverse(self) -> RelationKind {
        match self {
            RelationKind::Child => RelationKind::Parent,
            RelationKind::Parent => RelationKind::Child,
            RelationKind::Client => RelationKind::Counsel,
            RelationKind::Counsel => RelationKind::Client,
            other => other,
        }
    }

    /// True for family links (including household), which expand a screening to relatives.
    pub fn is_family(self) -> bool {
        matches!(
            self,
            RelationKind::Child
                | RelationKind::Parent
                | RelationKind::Sibling
                | RelationKind::Spouse
                | RelationKind::Household
                | RelationKind::Relative
        )
    }

    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Child => "child",
            RelationKind::Parent => "parent",
            RelationKind::Sibling => "sibling",
            RelationKind::Spouse => "spouse",
            RelationKind::Household => "household",
            RelationKind::Client => "client",
            RelationKind::Counsel => "counsel",
            RelationKind::Associate => "associate",
            RelationKind::MemberOf => "member_of",
            RelationKind::Relative => "relative",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(value: &str) -> Result<RelationKind, ValueError> {
        RelationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == value)
            .ok_or_else(|| ValueError::new(format!("{value:?} is not a relation kind")))
    }
}

impl fmt::Display for RelationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A link to another person record; the inverse is implied on the other side.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// What `to` is to this person.
    pub kind: RelationKind,
    /// The other person's id (in the same file, or already stored).
    pub to: PersonId,
}

/// A person in the protection registry (DESIGN §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryPerson {
    /// The registry's id.
    pub id: PersonId,
    /// Every known written form of the name, in any script (at least one).
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
    /// The protection granted.
    pub protection: Protection,
    /// Roles that call for safeguards.
    #[serde(default)]
    pub roles: Vec<PersonRole>,
    /// Links to other persons.
    #[serde(default)]
    pub relations: Vec<Relation>,
}

/// Checks what serde cannot: no person is related to themself.
pub(crate) fn check_relations(id: &PersonId, relations: &[Relation]) -> Result<(), RecordError> {
    for (i, relation) in relations.iter().enumerate() {
        if &relation.to == id {
            return Err(RecordError::field(
                format!("relations[{i}].to"),
                format!("{:?} is the person's own id", id.as_str()),
            ));
        }
    }
    Ok(())
}
