//! Builders that keep the test tables to one line per case: a request from a compact
//! description, findings from `code@party:role` strings.

use haven_domain::{
    DecisionFinding, FindingCode, MatchEvidence, PersonRole, Request, parse_request,
};

/// A request of `kind` with parties of the given roles, measures written `kind@party` (or just
/// `kind`), and offences of the given categories.
pub fn request(kind: &str, roles: &[&str], measures: &[&str], offences: &[&str]) -> Request {
    let parties: Vec<String> = roles
        .iter()
        .enumerate()
        .map(|(i, role)| format!(r#"{{"role": "{role}", "names": ["Person {i}"]}}"#))
        .collect();
    let measures: Vec<String> = measures
        .iter()
        .map(|m| match m.split_once('@') {
            Some((kind, party)) => format!(r#"{{"kind": "{kind}", "party": {party}}}"#),
            None => format!(r#"{{"kind": "{m}"}}"#),
        })
        .collect();
    let offences: Vec<String> = offences
        .iter()
        .map(|c| format!(r#"{{"description": "alleged {c} offence", "category": "{c}"}}"#))
        .collect();
    let eio = if kind == "eio" {
        r#", "eio": {"issuing_authority": "Public prosecutor"}"#
    } else {
        ""
    };
    let json = format!(
        r#"{{"reference": "REF/1", "kind": "{kind}", "requesting_state": "kz",
            "received_on": "2024-01-15", "parties": [{}], "measures": [{}], "offences": [{}]{eio}}}"#,
        parties.join(", "),
        measures.join(", "),
        offences.join(", ")
    );
    parse_request(&json).unwrap_or_else(|e| panic!("test request {json}: {e}"))
}

/// A finding from `code`, `code@party` or `code@party:role`.
pub fn finding(spec: &str) -> DecisionFinding {
    let (code, rest) = match spec.split_once('@') {
        Some((code, rest)) => (code, Some(rest)),
        None => (spec, None),
    };
    let (party, role) = match rest {
        None => (None, None),
        Some(rest) => match rest.split_once(':') {
            Some((party, role)) => (Some(party), Some(role)),
            None => (Some(rest), None),
        },
    };
    DecisionFinding {
        role: role.map(|r| {
            serde_json::from_value::<PersonRole>(serde_json::Value::String(r.into()))
                .expect("person role")
        }),
        ..DecisionFinding::new(
            FindingCode::parse(code).unwrap_or_else(|| panic!("finding code {code}")),
            party.map(|p| p.parse().expect("party index")),
            format!("test finding {code}"),
        )
    }
}

/// A finding with registry evidence, as screening would give it.
pub fn matched(spec: &str, id: &str, score: f64, detail: &str) -> DecisionFinding {
    DecisionFinding {
        matched: Some(MatchEvidence {
            id: id.into(),
            source: "registry".into(),
            score,
            explanation: "test".into(),
        }),
        detail: detail.into(),
        ..finding(spec)
    }
}

/// The requested state of the bundled partner table.
pub fn be() -> haven_domain::CountryCode {
    haven_domain::CountryCode::parse("be").expect("valid")
}
