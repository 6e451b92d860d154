//! The words the policy writes about requests, parties, measures and findings in internal
//! reasons and safeguard labels. Kept apart from the reply (`reply.rs`), which may say far less.

use haven_domain::{Measure, PartyRole, Request, RequestKind, RiskLevel};

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

/// Joins phrases as prose: `a`, `a and b`, `a, b and c`.
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
