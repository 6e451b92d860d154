//! The whereabouts finding (LEGAL-REVIEW §4): a measure whose execution would tell the
//! requesting state where a person protected against it lives or works is a finding of its own,
//! whatever else the request asks. Locating the person, searching their home or office (the
//! execution record and inventory go back with the address), or the requesting state's officials
//! attending any measure against them all reveal it.

use haven_domain::{DecisionFinding, FindingCode, Measure, MeasureKind, Request};

/// The findings that make a party someone whose whereabouts the requesting state must not learn:
/// protected against it, or possibly so (a `possible` match is not yet confirmed or rejected, so
/// it is treated as the person until someone decides).
const PROTECTED: &[FindingCode] = &[
    FindingCode::ProtectedAgainstRequestingState,
    FindingCode::PossibleMatchProtected,
];

/// Measures that by their nature reveal where the party targeted lives or works.
const REVEALING: &[MeasureKind] = &[MeasureKind::Locate, MeasureKind::SearchPremises];

/// One `whereabouts_disclosure` finding per protected party that some measure would locate,
/// with the evidence of the finding that makes the party protected. Findings already derived
/// come in; the new ones come out (none when no protected party is reached this way).
pub fn whereabouts_findings(
    request: &Request,
    findings: &[DecisionFinding],
) -> Vec<DecisionFinding> {
    let officials_present = request
        .measures
        .iter()
        .any(|m| m.kind == MeasureKind::ForeignOfficialsPresent);
    let mut out: Vec<DecisionFinding> = Vec::new();
    for protected in findings.iter().filter(|f| PROTECTED.contains(&f.code)) {
        let Some(party) = protected.party else {
            continue;
        };
        if out.iter().any(|f| f.party == Some(party)) {
            continue;
        }
        let on_party: Vec<(usize, &Measure)> = request
            .measures
            .iter()
            .enumerate()
            .filter(|(_, m)| m.party == Some(party))
            .collect();
        let mut reasons: Vec<String> = on_party
            .iter()
            .filter(|(_, m)| REVEALING.contains(&m.kind))
            .map(|(i, m)| describe(*i, m))
            .collect();
        if officials_present && !on_party.is_empty() {
            reasons.push(
                "the requesting state's officials would attend a measure against them".into(),
            );
        }
        if reasons.is_empty() {
            continue;
        }
        out.push(DecisionFinding {
            matched: protected.matched.clone(),
            ..DecisionFinding::new(
                FindingCode::WhereaboutsDisclosure,
                Some(party),
                format!(
                    "executing the request would tell {} where party {party} lives or works: {}",
                    request.requesting_state.as_str(),
                    reasons.join("; ")
                ),
            )
        });
    }
    out
}

/// `measure 0 (search_premises, home)`.
fn describe(index: usize, measure: &Measure) -> String {
    match &measure.premises {
        Some(premises) => format!(
            "measure {index} ({}, {})",
            measure.kind.as_str(),
            premises.as_str()
        ),
        None => format!("measure {index} ({})", measure.kind.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use haven_domain::parse_request;

    fn request(measures: &str) -> Request {
        parse_request(&format!(
            r#"{{"reference": "R/1", "kind": "mla", "requesting_state": "kz",
                "received_on": "2024-01-15",
                "parties": [{{"role": "subject", "names": ["A B"]}}, {{"role": "witness", "names": ["C D"]}}],
                "measures": [{measures}]}}"#
        ))
        .expect("valid request")
    }

    fn finding(code: FindingCode, party: usize) -> DecisionFinding {
        DecisionFinding::new(code, Some(party), "")
    }

    /// Measures (JSON), the findings already derived (code, party), the parties that get a
    /// whereabouts finding.
    type Row = (
        &'static str,
        &'static [(FindingCode, usize)],
        &'static [usize],
    );

    /// Each row: measures, the findings already derived, and the parties that get a
    /// whereabouts finding.
    #[test]
    fn whereabouts_by_measure_and_finding() {
        use FindingCode::*;
        let cases: &[Row] = &[
            (
                r#"{"kind": "locate", "party": 0}"#,
                &[(ProtectedAgainstRequestingState, 0)],
                &[0],
            ),
            (
                r#"{"kind": "search_premises", "party": 0, "premises": "home"}"#,
                &[(ProtectedAgainstRequestingState, 0)],
                &[0],
            ),
            (
                r#"{"kind": "locate", "party": 0}"#,
                &[(PossibleMatchProtected, 0)],
                &[0],
            ),
            // Officials at a measure against the protected person.
            (
                r#"{"kind": "questioning", "party": 0}, {"kind": "foreign_officials_present", "count": 2}"#,
                &[(ProtectedAgainstRequestingState, 0)],
                &[0],
            ),
            // Questioning alone does not say where the person lives.
            (
                r#"{"kind": "questioning", "party": 0}"#,
                &[(ProtectedAgainstRequestingState, 0)],
                &[],
            ),
            // The measure targets someone else.
            (
                r#"{"kind": "locate", "party": 1}"#,
                &[(ProtectedAgainstRequestingState, 0)],
                &[],
            ),
            // Protected by another state is a different finding (not against the requester).
            (
                r#"{"kind": "locate", "party": 0}"#,
                &[(ProtectedByOtherState, 0)],
                &[],
            ),
            // Two protected findings on one party: one whereabouts finding.
            (
                r#"{"kind": "locate", "party": 0}, {"kind": "search_premises", "party": 0}"#,
                &[
                    (ProtectedAgainstRequestingState, 0),
                    (PossibleMatchProtected, 0),
                ],
                &[0],
            ),
        ];
        for (measures, found, parties) in cases {
            let request = request(measures);
            let findings: Vec<DecisionFinding> =
                found.iter().map(|&(c, p)| finding(c, p)).collect();
            let got: Vec<usize> = whereabouts_findings(&request, &findings)
                .iter()
                .map(|f| {
                    assert_eq!(f.code, WhereaboutsDisclosure);
                    assert!(f.detail.contains("where party"), "{}", f.detail);
                    f.party.expect("a party")
                })
                .collect();
            assert_eq!(&got, parties, "{measures} with {found:?}");
        }
    }
}
