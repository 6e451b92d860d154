//! The evaluator, rule by rule: each row is a minimal request and its findings, and the rules,
//! outcome, safeguards (`measure:code`, `*` for request-wide) and referrals it must give; then
//! every row again for each kind of partner (Kazakhstan, an EU member state, a state with no
//! treaty on record), with the instruments each rule must and must not cite.

use std::collections::BTreeSet;

use haven_domain::{BasisKind, CountryCode, Decision, DecisionFinding, Outcome, RiskLevel};
use haven_policy::{Catalogue, Facts, evaluate, leaks};

use crate::support::{be, finding, matched, request};

struct Case {
    name: &'static str,
    kind: &'static str,
    roles: &'static [&'static str],
    measures: &'static [&'static str],
    offences: &'static [&'static str],
    findings: &'static [&'static str],
    risk: Option<RiskLevel>,
    outcome: Outcome,
    rules: &'static [&'static str],
    safeguards: &'static [&'static str],
    referrals: &'static [&'static str],
}

const BASE: Case = Case {
    name: "",
    kind: "mla",
    roles: &["subject"],
    measures: &[],
    offences: &["fraud"],
    findings: &[],
    risk: None,
    outcome: Outcome::Proceed,
    rules: &[],
    safeguards: &[],
    referrals: &[],
};

use Outcome::{FreezeAndRefer as Freeze, ProceedWithSafeguards as Safeguards, Refuse};

const CASES: &[Case] = &[
    Case {
        name: "nothing fires",
        measures: &["questioning@0"],
        roles: &["witness"],
        ..BASE
    },
    Case {
        name: "extradition of a protected subject",
        kind: "extradition",
        findings: &["protected_against_requesting_state@0"],
        outcome: Refuse,
        rules: &[
            "refoulement-extradition",
            "protected-party",
            "confidentiality-of-reply",
        ],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "red notice against a protected subject",
        kind: "red_notice",
        findings: &["protected_against_requesting_state@0"],
        outcome: Refuse,
        rules: &[
            "refoulement-extradition",
            "protected-party",
            "confidentiality-of-reply",
        ],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "arrest of a protected household member, whatever the kind",
        roles: &["subject", "household_member"],
        measures: &["provisional_arrest@1"],
        findings: &["protected_against_requesting_state@1"],
        outcome: Refuse,
        rules: &[
            "refoulement-extradition",
            "protected-party",
            "confidentiality-of-reply",
        ],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "extradition naming a protected witness: freeze, not refuse",
        kind: "extradition",
        roles: &["subject", "witness"],
        findings: &["protected_against_requesting_state@1"],
        outcome: Freeze,
        rules: &["protected-party", "confidentiality-of-reply"],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "a possible match for a protected person: freeze until the identity is confirmed",
        roles: &["subject", "household_member"],
        measures: &["questioning@1"],
        findings: &["possible_match_protected@1"],
        outcome: Freeze,
        rules: &["confidentiality-of-reply", "possible-match-protected"],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "political offence (MLA from kz: Belgian law makes refusal mandatory)",
        offences: &["political"],
        outcome: Refuse,
        rules: &["political-offence"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "political offence (diffusion)",
        kind: "diffusion",
        offences: &["political"],
        outcome: Refuse,
        rules: &["political-offence", "unreviewed-diffusion"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "extradition, protected subject, persecution in context",
        kind: "extradition",
        findings: &[
            "protected_against_requesting_state@0",
            "context_political_persecution@0",
        ],
        outcome: Refuse,
        rules: &[
            "refoulement-extradition",
            "persecution-clause-extradition",
            "protected-party",
            "context-political-persecution",
            "confidentiality-of-reply",
        ],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "persecution clause needs both findings on the same party",
        kind: "extradition",
        roles: &["subject", "witness"],
        findings: &[
            "protected_against_requesting_state@1",
            "context_political_persecution@0",
        ],
        outcome: Freeze,
        rules: &[
            "protected-party",
            "context-political-persecution",
            "confidentiality-of-reply",
        ],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "terrorism charges, protected subject, persecution in context (MLA)",
        offences: &["terrorism"],
        findings: &[
            "protected_against_requesting_state@0",
            "context_political_persecution@0",
        ],
        outcome: Refuse,
        rules: &[
            "persecution-clause-terrorism",
            "protected-party",
            "context-political-persecution",
            "confidentiality-of-reply",
        ],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "EIO for a political offence: freeze for the Art 11(4) consultation",
        kind: "eio",
        offences: &["political"],
        outcome: Freeze,
        rules: &["political-offence-eio"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "protected household member (MLA)",
        roles: &["subject", "household_member"],
        findings: &["protected_against_requesting_state@1"],
        outcome: Freeze,
        rules: &["protected-party", "confidentiality-of-reply"],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "protected by another state",
        findings: &["protected_by_other_state@0"],
        outcome: Freeze,
        rules: &["protected-by-other-state", "confidentiality-of-reply"],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "relative of a protected person",
        roles: &["subject", "account_holder"],
        findings: &["relative_of_protected_person@1"],
        outcome: Freeze,
        rules: &["relative-of-protected-person", "confidentiality-of-reply"],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "political persecution in the context",
        findings: &["context_political_persecution@0"],
        outcome: Freeze,
        rules: &["context-political-persecution"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "a diffusion",
        kind: "diffusion",
        outcome: Freeze,
        rules: &["unreviewed-diffusion"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "an unreviewed diffusion flagged by screening",
        kind: "red_notice",
        findings: &["unreviewed_diffusion"],
        outcome: Freeze,
        rules: &["unreviewed-diffusion"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "privileged material likely",
        findings: &["privileged_material_likely"],
        outcome: Freeze,
        rules: &["privileged-material"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "search of a journalist's home",
        measures: &["search_premises@0"],
        findings: &["protected_profession@0:journalist"],
        outcome: Freeze,
        rules: &[
            "privileged-material",
            "protected-profession",
            "search-premises",
            "professional-premises",
            "effective-remedy",
        ],
        safeguards: &[
            "0:warrant_presented",
            "0:counsel_present",
            "0:independent_legal_observer",
            "0:privilege_sealing",
            "0:itemised_inventory",
            "0:transfer_after_judicial_sorting",
            "0:remedy_information",
        ],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "seizure of a lawyer's devices",
        measures: &["seize_devices@0"],
        findings: &["protected_profession@0:lawyer"],
        outcome: Freeze,
        rules: &[
            "privileged-material",
            "protected-profession",
            "lawyer-bar-association",
            "professional-premises",
            "seizure",
            "seized-data-security",
            "effective-remedy",
            "disclosure-logging",
        ],
        safeguards: &[
            "0:independent_legal_observer",
            "0:privilege_sealing",
            "0:itemised_inventory",
            "0:transfer_after_judicial_sorting",
            "0:remedy_information",
            "0:sealed_storage",
        ],
        referrals: &["investigating_judge", "bar_association"],
        ..BASE
    },
    Case {
        name: "a human-rights defender, no measure against them",
        findings: &["protected_profession@0:human_rights_defender"],
        outcome: Safeguards,
        rules: &["protected-profession"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "a lawyer, no measure against them",
        findings: &["protected_profession@0:lawyer"],
        outcome: Safeguards,
        rules: &["protected-profession", "lawyer-bar-association"],
        referrals: &["investigating_judge", "bar_association"],
        ..BASE
    },
    Case {
        name: "a protected profession without a role counts as a lawyer",
        findings: &["protected_profession@0"],
        outcome: Safeguards,
        rules: &["protected-profession", "lawyer-bar-association"],
        referrals: &["investigating_judge", "bar_association"],
        ..BASE
    },
    Case {
        name: "questioning of a lawyer",
        measures: &["questioning@0"],
        findings: &["protected_profession@0:lawyer"],
        outcome: Safeguards,
        rules: &[
            "protected-profession",
            "lawyer-bar-association",
            "lawyer-questioning",
        ],
        safeguards: &["0:judge_led_questioning"],
        referrals: &["investigating_judge", "bar_association"],
        ..BASE
    },
    Case {
        name: "questioning of a journalist is not judge-led by this rule",
        measures: &["questioning@0"],
        findings: &["protected_profession@0:journalist"],
        outcome: Safeguards,
        rules: &["protected-profession"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "high-risk state (profile)",
        risk: Some(RiskLevel::High),
        outcome: Safeguards,
        rules: &["requesting-state-high-risk"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "high-risk state (finding)",
        findings: &["requesting_state_high_risk"],
        outcome: Safeguards,
        rules: &["requesting-state-high-risk"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "medium-risk state",
        risk: Some(RiskLevel::Medium),
        ..BASE
    },
    Case {
        name: "fiscal offence",
        offences: &["fiscal"],
        outcome: Safeguards,
        rules: &["offence-category-flag"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "offence category flagged by screening",
        findings: &["offence_category_flag"],
        outcome: Safeguards,
        rules: &["offence-category-flag"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "a minor",
        roles: &["subject", "household_member"],
        findings: &["minor_involved@1:minor"],
        outcome: Safeguards,
        rules: &["minor-involved"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "foreign officials requested in an EIO's formalities",
        kind: "eio",
        findings: &["foreign_officials_requested"],
        outcome: Safeguards,
        rules: &["foreign-officials-requested"],
        safeguards: &["*:foreign_officials_observe_only"],
        ..BASE
    },
    Case {
        name: "foreign officials present (measure)",
        measures: &["foreign_officials_present"],
        outcome: Safeguards,
        rules: &["foreign-officials-observe-only"],
        safeguards: &["0:foreign_officials_observe_only"],
        ..BASE
    },
    Case {
        name: "foreign officials as measure and finding: one safeguard, on the measure",
        measures: &["foreign_officials_present"],
        findings: &["foreign_officials_requested"],
        outcome: Safeguards,
        rules: &[
            "foreign-officials-requested",
            "foreign-officials-observe-only",
        ],
        safeguards: &["0:foreign_officials_observe_only"],
        ..BASE
    },
    Case {
        name: "search of an ordinary home",
        measures: &["search_premises@0"],
        outcome: Safeguards,
        rules: &["search-premises", "effective-remedy"],
        safeguards: &[
            "0:warrant_presented",
            "0:counsel_present",
            "0:itemised_inventory",
            "0:remedy_information",
        ],
        ..BASE
    },
    Case {
        name: "seizure of documents",
        measures: &["seize_documents@0"],
        outcome: Safeguards,
        rules: &["seizure", "effective-remedy", "disclosure-logging"],
        safeguards: &[
            "0:itemised_inventory",
            "0:transfer_after_judicial_sorting",
            "0:remedy_information",
        ],
        ..BASE
    },
    Case {
        name: "account access",
        measures: &["account_access@0"],
        outcome: Safeguards,
        rules: &[
            "seized-data-security",
            "account-access",
            "effective-remedy",
            "disclosure-logging",
        ],
        safeguards: &[
            "0:no_live_account_access",
            "0:remedy_information",
            "0:sealed_storage",
        ],
        ..BASE
    },
    Case {
        name: "banking records",
        roles: &["subject", "account_holder"],
        measures: &["banking_records@1"],
        outcome: Safeguards,
        rules: &["transfer-of-data", "effective-remedy", "disclosure-logging"],
        safeguards: &[
            "0:transfer_after_judicial_sorting",
            "0:speciality_of_use",
            "0:remedy_information",
        ],
        ..BASE
    },
    Case {
        name: "transfer of material to a high-risk state",
        measures: &["transfer_of_material"],
        risk: Some(RiskLevel::VeryHigh),
        outcome: Safeguards,
        rules: &[
            "requesting-state-high-risk",
            "transfer-of-data",
            "transfer-high-risk-state",
            "disclosure-logging",
        ],
        safeguards: &["0:transfer_after_judicial_sorting", "0:speciality_of_use"],
        referrals: &["investigating_judge", "data_protection_officer"],
        ..BASE
    },
    Case {
        name: "interception: logged, and the person told how to challenge it",
        measures: &["interception@0"],
        outcome: Safeguards,
        rules: &["effective-remedy", "disclosure-logging"],
        safeguards: &["0:remedy_information"],
        ..BASE
    },
    Case {
        name: "safeguards follow measure order, then code",
        measures: &[
            "seize_devices@0",
            "search_premises@0",
            "foreign_officials_present",
        ],
        outcome: Safeguards,
        rules: &[
            "search-premises",
            "seizure",
            "seized-data-security",
            "foreign-officials-observe-only",
            "effective-remedy",
            "disclosure-logging",
        ],
        safeguards: &[
            "0:itemised_inventory",
            "0:transfer_after_judicial_sorting",
            "0:remedy_information",
            "0:sealed_storage",
            "1:warrant_presented",
            "1:counsel_present",
            "1:itemised_inventory",
            "1:remedy_information",
            "2:foreign_officials_observe_only",
        ],
        ..BASE
    },
    Case {
        name: "extradition to a high-risk state: absolute bar, no balancing",
        kind: "extradition",
        risk: Some(RiskLevel::High),
        outcome: Refuse,
        rules: &["absolute-bar-ill-treatment", "requesting-state-high-risk"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "surrender in any request to a state flagged high-risk",
        measures: &["surrender@0"],
        findings: &["requesting_state_high_risk"],
        outcome: Refuse,
        rules: &["absolute-bar-ill-treatment", "requesting-state-high-risk"],
        referrals: &["investigating_judge"],
        ..BASE
    },
    Case {
        name: "extradition to a medium-risk state: no absolute bar on the profile alone",
        kind: "extradition",
        risk: Some(RiskLevel::Medium),
        ..BASE
    },
    Case {
        name: "terrorism EIO against a protected person: consult before refusing",
        kind: "eio",
        offences: &["terrorism"],
        findings: &[
            "protected_against_requesting_state@0",
            "context_political_persecution@0",
        ],
        outcome: Freeze,
        rules: &[
            "terrorism-eio-consult",
            "protected-party",
            "context-political-persecution",
            "confidentiality-of-reply",
        ],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "whereabouts of a protected person would be revealed",
        measures: &["locate@0"],
        findings: &["whereabouts_disclosure@0"],
        outcome: Freeze,
        rules: &["whereabouts-disclosure", "confidentiality-of-reply"],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "foreign officials at a protected person's execution: consent withheld",
        measures: &["foreign_officials_present"],
        findings: &["protected_against_requesting_state@0"],
        outcome: Freeze,
        rules: &[
            "protected-party",
            "no-foreign-officials",
            "confidentiality-of-reply",
        ],
        safeguards: &["*:no_foreign_officials"],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "foreign officials requested (finding) for a possible match: consent withheld",
        kind: "eio",
        findings: &["foreign_officials_requested", "possible_match_protected@0"],
        outcome: Freeze,
        rules: &[
            "no-foreign-officials",
            "confidentiality-of-reply",
            "possible-match-protected",
        ],
        safeguards: &["*:no_foreign_officials"],
        referrals: &["asylum_authority", "investigating_judge"],
        ..BASE
    },
    Case {
        name: "banking records of a protected person: transfer blocked",
        measures: &["banking_records@0"],
        findings: &["protected_against_requesting_state@0"],
        outcome: Freeze,
        rules: &[
            "protected-party",
            "transfer-of-data",
            "transfer-protected-person",
            "effective-remedy",
            "confidentiality-of-reply",
            "disclosure-logging",
        ],
        safeguards: &[
            "0:transfer_after_judicial_sorting",
            "0:speciality_of_use",
            "0:remedy_information",
            "0:transfer_blocked",
        ],
        referrals: &[
            "asylum_authority",
            "investigating_judge",
            "data_protection_officer",
        ],
        ..BASE
    },
    Case {
        name: "a lawyer's bank records: professional secrecy",
        measures: &["banking_records@0"],
        findings: &["protected_profession@0:lawyer"],
        outcome: Freeze,
        rules: &[
            "privileged-material",
            "protected-profession",
            "lawyer-bar-association",
            "lawyer-banking-records",
            "transfer-of-data",
            "effective-remedy",
            "disclosure-logging",
        ],
        safeguards: &[
            "0:privilege_sealing",
            "0:transfer_after_judicial_sorting",
            "0:speciality_of_use",
            "0:remedy_information",
        ],
        referrals: &["investigating_judge", "bar_association"],
        ..BASE
    },
    Case {
        name: "EIO reaching privileged material: ask who may waive it",
        kind: "eio",
        findings: &["privileged_material_likely"],
        outcome: Freeze,
        rules: &["privileged-material", "eio-privilege-waiver"],
        referrals: &["investigating_judge"],
        ..BASE
    },
];

/// Kazakhstan, except for an EIO, which only a member state issues.
fn decide(case: &Case) -> Decision {
    decide_for(case, if case.kind == "eio" { "nl" } else { "kz" })
}

fn decide_for(case: &Case, state: &str) -> Decision {
    let mut request = request(case.kind, case.roles, case.measures, case.offences);
    request.requesting_state = CountryCode::parse(state).expect("valid state");
    let findings: Vec<DecisionFinding> = case.findings.iter().map(|f| finding(f)).collect();
    evaluate(
        Catalogue::bundled(),
        &Facts {
            request: &request,
            requested_state: be(),
            findings,
            state_risk: case.risk,
        },
    )
}

#[test]
fn every_rule_by_its_table_row() {
    let catalogue = Catalogue::bundled();
    let mut failures = Vec::new();
    for case in CASES {
        let decision = decide(case);
        let got_rules: BTreeSet<&str> = decision.rules_applied.iter().map(String::as_str).collect();
        let want_rules: BTreeSet<&str> = case.rules.iter().copied().collect();
        let got_safeguards: Vec<String> = decision
            .safeguards
            .iter()
            .map(|s| {
                let at = match &s.applies_to {
                    // "measure 3 (…) on …" → "3"
                    Some(text) => text.split_whitespace().nth(1).unwrap_or("?").to_owned(),
                    None => "*".to_owned(),
                };
                format!("{at}:{}", s.code)
            })
            .collect();
        let got_referrals: Vec<&str> = decision.referrals.iter().map(|r| r.as_str()).collect();
        // Rules must come in catalogue order.
        let positions: Vec<usize> = decision
            .rules_applied
            .iter()
            .map(|id| {
                catalogue
                    .rules()
                    .iter()
                    .position(|r| &r.id == id)
                    .expect("known rule")
            })
            .collect();
        let ordered = positions.windows(2).all(|w| w[0] < w[1]);
        if decision.outcome != case.outcome
            || got_rules != want_rules
            || got_safeguards != case.safeguards
            || got_referrals != case.referrals
            || !ordered
            || decision.reasons.len() != decision.rules_applied.len()
        {
            failures.push(format!(
                "{}:\n  outcome {:?} (want {:?})\n  rules {:?} (want {:?})\n  safeguards {:?} (want {:?})\n  referrals {:?} (want {:?})",
                case.name,
                decision.outcome,
                case.outcome,
                decision.rules_applied,
                case.rules,
                got_safeguards,
                case.safeguards,
                got_referrals,
                case.referrals
            ));
        }
        assert!(
            leaks(&decision.reply_to_requesting_state).is_empty(),
            "{}",
            case.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_is_exercised_by_the_table() {
    let fired: BTreeSet<String> = CASES.iter().flat_map(|c| decide(c).rules_applied).collect();
    let missing: Vec<&str> = Catalogue::bundled()
        .rules()
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !fired.contains(*id))
        .collect();
    assert!(missing.is_empty(), "rules no table row fires: {missing:?}");
}

#[test]
fn reasons_name_the_party_and_finding_and_end_with_citations() {
    let request = request("eio", &["subject"], &["seize_devices@0"], &["fraud"]);
    let findings = vec![
        matched(
            "protected_against_requesting_state@0",
            "R-1001",
            0.97,
            "refugee status, granted by be",
        ),
        finding("privileged_material_likely@0"),
    ];
    let decision = evaluate(
        Catalogue::bundled(),
        &Facts {
            request: &request,
            requested_state: be(),
            findings,
            state_risk: None,
        },
    );
    let protected = &decision.reasons[decision
        .rules_applied
        .iter()
        .position(|id| id == "protected-party")
        .expect("protected-party fired")];
    // The finding is referred to by its number, not repeated (DESIGN §5.3).
    assert!(
        protected.contains("party 0 (subject, Person 0) (finding 1)"),
        "{protected}"
    );
    assert!(!protected.contains("refugee status"), "{protected}");
    let ground = &decision.grounds[decision
        .grounds
        .iter()
        .position(|g| g.rule == "protected-party")
        .expect("a ground per rule")];
    assert_eq!(ground.findings, [1]);
    assert!(
        protected.contains("Art 11(4)"),
        "EIO reasons mention the consultation: {protected}"
    );
    assert!(
        protected.ends_with("Directive 2014/41/EU (EIO) Art 11(4) [P])"),
        "{protected}"
    );
    assert!(
        !protected.contains("1959"),
        "the 1959 Convention is not cited on an EIO: {protected}"
    );
    assert!(
        !protected.contains('{'),
        "every placeholder is filled: {protected}"
    );
    for reason in &decision.reasons {
        assert!(reason.ends_with("])"), "{reason}");
    }
}

#[test]
fn decisions_are_deterministic_and_ignore_the_order_of_findings() {
    let request = request(
        "mla",
        &["subject", "account_holder", "household_member"],
        &[
            "search_premises@0",
            "seize_devices@0",
            "banking_records@1",
            "foreign_officials_present",
        ],
        &["fiscal", "fraud"],
    );
    let mut findings: Vec<DecisionFinding> = [
        "protected_against_requesting_state@0",
        "protected_profession@0:lawyer",
        "relative_of_protected_person@1",
        "minor_involved@2:minor",
        "context_political_persecution@0",
        "requesting_state_high_risk",
    ]
    .iter()
    .map(|f| finding(f))
    .collect();
    let decide = |findings: Vec<DecisionFinding>| {
        let decision = evaluate(
            Catalogue::bundled(),
            &Facts {
                request: &request,
                requested_state: be(),
                findings,
                state_risk: Some(RiskLevel::High),
            },
        );
        serde_json::to_string(&decision).expect("serialises")
    };
    let first = decide(findings.clone());
    assert_eq!(first, decide(findings.clone()));
    findings.reverse();
    assert_eq!(first, decide(findings.clone()));
    findings.rotate_left(2);
    assert_eq!(first, decide(findings));
}

/// DESIGN §1: a refugee lawyer from kz named in kz's MLA request, her refugee son as account
/// holder, a search of her home, her devices seized, her son's banking records, two kz officials
/// to be present.
#[test]
fn the_design_case_snapshot() {
    let request = haven_domain::parse_request(
        r#"{"reference": "MLA/2019/0412", "kind": "mla", "requesting_state": "kz",
            "received_on": "2019-09-10",
            "offences": [{"description": "large-scale fraud", "category": "fraud"}],
            "parties": [
              {"role": "subject", "names": ["Бекова Айгерим"], "birth_date": "1971", "nationalities": ["kz"]},
              {"role": "account_holder", "names": ["Тимур Беков"], "nationalities": ["kz"]}],
            "measures": [
              {"kind": "search_premises", "party": 0, "premises": "home"},
              {"kind": "seize_devices", "party": 0},
              {"kind": "banking_records", "party": 1},
              {"kind": "foreign_officials_present", "count": 2}]}"#,
    )
    .expect("valid request");
    let findings = vec![
        matched(
            "protected_against_requesting_state@0",
            "R-1001",
            0.97,
            "refugee (granted by be, 2013-10-01) against kz",
        ),
        matched(
            "protected_profession@0:lawyer",
            "R-1001",
            0.97,
            "registry role: lawyer",
        ),
        matched(
            "protected_against_requesting_state@1",
            "R-1002",
            0.93,
            "refugee (granted by be, 2013-10-01) against kz",
        ),
        matched(
            "relative_of_protected_person@1",
            "R-1002",
            0.93,
            "child of R-1001",
        ),
        DecisionFinding {
            matched: Some(haven_domain::MatchEvidence {
                id: "C-8".into(),
                source: "context".into(),
                score: 1.0,
                explanation: "sibling of R-1001".into(),
            }),
            ..finding("context_political_persecution@0")
        },
    ];
    let decision = evaluate(
        Catalogue::bundled(),
        &Facts {
            request: &request,
            requested_state: be(),
            findings,
            state_risk: Some(RiskLevel::High),
        },
    );

    assert_eq!(decision.outcome, Outcome::FreezeAndRefer);
    let referrals: Vec<&str> = decision.referrals.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        referrals,
        [
            "asylum_authority",
            "investigating_judge",
            "bar_association",
            "data_protection_officer"
        ]
    );
    let on_home: Vec<&str> = decision
        .safeguards
        .iter()
        .filter(|s| {
            s.applies_to
                .as_deref()
                .is_some_and(|a| a.starts_with("measure 0 "))
        })
        .map(|s| s.code.as_str())
        .collect();
    for code in [
        "warrant_presented",
        "counsel_present",
        "independent_legal_observer",
        "privilege_sealing",
    ] {
        assert!(
            on_home.contains(&code),
            "{code} missing on the home search: {on_home:?}"
        );
    }
    assert!(leaks(&decision.reply_to_requesting_state).is_empty());
    insta::assert_json_snapshot!("design_case_mla_kz", decision);

    // With a political offence category, the same request is refused.
    let mut political = request.clone();
    political.offences[0].category = haven_domain::OffenceCategory::Political;
    let refused = evaluate(
        Catalogue::bundled(),
        &Facts {
            request: &political,
            requested_state: be(),
            findings: decision.findings.clone(),
            state_risk: Some(RiskLevel::High),
        },
    );
    assert_eq!(refused.outcome, Outcome::Refuse);
    assert!(leaks(&refused.reply_to_requesting_state).is_empty());
}

/// The three kinds of partner the review names.
const PARTNERS: [&str; 3] = ["kz", "nl", "us"];

/// A row of the table run for another partner: the case by name, the partner, the outcome it
/// must give there, and citations as `rule:text` (that rule's ground cites it) or `!text` (no
/// ground of the decision cites it).
struct PartnerRow {
    case: &'static str,
    state: &'static str,
    outcome: Outcome,
    cites: &'static [&'static str],
}

const KZ_POLITICAL: &str = "political offence (MLA from kz: Belgian law makes refusal mandatory)";

const PARTNER_ROWS: &[PartnerRow] = &[
    // Political offence: the requested state judges; refusal only where the ground is mandatory.
    PartnerRow {
        case: KZ_POLITICAL,
        state: "kz",
        outcome: Refuse,
        cites: &["political-offence:Law of 9 December 2004", "!(ETS 30)"],
    },
    PartnerRow {
        case: KZ_POLITICAL,
        state: "nl",
        outcome: Freeze,
        cites: &[
            "political-offence:(ETS 30) Art 2(a) [P]",
            "!Law of 9 December 2004",
        ],
    },
    PartnerRow {
        case: KZ_POLITICAL,
        state: "us",
        outcome: Refuse,
        cites: &["political-offence:Law of 9 December 2004", "!(ETS 30)"],
    },
    PartnerRow {
        case: "political offence (diffusion)",
        state: "us",
        outcome: Refuse,
        cites: &[
            "political-offence:INTERPOL Constitution and Rules on the Processing of Data Constitution Art 3 [S]",
        ],
    },
    // Extradition: ETS 24 for an EU state, Belgian law otherwise.
    PartnerRow {
        case: "extradition, protected subject, persecution in context",
        state: "nl",
        outcome: Refuse,
        cites: &["persecution-clause-extradition:(ETS 24) Art 3(2) [P]"],
    },
    PartnerRow {
        case: "extradition, protected subject, persecution in context",
        state: "kz",
        outcome: Refuse,
        cites: &[
            "persecution-clause-extradition:Law of 15 March 1874 on extradition Art 2bis [M]",
            "!(ETS 24)",
        ],
    },
    PartnerRow {
        case: "extradition, protected subject, persecution in context",
        state: "us",
        outcome: Refuse,
        cites: &[
            "persecution-clause-extradition:Law of 15 March 1874",
            "!(ETS 24)",
        ],
    },
    // The absolute bar needs no treaty.
    PartnerRow {
        case: "extradition to a high-risk state: absolute bar, no balancing",
        state: "kz",
        outcome: Refuse,
        cites: &[
            "absolute-bar-ill-treatment:ECHR Art 3 [P]",
            "absolute-bar-ill-treatment:Art 19(2) [P]",
        ],
    },
    PartnerRow {
        case: "extradition to a high-risk state: absolute bar, no balancing",
        state: "nl",
        outcome: Refuse,
        cites: &["absolute-bar-ill-treatment:ECHR Art 3 [P]"],
    },
    PartnerRow {
        case: "extradition to a high-risk state: absolute bar, no balancing",
        state: "us",
        outcome: Refuse,
        cites: &["absolute-bar-ill-treatment:ECHR Art 3 [P]"],
    },
    // Terrorism: refusal rests on the essential-interests clause that applies; CETS 196 is
    // cited only where it binds (no partner on record yet).
    PartnerRow {
        case: "terrorism charges, protected subject, persecution in context (MLA)",
        state: "kz",
        outcome: Refuse,
        cites: &[
            "persecution-clause-terrorism:Law of 9 December 2004",
            "!CETS 196",
            "!(ETS 30)",
        ],
    },
    PartnerRow {
        case: "terrorism charges, protected subject, persecution in context (MLA)",
        state: "nl",
        outcome: Refuse,
        cites: &[
            "persecution-clause-terrorism:(ETS 30) Art 2(b) [P]",
            "!CETS 196",
        ],
    },
    PartnerRow {
        case: "terrorism EIO against a protected person: consult before refusing",
        state: "nl",
        outcome: Freeze,
        cites: &["terrorism-eio-consult:(EIO) Art 11(4) [P]"],
    },
    // Protected party, MLA: the essential-interests clause of whatever binds.
    PartnerRow {
        case: "protected household member (MLA)",
        state: "kz",
        outcome: Freeze,
        cites: &["protected-party:Law of 9 December 2004", "!(ETS 30)"],
    },
    PartnerRow {
        case: "protected household member (MLA)",
        state: "nl",
        outcome: Freeze,
        cites: &["protected-party:(ETS 30) Art 2(b) [P]"],
    },
    PartnerRow {
        case: "protected household member (MLA)",
        state: "us",
        outcome: Freeze,
        cites: &["protected-party:Law of 9 December 2004"],
    },
    // Searches: executed as the requested state's law provides (ETS 30 Art 3(1) where it binds).
    PartnerRow {
        case: "search of an ordinary home",
        state: "kz",
        outcome: Safeguards,
        cites: &[
            "search-premises:ECHR Art 8",
            "search-premises:Law of 9 December 2004",
            "!(ETS 30)",
        ],
    },
    PartnerRow {
        case: "search of an ordinary home",
        state: "nl",
        outcome: Safeguards,
        cites: &["search-premises:(ETS 30) Art 3(1) [P]"],
    },
    PartnerRow {
        case: "search of an ordinary home",
        state: "us",
        outcome: Safeguards,
        cites: &["search-premises:Law of 9 December 2004", "!(ETS 30)"],
    },
    // Foreign officials: ETS 30 Art 4 only where it binds.
    PartnerRow {
        case: "foreign officials present (measure)",
        state: "nl",
        outcome: Safeguards,
        cites: &["foreign-officials-observe-only:(ETS 30) Art 4 [M]"],
    },
    PartnerRow {
        case: "foreign officials present (measure)",
        state: "kz",
        outcome: Safeguards,
        cites: &["!(ETS 30)"],
    },
    // Transfers: the use limitation of the instrument that applies.
    PartnerRow {
        case: "banking records",
        state: "kz",
        outcome: Safeguards,
        cites: &[
            "transfer-of-data:Law Enforcement Directive",
            "!ETS 182",
            "!Corruption",
        ],
    },
    PartnerRow {
        case: "banking records",
        state: "nl",
        outcome: Safeguards,
        cites: &["transfer-of-data:Law Enforcement Directive", "!ETS 182"],
    },
];

/// The instruments a decision's grounds cite that are not in force with the requesting state.
fn foreign_citations(decision: &Decision, state: &str) -> Vec<String> {
    let table = Catalogue::bundled().partners();
    let in_force = table.in_force_with(CountryCode::parse(state).expect("valid"));
    decision
        .grounds
        .iter()
        .flat_map(|g| g.citations.iter())
        .filter(|c| {
            table
                .instruments()
                .iter()
                .any(|i| c.starts_with(&i.title) && !in_force.contains(i.id.as_str()))
        })
        .cloned()
        .collect()
}

#[test]
fn every_rule_for_each_kind_of_partner() {
    let mut failures = Vec::new();
    // Every row for every partner: the same rules fire, and no ground cites an instrument the
    // partner is not party to; the outcome changes only where a PARTNER_ROW says so.
    for case in CASES {
        for state in PARTNERS {
            // Only a member state bound by the Directive issues an EIO.
            if case.kind == "eio" && state != "nl" {
                continue;
            }
            let decision = decide_for(case, state);
            let mut want_rules = case.rules.to_vec();
            want_rules.sort_unstable();
            let mut got_rules: Vec<&str> =
                decision.rules_applied.iter().map(String::as_str).collect();
            got_rules.sort_unstable();
            if got_rules != want_rules {
                failures.push(format!("{} for {state}: rules {got_rules:?}", case.name));
            }
            let foreign = foreign_citations(&decision, state);
            if !foreign.is_empty() {
                failures.push(format!("{} for {state}: cites {foreign:?}", case.name));
            }
            let want = PARTNER_ROWS
                .iter()
                .find(|r| r.case == case.name && r.state == state)
                .map_or(case.outcome, |r| r.outcome);
            if decision.outcome != want {
                failures.push(format!(
                    "{} for {state}: outcome {} (want {want})",
                    case.name, decision.outcome
                ));
            }
            let basis = decision.legal_basis.as_ref().expect("a legal basis");
            assert_eq!(basis.requesting_state.as_str(), state);
        }
    }
    for row in PARTNER_ROWS {
        let case = CASES
            .iter()
            .find(|c| c.name == row.case)
            .unwrap_or_else(|| panic!("no case {:?}", row.case));
        let decision = decide_for(case, row.state);
        for cite in row.cites {
            let ok = match cite.strip_prefix('!') {
                Some(text) => !decision
                    .grounds
                    .iter()
                    .any(|g| g.citations.iter().any(|c| c.contains(text))),
                None => {
                    let (rule, text) = cite.split_once(':').expect("rule:text");
                    decision
                        .grounds
                        .iter()
                        .any(|g| g.rule == rule && g.citations.iter().any(|c| c.contains(text)))
                }
            };
            if !ok {
                failures.push(format!(
                    "{} for {}: {cite:?} not as wanted in {:#?}",
                    row.case, row.state, decision.grounds
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The legal basis: what the table has on record for three kinds of partner.
#[test]
fn the_legal_basis_per_partner() {
    // (state, kind, offence, basis kind, instrument ids)
    let rows: &[(&str, &str, &str, BasisKind, &[&str])] = &[
        (
            "kz",
            "mla",
            "fraud",
            BasisKind::NationalLawAndReciprocity,
            &["be-law-2004"],
        ),
        (
            "kz",
            "mla",
            "fraud:bribery of a customs official",
            BasisKind::Instruments,
            &["uncac-mla"],
        ),
        (
            "kz",
            "mla",
            "fraud:laundering the proceeds of an organised crime group",
            BasisKind::Instruments,
            &["uncac-mla", "untoc-mla", "ets-141"],
        ),
        (
            "kz",
            "mla",
            "defamation",
            BasisKind::NationalLawAndReciprocity,
            &["be-law-2004"],
        ),
        (
            "kz",
            "extradition",
            "political",
            BasisKind::NationalLawAndReciprocity,
            &["be-law-1874"],
        ),
        (
            "kz",
            "extradition",
            "fraud:bribery",
            BasisKind::Instruments,
            &["uncac-extradition"],
        ),
        (
            "kz",
            "red_notice",
            "fraud",
            BasisKind::Instruments,
            &["interpol"],
        ),
        (
            "nl",
            "eio",
            "fraud",
            BasisKind::Instruments,
            &["eio-directive"],
        ),
        (
            "nl",
            "mla",
            "defamation",
            BasisKind::Instruments,
            &["ets-30"],
        ),
        (
            "nl",
            "extradition",
            "violent",
            BasisKind::Instruments,
            &["ets-24"],
        ),
        ("dk", "mla", "other", BasisKind::Instruments, &["ets-30"]),
        (
            "us",
            "mla",
            "fraud",
            BasisKind::NationalLawAndReciprocity,
            &["be-law-2004"],
        ),
        (
            "us",
            "mla",
            "fraud:bribery of a customs official",
            BasisKind::NationalLawAndReciprocity,
            &["be-law-2004"],
        ),
        (
            "us",
            "extradition",
            "fraud",
            BasisKind::NationalLawAndReciprocity,
            &["be-law-1874"],
        ),
        (
            "us",
            "diffusion",
            "fraud",
            BasisKind::Instruments,
            &["interpol"],
        ),
    ];
    for &(state, kind, offence, basis_kind, ids) in rows {
        // `category` or `category:description` (the UN conventions' scope is in the words).
        let (category, description) = offence.split_once(':').unwrap_or((offence, ""));
        let mut request = request(kind, &["subject"], &[], &[category]);
        request.requesting_state = CountryCode::parse(state).expect("valid");
        if !description.is_empty() {
            request.offences[0].description =
                haven_domain::Text::parse(description).expect("valid text");
        }
        let facts = Facts {
            request: &request,
            requested_state: be(),
            findings: Vec::new(),
            state_risk: None,
        };
        let decision = evaluate(Catalogue::bundled(), &facts);
        let basis = decision.legal_basis.expect("a legal basis");
        let got: Vec<&str> = basis.instruments.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            (basis.kind, got.as_slice()),
            (basis_kind, ids),
            "{state} {kind} {offence}"
        );
        assert_eq!(basis.requested_state.as_str(), "be");
    }
    // A requested state the table is not for: national law, no instrument named.
    let request = request("mla", &["subject"], &[], &["fraud"]);
    let decision = evaluate(
        Catalogue::bundled(),
        &Facts {
            request: &request,
            requested_state: CountryCode::parse("fr").expect("valid"),
            findings: Vec::new(),
            state_risk: None,
        },
    );
    let basis = decision.legal_basis.expect("a legal basis");
    assert_eq!(basis.kind, BasisKind::NationalLawAndReciprocity);
    assert!(basis.instruments.is_empty());
    assert!(!decision.reply_to_requesting_state.contains("Belgian"));
}
