//! The words the policy writes about requests, parties, measures and findings in internal
//! reasons and safeguard labels. Kept apart from the reply (`reply.rs`), which may say far less.

use haven_domain::{
    DecisionFinding, Measure, PartyRole, PersonRole, Request, RequestKind, RiskLevel,
};

/// A request kind as a judge would name it.
pub(crate) fn kind_phrase(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Mla => "request for mutual legal assistance",
        RequestKind::Eio => "European Investigation Order",
        RequestKind::Extradition => "extradition request",
        RequestKind::RedNotice => "red notice",
        RequestKind::Diffusion => "diffusion",
    }
}

fn party_role_wire(role: PartyRole) -> &'static str {
    match role {
        PartyRole::Subject => "subject",
        PartyRole::HouseholdMember => "household member",
        PartyRole::PremisesOwner => "premises owner",
        PartyRole::AccountHolder => "account holder",
        PartyRole::Witness => "witness",
        PartyRole::Counsel => "counsel",
        PartyRole::Other => "other",
    }
}

fn person_role_wire(role: PersonRole) -> &'static str {
    match role {
        PersonRole::Lawyer => "lawyer",
        PersonRole::Journalist => "journalist",
        PersonRole::HumanRightsDefender => "human-rights defender",
        PersonRole::Minor => "minor",
        PersonRole::PoliticalOpponent => "political opponent",
        // `PersonRole` may grow; a new role still reads sensibly.
        _ => "protected role",
    }
}

pub(crate) fn risk_word(risk: RiskLevel) -> &'static str {
    match risk {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
        RiskLevel::VeryHigh => "very high",
    }
}

/// `party 0 (subject, Бекова Айгерим)`; an index the request does not have is said as such.
pub(crate) fn party(request: &Request, index: usize) -> String {
    match request.parties.get(index) {
        None => format!("party {index} (not in the request)"),
        Some(p) => {
            let name = p.names.first().map(ToString::to_string).unwrap_or_default();
            match p.role {
                Some(role) => format!("party {index} ({}, {name})", party_role_wire(role)),
                None => format!("party {index} ({name})"),
            }
        }
    }
}

/// `measure 0 (search_premises, home) on party 0 (subject, …)`.
pub(crate) fn measure(request: &Request, index: usize, m: &Measure) -> String {
    let mut text = format!("measure {index} ({}", m.kind.as_str());
    if let Some(premises) = &m.premises {
        text.push_str(", ");
        text.push_str(premises.as_str());
    }
    if let Some(count) = m.count {
        text.push_str(&format!(", {count}"));
    }
    text.push(')');
    if let Some(p) = m.party {
        text.push_str(" on ");
        text.push_str(&party(request, p));
    }
    text
}

/// `protected_profession (lawyer) on party 0 (subject, …): detail [registry R-1001, score 0.97]`.
pub(crate) fn finding(request: &Request, f: &DecisionFinding) -> String {
    let mut text = f.code.as_str().to_owned();
    if let Some(role) = f.role {
        text.push_str(&format!(" ({})", person_role_wire(role)));
    }
    if let Some(p) = f.party {
        text.push_str(" on ");
        text.push_str(&party(request, p));
    }
    let detail = f.detail.trim();
    if !detail.is_empty() {
        text.push_str(": ");
        text.push_str(detail);
    }
    if let Some(m) = &f.matched {
        // Two decimals: enough for a judge, and stable across platforms' float printing.
        text.push_str(&format!(" [{} {}, score {:.2}]", m.source, m.id, m.score));
    }
    text
}

/// Joins phrases as prose: `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
