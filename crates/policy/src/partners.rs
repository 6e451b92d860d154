//! The partner table (LEGAL-REVIEW §1): for the requested state, which instruments are in force
//! with each requesting state, and what each instrument says on refusal, persecution, speciality
//! and data protection. A request's legal basis is looked up here, never assumed: a convention
//! binds only its parties, and the reply may cite only what binds the state it answers.

use std::collections::{BTreeMap, BTreeSet};

use haven_domain::{
    BasisKind, CountryCode, InstrumentRef, LegalBasis, OffenceCategory, Request, RequestKind,
};
use serde::Deserialize;

use crate::catalogue::{Tag, normalise_space, wire};
use crate::{PolicyError, leaks};

/// The partner table shipped with Haven, beside the catalogue.
pub const BUNDLED_PARTNERS: &str = include_str!("../rules/partners.toml");

/// What an instrument may say, by name; rules cite a clause and get the article of whichever
/// instrument applies (`{ clause = "essential_interests" }`).
pub const CLAUSES: &[&str] = &[
    "essential_interests",
    "political_offence",
    "persecution",
    "speciality",
    "data_protection",
    "execution",
];

/// Checks a clause name against [`CLAUSES`]; the error says which names there are.
pub(crate) fn known_clause(name: &str) -> Result<(), String> {
    if CLAUSES.contains(&name) {
        Ok(())
    } else {
        Err(format!(
            "unknown clause {name:?} (known: {})",
            CLAUSES.join(", ")
        ))
    }
}

/// One article of an instrument that a rule or the reply relies on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Clause {
    pub pinpoint: String,
    pub tag: Tag,
    /// The ground obliges the requested state to refuse (not merely permits it).
    pub mandatory: bool,
    /// The sentence the reply to the requesting state uses for this clause, if any.
    pub reply: Option<String>,
}

/// A treaty, directive, set of rules or national law in the table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Instrument {
    pub id: String,
    pub title: String,
    /// How far the entry has been checked.
    pub tag: Tag,
    /// The requested state's own law: in force whoever asks.
    pub national: bool,
    /// The request kinds it governs.
    pub kinds: Vec<RequestKind>,
    /// Only for offences of these categories; empty: no restriction by category.
    pub offence_categories: Vec<OffenceCategory>,
    /// Only for offences whose description contains one of these words (lower-case): the UN
    /// conventions' scope (corruption, organised crime) is not a category of the request;
    /// empty: no restriction by description.
    pub offence_terms: Vec<String>,
    /// The words by which a text names it (to prove that a reply names only what binds).
    pub cited_as: Vec<String>,
    pub clauses: BTreeMap<String, Clause>,
}

impl Instrument {
    /// The clause of this name, if the instrument has one.
    pub fn clause(&self, name: &str) -> Option<&Clause> {
        self.clauses.get(name)
    }

    /// Does it govern this request: its kind, and some offence within its scope? A description
    /// in words the table does not list leaves the instrument out: national law and
    /// reciprocity then govern, the more protective fallback (mandatory refusal grounds).
    fn governs(&self, request: &Request) -> bool {
        let in_scope = |o: &haven_domain::Offence| {
            let description = o.description.as_str().to_lowercase();
            (self.offence_categories.is_empty() || self.offence_categories.contains(&o.category))
                && (self.offence_terms.is_empty()
                    || self.offence_terms.iter().any(|t| description.contains(t)))
        };
        let scoped = !self.offence_categories.is_empty() || !self.offence_terms.is_empty();
        self.kinds.contains(&request.kind) && (!scoped || request.offences.iter().any(in_scope))
    }

    fn reference(&self) -> InstrumentRef {
        InstrumentRef {
            id: self.id.clone(),
            title: self.title.clone(),
            tag: self.tag.to_string(),
        }
    }
}

/// A requesting state's entry: the instruments in force with it, and where that is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Partner {
    pub states: Vec<CountryCode>,
    pub instruments: Vec<String>,
    pub source: String,
}

/// The validated table for one requested state.
#[derive(Debug, Clone)]
pub struct PartnerTable {
    version: String,
    requested_state: CountryCode,
    instruments: Vec<Instrument>,
    /// Instruments in force with every state (INTERPOL's rules for notices and diffusions).
    everyone: Vec<String>,
    /// The national law that governs each kind of request when nothing is on record.
    national: BTreeMap<RequestKind, String>,
    partners: Vec<Partner>,
}

/// The legal basis and the instruments that may be cited for a request.
#[derive(Debug, Clone)]
pub(crate) struct Applicable<'t> {
    pub basis: LegalBasis,
    /// The basis's instruments, then the requested state's national laws.
    pub in_force: Vec<&'t Instrument>,
    /// The national law for this kind of request, if the table has one.
    pub national: Option<&'t Instrument>,
}

impl Applicable<'_> {
    /// Is this instrument one the request may be decided (and answered) under?
    pub fn binds(&self, id: &str) -> bool {
        self.in_force.iter().any(|i| i.id == id)
    }

    /// The instruments that carry this clause, basis first; the national law when none does.
    pub fn clause(&self, name: &str) -> Vec<(&Instrument, &Clause)> {
        let found: Vec<(&Instrument, &Clause)> = self
            .in_force
            .iter()
            .filter(|i| !i.national)
            .filter_map(|i| i.clause(name).map(|c| (*i, c)))
            .collect();
        if !found.is_empty() {
            return found;
        }
        self.national
            .and_then(|i| i.clause(name).map(|c| vec![(i, c)]))
            .unwrap_or_default()
    }

    /// The reply sentence for this clause: from the first instrument that has one.
    pub fn reply(&self, name: &str) -> Option<&str> {
        self.clause(name)
            .into_iter()
            .find_map(|(_, c)| c.reply.as_deref())
    }
}

impl PartnerTable {
    /// Parses and validates a partner table.
    pub fn parse(text: &str) -> Result<PartnerTable, PolicyError> {
        let raw: RawTable = toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        let version = raw.version.trim().to_owned();
        if version.is_empty() {
            return Err(table_err("version", "may not be empty"));
        }
        let requested_state = CountryCode::parse(&raw.requested_state).map_err(|_| {
            table_err(
                "requested_state",
                format!("{:?} is not a country code", raw.requested_state),
            )
        })?;
        let mut instruments = Vec::with_capacity(raw.instruments.len());
        for raw in raw.instruments {
            let instrument = raw.validate()?;
            if instruments
                .iter()
                .any(|i: &Instrument| i.id == instrument.id)
            {
                return Err(instrument_err(&instrument.id, "id", "duplicate"));
            }
            instruments.push(instrument);
        }
        let known: BTreeSet<&str> = instruments.iter().map(|i| i.id.as_str()).collect();
        let check_ids = |field: &str, ids: &[String]| -> Result<(), PolicyError> {
            match ids.iter().find(|id| !known.contains(id.as_str())) {
                Some(id) => Err(table_err(field, format!("unknown instrument {id:?}"))),
                None => Ok(()),
            }
        };
        check_ids("everyone", &raw.everyone)?;
        let mut national = BTreeMap::new();
        for (kind, id) in &raw.national {
            let parsed = wire::<RequestKind>(kind)
                .ok_or_else(|| table_err("national", format!("unknown request kind {kind:?}")))?;
            check_ids("national", std::slice::from_ref(id))?;
            national.insert(parsed, id.clone());
        }
        let mut partners = Vec::with_capacity(raw.partners.len());
        let mut seen = BTreeSet::new();
        for raw in raw.partners {
            check_ids("partner.instruments", &raw.instruments)?;
            let mut states = Vec::with_capacity(raw.states.len());
            for state in &raw.states {
                let code = CountryCode::parse(state).map_err(|_| {
                    table_err("partner.states", format!("{state:?} is not a country code"))
                })?;
                if code == requested_state || !seen.insert(code) {
                    return Err(table_err(
                        "partner.states",
                        format!("{state:?} is listed twice or is the requested state"),
                    ));
                }
                states.push(code);
            }
            if raw.source.trim().is_empty() {
                return Err(table_err(
                    "partner.source",
                    "every entry says where it is recorded",
                ));
            }
            partners.push(Partner {
                states,
                instruments: raw.instruments,
                source: raw.source.trim().to_owned(),
            });
        }
        Ok(PartnerTable {
            version,
            requested_state,
            instruments,
            everyone: raw.everyone,
            national,
            partners,
        })
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn requested_state(&self) -> CountryCode {
        self.requested_state
    }

    pub fn instruments(&self) -> &[Instrument] {
        &self.instruments
    }

    pub fn instrument(&self, id: &str) -> Option<&Instrument> {
        self.instruments.iter().find(|i| i.id == id)
    }

    pub fn partners(&self) -> &[Partner] {
        &self.partners
    }

    /// The entry for a requesting state, if one is on record.
    pub fn partner(&self, state: CountryCode) -> Option<&Partner> {
        self.partners.iter().find(|p| p.states.contains(&state))
    }

    /// Ids of every instrument in force with a requesting state, whatever the request: its
    /// entry's, those in force with everyone, and the requested state's national laws.
    pub fn in_force_with(&self, state: CountryCode) -> BTreeSet<&str> {
        let mut ids: BTreeSet<&str> = self.everyone.iter().map(String::as_str).collect();
        if let Some(partner) = self.partner(state) {
            ids.extend(partner.instruments.iter().map(String::as_str));
        }
        ids.extend(
            self.instruments
                .iter()
                .filter(|i| i.national)
                .map(|i| i.id.as_str()),
        );
        ids
    }

    /// The legal basis of a request received by `requested`: the table's instruments in force
    /// with the requesting state that govern this kind of request and its offences, else the
    /// national law and reciprocity. A table for another requested state knows nothing of
    /// `requested`'s treaties: national law and reciprocity, with no instrument named.
    pub(crate) fn applicable(&self, requested: CountryCode, request: &Request) -> Applicable<'_> {
        let requesting = request.requesting_state;
        if requested != self.requested_state {
            return Applicable {
                basis: LegalBasis {
                    kind: BasisKind::NationalLawAndReciprocity,
                    requested_state: requested,
                    requesting_state: requesting,
                    instruments: Vec::new(),
                },
                in_force: Vec::new(),
                national: None,
            };
        }
        let partner_ids = self.partner(requesting).map_or(&[][..], |p| &p.instruments);
        let mut basis: Vec<&Instrument> = Vec::new();
        for id in partner_ids.iter().chain(&self.everyone) {
            if let Some(instrument) = self.instrument(id)
                && instrument.governs(request)
                && !basis.iter().any(|i| i.id == instrument.id)
            {
                basis.push(instrument);
            }
        }
        let national = self
            .national
            .get(&request.kind)
            .and_then(|id| self.instrument(id));
        let kind = if basis.is_empty() {
            BasisKind::NationalLawAndReciprocity
        } else {
            BasisKind::Instruments
        };
        let named: Vec<InstrumentRef> = if basis.is_empty() {
            national.iter().map(|i| i.reference()).collect()
        } else {
            basis.iter().map(|i| i.reference()).collect()
        };
        let mut in_force = basis;
        in_force.extend(self.instruments.iter().filter(|i| i.national));
        Applicable {
            basis: LegalBasis {
                kind,
                requested_state: requested,
                requesting_state: requesting,
                instruments: named,
            },
            in_force,
            national,
        }
    }

    /// The ids of the table's instruments that a text names (by their `cited_as` words,
    /// case-insensitive), in table order.
    pub fn instruments_cited(&self, text: &str) -> Vec<&str> {
        let lower = text.to_lowercase();
        self.instruments
            .iter()
            .filter(|i| i.cited_as.iter().any(|w| lower.contains(&w.to_lowercase())))
            .map(|i| i.id.as_str())
            .collect()
    }
}

fn table_err(field: &str, message: impl Into<String>) -> PolicyError {
    PolicyError::Partners {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn instrument_err(id: &str, field: &str, message: impl Into<String>) -> PolicyError {
    table_err(&format!("instrument {id}: {field}"), message)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    version: String,
    requested_state: String,
    #[serde(default, rename = "instrument")]
    instruments: Vec<RawInstrument>,
    #[serde(default)]
    everyone: Vec<String>,
    #[serde(default)]
    national: BTreeMap<String, String>,
    #[serde(default, rename = "partner")]
    partners: Vec<RawPartner>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstrument {
    id: String,
    title: String,
    tag: String,
    #[serde(default)]
    national: bool,
    kinds: Vec<String>,
    #[serde(default)]
    offence_categories: Vec<String>,
    #[serde(default)]
    offence_terms: Vec<String>,
    cited_as: Vec<String>,
    #[serde(default)]
    clauses: BTreeMap<String, RawClause>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClause {
    pinpoint: String,
    tag: String,
    #[serde(default)]
    mandatory: bool,
    #[serde(default)]
    reply: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPartner {
    states: Vec<String>,
    instruments: Vec<String>,
    source: String,
}

fn parse_tag(id: &str, field: &str, text: &str) -> Result<Tag, PolicyError> {
    Tag::parse(text.trim())
        .ok_or_else(|| instrument_err(id, field, format!("{text:?} is not P, S or M")))
}

impl RawInstrument {
    fn validate(self) -> Result<Instrument, PolicyError> {
        let id = self.id.trim().to_owned();
        if id.is_empty() || self.title.trim().is_empty() {
            return Err(table_err(
                "instrument",
                "every instrument has an id and a title",
            ));
        }
        let tag = parse_tag(&id, "tag", &self.tag)?;
        let kinds = self
            .kinds
            .iter()
            .map(|k| {
                wire::<RequestKind>(k)
                    .ok_or_else(|| instrument_err(&id, "kinds", format!("unknown kind {k:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let offence_categories = self
            .offence_categories
            .iter()
            .map(|c| {
                wire::<OffenceCategory>(c).ok_or_else(|| {
                    instrument_err(&id, "offence_categories", format!("unknown category {c:?}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if self.cited_as.iter().all(|w| w.trim().is_empty()) {
            return Err(instrument_err(
                &id,
                "cited_as",
                "the words a reply would name it by are needed to check replies",
            ));
        }
        let mut clauses = BTreeMap::new();
        for (name, raw) in self.clauses {
            let field = format!("clauses.{name}");
            known_clause(&name).map_err(|message| instrument_err(&id, &field, message))?;
            let reply = raw.reply.map(|r| normalise_space(&r));
            // The reply goes abroad: the same scanner that checks every reply checks its parts.
            if let Some(found) = reply.as_deref().map(leaks).filter(|l| !l.is_empty()) {
                return Err(instrument_err(
                    &id,
                    &format!("{field}.reply"),
                    format!("would disclose asylum information: {}", found.join(", ")),
                ));
            }
            clauses.insert(
                name,
                Clause {
                    pinpoint: raw.pinpoint.trim().to_owned(),
                    tag: parse_tag(&id, &format!("{field}.tag"), &raw.tag)?,
                    mandatory: raw.mandatory,
                    reply,
                },
            );
        }
        Ok(Instrument {
            id,
            title: self.title.trim().to_owned(),
            tag,
            national: self.national,
            kinds,
            offence_categories,
            offence_terms: self
                .offence_terms
                .iter()
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
                .collect(),
            cited_as: self.cited_as,
            clauses,
        })
    }
}
