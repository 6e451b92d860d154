//! `haven screen`: cross-script matches from the data directory's registry, the JSON output
//! shape of DESIGN §5.1, the index snapshot's life cycle, errors that name the place, and the
//! ledger entry every screening leaves.

use std::path::Path;

use super::{finding_codes, haven, stderr, stdout};

const REGISTRY: &str = r#"{"id": "R-1001", "names": ["Aigerim Bekova", "Бекова Айгерим"], "birth_date": "1971-03-02", "nationalities": ["kz"], "gender": "f", "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2013-10-01", "against": ["kz"]}, "roles": ["lawyer"], "relations": [{"kind": "child", "to": "R-1002"}]}
{"id": "R-1002", "names": ["Timur Bekov"], "birth_date": "1995", "nationalities": ["kz"], "gender": "m", "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2014-02-01", "against": ["kz"]}}
{"id": "R-1003", "names": ["Yerlan Jumabayev"], "birth_date": "1980-07-15", "nationalities": ["kz"], "gender": "m", "protection": {"status": "subsidiary", "granted_by": "de", "granted_on": "2019", "against": ["kz"]}}
"#;

const CONTEXT: &str = r#"{"kind": "person", "id": "C-7", "names": ["Марат Бекову"], "nationalities": ["kz"], "roles": ["political_opponent"], "relations": [{"kind": "sibling", "to": "R-1001"}]}
"#;

fn imported(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    std::fs::write(dir.join("registry.jsonl"), REGISTRY).expect("writable");
    std::fs::write(dir.join("context.jsonl"), CONTEXT).expect("writable");
    for (kind, file) in [("registry", "registry.jsonl"), ("context", "context.jsonl")] {
        let path = dir.join(file);
        let output = haven(&data, &["import", kind, path.to_str().expect("UTF-8")]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    data
}

fn matches(line: &str) -> Vec<(String, String, f64)> {
    let value: serde_json::Value = serde_json::from_str(line).expect("one JSON object");
    value["matches"]
        .as_array()
        .expect("matches array")
        .iter()
        .map(|m| {
            assert!(
                m["names"].is_array() && m["explanation"].as_str().is_some_and(|e| !e.is_empty())
            );
            (
                m["id"].as_str().expect("id").to_owned(),
                m["source"].as_str().expect("source").to_owned(),
                m["score"].as_f64().expect("score"),
            )
        })
        .collect()
}

#[test]
fn finds_registry_persons_across_scripts_best_first() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = imported(dir.path());

    let output = haven(
        &data,
        &[
            "screen",
            "--query",
            r#"{"names": ["Жумабаев Ерлан"], "birth_date": "1980"}"#,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let found = matches(stdout(&output).trim());
    assert_eq!(found[0].0, "R-1003");
    assert_eq!(found[0].1, "registry");
    assert!(found[0].2 >= 0.9, "{found:?}");
    assert!(
        found.windows(2).all(|w| w[0].2 >= w[1].2),
        "best first: {found:?}"
    );

    // The first run built the snapshot; the next one uses it.
    assert!(
        stderr(&output).contains("built the screening index over 4 persons"),
        "{}",
        stderr(&output)
    );
    assert!(data.join("screening.index").exists());
    let again = haven(
        &data,
        &["screen", "--query", r#"{"names": ["AIGERIM BEKOVA"]}"#],
    );
    assert!(
        !stderr(&again).contains("built the screening index"),
        "{}",
        stderr(&again)
    );
    assert_eq!(matches(stdout(&again).trim())[0].0, "R-1001");
}

#[test]
fn batch_answers_in_order_and_a_new_import_refreshes_the_index() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = imported(dir.path());
    let batch = dir.path().join("batch.jsonl");
    std::fs::write(
        &batch,
        "{\"names\": [\"Bekova, Aigerim\"]}\n\n{\"names\": [\"Nobody Atall\"]}\n{\"names\": [\"Тимур Беков\"], \"gender\": \"m\"}\n",
    )
    .expect("writable");
    let output = haven(
        &data,
        &["screen", "--batch", batch.to_str().expect("UTF-8")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "one line per query: {lines:?}");
    assert_eq!(matches(lines[0])[0].0, "R-1001");
    assert!(matches(lines[1]).iter().all(|m| m.2 < 0.7), "{}", lines[1]);
    assert_eq!(matches(lines[2])[0].0, "R-1002");

    // A person imported later is found: the snapshot is caught up with the one changed person,
    // not rebuilt.
    let more = dir.path().join("more.jsonl");
    std::fs::write(&more, r#"{"id": "R-2001", "names": ["Nurlan Abishev"], "protection": {"status": "asylum_seeker", "granted_by": "fr", "applied_on": "2024", "against": ["kz"]}}"#).expect("writable");
    let import = haven(
        &data,
        &["import", "registry", more.to_str().expect("UTF-8")],
    );
    assert!(import.status.success(), "{}", stderr(&import));
    let output = haven(
        &data,
        &["screen", "--query", r#"{"names": ["Нурлан Абишев"]}"#],
    );
    assert!(
        !stderr(&output).contains("built the screening index"),
        "{}",
        stderr(&output)
    );
    assert_eq!(matches(stdout(&output).trim())[0].0, "R-2001");
}

#[test]
fn every_screening_is_in_the_ledger() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = imported(dir.path());
    let output = haven(
        &data,
        &[
            "screen",
            "--justification",
            "MLA/2019/0412",
            "--query",
            r#"{"names": ["Aigerim Bekova"]}"#,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let export = haven(&data, &["ledger", "export"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let text = stdout(&export);
    assert!(
        text.contains("MLA/2019/0412"),
        "the justification is logged"
    );
    assert!(
        text.contains("registry:R-1001"),
        "the consulted record is logged"
    );
    let verified = haven(&data, &["ledger", "verify"]);
    assert!(verified.status.success(), "{}", stderr(&verified));
}

#[test]
fn bad_input_names_the_place_and_nothing_is_logged() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = imported(dir.path());
    let before = stdout(&haven(&data, &["ledger", "export"]));

    let output = haven(
        &data,
        &[
            "screen",
            "--query",
            r#"{"names": ["A"], "birth_date": "1971-02-30"}"#,
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("birth_date"),
        "{}",
        stderr(&output)
    );

    let batch = dir.path().join("batch.jsonl");
    std::fs::write(
        &batch,
        "{\"names\": [\"A\"]}\n{\"names\": [\"B\"], \"nick\": 1}\n",
    )
    .expect("writable");
    let output = haven(
        &data,
        &["screen", "--batch", batch.to_str().expect("UTF-8")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("batch.jsonl:2:"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty(), "nothing printed");

    let after = stdout(&haven(&data, &["ledger", "export"]));
    assert_eq!(
        before.matches("\"screen\"").count(),
        after.matches("\"screen\"").count()
    );

    let empty = dir.path().join("empty");
    let output = haven(&empty, &["screen", "--query", r#"{"names": ["A"]}"#]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("import a registry or context first"),
        "{}",
        stderr(&output)
    );
}

/// Context data loaded before any registry (FollowTheMoney exports often are): screening and
/// assessing work against the context alone, and say that the registry is empty.
#[test]
fn screening_and_assessing_work_against_the_context_alone() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let context = dir.path().join("context.jsonl");
    std::fs::write(
        &context,
        r#"{"kind": "person", "id": "C-1", "names": ["Marat Bekov", "Марат Беков"], "nationalities": ["kz"], "roles": ["journalist"]}
{"kind": "finding", "id": "F-1", "about": "C-1", "type": "recognised_political_prisoner", "state": "kz", "date": "2017", "summary": "Invented for the test.", "source": "Illustrative source"}
"#,
    )
    .expect("writable");
    let import = haven(
        &data,
        &["import", "context", context.to_str().expect("UTF-8")],
    );
    assert!(import.status.success(), "{}", stderr(&import));

    let output = haven(
        &data,
        &["screen", "--query", r#"{"names": ["Беков Марат"]}"#],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the protection registry is empty"),
        "{}",
        stderr(&output)
    );
    let found = matches(stdout(&output).trim());
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("C-1", "context")
    );

    let request = dir.path().join("request.json");
    std::fs::write(
        &request,
        r#"{"reference": "MLA/1", "kind": "mla", "requesting_state": "kz", "received_on": "2024-01-10",
            "offences": [{"description": "fraud", "category": "fraud"}],
            "parties": [{"role": "witness", "names": ["Marat Bekov"]}],
            "measures": [{"kind": "questioning", "party": 0}]}"#,
    )
    .expect("writable");
    let output = haven(
        &data,
        &["assess", request.to_str().expect("UTF-8"), "--dry-run"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let decision: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let codes = finding_codes(&decision);
    assert!(
        codes.contains(&"context_political_persecution"),
        "{codes:?}"
    );
}

/// Hostile or broken queries: each a clear error on stderr with exit code 2 (never a panic,
/// which exits 101), or a sane answer.
#[test]
fn bad_names_and_tiers_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = imported(dir.path());
    let long = format!(r#"{{"names": ["{}"]}}"#, "Bekova ".repeat(1430));
    let cases: &[(&[&str], &str)] = &[
        (
            &["--query", r#"{"names": [""]}"#],
            "a name may not be empty",
        ),
        (
            &["--query", r#"{"names": ["   "]}"#],
            "a name may not be empty",
        ),
        (
            &["--query", r#"{"names": []}"#],
            "at least one name is required",
        ),
        (&["--query", &long], "a name is longer than 512 characters"),
        (
            &["--query", "{\"names\": [\"Aigerim\\u0007Bekova\"]}"],
            "contains a control character",
        ),
        (
            &["--query", "{\"names\": [\"Aigerim\\nBekova\"]}"],
            "contains a control character",
        ),
        (
            &[
                "--min-tier",
                "certain",
                "--query",
                r#"{"names": ["Aigerim Bekova"]}"#,
            ],
            "invalid value 'certain' for '--min-tier <MIN_TIER>'",
        ),
    ];
    for (args, expected) in cases {
        let output = haven(&data, &[&["screen"], *args].concat());
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).is_empty(), "{args:?}: nothing printed");
    }

    // Sane answers: names with nothing to match on (a zero-width space, punctuation only) match
    // nobody, and the run still succeeds.
    for name in ["\u{200b}", "·—·"] {
        let query = serde_json::json!({ "names": [name] }).to_string();
        let output = haven(&data, &["screen", "--query", &query]);
        assert!(output.status.success(), "{name:?}: {}", stderr(&output));
        assert_eq!(stdout(&output).trim(), r#"{"matches":[]}"#, "{name:?}");
    }
    let output = haven(
        &data,
        &[
            "screen",
            "--min-tier",
            "match",
            "--query",
            r#"{"names": ["Aigerim Bekova"]}"#,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let tiers: Vec<&str> = answer["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .filter_map(|m| m["tier"].as_str())
        .collect();
    assert!(
        !tiers.is_empty() && tiers.iter().all(|t| *t == "match"),
        "{tiers:?}"
    );
}
