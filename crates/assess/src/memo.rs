//! The decision memo, for the judge: short enough to read in a minute. The legal basis first,
//! then the outcome, the findings numbered (each record's evidence said once), the grounds (each
//! rule with the findings it rests on, by number, and its legal sources), the safeguards grouped
//! by code, and the reply proposed for the requesting state. Sources not read in a primary text
//! ([S], [M]) are marked "to be verified" (LEGAL-REVIEW §5).
//!
//! The memo renders what the decision it is given holds: the protection facts of a full decision
//! (status, granting state, dates, the states protected against) under the findings that carry
//! them, nothing of them for a [`Decision::restricted`] one. This is the one place that puts
//! those facts into words.

use std::fmt::Write as _;

use haven_domain::{
    BasisKind, Decision, DecisionFinding, FindingCode, FindingId, LegalBasis, Protection,
    ProtectionFacts, ProtectionStatus, Request, RequestKind,
};

/// Renders a decision as a plain-text memo. It states protection details when the decision
/// holds them: render `decision.restricted()` for a reader without need to know.
pub fn memo(request: &Request, decision: &Decision) -> String {
    let mut out = String::new();
    heading(&mut out, request, decision);
    findings(&mut out, request, &decision.findings);
    grounds(&mut out, decision);
    safeguards(&mut out, decision);
    out.push_str("\nREPLY PROPOSED TO THE REQUESTING STATE (discloses no asylum information)\n");
    for line in decision.reply_to_requesting_state.lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}

fn kind_phrase(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::Mla => "mutual legal assistance request",
        RequestKind::Eio => "European Investigation Order",
        RequestKind::Extradition => "extradition request",
        RequestKind::RedNotice => "INTERPOL red notice",
        RequestKind::Diffusion => "INTERPOL diffusion",
    }
}

/// "1 party", "3 parties".
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Reference, legal basis, outcome and referrals: what a judge needs before the detail.
fn heading(out: &mut String, request: &Request, decision: &Decision) {
    let _ = writeln!(
        out,
        "DECISION MEMO — {} ({} from {}, received {}; {}, {})",
        request.reference,
        kind_phrase(request.kind),
        request.requesting_state.as_str().to_uppercase(),
        request.received_on,
        counted(request.parties.len(), "party", "parties"),
        counted(request.measures.len(), "measure", "measures"),
    );
    let _ = writeln!(out, "LEGAL BASIS: {}", basis(decision.legal_basis.as_ref()));
    let referrals: Vec<String> = decision
        .referrals
        .iter()
        .map(|r| r.as_str().replace('_', " "))
        .collect();
    // The outcome line stands alone: the CLI and its users read "OUTCOME: …" as a line.
    let _ = writeln!(
        out,
        "OUTCOME: {}\nREFERRALS: {}",
        decision.outcome.as_str().replace('_', " ").to_uppercase(),
        if referrals.is_empty() {
            "none".to_owned()
        } else {
            referrals.join(", ")
        }
    );
    if let Some(ledger) = &decision.ledger {
        let _ = writeln!(out, "Ledger entry {} (root {}).", ledger.index, ledger.root);
    }
}

/// "instruments in force between BE and KZ: …" or "no treaty on record …: national law and
/// reciprocity (…)".
fn basis(basis: Option<&LegalBasis>) -> String {
    let Some(basis) = basis else {
        return "not recorded (decision made before the partner table)".into();
    };
    let named: Vec<String> = basis
        .instruments
        .iter()
        .map(|i| mark(&format!("{} [{}]", i.title, i.tag)))
        .collect();
    let states = format!(
        "{} and {}",
        basis.requested_state.as_str().to_uppercase(),
        basis.requesting_state.as_str().to_uppercase()
    );
    match basis.kind {
        BasisKind::Instruments => {
            format!(
                "instruments in force between {states}: {}",
                named.join("; ")
            )
        }
        _ if named.is_empty() => format!(
            "no treaty on record between {states}: national law and reciprocity (no partner \
             table for {})",
            basis.requested_state.as_str().to_uppercase()
        ),
        _ => format!(
            "no treaty on record between {states}: national law and reciprocity — {}",
            named.join("; ")
        ),
    }
}

/// Marks every "[S]" and "[M]" in a list of citations: [P] as is, the others to be verified.
fn mark(citations: &str) -> String {
    citations
        .replace("[S]", "[S, source to be verified]")
        .replace("[M]", "[M, source to be verified]")
}

/// The findings, numbered from 1 in decision order (reasons and grounds use these numbers),
/// grouped by party and code: each record's evidence said once, a detail already said for another
/// party referred to by number.
fn findings(out: &mut String, request: &Request, findings: &[DecisionFinding]) {
    out.push_str("\nFINDINGS\n");
    if findings.is_empty() {
        out.push_str("  None: no party matches the registry or the context knowledge base.\n");
    }
    let mut n = 0;
    // Context facts already said, with the number of the finding that said them: a fact
    // reached again from another party is referred to, not repeated.
    let mut facts_said: Vec<(usize, &FindingId)> = Vec::new();
    // Each record's protection is said once, under the first finding that carries it.
    let mut protections_said: Vec<&str> = Vec::new();
    while n < findings.len() {
        let party = findings[n].party;
        let end = n + findings[n..]
            .iter()
            .take_while(|f| f.party == party)
            .count();
        party_heading(out, request, &findings[n..end]);
        let mut g = n;
        while g < end {
            let code = findings[g].code;
            let stop = g + findings[g..end]
                .iter()
                .take_while(|f| f.code == code)
                .count();
            let numbers: Vec<usize> = (g + 1..=stop).collect();
            let mut details: Vec<String> = Vec::new();
            for (i, f) in findings.iter().enumerate().take(stop).skip(g) {
                let first = f
                    .fact
                    .as_ref()
                    .and_then(|fact| facts_said.iter().find(|(_, said)| *said == fact));
                match first {
                    Some((number, _)) => details.push(format!("as finding {number}")),
                    None => details.push(f.detail.clone()),
                }
                if let (Some(fact), None) = (&f.fact, first) {
                    facts_said.push((i + 1, fact));
                }
            }
            let _ = writeln!(
                out,
                "    {}. {code}: {}",
                ranges(&numbers),
                details.join(" | ")
            );
            for facts in findings[g..stop]
                .iter()
                .filter_map(|f| f.protection.as_ref())
            {
                if !protections_said.contains(&facts.record.as_str()) {
                    protections_said.push(facts.record.as_str());
                    let _ = writeln!(out, "       {}", protection_line(facts));
                }
            }
            g = stop;
        }
        n = end;
    }
}

/// "Protection of registry record R-1001: refugee status granted by be on 2013-10-01, against
/// kz".
fn protection_line(facts: &ProtectionFacts) -> String {
    let against: Vec<&str> = facts
        .protection
        .against
        .iter()
        .map(|s| s.as_str())
        .collect();
    format!(
        "Protection of registry record {}: {}, against {}",
        facts.record,
        protection_label(&facts.protection),
        against.join(", ")
    )
}

/// "refugee status granted by be on 2013-10-01", "asylum application pending before be since
/// 2018-11-05".
fn protection_label(protection: &Protection) -> String {
    let by = protection.granted_by.as_str();
    match (protection.status, protection.granted_on) {
        (status, Some(granted)) if status != ProtectionStatus::AsylumSeeker => {
            format!(
                "{} status granted by {by} on {granted}",
                status_label(status)
            )
        }
        _ => match protection.applied_on {
            Some(applied) => format!("asylum application pending before {by} since {applied}"),
            None => format!("asylum application pending before {by}"),
        },
    }
}

fn status_label(status: ProtectionStatus) -> &'static str {
    match status {
        ProtectionStatus::Refugee => "refugee",
        ProtectionStatus::Subsidiary => "subsidiary protection",
        ProtectionStatus::AsylumSeeker => "asylum seeker",
        ProtectionStatus::Temporary => "temporary protection",
        _ => "protection",
    }
}

/// Who the findings are about and the record they rest on, once per party.
fn party_heading(out: &mut String, request: &Request, group: &[DecisionFinding]) {
    let Some(index) = group[0].party else {
        out.push_str("  The request as a whole\n");
        return;
    };
    let name = request
        .parties
        .get(index)
        .and_then(|p| p.names.first())
        .map_or("", |n| n.as_str());
    let _ = writeln!(out, "  Party {index} \"{name}\"");
    let mut shown: Vec<&str> = Vec::new();
    for finding in group {
        let Some(evidence) = &finding.matched else {
            continue;
        };
        if finding.code == FindingCode::PossibleMatchProtected {
            // A possible match is said in full: the judge must see why it is only possible.
            let _ = writeln!(
                out,
                "    POSSIBLE match, not confirmed: {} record {} (score {:.2}). {} A person must \
                 confirm or reject the identity before anything is executed.",
                evidence.source, evidence.id, evidence.score, evidence.explanation
            );
        } else if !shown.contains(&evidence.id.as_str()) {
            let _ = writeln!(
                out,
                "    Identified as {} record {} (score {:.2}): {}",
                evidence.source, evidence.id, evidence.score, evidence.explanation
            );
        }
        shown.push(&evidence.id);
    }
}

/// `1`, `6–9`, `2, 3, 13` → consecutive runs of three or more as ranges.
fn ranges(numbers: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        if j >= i + 2 {
            parts.push(format!("{}–{}", numbers[i], numbers[j]));
        } else {
            parts.extend(numbers[i..=j].iter().map(ToString::to_string));
        }
        i = j + 1;
    }
    parts.join(", ")
}

/// One line per rule that fired: the findings it rests on and its sources.
fn grounds(out: &mut String, decision: &Decision) {
    match &decision.catalogue_version {
        Some(version) => {
            let _ = writeln!(out, "\nGROUNDS (rule catalogue {version})");
        }
        None => out.push_str("\nGROUNDS\n"),
    }
    if decision.rules_applied.is_empty() {
        out.push_str("  No rule of the catalogue applies.\n");
    }
    if decision.grounds.is_empty() {
        // A decision recorded before grounds existed: its reasons are all there is.
        for (n, reason) in decision.reasons.iter().enumerate() {
            let rule = decision.rules_applied.get(n).map_or("", String::as_str);
            let _ = writeln!(out, "  R{}. ({rule}) {}", n + 1, mark(reason));
        }
        return;
    }
    for (n, ground) in decision.grounds.iter().enumerate() {
        let on = match ground.findings.as_slice() {
            [] => String::new(),
            [one] => format!(" (finding {one})"),
            many => format!(" (findings {})", ranges(many)),
        };
        let _ = writeln!(
            out,
            "  R{}. {}{on}. [{}] {}",
            n + 1,
            ground.title,
            ground.rule,
            mark(&ground.citations.join("; "))
        );
    }
}

/// Safeguards grouped by code, each with the measures it attaches to and its sources (each
/// source once).
fn safeguards(out: &mut String, decision: &Decision) {
    out.push_str("\nSAFEGUARDS REQUIRED\n");
    if decision.safeguards.is_empty() {
        out.push_str("  None beyond the ordinary law of execution.\n");
    }
    let mut groups: Vec<SafeguardGroup<'_>> = Vec::new();
    for safeguard in &decision.safeguards {
        let code = safeguard.code.as_str();
        let at = match groups.iter().position(|g| g.code == code) {
            Some(at) => at,
            None => {
                groups.push(SafeguardGroup {
                    code,
                    ..SafeguardGroup::default()
                });
                groups.len() - 1
            }
        };
        let group = &mut groups[at];
        match (safeguard.measure, safeguard.applies_to.as_deref()) {
            (Some(index), _) if !group.measures.contains(&index) => group.measures.push(index),
            (None, Some(words)) if !group.worded.contains(&words) => group.worded.push(words),
            _ => {}
        }
        for source in safeguard.citation.split("; ") {
            if !group.sources.contains(&source) {
                group.sources.push(source);
            }
        }
    }
    for group in groups {
        let mut on: Vec<String> = Vec::new();
        if !group.measures.is_empty() {
            let numbers: Vec<String> = group.measures.iter().map(ToString::to_string).collect();
            on.push(format!("measures {}", numbers.join(", ")));
        }
        on.extend(group.worded.iter().map(|w| (*w).to_owned()));
        if on.is_empty() {
            on.push("the request".to_owned());
        }
        let _ = writeln!(
            out,
            "  - {} — {}: {}",
            group.code,
            on.join("; "),
            mark(&group.sources.join("; "))
        );
    }
}

/// One safeguard code's line in the memo.
#[derive(Default)]
struct SafeguardGroup<'a> {
    code: &'a str,
    /// The measures it attaches to, by index.
    measures: Vec<usize>,
    /// The words of those recorded before a safeguard carried its measure's index, shown as
    /// they were written.
    worded: Vec<&'a str>,
    sources: Vec<&'a str>,
}

#[cfg(test)]
mod tests {
    use haven_domain::{Outcome, Safeguard, SafeguardCode, parse_request};

    use super::*;

    fn empty_decision() -> Decision {
        Decision {
            outcome: Outcome::FreezeAndRefer,
            legal_basis: None,
            findings: Vec::new(),
            safeguards: Vec::new(),
            referrals: Vec::new(),
            reasons: Vec::new(),
            reply_to_requesting_state: String::new(),
            rules_applied: Vec::new(),
            grounds: Vec::new(),
            catalogue_version: None,
            ledger: None,
        }
    }

    fn context_finding(party: usize, fact: &str, detail: &str) -> DecisionFinding {
        DecisionFinding {
            fact: Some(FindingId::parse(fact).expect("valid id")),
            ..DecisionFinding::new(
                FindingCode::ContextPoliticalPersecution,
                Some(party),
                detail,
            )
        }
    }

    /// A context fact reached from two parties is said once and referred to after; two facts
    /// with the same words (one source's summary used twice) are two facts, each said.
    #[test]
    fn a_context_fact_is_said_once_and_referred_to_by_number() {
        let request = parse_request(
            r#"{"reference": "R/1", "kind": "mla", "requesting_state": "kz",
                "received_on": "2024-01-15",
                "parties": [{"role": "subject", "names": ["A B"]}, {"role": "witness", "names": ["C D"]}],
                "measures": []}"#,
        )
        .expect("valid request");
        let summary = "detained after a trial the monitor calls political; the same words for \
                       two detentions, longer than eighty characters [Illustrative source]";
        let decision = Decision {
            findings: vec![
                context_finding(0, "F-1", &format!("C-7 (sibling of R-1): {summary}")),
                context_finding(0, "F-2", &format!("C-8 (sibling of R-1): {summary}")),
                context_finding(1, "F-1", &format!("C-7 (spouse of R-2): {summary}")),
            ],
            ..empty_decision()
        };
        let memo = memo(&request, &decision);
        assert!(
            memo.contains(&format!(
                "1, 2. context_political_persecution: C-7 (sibling of R-1): {summary} | C-8 \
                 (sibling of R-1): {summary}"
            )),
            "{memo}"
        );
        assert!(
            memo.contains("3. context_political_persecution: as finding 1\n"),
            "{memo}"
        );
    }

    /// Safeguards by code with the measures they attach to (their index, not parsed from
    /// words); one recorded before it carried the index shows its words; none: the request.
    #[test]
    fn safeguards_name_their_measures_by_index() {
        let safeguard =
            |code: SafeguardCode, measure: Option<usize>, words: Option<&str>| Safeguard {
                code,
                citation: "ECHR Art 8 [P]".to_owned(),
                applies_to: words.map(str::to_owned),
                measure,
            };
        let decision = Decision {
            safeguards: vec![
                safeguard(
                    SafeguardCode::CounselPresent,
                    Some(2),
                    Some("measure 2 (x)"),
                ),
                safeguard(
                    SafeguardCode::CounselPresent,
                    Some(0),
                    Some("measure 0 (y)"),
                ),
                safeguard(
                    SafeguardCode::CounselPresent,
                    None,
                    Some("measure 5 (seize_devices)"),
                ),
                safeguard(SafeguardCode::NoForeignOfficials, None, None),
            ],
            ..empty_decision()
        };
        let mut out = String::new();
        safeguards(&mut out, &decision);
        assert_eq!(
            out,
            "\nSAFEGUARDS REQUIRED\n  - counsel_present — measures 2, 0; measure 5 (seize_devices): \
             ECHR Art 8 [P]\n  - no_foreign_officials — the request: ECHR Art 8 [P]\n"
        );
    }
}
