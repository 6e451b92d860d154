//! The catalogue: the bundled file parses and covers DESIGN §6, and every validation error names
//! the rule and the field.

use std::collections::BTreeSet;

use haven_domain::{FindingCode, Outcome};
use haven_policy::{
    BUNDLED_CATALOGUE, BUNDLED_PARTNERS, CONFIDENTIALITY_RULE, Catalogue, PartnerTable,
    PolicyError, Tag,
};

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

/// Every source DESIGN §6 lists, as LEGAL-REVIEW corrects it, and every source the review adds,
/// is cited by some rule: directly, or as the clause of an instrument of the partner table.
#[test]
fn every_design_and_review_source_is_cited() {
    let catalogue = Catalogue::bundled();
    let mut cited: Vec<String> = catalogue
        .rules()
        .iter()
        .flat_map(|r| r.citations.iter())
        .filter(|c| c.clause.is_none())
        .map(ToString::to_string)
        .collect();
    let clauses_cited: BTreeSet<&str> = catalogue
        .rules()
        .iter()
        .flat_map(|r| r.citations.iter().filter_map(|c| c.clause.as_deref()))
        .collect();
    for instrument in catalogue.partners().instruments() {
        for (name, clause) in &instrument.clauses {
            if clauses_cited.contains(name.as_str()) {
                cited.push(format!(
                    "{} {} [{}]",
                    instrument.title, clause.pinpoint, clause.tag
                ));
            }
        }
    }
    let sources = [
        // Absolute bars and refusal grounds.
        "Refugee Convention 1951 Art 33 [P]",
        "UNHCR ExCom Conclusion 17 (1980) [P]",
        "CJEU C-352/22",
        "ECHR Art 3 [P]",
        "Charter of Fundamental Rights Art 19(2) [P]",
        "INTERPOL Constitution Arts 2–3",
        "GA-2017-86-RES-09 [P]",
        "Rules on the Processing of Data Art 34(3) [M]",
        "Rules on the Processing of Data Art 83 [M]",
        "(ETS 30) Art 2(a) [P]",
        "(ETS 30) Art 2(b) [P]",
        "(ETS 30) Art 3(1) [P]",
        "(ETS 30) Art 4 [M]",
        "(ETS 24) Art 3(1) [P]",
        "(ETS 24) Art 3(2) [P]",
        "(CETS 196) Art 21 (no obligation to assist) [S]",
        "(ETS 141) Art 18(1)(b) [S]",
        "Corruption 2003 (mutual legal assistance) Art 46(21)(b) [M]",
        "Corruption 2003 (extradition) Art 44(15) [M]",
        "Organized Crime 2000 (mutual legal assistance) Art 18(21)(b) [M]",
        "Organized Crime 2000 (extradition) Art 16(14) [M]",
        "Law of 9 December 2004 on international mutual legal assistance in criminal matters Art 4 [S]",
        "(EIO) Art 11(1)(a) [P]",
        "(EIO) Art 11(1)(f) [P]",
        "(EIO) Art 11(4) [P]",
        "(EIO) Art 11(5) [P]",
        "(EIO) Art 9(4)–(5) [M]",
        // Execution safeguards.
        "ECHR Art 8",
        "Kruglov v Russia (ECtHR 2020) §125 [P]",
        "Niemietz v Germany",
        "André v France (ECtHR 2008) §41 [P]",
        "Wieser and Bicos v Austria",
        "Iliya Stefanov v Bulgaria",
        "Sallinen v Finland",
        "Sommer v Germany (ECtHR 2017) [M]",
        "Cass. (Belgium) 24 April 2012, P.12.0064.N [S]",
        "Belgian Criminal Code Art 458",
        "French Code of Criminal Procedure (comparative note only) Art 56-1 [S]",
        "Role of Lawyers principle 16",
        "Charter of Fundamental Rights Art 24 [P]",
        "Rights of the Child Art 3 [P]",
        "Charter of Fundamental Rights Art 47 [M]",
        "ECHR Art 13 [M]",
        "Xavier Da Silveira v France",
        "Shiksaitov v Slovakia",
        "diffusions: not reviewed by INTERPOL before dispatch [S]",
        // Transfers, logging, confidentiality.
        "(ETS 182) Art 26(1), 26(3) [P]",
        "2016/680 Arts 29–31 [M]",
        "2016/680 Arts 35–39 [M]",
        "2016/680 Art 38(2) [M]",
        "2016/680 Art 25 [M]",
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

/// Sources DESIGN §6 or LEGAL-REVIEW give from memory stay [M]; the ones the review found
/// misapplied are gone.
#[test]
fn memory_sources_stay_marked_and_wrong_anchors_are_gone() {
    for rule in Catalogue::bundled().rules() {
        for c in &rule.citations {
            let text = c.to_string();
            if [
                "(ETS 30) Art 4",
                "Art 9(4)",
                "Arts 29",
                "Arts 35",
                "Art 38(2)",
                "Art 25",
                "Niemietz",
                "Sallinen",
                "Sommer",
                "Xavier Da Silveira",
                "Soering",
                "Art 47",
                "Art 13",
            ]
            .iter()
            .any(|m| text.contains(m))
            {
                assert_eq!(c.tag, Tag::M, "{}: {text}", rule.id);
            }
            for wrong in ["Art 5 [", "Convention 108+", "principle 22"] {
                assert!(!text.contains(wrong), "{}: {text}", rule.id);
            }
            if rule.id == "persecution-clause-terrorism" && text.contains("CETS 196") {
                assert_eq!(c.tag, Tag::S, "{text}");
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
        // An instrument the partner table does not have is a load error naming the rule.
        (
            VALID.replace("{ source = \"Refugee Convention 1951\", pinpoint = \"Art 33\", tag = \"P\" }",
                "{ source = \"Refugee Convention 1951\", pinpoint = \"Art 33\", tag = \"P\" }, { instrument = \"ets-999\", tag = \"P\" }"),
            "one",
            "citations[1].instrument",
        ),
        (
            VALID.replace("{ source = \"Refugee Convention 1951\", pinpoint = \"Art 33\", tag = \"P\" }",
                "{ source = \"Refugee Convention 1951\", pinpoint = \"Art 33\", tag = \"P\" }, { clause = \"loyalty\" }"),
            "one",
            "citations[1].clause",
        ),
        (
            VALID.replace("{ source = \"Refugee Convention 1951\", pinpoint = \"Art 33\", tag = \"P\" }",
                "{ source = \"Refugee Convention 1951\", pinpoint = \"Art 33\", tag = \"P\" }, { source = \"X\", instrument = \"ets-30\", tag = \"P\" }"),
            "one",
            "citations[1]",
        ),
        // A rule resting only on a treaty would say nothing to a state not party to it.
        (
            VALID.replace("{ source = \"Refugee Convention 1951\", pinpoint = \"Art 33\", tag = \"P\" }",
                "{ instrument = \"ets-30\", pinpoint = \"Art 2(b)\", tag = \"P\" }")
                .replace("cites = [\"Refugee Convention 1951\"]", "cites = [\"ets-30\"]"),
            "one",
            "citations",
        ),
        (VALID.replace("outcome = \"freeze_and_refer\"", "outcome = \"freeze_and_refer\"\nrefuse_if_mandatory = \"loyalty\""), "one", "then.refuse_if_mandatory"),
        (VALID.replace("findings_any", "findings_none = [\"protected\"]\nfindings_any"), "one", "when.findings_none[0]"),
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

/// The partner table is checked when it loads: every error names what is wrong, and a reply
/// sentence that would disclose asylum information is refused before any reply is written.
#[test]
fn partner_table_errors_are_reported() {
    assert!(PartnerTable::parse(BUNDLED_PARTNERS).is_ok());
    let cases = [
        (
            BUNDLED_PARTNERS.replace(
                r#"instruments = ["uncac-mla""#,
                r#"instruments = ["ets-999", "uncac-mla""#,
            ),
            "unknown instrument \"ets-999\"",
        ),
        (
            BUNDLED_PARTNERS.replace(
                "INTERPOL's rules on the processing of data are applied.",
                "The refugee is protected here.",
            ),
            "would disclose asylum information",
        ),
        (
            BUNDLED_PARTNERS.replace(r#"states = ["kz"]"#, r#"states = ["kz", "kz"]"#),
            "listed twice",
        ),
        (
            BUNDLED_PARTNERS.replace(r#"states = ["kz"]"#, r#"states = ["be"]"#),
            "the requested state",
        ),
        (
            BUNDLED_PARTNERS.replace(
                "clauses.political_offence = { pinpoint = \"Art 2(a)\"",
                "clauses.loyalty = { pinpoint = \"Art 2(a)\"",
            ),
            "unknown clause",
        ),
        (
            BUNDLED_PARTNERS.replace(r#"mla = "be-law-2004""#, r#"mla = "be-law-1999""#),
            "unknown instrument \"be-law-1999\"",
        ),
    ];
    for (text, message) in cases {
        assert_ne!(
            text, BUNDLED_PARTNERS,
            "the replacement for {message:?} changed nothing"
        );
        let error = PartnerTable::parse(&text).expect_err(message);
        assert!(error.to_string().contains(message), "{error}");
        assert!(matches!(error, PolicyError::Partners { .. }), "{error:?}");
    }
}
