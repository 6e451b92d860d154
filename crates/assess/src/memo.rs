//! The decision memo: the decision in the order a judge reads it — the request, the outcome,
//! each finding with its evidence, the rules applied with their sources, the safeguards, the
//! referrals, and the reply proposed for the requesting state.

use std::fmt::Write as _;

use haven_domain::{Decision, Request, RequestKind};

/// Renders a decision as a plain-text memo. Internal: it states protection details.
pub fn memo(request: &Request, decision: &Decision) -> String {
    let mut out = String::new();
    let kind = match request.kind {
        RequestKind::Mla => "mutual legal assistance request",
        RequestKind::Eio => "European Investigation Order",
        RequestKind::Extradition => "extradition request",
        RequestKind::RedNotice => "INTERPOL red notice",
        RequestKind::Diffusion => "INTERPOL diffusion",
    };
    let _ = writeln!(out, "DECISION MEMO — {} ({kind})", request.reference);
    let _ = writeln!(
        out,
        "Requesting state: {}. Received: {}. Parties: {}. Measures: {}.",
        request.requesting_state.as_str(),
        request.received_on,
        request.parties.len(),
        request.measures.len()
    );
    let _ = writeln!(
        out,
        "\nOUTCOME: {}",
        decision.outcome.as_str().replace('_', " ").to_uppercase()
    );
    if let Some(ledger) = &decision.ledger {
        let _ = writeln!(out, "Ledger entry {} (root {}).", ledger.index, ledger.root);
    }

    out.push_str("\nFINDINGS\n");
    if decision.findings.is_empty() {
        out.push_str("  None: no party matches the registry or the context knowledge base.\n");
    }
    // Grouped by party, each record's evidence said once, then what it shows.
    let mut parties: Vec<Option<usize>> = decision.findings.iter().map(|f| f.party).collect();
    parties.sort_by_key(|p| p.map_or(usize::MAX, |p| p));
    parties.dedup();
    for party in parties {
        match party {
            Some(index) => {
                let name = request
                    .parties
                    .get(index)
                    .map_or("", |p| p.names[0].as_str());
                let _ = writeln!(out, "  Party {index} (\"{name}\")");
            }
            None => out.push_str("  The request as a whole\n"),
        }
        let mut shown = Vec::new();
        for finding in decision.findings.iter().filter(|f| f.party == party) {
            if let Some(evidence) = &finding.matched
                && !shown.contains(&evidence.id)
            {
                shown.push(evidence.id.clone());
                let _ = writeln!(
                    out,
                    "    Identified as {} record {} (score {:.2}): {}",
                    evidence.source, evidence.id, evidence.score, evidence.explanation
                );
            }
        }
        for finding in decision.findings.iter().filter(|f| f.party == party) {
            let _ = writeln!(out, "    - {}: {}", finding.code, finding.detail);
        }
    }

    match &decision.catalogue_version {
        Some(version) => {
            let _ = writeln!(
                out,
                "\nRULES APPLIED AND REASONS (rule catalogue {version})"
            );
        }
        None => out.push_str("\nRULES APPLIED AND REASONS\n"),
    }
    if decision.reasons.is_empty() {
        out.push_str("  No rule of the catalogue applies.\n");
    }
    for (n, reason) in decision.reasons.iter().enumerate() {
        let rule = decision.rules_applied.get(n).map_or("", String::as_str);
        let _ = writeln!(out, "  {}. ({rule}) {reason}", n + 1);
    }

    out.push_str("\nSAFEGUARDS REQUIRED\n");
    if decision.safeguards.is_empty() {
        out.push_str("  None beyond the ordinary law of execution.\n");
    }
    for safeguard in &decision.safeguards {
        let applies = safeguard
            .applies_to
            .as_deref()
            .map_or_else(String::new, |a| format!(" — {a}"));
        let _ = writeln!(
            out,
            "  - {}{applies} [{}]",
            safeguard.code, safeguard.citation
        );
    }

    out.push_str("\nREFERRALS\n");
    if decision.referrals.is_empty() {
        out.push_str("  None.\n");
    }
    for referral in &decision.referrals {
        let _ = writeln!(out, "  - {referral}");
    }

    out.push_str("\nREPLY PROPOSED TO THE REQUESTING STATE (discloses no asylum information)\n");
    for line in decision.reply_to_requesting_state.lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}
