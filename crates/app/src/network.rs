//! The context network of a case: the persons the decision's findings matched (the request's
//! parties), their relations and their relations' relations (two hops, as the assessment walks
//! them), with the context findings about each, as data a front end draws (the web UI's SVG).
//!
//! # Who may see what (DESIGN §5.4)
//!
//! Being in the protection registry *is* being protected, so which records are registry records
//! is need-to-know information like the protection details themselves. The rule:
//!
//! - **A role allowed `view_protection_details`** (the asylum liaison) sees every node's record
//!   id and source, and `protected: Some(true)` on every registry record, `Some(false)` on every
//!   context record. Every registry record shown as protected is a read of a protected record,
//!   recorded in the ledger like the case page's disclosures (`read_protected`, naming the case
//!   and the records), before the network is returned.
//! - **Any other role** gets `protected: None` on every node. A node that a finding of the
//!   decision matched (a request party) keeps its record id and source: the memo already says
//!   "matched registry record R-…" and "protected person — refer" to that role. Every other node
//!   is a neutral person: no record id (registry and context ids differ in form, so the id alone
//!   would tell), no source, only its name, its relations and its context findings. Nothing
//!   about such a node depends on where its record is: context findings are shown for every
//!   node alike (they come from the context knowledge base, whoever they are about), and nodes
//!   are ordered and cut by hop distance and name, never by record id (ids sort registry and
//!   context records apart).
//!
//! The network is cut at [`MAX_NODES`] persons: the parties first, then the nearest persons by
//! name; [`ContextNetwork::left_out`] says how many persons within two hops were not shown.

use std::collections::{BTreeMap, BTreeSet};

use haven_access::{Action, Principal};
use haven_domain::{CountryCode, PartialDate, PersonId, RelationKind};
use haven_ledger::ObjectId;
use haven_store::{RecordSource, StoreError};
use serde::Serialize;

use crate::need_to_know::may_see_details;
use crate::{AppError, Service};

/// At most this many persons are shown: beyond it a drawing is no longer readable.
pub const MAX_NODES: usize = 60;

/// How far from the parties the network reaches (the assessment's "context within two hops").
pub const MAX_HOPS: u8 = 2;

/// A case's context network as the reader's role may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextNetwork {
    /// The case.
    pub case: String,
    /// The persons, the parties first, then by hop distance and name.
    pub nodes: Vec<NetworkNode>,
    /// The relations between the persons shown, each once.
    pub edges: Vec<NetworkEdge>,
    /// How many persons within two hops were left out by the cap (0: none).
    pub left_out: usize,
    /// True if the reader's role may know who is protected (`NetworkNode::protected` is set).
    pub shows_protection: bool,
}

impl ContextNetwork {
    /// True if persons were left out to keep the picture readable.
    pub fn is_cut(&self) -> bool {
        self.left_out > 0
    }
}

/// One person of the network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkNode {
    /// The node's key within this network (`n1`, `n2`, …): what edges refer to. It says nothing
    /// about the record.
    pub key: String,
    /// The record id, where the reader may know it (see the module documentation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// `registry` or `context`, where the reader may know it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    /// The first name form of the record.
    pub name: String,
    /// Hops from the nearest party: 0 for a party, 1 or 2.
    pub hops: u8,
    /// The request parties this person was matched as, by index into the request's parties
    /// (0 is the first party).
    pub parties: Vec<usize>,
    /// Context findings about the person.
    pub findings: Vec<NodeFinding>,
    /// Whether the person is protected (in the registry): only for a role that may know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
}

impl NetworkNode {
    /// True if the person is a request party.
    pub fn is_party(&self) -> bool {
        !self.parties.is_empty()
    }
}

/// A context finding about a person, as the network shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeFinding {
    /// What it establishes, in words ("recognised political prisoner").
    pub what: String,
    /// The state concerned.
    pub state: CountryCode,
    /// When, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<PartialDate>,
}

/// A relation between two persons shown: `from` is `to`'s `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkEdge {
    /// The key of the person the relation names.
    pub from: String,
    /// The key of the person it is seen from.
    pub to: String,
    pub kind: RelationKind,
    /// The relation in words with both names: "Timur Jaksybekov is Aliya Zhaksybekova's child".
    pub words: String,
}

/// A person reached while walking the relations.
struct Reached {
    source: RecordSource,
    hops: u8,
    parties: BTreeSet<usize>,
}

impl Service {
    /// The context network of case `case_id` as `who` may see it (the module documentation says
    /// what each role sees). Showing who is protected is recorded in the ledger.
    pub fn context_network(
        &self,
        who: &Principal,
        case_id: &str,
    ) -> Result<ContextNetwork, AppError> {
        self.authorize(who, Action::ReadCase)?;
        let case = self
            .db
            .get_case(case_id)
            .map_err(AppError::from_store)?
            .ok_or_else(|| AppError::NotFound(format!("case {case_id}")))?;
        let knows_protection = may_see_details(who);

        // The parties: every record a finding of the decision matched.
        let mut reached: BTreeMap<PersonId, Reached> = BTreeMap::new();
        for finding in &case.decision.findings {
            let Some(matched) = &finding.matched else {
                continue;
            };
            let source = match matched.source.as_str() {
                "registry" => RecordSource::Registry,
                "context" => RecordSource::Context,
                _ => continue,
            };
            let id = PersonId::parse(matched.id.clone()).map_err(|e| {
                inconsistent(format!("case {case_id}: matched id {:?}: {e}", matched.id))
            })?;
            let entry = reached.entry(id).or_insert_with(|| Reached {
                source,
                hops: 0,
                parties: BTreeSet::new(),
            });
            entry.parties.extend(finding.party);
        }

        // Two hops along the relations, both directions; every relation seen is kept.
        let mut relations: BTreeSet<(PersonId, PersonId, RelationKind)> = BTreeSet::new();
        let mut frontier: Vec<PersonId> = reached.keys().cloned().collect();
        for hop in 1..=MAX_HOPS {
            let mut next = Vec::new();
            for id in &frontier {
                for link in self.db.links_of(id).map_err(AppError::from_store)? {
                    if link.id == *id {
                        continue;
                    }
                    relations.insert(canonical(link.id.clone(), id.clone(), link.kind));
                    if !reached.contains_key(&link.id) {
                        reached.insert(
                            link.id.clone(),
                            Reached {
                                source: link.source,
                                hops: hop,
                                parties: BTreeSet::new(),
                            },
                        );
                        next.push(link.id);
                    }
                }
            }
            frontier = next;
        }

        // Who is shown: the parties, then by hop distance and name, never by id.
        let mut candidates = Vec::with_capacity(reached.len());
        for (id, person) in reached {
            let name = self.first_name(&id, person.source)?;
            candidates.push((id, person, name));
        }
        candidates.sort_by(|(a_id, a, a_name), (b_id, b, b_name)| {
            (
                a.hops,
                a.parties.first().copied().unwrap_or(usize::MAX),
                a_name,
                a_id,
            )
                .cmp(&(
                    b.hops,
                    b.parties.first().copied().unwrap_or(usize::MAX),
                    b_name,
                    b_id,
                ))
        });
        // A person is shown only beside someone shown one hop nearer, so that a cut never
        // leaves a person in the picture without the relation that brought them in.
        let mut neighbours: BTreeMap<&PersonId, Vec<&PersonId>> = BTreeMap::new();
        for (a, b, _) in &relations {
            neighbours.entry(a).or_default().push(b);
            neighbours.entry(b).or_default().push(a);
        }
        let total = candidates.len();
        let mut taken: BTreeSet<PersonId> = BTreeSet::new();
        let mut kept = Vec::with_capacity(total.min(MAX_NODES));
        for (id, person, name) in candidates {
            let attached = person.hops == 0
                || neighbours
                    .get(&id)
                    .is_some_and(|near| near.iter().any(|n| taken.contains(*n)));
            if kept.len() < MAX_NODES && attached {
                taken.insert(id.clone());
                kept.push((id, person, name));
            }
        }
        let left_out = total - kept.len();
        let candidates = kept;

        // The relations among the persons shown: those of the outer ring were not walked.
        let shown = taken;
        for (id, person, _) in &candidates {
            if person.hops == MAX_HOPS {
                for link in self.db.links_of(id).map_err(AppError::from_store)? {
                    if link.id != *id && shown.contains(&link.id) {
                        relations.insert(canonical(link.id, id.clone(), link.kind));
                    }
                }
            }
        }

        let mut keys: BTreeMap<PersonId, (String, String)> = BTreeMap::new();
        let mut nodes = Vec::with_capacity(candidates.len());
        let mut disclosed = Vec::new();
        for (number, (id, person, name)) in candidates.into_iter().enumerate() {
            let key = format!("n{}", number + 1);
            keys.insert(id.clone(), (key.clone(), name.clone()));
            let is_party = person.hops == 0;
            let source_known = knows_protection || is_party;
            let protected = knows_protection.then_some(person.source == RecordSource::Registry);
            if protected == Some(true) {
                disclosed.push(id.as_str().to_owned());
            }
            let findings = self
                .db
                .findings_about(&id)
                .map_err(AppError::from_store)?
                .into_iter()
                .map(|f| NodeFinding {
                    what: f.finding_type.label().to_owned(),
                    state: f.state,
                    date: f.date,
                })
                .collect();
            nodes.push(NetworkNode {
                key,
                record: source_known.then(|| id.as_str().to_owned()),
                source: source_known.then_some(source_label(person.source)),
                name,
                hops: person.hops,
                parties: person.parties.into_iter().collect(),
                findings,
                protected,
            });
        }

        let mut edges = Vec::new();
        for (from, to, kind) in relations {
            let (Some((from_key, from_name)), Some((to_key, to_name))) =
                (keys.get(&from), keys.get(&to))
            else {
                continue;
            };
            edges.push(NetworkEdge {
                from: from_key.clone(),
                to: to_key.clone(),
                kind,
                words: relation_words(from_name, to_name, kind),
            });
        }
        // By the keys' order (the drawing's order), not the ids'.
        edges.sort_by_key(|e| (key_number(&e.from), key_number(&e.to), e.kind));

        if knows_protection {
            self.log_disclosure(
                who,
                &format!("context network of case {case_id}"),
                &[ObjectId::tagged("case", case_id)?],
                disclosed,
            )?;
        }
        Ok(ContextNetwork {
            case: case_id.to_owned(),
            nodes,
            edges,
            left_out,
            shows_protection: knows_protection,
        })
    }

    /// The first written form of a person's name, from the record where `source` says it is.
    fn first_name(&self, id: &PersonId, source: RecordSource) -> Result<String, AppError> {
        let names = match source {
            RecordSource::Registry => self
                .db
                .registry_person(id)
                .map_err(AppError::from_store)?
                .map(|p| p.names),
            RecordSource::Context => self
                .db
                .context_person(id)
                .map_err(AppError::from_store)?
                .map(|p| p.names),
        };
        let names = names.ok_or_else(|| {
            inconsistent(format!(
                "{} record {id} is linked or matched but not stored",
                source_label(source)
            ))
        })?;
        names
            .first()
            .map(|n| n.as_str().to_owned())
            .ok_or_else(|| inconsistent(format!("record {id} has no name")))
    }
}

fn inconsistent(message: String) -> AppError {
    AppError::Store(StoreError::Inconsistent(message))
}

/// One relation written one way only: "B is A's child" and "A is B's parent" are one fact.
fn canonical(
    from: PersonId,
    to: PersonId,
    kind: RelationKind,
) -> (PersonId, PersonId, RelationKind) {
    if from <= to {
        (from, to, kind)
    } else {
        (to, from, kind.inverse())
    }
}

fn key_number(key: &str) -> usize {
    key.trim_start_matches('n').parse().unwrap_or(usize::MAX)
}

fn source_label(source: RecordSource) -> &'static str {
    match source {
        RecordSource::Registry => "registry",
        RecordSource::Context => "context",
    }
}

/// "`from` is `to`'s child", in words.
pub fn relation_words(from: &str, to: &str, kind: RelationKind) -> String {
    match kind {
        RelationKind::MemberOf => format!("{to} is a member of {from}"),
        RelationKind::Household => format!("{from} lives in {to}'s household"),
        RelationKind::Spouse => format!("{from} is {to}'s spouse or partner"),
        RelationKind::Relative => format!("{from} is {to}'s relative"),
        other => format!("{from} is {to}'s {}", other.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relation_is_kept_once_whichever_side_it_was_seen_from() {
        let a = PersonId::parse("A-1".to_owned()).expect("valid id");
        let b = PersonId::parse("B-1".to_owned()).expect("valid id");
        assert_eq!(
            canonical(b.clone(), a.clone(), RelationKind::Child),
            canonical(a, b, RelationKind::Parent)
        );
    }

    #[test]
    fn relations_read_from_the_person_they_name() {
        assert_eq!(
            relation_words("Timur", "Aliya", RelationKind::Child),
            "Timur is Aliya's child"
        );
        assert_eq!(
            relation_words("Group", "Pavel", RelationKind::MemberOf),
            "Pavel is a member of Group"
        );
    }
}
