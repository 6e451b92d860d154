//! End-to-end tests of the `haven` binary, each in its own temporary data directory.

use std::path::Path;
use std::process::{Command, Output};

#[path = "cli/assess.rs"]
mod assess;
#[path = "cli/backup.rs"]
mod backup;
#[path = "cli/case.rs"]
mod case;
#[path = "cli/import.rs"]
mod import;
#[path = "cli/postgres.rs"]
mod postgres;
#[path = "cli/screen.rs"]
mod screen;
#[path = "cli/serve.rs"]
mod serve;

fn haven(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haven"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .expect("haven runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The finding codes of a decision printed as JSON, in order.
fn finding_codes(decision: &serde_json::Value) -> Vec<&str> {
    decision["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn ledger_round_trip_and_tampered_export() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");

    // Auditing commands refuse a directory without a database.
    let missing = haven(&data, &["ledger", "verify"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no Haven database"),
        "{}",
        stderr(&missing)
    );

    let key = haven(&data, &["ledger", "public-key"]);
    assert!(key.status.success(), "{}", stderr(&key));
    let key = stdout(&key).trim().to_owned();

    let rotated = haven(
        &data,
        &["ledger", "rotate-key", "--reason", "test rotation"],
    );
    assert!(rotated.status.success(), "{}", stderr(&rotated));

    let verified = haven(&data, &["ledger", "verify"]);
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(
        stdout(&verified).starts_with("ledger verified: 2 entries"),
        "{}",
        stdout(&verified)
    );

    let proof = haven(&data, &["ledger", "proof", "1"]);
    assert!(proof.status.success(), "{}", stderr(&proof));
    let proof: serde_json::Value = serde_json::from_slice(&proof.stdout).expect("JSON proof");
    assert_eq!(proof["tree_size"], 2);

    let export = dir.path().join("export.json");
    let export_arg = export.to_str().expect("UTF-8 path");
    let exported = haven(&data, &["ledger", "export", "--out", export_arg]);
    assert!(exported.status.success(), "{}", stderr(&exported));

    // The export verifies without the database, pinned to the original key.
    std::fs::remove_dir_all(&data).expect("removable");
    let ok = haven(
        &data,
        &["ledger", "verify-export", export_arg, "--public-key", &key],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));

    let text = std::fs::read_to_string(&export).expect("readable");
    std::fs::write(&export, text.replacen("first use", "first USE", 1)).expect("writable");
    let bad = haven(&data, &["ledger", "verify-export", export_arg]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("entry 0: stored leaf hash does not match its content"),
        "{}",
        stderr(&bad)
    );
}
