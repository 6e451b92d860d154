//! From a request and what the registry and context know to typed findings, each with its
//! evidence: which record, how well it matched, and what it shows.
//!
//! Whether a candidate is the same person is decided once, by the index's tier
//! ([`haven_index::evidence::tier`]: the name's tier, lowered only by contradicting evidence
//! such as another birth year, never by missing evidence). Assessment reads `Match.tier` and
//! keeps no rule of its own. By tier and source:
//!
//! - **`match`, registry**: the party is that protected person:
//!   `protected_against_requesting_state`, `protected_by_other_state`, and everything the record
//!   says (roles, protected relatives, context within two hops).
//! - **`match`, context**: the party is that context person: roles, protected relatives,
//!   context within two hops.
//! - **`possible`, registry**: never silence (DESIGN §5.1). Wherever the same record at `match`
//!   tier would give a protection or relative finding, it gives one `possible_match_protected`
//!   finding with the match evidence, and its detail says what a confirmed identity would bring
//!   (roles, protected relatives, context findings within two hops), so that the asylum
//!   authority and the judge see the whole picture. The findings that rest on the identity
//!   (profession, privilege, context) are not raised on their own: the policy freezes the
//!   request until a person confirms or rejects the identity, and a confirmed identity is
//!   assessed again.
//! - **`possible`, context**: a context person is not a protected person, and context bases
//!   (FollowTheMoney exports of sanctions and PEP lists) are large, so a possible likeness to one
//!   raises no context finding of its own: that would freeze every request that names a common
//!   name. It is kept where it matters for protection: a possible context person whose family
//!   includes a person protected against the requesting state gives `possible_match_protected`
//!   (the asylum authority knows the family and can confirm).
//! - **`none`**: the index's verdict that it is someone else; no finding.
//!
//! Need to know (DESIGN §5.4): a finding's `detail` says what an officer may know (a protected
//! person, a relative of one, protection granted by another state, and whom to refer to), never
//! the status, the granting state, the dates or the states protected against. Those go into the
//! finding's `protection` facts, which [`haven_domain::Decision::restricted`] removes.
//!
//! No candidate is skipped silently: an id that does not parse or a record the store does not
//! hold is an [`AssessError`] that names the id.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use haven_domain::{
    DecisionFinding, FindingCode, FindingId, MatchEvidence, MeasureKind, OffenceCategory,
    PartialDate, Party, PartyRole, PersonId, PersonRole, ProtectionFacts, RegistryPerson,
    RelationKind, Request, RequestKind, RiskLevel,
};
use haven_index::{Match, Source};
use haven_names::Tier;

use crate::{AssessError, Knowledge, Settings};

/// How far context expansion walks along relations (DESIGN §6: "context within two hops").
const CONTEXT_HOPS: usize = 2;

/// Measures that would reach a lawyer's or journalist's privileged material.
const PRIVILEGE_REACHING: &[MeasureKind] = &[
    MeasureKind::SearchPremises,
    MeasureKind::SeizeDevices,
    MeasureKind::SeizeDocuments,
    MeasureKind::Interception,
    MeasureKind::AccountAccess,
];

/// A party's candidate at `match` or `possible` tier, with the record behind it.
struct Identified {
    tier: Tier,
    evidence: MatchEvidence,
    id: PersonId,
    registry: Option<RegistryPerson>,
    roles: Vec<PersonRole>,
}

/// Derives every finding about a request, parties in order, then request-level findings.
pub fn derive_findings(
    request: &Request,
    knowledge: &dyn Knowledge,
    settings: &Settings,
) -> Result<Vec<DecisionFinding>, AssessError> {
    let mut findings = Vec::new();
    let mut identified: Vec<Vec<Identified>> = Vec::with_capacity(request.parties.len());
    for party in &request.parties {
        identified.push(identify(party, knowledge, settings)?);
    }

    // Who in the request is protected against the requesting state, and by which record:
    // relatives of theirs named in the same request are flagged below.
    let protected_parties: BTreeMap<usize, &RegistryPerson> = identified
        .iter()
        .enumerate()
        .filter_map(|(index, people)| {
            people
                .iter()
                .filter(|p| p.tier == Tier::Match)
                .filter_map(|p| p.registry.as_ref())
                .find(|r| protected_against(r, request))
                .map(|record| (index, record))
        })
        .collect();

    for (index, (party, people)) in request.parties.iter().zip(&identified).enumerate() {
        for person in people {
            if person.tier == Tier::Match {
                identified_findings(request, index, person, knowledge, settings, &mut findings)?;
            } else if let Some(possible) =
                possible_finding(request, index, person, knowledge, settings)?
            {
                findings.push(possible);
            }
        }

        // A household member named beside a protected party is a relative of theirs whether or
        // not the registry records the link.
        if party.role == Some(PartyRole::HouseholdMember)
            && !protected_parties.contains_key(&index)
            && let Some((&protected, record)) = protected_parties.iter().next()
        {
            findings.push(DecisionFinding {
                protection: Some(facts(record)),
                ..finding(
                    FindingCode::RelativeOfProtectedPerson,
                    index,
                    None,
                    format!(
                        "{} is named as a household member beside {}, a protected person",
                        party_label(request, index),
                        party_label(request, protected),
                    ),
                )
            });
        }

        if let Some(birth) = &party.birth_date
            && is_minor_on(birth, &request.received_on)
            && !people.iter().any(|p| p.roles.contains(&PersonRole::Minor))
        {
            findings.push(DecisionFinding {
                role: Some(PersonRole::Minor),
                ..finding(
                    FindingCode::MinorInvolved,
                    index,
                    None,
                    format!(
                        "{} was born {birth}: under 18 when the request was received ({})",
                        party_label(request, index),
                        request.received_on
                    ),
                )
            });
        }
    }

    request_level_findings(request, knowledge, &mut findings)?;
    dedupe(&mut findings);
    Ok(findings)
}

/// The findings about a party identified at `match` tier with a registry or context person.
fn identified_findings(
    request: &Request,
    index: usize,
    person: &Identified,
    knowledge: &dyn Knowledge,
    settings: &Settings,
    findings: &mut Vec<DecisionFinding>,
) -> Result<(), AssessError> {
    if let Some(record) = &person.registry {
        if protected_against(record, request) {
            findings.push(DecisionFinding {
                protection: Some(facts(record)),
                ..finding(
                    FindingCode::ProtectedAgainstRequestingState,
                    index,
                    Some(&person.evidence),
                    format!(
                        "{} matches registry record {}: a protected person; refer to the asylum \
                         authority",
                        party_label(request, index),
                        record.id,
                    ),
                )
            });
        }
        if record.protection.granted_by != settings.receiving_state {
            findings.push(DecisionFinding {
                protection: Some(facts(record)),
                ..finding(
                    FindingCode::ProtectedByOtherState,
                    index,
                    Some(&person.evidence),
                    format!(
                        "registry record {}: protection granted by another state; the granting \
                         authority must be consulted",
                        record.id,
                    ),
                )
            });
        }
    }
    for (kind, relative) in protected_relatives(&person.id, request, knowledge)? {
        findings.push(DecisionFinding {
            protection: Some(facts(&relative)),
            ..finding(
                FindingCode::RelativeOfProtectedPerson,
                index,
                Some(&person.evidence),
                format!(
                    "{} ({}) has as {} registry record {}, a protected person",
                    party_label(request, index),
                    person.id,
                    kind.as_str(),
                    relative.id,
                ),
            )
        });
    }
    let professions: Vec<PersonRole> = person
        .roles
        .iter()
        .copied()
        .filter(|r| is_protected_profession(*r))
        .collect();
    for &profession in &professions {
        findings.push(DecisionFinding {
            role: Some(profession),
            ..finding(
                FindingCode::ProtectedProfession,
                index,
                Some(&person.evidence),
                format!("{} is recorded as {}", person.id, role_label(profession)),
            )
        });
    }
    let reaching: Vec<&str> = request
        .measures_for(index)
        .filter(|m| PRIVILEGE_REACHING.contains(&m.kind))
        .map(|m| measure_label(m.kind))
        .collect();
    // Lawyers' privilege is the strictest; name it when the person is one.
    let privileged = professions
        .iter()
        .copied()
        .find(|r| *r == PersonRole::Lawyer)
        .or_else(|| {
            professions
                .iter()
                .copied()
                .find(|r| *r == PersonRole::Journalist)
        });
    if let Some(profession) = privileged
        && !reaching.is_empty()
    {
        findings.push(DecisionFinding {
            role: Some(profession),
            ..finding(
                FindingCode::PrivilegedMaterialLikely,
                index,
                Some(&person.evidence),
                format!(
                    "{} is asked for against {}: privileged material is likely",
                    reaching.join(", "),
                    role_label(profession)
                ),
            )
        });
    }
    if person.roles.contains(&PersonRole::Minor) {
        findings.push(DecisionFinding {
            role: Some(PersonRole::Minor),
            ..finding(
                FindingCode::MinorInvolved,
                index,
                Some(&person.evidence),
                format!("{} is recorded as a minor", person.id),
            )
        });
    }
    for (fact, context) in persecution_context(&person.id, knowledge)? {
        findings.push(DecisionFinding {
            fact: Some(fact),
            ..finding(
                FindingCode::ContextPoliticalPersecution,
                index,
                Some(&person.evidence),
                context,
            )
        });
    }
    Ok(())
}

/// The one finding a `possible` candidate gives, if the same record at `match` tier would give
/// a protection or relative finding: `possible_match_protected`, with what a confirmed identity
/// would bring in its detail (see the module documentation).
fn possible_finding(
    request: &Request,
    index: usize,
    person: &Identified,
    knowledge: &dyn Knowledge,
    settings: &Settings,
) -> Result<Option<DecisionFinding>, AssessError> {
    // What makes the record matter to this request, as the `match` tier would see it: in words
    // an officer may read, the facts themselves beside them.
    let mut protection = None;
    if let Some(record) = &person.registry {
        if protected_against(record, request) {
            protection = Some(("a protected person", facts(record)));
        } else if record.protection.granted_by != settings.receiving_state {
            protection = Some((
                "protection granted by another state; the granting authority would have to be \
                 consulted",
                facts(record),
            ));
        }
    }
    let relatives: Vec<String> = protected_relatives(&person.id, request, knowledge)?
        .iter()
        .map(|(kind, relative)| format!("{} {}", kind.as_str(), relative.id))
        .collect();
    if protection.is_none() && relatives.is_empty() {
        return Ok(None);
    }
    let source = if person.registry.is_some() {
        "registry"
    } else {
        "context"
    };
    let mut record = format!("{source} record {}", person.id);
    if let Some((words, _)) = &protection {
        record.push_str(&format!(" ({words})"));
    }
    if !relatives.is_empty() {
        record.push_str(&format!(
            ", whose relatives include protected persons: {}",
            relatives.join(", ")
        ));
    }

    let mut if_confirmed: Vec<String> = person
        .roles
        .iter()
        .map(|r| format!("recorded as {}", role_label(*r)))
        .collect();
    let context = persecution_context(&person.id, knowledge)?;
    if !context.is_empty() {
        if_confirmed.push(format!(
            "{} context finding(s) of political persecution within two hops",
            context.len()
        ));
    }
    let mut detail = format!(
        "{} is a possible match, not an identity, for {record}: the asylum authority is to \
         confirm or reject the identity before anything is executed",
        party_label(request, index),
    );
    if !if_confirmed.is_empty() {
        detail.push_str("; if confirmed: ");
        detail.push_str(&if_confirmed.join("; "));
    }
    Ok(Some(DecisionFinding {
        protection: protection.map(|(_, facts)| facts),
        ..finding(
            FindingCode::PossibleMatchProtected,
            index,
            Some(&person.evidence),
            detail,
        )
    }))
}

/// The family of a person (stated or implied links) who are in the registry and protected
/// against the requesting state, with what each is to the person.
fn protected_relatives(
    id: &PersonId,
    request: &Request,
    knowledge: &dyn Knowledge,
) -> Result<Vec<(RelationKind, RegistryPerson)>, AssessError> {
    let mut out = Vec::new();
    for link in knowledge.links_of(id)? {
        if !link.kind.is_family() || &link.id == id {
            continue;
        }
        // A relative the registry does not hold (a context person) is not protected: nothing
        // is skipped, there is no protection to find.
        if let Some(relative) = knowledge.registry_person(&link.id)?
            && protected_against(&relative, request)
        {
            out.push((link.kind, relative));
        }
    }
    Ok(out)
}

/// Findings about the request as a whole: the requesting state, the offences, the kind.
fn request_level_findings(
    request: &Request,
    knowledge: &dyn Knowledge,
    findings: &mut Vec<DecisionFinding>,
) -> Result<(), AssessError> {
    if let Some(profile) = knowledge.state_profile(request.requesting_state)?
        && matches!(profile.risk, RiskLevel::High | RiskLevel::VeryHigh)
    {
        let sources: Vec<&str> = profile.sources.iter().map(|s| s.as_str()).collect();
        findings.push(DecisionFinding::new(
            FindingCode::RequestingStateHighRisk,
            None,
            format!(
                "{} is profiled as {} risk: {} [{}]",
                request.requesting_state.as_str(),
                risk_label(profile.risk),
                profile.summary,
                sources.join("; ")
            ),
        ));
    }
    for offence in &request.offences {
        if matches!(
            offence.category,
            OffenceCategory::Political
                | OffenceCategory::Fiscal
                | OffenceCategory::Defamation
                | OffenceCategory::Extremism
        ) {
            findings.push(DecisionFinding::new(
                FindingCode::OffenceCategoryFlag,
                None,
                format!(
                    "offence \"{}\" is classed as {}",
                    offence.description,
                    offence.category.as_str()
                ),
            ));
        }
    }
    if request.kind == RequestKind::Diffusion {
        findings.push(DecisionFinding::new(
            FindingCode::UnreviewedDiffusion,
            None,
            "a diffusion is sent by the member state directly; INTERPOL has not reviewed it \
             against Articles 2 and 3 of its Constitution",
        ));
    }
    let officials: u32 = request
        .measures
        .iter()
        .filter(|m| m.kind == MeasureKind::ForeignOfficialsPresent)
        .map(|m| m.count.unwrap_or(1))
        .sum();
    if officials > 0 {
        findings.push(DecisionFinding::new(
            FindingCode::ForeignOfficialsRequested,
            None,
            format!(
                "{officials} official(s) of {} are to be present at execution",
                request.requesting_state.as_str()
            ),
        ));
    }
    Ok(())
}

/// The candidates of a party at `match` or `possible` tier, with their records.
fn identify(
    party: &Party,
    knowledge: &dyn Knowledge,
    settings: &Settings,
) -> Result<Vec<Identified>, AssessError> {
    let mut people = Vec::new();
    for candidate in knowledge.screen(party, settings.matches_per_party)? {
        // The index's verdict that this is someone else (DESIGN §5.1, tier `none`).
        if candidate.tier == Tier::None {
            continue;
        }
        let body = candidate.source.label();
        let id = PersonId::parse(candidate.id.clone()).map_err(|error| {
            AssessError::UnreadableMatchId {
                id: candidate.id.clone(),
                body,
                reason: error.to_string(),
            }
        })?;
        let missing = || AssessError::MissingRecord {
            id: id.to_string(),
            body,
        };
        let (registry, roles) = match candidate.source {
            Source::Registry => {
                let person = knowledge.registry_person(&id)?.ok_or_else(missing)?;
                let roles = person.roles.clone();
                (Some(person), roles)
            }
            Source::Context => {
                let person = knowledge.context_person(&id)?.ok_or_else(missing)?;
                (None, person.roles)
            }
        };
        people.push(Identified {
            tier: candidate.tier,
            evidence: evidence(&candidate),
            id,
            registry,
            roles,
        });
    }
    Ok(people)
}

/// Findings of political persecution about the person or anyone within two hops of them: each
/// context fact's id, and the fact in words with the path that reached it.
fn persecution_context(
    start: &PersonId,
    knowledge: &dyn Knowledge,
) -> Result<Vec<(FindingId, String)>, AssessError> {
    // Breadth first, remembering how each person was reached, so the finding can say "the
    // sibling of …".
    let mut paths: BTreeMap<PersonId, String> = BTreeMap::new();
    paths.insert(start.clone(), start.to_string());
    let mut queue = VecDeque::from([(start.clone(), 0usize)]);
    while let Some((id, depth)) = queue.pop_front() {
        if depth == CONTEXT_HOPS {
            continue;
        }
        for link in knowledge.links_of(&id)? {
            if paths.contains_key(&link.id) {
                continue;
            }
            let path = format!("{} ({} of {})", link.id, link.kind.as_str(), paths[&id]);
            paths.insert(link.id.clone(), path);
            queue.push_back((link.id, depth + 1));
        }
    }
    let mut out = Vec::new();
    for (id, path) in &paths {
        for found in knowledge.findings_about(id)? {
            let words = format!(
                "{path}: {} ({}): {} [{}]",
                found.finding_type.label(),
                found.id,
                found.summary,
                found.source
            );
            out.push((found.id, words));
        }
    }
    Ok(out)
}

fn protected_against(record: &RegistryPerson, request: &Request) -> bool {
    record
        .protection
        .against
        .contains(&request.requesting_state)
}

fn is_protected_profession(role: PersonRole) -> bool {
    matches!(
        role,
        PersonRole::Lawyer | PersonRole::Journalist | PersonRole::HumanRightsDefender
    )
}

/// Under 18 on the day the request was received, judged on what both dates say; an uncertain
/// case (a birth year only, in the boundary year) counts as a minor: the safeguard costs less
/// than the mistake.
fn is_minor_on(birth: &PartialDate, on: &PartialDate) -> bool {
    let age_years = i32::from(on.year()) - i32::from(birth.year());
    if age_years < 18 {
        return true;
    }
    if age_years > 18 {
        return false;
    }
    match (birth.month(), on.month()) {
        (Some(bm), Some(om)) if bm != om => bm > om,
        (Some(_), Some(_)) => match (birth.day(), on.day()) {
            (Some(bd), Some(od)) => bd > od,
            _ => true,
        },
        _ => true,
    }
}

fn evidence(candidate: &Match) -> MatchEvidence {
    MatchEvidence {
        id: candidate.id.clone(),
        source: candidate.source.label().to_owned(),
        score: (f64::from(candidate.score) * 10_000.0).round() / 10_000.0,
        explanation: candidate.explanation.clone(),
    }
}

fn finding(
    code: FindingCode,
    party: usize,
    evidence: Option<&MatchEvidence>,
    detail: String,
) -> DecisionFinding {
    DecisionFinding {
        matched: evidence.cloned(),
        ..DecisionFinding::new(code, Some(party), detail)
    }
}

/// A registry record's protection as a finding carries it.
fn facts(record: &RegistryPerson) -> ProtectionFacts {
    ProtectionFacts {
        record: record.id.clone(),
        protection: record.protection.clone(),
    }
}

/// The same finding twice (two aliases of one record, a relation stated on both sides) is one.
fn dedupe(findings: &mut Vec<DecisionFinding>) {
    let mut seen = BTreeSet::new();
    findings.retain(|f| {
        seen.insert((
            f.code,
            f.party,
            f.matched.as_ref().map(|m| m.id.clone()),
            f.detail.clone(),
        ))
    });
}

fn party_label(request: &Request, index: usize) -> String {
    let party = &request.parties[index];
    let role = party.role.map_or("party", |r| match r {
        PartyRole::Subject => "the subject",
        PartyRole::HouseholdMember => "a household member",
        PartyRole::PremisesOwner => "the premises owner",
        PartyRole::AccountHolder => "the account holder",
        PartyRole::Witness => "a witness",
        PartyRole::Counsel => "counsel",
        PartyRole::Other => "a party",
    });
    format!("party {index} ({role}, \"{}\")", party.names[0])
}

fn role_label(role: PersonRole) -> &'static str {
    match role {
        PersonRole::Lawyer => "a lawyer",
        PersonRole::Journalist => "a journalist",
        PersonRole::HumanRightsDefender => "a human-rights defender",
        PersonRole::Minor => "a minor",
        PersonRole::PoliticalOpponent => "a political opponent",
        _ => "a person in a recorded role",
    }
}

fn measure_label(kind: MeasureKind) -> &'static str {
    match kind {
        MeasureKind::SearchPremises => "a search of premises",
        MeasureKind::SeizeDevices => "seizure of devices",
        MeasureKind::SeizeDocuments => "seizure of documents",
        MeasureKind::BankingRecords => "banking records",
        MeasureKind::AccountAccess => "access to accounts",
        MeasureKind::Questioning => "questioning",
        MeasureKind::ForeignOfficialsPresent => "presence of foreign officials",
        MeasureKind::Interception => "interception",
        MeasureKind::Locate => "locating the person",
        MeasureKind::ProvisionalArrest => "provisional arrest",
        MeasureKind::Surrender => "surrender",
        MeasureKind::TransferOfMaterial => "transfer of material",
    }
}

fn risk_label(risk: RiskLevel) -> &'static str {
    match risk {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
        RiskLevel::VeryHigh => "very high",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minors_by_birth_date() {
        let date = |s: &str| PartialDate::parse(s).expect("date");
        let cases = [
            ("2005-03-01", "2019-09-10", true),
            ("2001-09-11", "2019-09-10", true),
            ("2001-09-10", "2019-09-10", false),
            ("2001-08-01", "2019-09-10", false),
            ("2001", "2019-09-10", true),
            ("1990", "2019", false),
        ];
        for (birth, on, expected) in cases {
            assert_eq!(
                is_minor_on(&date(birth), &date(on)),
                expected,
                "{birth} on {on}"
            );
        }
    }
}
