//! `haven case …`, `haven stats`: one walk of the motivating case from the console, acting as
//! named accounts — freeze, refer, every referral answered by its authority's role, four-eyes
//! authorisation by two judges (the same judge twice is `four_eyes`), execution started, an
//! empty execution record refused with the safeguards it lacks, then the statistics and the
//! ledger. Then a transfer of a witness's statement: blocked until a judge sorts a possibly
//! privileged item, sent by two judges. The server's test walks the full case; these stay on
//! the console's own concerns: who acts, what is printed, how a refusal reads and exits.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::{haven, stderr, stdout};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data")
}

/// `haven case ARGS… --user USER`.
fn case(data: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = vec!["case"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--user", user]);
    haven(data, &all)
}

/// Asserts success and returns standard output.
fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "stdout: {}\nstderr: {}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

/// Asserts a refusal: exit 2 and `error: CODE: …` on standard error; returns standard error.
fn refused(output: &Output, code: &str) -> String {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.starts_with(&format!("error: {code}: ")), "{text}");
    text
}

/// A data directory with the examples' registry and context, and one account per role
/// (two judges).
fn accounts(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    for kind in ["registry", "context"] {
        let file = examples().join(format!("{kind}.jsonl"));
        ok(&haven(
            &data,
            &["import", kind, file.to_str().expect("UTF-8")],
        ));
    }
    for (name, role) in [
        ("officer", "officer"),
        ("judge-a", "judge"),
        ("judge-b", "judge"),
        ("police", "police"),
        ("liaison", "asylum_liaison"),
        ("auditor", "auditor"),
    ] {
        ok(&haven(&data, &["user", "add", name, "--role", role]));
    }
    data
}

#[test]
fn a_frozen_case_is_referred_answered_and_authorised_by_two_judges() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = accounts(dir.path());
    let request = examples().join("requests/01-mla-kz-refugee-lawyer-home-search.json");
    let assessed = ok(&haven(&data, &["assess", request.to_str().expect("UTF-8")]));
    assert!(
        assessed.contains("\"outcome\": \"freeze_and_refer\""),
        "{assessed}"
    );

    // Who acts must be an active account.
    let nobody = case(&data, "nobody", &["list"]);
    assert_eq!(nobody.status.code(), Some(2));
    assert!(
        stderr(&nobody).contains(
            "no active account nobody: create one with haven user add nobody --role judge"
        ),
        "{}",
        stderr(&nobody)
    );
    let listed = ok(&case(&data, "officer", &["list"]));
    assert!(
        listed.contains("case-000001") && listed.contains("freeze_and_refer  assessed"),
        "{listed}"
    );

    // Every step needs a reason; the role decides who may take it.
    let unreasoned = case(&data, "judge-a", &["event", "case-000001", "freeze"]);
    refused(&unreasoned, "reason_required");
    let by_police = case(
        &data,
        "police",
        &["event", "case-000001", "freeze", "--reason", "why not"],
    );
    refused(&by_police, "forbidden");

    let steps: [(&str, &[&str], &str); 2] = [
        (
            "judge-a",
            &[
                "event",
                "case-000001",
                "freeze",
                "--reason",
                "protected lawyer",
            ],
            "case-000001: frozen\n",
        ),
        (
            "officer",
            &[
                "event",
                "case-000001",
                "refer",
                "--reason",
                "as the decision says",
            ],
            "case-000001: frozen\n",
        ),
    ];
    for (user, args, expected) in steps {
        assert_eq!(ok(&case(&data, user, args)), expected, "{user} {args:?}");
    }

    // The asylum authority first, then whatever else the decision referred to.
    let answered = ok(&case(
        &data,
        "liaison",
        &[
            "answer",
            "case-000001",
            "asylum_authority",
            "protected",
            "--reason",
            "refugee status confirmed",
        ],
    ));
    assert_eq!(
        answered,
        "case-000001: asylum_authority referral answered: protected\n"
    );
    let shown: serde_json::Value = serde_json::from_str(&ok(&case(
        &data,
        "judge-a",
        &["show", "case-000001", "--format", "json"],
    )))
    .expect("JSON case");
    let open: Vec<String> = shown["file"]["referrals"]
        .as_array()
        .expect("referrals")
        .iter()
        .filter(|r| r.get("answer").is_none())
        .map(|r| r["code"].as_str().expect("code").to_owned())
        .collect();
    for code in &open {
        let user = match code.as_str() {
            "investigating_judge" => "judge-a",
            "bar_association" | "data_protection_officer" => "officer",
            other => panic!("unexpected referral {other}"),
        };
        ok(&case(
            &data,
            user,
            &[
                "answer",
                "case-000001",
                code,
                "acknowledged",
                "--reason",
                "noted",
            ],
        ));
    }
    let overdue = ok(&case(&data, "officer", &["referrals", "--overdue"]));
    assert_eq!(overdue, "no referrals\n");

    // Four-eyes: a first approval, the same judge again refused, another judge authorises.
    let authorise = [
        "event",
        "case-000001",
        "authorise",
        "--reason",
        "safeguards set",
    ];
    assert_eq!(
        ok(&case(&data, "judge-a", &authorise)),
        "case-000001: first approval of authorise recorded; another judge must approve\n"
    );
    refused(&case(&data, "judge-a", &authorise), "four_eyes");
    assert_eq!(
        ok(&case(&data, "judge-b", &authorise)),
        "case-000001: authorised\n"
    );
    ok(&case(
        &data,
        "police",
        &[
            "event",
            "case-000001",
            "start_execution",
            "--reason",
            "warrant in hand",
        ],
    ));

    // An execution record names the field at fault; nothing saved lists every safeguard.
    let bad_record = dir.path().join("bad-record.json");
    std::fs::write(&bad_record, r#"{"inventory": [{"id": "I-1"}]}"#).expect("writable");
    let bad = case(
        &data,
        "police",
        &[
            "execution",
            "case-000001",
            "0",
            bad_record.to_str().expect("UTF-8"),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("inventory[0]"), "{}", stderr(&bad));
    let incomplete = refused(
        &case(&data, "police", &["complete", "case-000001", "0"]),
        "safeguard_missing",
    );
    let details: Vec<&str> = incomplete
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("  "))
        .collect();
    assert!(!details.is_empty(), "{incomplete}");
    assert!(incomplete.contains("observer"), "{incomplete}");

    let text = ok(&case(&data, "judge-b", &["show", "case-000001"]));
    for expected in [
        "state: executing",
        "freeze → frozen  by judge-a (judge): protected lawyer",
        "authorise → authorised  by judge-b (judge): safeguards set; first approval by judge-a",
        "asylum_authority  due ",
        "answered protected by liaison (asylum_liaison)",
        "measure 0 (search_premises): not recorded",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }

    // Oversight reads the statistics; a judge does not.
    refused(&haven(&data, &["stats", "--user", "judge-a"]), "forbidden");
    let csv = ok(&haven(&data, &["stats", "--csv", "--user", "auditor"]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "requesting_state,outcome,requests,frozen,refused,overdue_referrals,\
             transfers_proposed,transfers_blocked,transfers_sent"
        )
    );
    assert!(
        csv.lines()
            .any(|l| l.starts_with("kz,freeze_and_refer,1,1,")),
        "{csv}"
    );

    let verified = haven(&data, &["ledger", "verify"]);
    assert!(
        stdout(&verified).starts_with("ledger verified"),
        "{}",
        stderr(&verified)
    );
}

#[test]
fn a_transfer_is_blocked_until_sorted_and_sent_by_two_judges() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = accounts(dir.path());
    let request = examples().join("requests/08-mla-ch-assault-witness.json");
    ok(&haven(&data, &["assess", request.to_str().expect("UTF-8")]));
    let steps: [(&str, &str, &str); 2] = [
        ("judge-a", "authorise", "case-000001: authorised\n"),
        ("police", "start_execution", "case-000001: executing\n"),
    ];
    for (user, event, expected) in steps {
        let args = ["event", "case-000001", event, "--reason", "in order"];
        assert_eq!(ok(&case(&data, user, &args)), expected);
    }
    let record = dir.path().join("record.json");
    std::fs::write(
        &record,
        r#"{"questioned_by": "judge", "remedy_information": {"given_to": "the witness"},
            "inventory": [
              {"id": "I-1", "description": "statement", "privileged": "no"},
              {"id": "I-2", "description": "letter from counsel", "privileged": "possible",
               "sealed": true}]}"#,
    )
    .expect("writable");
    let record = record.to_str().expect("UTF-8");
    ok(&case(
        &data,
        "police",
        &["execution", "case-000001", "0", record],
    ));
    assert_eq!(
        ok(&case(&data, "police", &["complete", "case-000001", "0"])),
        "case-000001: execution record of measure 0 completed\n"
    );

    let proposal = dir.path().join("transfer.json");
    std::fs::write(
        &proposal,
        r#"{"recipient": "ch: Ministère public du canton de Vaud", "legal_basis": "be-law-2004",
            "items": ["I-1", "I-2"], "text": "The witness's statement."}"#,
    )
    .expect("writable");
    let proposal = proposal.to_str().expect("UTF-8");
    let transfer = |user: &str, args: &[&str]| {
        let mut all = vec!["transfer"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--user", user]);
        haven(&data, &all)
    };
    let blocked = ok(&transfer("officer", &["propose", "case-000001", proposal]));
    assert!(
        blocked.contains("transfer case-000001-t1: proposed (blocked)")
            && blocked.contains("item I-1: may go")
            && blocked.contains("item I-2: blocked\n    privilege_unsorted (overridable)"),
        "{blocked}"
    );
    let unsorted = refused(
        &transfer("judge-a", &["approve", "case-000001-t1", "--reason", "ok"]),
        "transfer_blocked",
    );
    assert!(unsorted.contains("\n  I-2"), "{unsorted}");

    ok(&case(
        &data,
        "judge-a",
        &[
            "sort",
            "case-000001",
            "I-2",
            "--not-privileged",
            "--reason",
            "no advice in it",
        ],
    ));
    let clear = ok(&transfer("officer", &["propose", "case-000001", proposal]));
    assert!(
        clear.contains("case-000001-t2: proposed (clear)"),
        "{clear}"
    );
    let approve = [
        "approve",
        "case-000001-t2",
        "--reason",
        "use conditions attached",
    ];
    let first = ok(&transfer("judge-a", &approve));
    assert!(
        first.starts_with("case-000001-t2: first approval recorded; another judge must approve\n"),
        "{first}"
    );
    refused(&transfer("judge-a", &approve), "four_eyes");
    let sent = ok(&transfer("judge-b", &approve));
    assert!(sent.starts_with("case-000001-t2: sent to ch: "), "{sent}");
    let shown: serde_json::Value = serde_json::from_str(&ok(&transfer(
        "auditor",
        &["show", "case-000001-t2", "--format", "json"],
    )))
    .expect("JSON transfer");
    assert_eq!(shown["state"], "sent");
    assert_eq!(shown["approvals"].as_array().map(Vec::len), Some(2));

    let stats: serde_json::Value =
        serde_json::from_str(&ok(&haven(&data, &["stats", "--user", "auditor"]))).expect("JSON");
    assert_eq!(stats["total"]["transfers_proposed"], 2);
    assert_eq!(stats["total"]["transfers_blocked"], 1);
    assert_eq!(stats["total"]["transfers_sent"], 1);
}
