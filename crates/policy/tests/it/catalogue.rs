//! The catalogue: the bundled file parses and covers DESIGN §6, and every validation error names
//! the rule and the field.

use std::collections::BTreeSet;

use haven_domain::{FindingCode, Outcome};
use haven_policy::{BUNDLED_CATALOGUE, CONFIDENTIALITY_RULE, Catalogue, PolicyError, Tag};

#[test]
fn the_bundled_catalogue_parses_and_is_versioned() {
    let catalogue = Catalogue::parse(BUNDLED_CATALOGUE).expect("bundled catalogue");
    assert!(!catalogue.version().is_empty());
    assert_eq!(catalogue.rules().len(), Catalogue::bundled().rules().len());
    assert!(catalogue.rule(CONFIDENTIALITY_RULE).is_some());
    for rule in catalogue.rules() {
        assert!(!rule.citations.is_empty(), "{}", rule.id);
    }
}

/// Every source DESIGN §6 lists is cited by some rule (by a distinctive piece of its name).
#[test]
fn every_design_source_is_cited() {
    let cited: Vec<String> = Catalogue::bundled()
        .rules()
        .iter()
        .flat_map(|r| r.citations.iter().map(ToString::to_string))
        .collect();
    let sources = [
        "Refugee Convention 1951 Art 33 [P]",
        "UNHCR ExCom Conclusion 17 (1980) [P]",
        "CJEU C-352/22",
        "INTERPOL Constitution Art 3",
        "INTERPOL Constitution Art 2",
        "GA-2017-86-RES-09 [P]",
        "Rules on the Processing of Data Art 34(3) [M]",
        "Rules on the Processing of Data Art 83 [M]",
        "1959 Art 2(a) [P]",
        "1959 Art 2(b) [P]",
        "1959 Art 5 [P]",
        "1959 Art 4 [M]",
        "Extradition 1957 Art 3(1) [P]",
        "Extradition 1957 Art 3(2) [P]",
        "Prevention of Terrorism Art 21 [P]",
        "(EIO) Art 11(1)(a) [P]",
        "(EIO) Art 11(1)(f) [P]",
        "(EIO) Art 11(4) [P]",
        "(EIO) Art 9(4)–(5) [M]",
        "Kruglov v Russia (ECtHR 2020) §125 [P]",
        "Niemietz v Germany",
        "André v France (ECtHR 2008) §41 [P]",
        "Wieser and Bicos v Austria",
        "Iliya Stefanov v Bulgaria",
        "Sallinen v Finland",
        "French Code of Criminal Procedure Art 56-1 [S]",
        "Role of Lawyers principle 16 [P]",
        "Role of Lawyers principle 22 [P]",
        "Shiksaitov v Slovakia",
        "diffusions: not reviewed by INTERPOL before dispatch [S]",
        "(ETS 182) Art 26 [P]",
        "2016/680 Arts 35–39 [M]",
        "2016/680 Art 38(2) [M]",
        "2016/680 Art 25 [M]",
        "Convention 108+ Art 14 [P]",
        "e-CODEX Regulation (EU) 2022/850 [P]",
        "2024/1348 Art 7(2) [P]",
        "UNHCR Advisory Opinion on confidentiality (2005) [P]",
    ];
    let missing: Vec<&str> = sources
        .iter()
        .copied()
        .filter(|s| !cited.iter().any(|c| c.contains(s)))
        .collect();
    assert!(missing.is_empty(), "not cited: {missing:?}");
}

/// DESIGN §6 marks its memory-only sources [M]; the catalogue must not promote them.
#[test]
fn memory_sources_stay_marked() {
    for rule in Catalogue::bundled().rules() {
        for c in &rule.citations {
            let text = c.to_string();
            if [
                "Art 4",
                "Art 9(4)",
                "Arts 35",
                "Art 38(2)",
                "Art 25",
                "Niemietz",
                "Sallinen",
            ]
            .iter()
            .any(|m| text.contains(m))
            {
                assert_eq!(c.tag, Tag::M, "{}: {text}", rule.id);
            }
        }
    }
}

/// Every finding code screening produces is read by some rule.
#[test]
fn every_finding_code_is_used() {
    let used: BTreeSet<FindingCode> = Catalogue::bundled()
        .rules()
        .iter()
        .flat_map(|r| std::iter::once(&r.when.base).chain(&r.when.either))
        .flat_map(|c| c.findings_any.iter().chain(&c.findings_all).copied())
        .collect();
    let unused: Vec<&FindingCode> = FindingCode::ALL
        .iter()
        .filter(|c| !used.contains(c))
        .collect();
    assert!(unused.is_empty(), "{unused:?}");
    let outcomes: BTreeSet<Outcome> = Catalogue::bundled()
        .rules()
        .iter()
        .map(|r| r.then.outcome)
        .collect();
    assert_eq!(outcomes.len(), 4, "every outcome is some rule's minimum");
}

const VALID: &str = r#"
version = "test"

[[rule]]
id = "one"
title = "One"
reason = "{parties}: {findings}."
citations = [{ source = "Refugee Convention 1951", pinpoint = "Art 33", tag = "P" }]
[rule.when]
findings_any = ["protected_against_requesting_state"]
[rule.then]
outcome = "freeze_and_refer"
referrals = ["asylum_authority"]
safeguards = [{ code = "privilege_sealing", cites = ["Refugee Convention 1951"] }]
"#;

/// Each row: a replacement in `VALID`, and the rule and field the error must name.
#[test]
fn validation_errors_name_the_rule_and_field() {
    assert!(
        Catalogue::parse(VALID).is_ok(),
        "{:?}",
        Catalogue::parse(VALID).err()
    );
    let second_rule = VALID
        .split_once("[[rule]]")
        .map(|(_, r)| format!("[[rule]]{r}"))
        .unwrap_or_default();
    let cases: Vec<(String, &str, &str)> = vec![
        (format!("{VALID}\n{second_rule}"), "one", "id"),
        (VALID.replace("\"protected_against_requesting_state\"", "\"protected\""), "one", "when.findings_any[0]"),
        (VALID.replace("tag = \"P\"", "tag = \"Q\""), "one", "citations[0].tag"),
        (
            VALID.replace(
                "citations = [{ source = \"Refugee Convention 1951\", pinpoint = \"Art 33\", tag = \"P\" }]",
                "citations = []",
            ),
            "one",
            "citations",
        ),
        (VALID.replace("\"freeze_and_refer\"", "\"freeze\""), "one", "then.outcome"),
        (VALID.replace("[\"asylum_authority\"]", "[\"asylum_office\"]"), "one", "then.referrals[0]"),
        (VALID.replace("\"privilege_sealing\"", "\"sealing\""), "one", "then.safeguards[0].code"),
        (VALID.replace("cites = [\"Refugee Convention 1951\"]", "cites = [\"Geneva\"]"), "one", "then.safeguards[0].cites[0]"),
        (VALID.replace("{findings}", "{evidence}"), "one", "reason"),
        (VALID.replace("{findings}", "{findings"), "one", "reason"),
        (VALID.replace("id = \"one\"", "id = \"One Rule\""), "One Rule", "id"),
        (VALID.replace("title = \"One\"", "title = \"\""), "one", "title"),
        (VALID.replace("[rule.when]", "scope = \"measure\"\n[rule.when]"), "one", "when.measures"),
        (VALID.replace("[rule.when]", "scope = \"party\"\n[rule.when]"), "one", "scope"),
        (VALID.replace("findings_any", "kinds = [\"letter\"]\nfindings_any"), "one", "when.kinds[0]"),
        (VALID.replace("findings_any = [\"protected_against_requesting_state\"]", ""), "one", "when"),
        (
            VALID.replace("tag = \"P\" }", "tag = \"P\", kinds = [\"mla\"] }"),
            "one",
            "citations",
        ),
        (
            VALID.replace("findings_any", "state_risk_at_least = \"extreme\"\nfindings_any"),
            "one",
            "when.state_risk_at_least",
        ),
        (
            VALID.replace("[rule.then]", "[[rule.when.either]]\nparty_roles = [\"judge\"]\n[rule.then]"),
            "one",
            "when.either[0].party_roles[0]",
        ),
        (
            VALID.replace("[rule.then]", "[[rule.when.either]]\nparty_roles = [\"subject\"]\n[rule.then]"),
            "one",
            "when.either[0]",
        ),
        (
            VALID.replace("[rule.when]", "reason_for_kind.letter = \"x\"\n[rule.when]"),
            "one",
            "reason_for_kind.letter",
        ),
    ];
    for (text, rule, field) in cases {
        match Catalogue::parse(&text) {
            Ok(_) => panic!("accepted, expected an error on {rule}.{field}"),
            Err(error) => {
                assert_eq!(
                    (error.rule_id(), error.field()),
                    (Some(rule), Some(field)),
                    "{error}"
                );
                let message = error.to_string();
                assert!(
                    message.contains(rule) && message.contains(field),
                    "{message}"
                );
            }
        }
    }
}

#[test]
fn shape_errors_are_reported() {
    let cases = [
        ("version = 1".to_owned(), "version"),
        (VALID.replace("title", "titel"), "titel"),
        ("version = \"x\"".to_owned(), "no rules"),
        ("version = \"\"\n[[rule]]\nid = \"a\"".to_owned(), "version"),
    ];
    for (text, mentioned) in cases {
        let error = Catalogue::parse(&text).expect_err(&text);
        assert!(error.to_string().contains(mentioned), "{error}");
        assert!(
            matches!(
                error,
                PolicyError::Syntax(_) | PolicyError::Catalogue { .. }
            ),
            "{error:?}"
        );
    }
}
