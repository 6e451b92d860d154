//! `haven assess` and `haven demo`: the decision of DESIGN §5.3, a stored case with its ledger
//! entry, a dry run that stores nothing, errors that name the field, and the demo end to end.

use std::path::{Path, PathBuf};

use super::{finding_codes, haven, stderr, stdout};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data")
}

fn imported(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    for kind in ["registry", "context"] {
        let file = examples().join(format!("{kind}.jsonl"));
        let output = haven(&data, &["import", kind, file.to_str().expect("UTF-8")]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    data
}

fn entries(data: &Path) -> usize {
    let export = haven(data, &["ledger", "export"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let value: serde_json::Value = serde_json::from_slice(&export.stdout).expect("JSON export");
    value["entries"].as_array().expect("entries").len()
}

#[test]
fn the_design_case_is_stored_as_a_case_with_its_ledger_entry() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = imported(dir.path());
    let request = examples().join("requests/01-mla-kz-refugee-lawyer-home-search.json");
    let before = entries(&data);

    let output = haven(&data, &["assess", request.to_str().expect("UTF-8")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let decision: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(decision["case"], "case-000001");
    assert_eq!(decision["outcome"], "freeze_and_refer");
    let codes = finding_codes(&decision);
    assert!(
        codes.contains(&"protected_against_requesting_state"),
        "{codes:?}"
    );
    assert!(
        decision["referrals"]
            .as_array()
            .expect("referrals")
            .iter()
            .any(|r| r == "asylum_authority")
    );
    assert_eq!(decision["ledger"]["index"].as_u64(), Some(before as u64));
    assert_eq!(entries(&data), before + 1);
    let verify = haven(&data, &["ledger", "verify"]);
    assert!(verify.status.success(), "{}", stderr(&verify));

    let memo = haven(
        &data,
        &[
            "assess",
            request.to_str().expect("UTF-8"),
            "--format",
            "text",
        ],
    );
    assert!(memo.status.success(), "{}", stderr(&memo));
    let text = stdout(&memo);
    assert!(
        text.contains("DECISION MEMO") && text.contains("OUTCOME: FREEZE AND REFER"),
        "{text}"
    );
    assert!(text.contains("independent_legal_observer"), "{text}");
}

#[test]
fn a_dry_run_stores_nothing_and_bad_requests_name_the_field() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = imported(dir.path());
    let before = entries(&data);
    let request = examples().join("requests/08-mla-ch-assault-witness.json");
    let output = haven(
        &data,
        &["assess", request.to_str().expect("UTF-8"), "--dry-run"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let decision: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(decision["outcome"], "proceed");
    assert!(decision.get("case").is_none() && decision.get("ledger").is_none());
    assert_eq!(entries(&data), before);

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"reference": "X/1", "kind": "mla", "requesting_state": "kz", "received_on": "2020",
            "parties": [{"names": ["A B"]}], "measures": [{"kind": "search_premises", "party": 3}]}"#,
    )
    .expect("writable");
    let output = haven(&data, &["assess", bad.to_str().expect("UTF-8")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("bad.json"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("measures[0].party"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        entries(&data),
        before,
        "nothing logged for a refused request"
    );
}

#[test]
fn the_demo_assesses_every_bundled_request() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let output = haven(&dir.path().join("unused"), &["demo"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let requests = std::fs::read_dir(examples().join("requests"))
        .expect("requests")
        .count();
    assert_eq!(text.matches("DECISION MEMO").count(), requests, "{text}");
    for outcome in [
        "OUTCOME: REFUSE",
        "OUTCOME: FREEZE AND REFER",
        "OUTCOME: PROCEED WITH SAFEGUARDS",
        "OUTCOME: PROCEED\n",
    ] {
        assert!(text.contains(outcome), "{outcome} missing");
    }
    assert!(text.contains("Ledger verified"), "{text}");
    assert!(
        !dir.path().join("unused").exists(),
        "the demo uses its own temporary directory"
    );
}

/// The held-out-style scenario (`examples/data/requests/10-…`, DESIGN §1 pattern): the lawyer's
/// family named by a short Latin form, another romanisation, a Cyrillic name and a bare surname,
/// beside a context record that carries exactly the short form. Every party who is in the
/// registry comes back at `match` or `possible` tier from `haven screen`, is a protection
/// finding of the decision, and the case is frozen and referred to the asylum authority.
#[test]
fn every_registry_person_named_is_found_and_the_case_referred() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = imported(dir.path());
    let path = examples().join("requests/10-mla-kz-short-name-and-family.json");
    let request: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("readable")).expect("JSON");
    // Who each party is, from the example's README: the registry records they may be.
    let expected: [&[&str]; 4] = [&["R-1026"], &["R-1027"], &["R-1028"], &["R-1026", "R-1027"]];

    for (index, party) in request["parties"]
        .as_array()
        .expect("parties")
        .iter()
        .enumerate()
    {
        let output = haven(&data, &["screen", "--query", &party.to_string()]);
        assert!(output.status.success(), "{}", stderr(&output));
        let answer: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("one JSON object");
        for id in expected[index] {
            let found = answer["matches"]
                .as_array()
                .expect("matches")
                .iter()
                .find(|m| m["id"] == *id && m["source"] == "registry")
                .unwrap_or_else(|| panic!("party {index}: {id} not returned: {answer}"));
            assert!(
                found["tier"] == "match" || found["tier"] == "possible",
                "party {index}: {found}"
            );
        }
    }

    let output = haven(
        &data,
        &["assess", path.to_str().expect("UTF-8"), "--dry-run"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let decision: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(decision["outcome"], "freeze_and_refer", "{decision:#}");
    let referrals = decision["referrals"].as_array().expect("referrals");
    assert!(referrals.iter().any(|r| r == "asylum_authority"));
    let findings = decision["findings"].as_array().expect("findings");
    for (index, ids) in expected.iter().enumerate() {
        for id in *ids {
            assert!(
                findings.iter().any(|f| f["party"] == index
                    && f["match"]["id"] == *id
                    && (f["code"] == "protected_against_requesting_state"
                        || f["code"] == "possible_match_protected")),
                "party {index}: no protection finding for {id}: {decision:#}"
            );
        }
    }
    assert!(
        findings
            .iter()
            .any(|f| f["party"] == 3 && f["code"] == "possible_match_protected"),
        "the bare surname is a possible match: {decision:#}"
    );
}
