//! `haven import registry|context`: precise errors, all-or-nothing, `--skip-invalid` with its
//! rejects file, FollowTheMoney detection, and crash safety under SIGKILL.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use haven_store::Store;

use super::{haven, stderr, stdout};

/// A registry line with the given id and relations (kind, to).
fn person(id: &str, relations: &[(&str, &str)]) -> String {
    let relations: Vec<_> = relations
        .iter()
        .map(|(k, t)| serde_json::json!({"kind": k, "to": t}))
        .collect();
    serde_json::json!({
        "id": id, "names": [format!("Aigerim Bekova {id}"), "Бекова Айгерим"], "birth_date": "1971-03-02",
        "nationalities": ["kz"], "gender": "f",
        "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2013-10-01", "against": ["kz"]},
        "roles": ["lawyer"], "relations": relations,
    })
    .to_string()
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&path, text).expect("writable");
    path
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn registry_count(data: &Path) -> u64 {
    Store::open(data)
        .expect("store opens")
        .data_counts()
        .expect("counts")
        .registry_persons
}

#[test]
fn every_bad_line_is_reported_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let file = write(
        dir.path(),
        "registry.jsonl",
        &[
            person("R-1", &[("child", "R-2")]),
            person("R-2", &[]),
            "{\"id\": \"R-3\", \"names\": [".to_owned(),
            person("R-4", &[]).replace("\"gender\"", "\"hair\": \"dark\", \"gender\""),
            person("R-5", &[]).replace("1971-03-02", "1971-13-02"),
            person("R-6", &[("sibling", "R-404")]),
            person("R-1", &[]),
        ],
    );
    let out = haven(&data, &["import", "registry", arg(&file)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let f = arg(&file);
    let expected = [
        format!("{f}:3: not valid JSON: EOF while parsing a list at column 24"),
        format!(
            "{f}:4: unknown field `hair`, expected one of `id`, `names`, `birth_date`, `nationalities`, `gender`, `protection`, `roles`, `relations`"
        ),
        format!(r#"{f}:5: birth_date: "1971-13-02" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"#),
        format!(r#"{f}:6: relations[0].to: "R-404" is neither in this file nor in the registry"#),
        format!(r#"{f}:7: id: "R-1" appears on line 1 and line 7; ids must be unique in a file"#),
        format!(
            "error: {f}: 5 invalid line(s); nothing was imported (--skip-invalid imports the valid lines and writes the rest to {f}.rejects.jsonl)"
        ),
    ];
    let err = stderr(&out);
    assert_eq!(err.lines().collect::<Vec<_>>(), expected, "{err}");
    assert_eq!(registry_count(&data), 0);
    assert!(!dir.path().join("registry.jsonl.rejects.jsonl").exists());
}

#[test]
fn skip_invalid_imports_the_rest_and_writes_rejects() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let bad = person("R-3", &[]).replace("\"be\"", "\"BEL\"");
    let file = write(
        dir.path(),
        "registry.jsonl",
        &[
            person("R-1", &[("child", "R-2")]),
            person("R-2", &[]),
            bad.clone(),
        ],
    );
    let out = haven(&data, &["import", "registry", arg(&file), "--skip-invalid"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let f = arg(&file);
    assert_eq!(
        stdout(&out).trim(),
        format!(
            "imported registry {f}: 2 inserted, 0 updated, 0 unchanged, 1 rejected (see {f}.rejects.jsonl); data version 1, ledger entry 1"
        )
    );
    let rejects = std::fs::read_to_string(dir.path().join("registry.jsonl.rejects.jsonl"))
        .expect("rejects file");
    let reject: serde_json::Value = serde_json::from_str(rejects.trim()).expect("one JSON line");
    assert_eq!(reject["line"], 3);
    assert_eq!(
        reject["error"],
        r#"protection.granted_by: "BEL" is not a country code (two letters, ISO 3166-1 alpha-2, e.g. "kz")"#
    );
    assert_eq!(reject["original"], bad);

    // A re-import changes nothing but is recorded.
    let again = haven(&data, &["import", "registry", arg(&file), "--skip-invalid"]);
    assert!(
        stdout(&again).contains(": 0 inserted, 0 updated, 2 unchanged, 1 rejected"),
        "{}",
        stdout(&again)
    );
    let verified = haven(&data, &["ledger", "verify"]);
    assert!(
        stdout(&verified).starts_with("ledger verified: 3 entries"),
        "{}",
        stdout(&verified)
    );
}

#[test]
fn followthemoney_is_detected_and_goes_to_context_only() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let lines: Vec<String> = [
        r#"{"id": "p1", "schema": "Person", "properties": {"name": ["Aigerim Bekova"], "birthDate": ["1971-03-02"], "nationality": ["kz"], "gender": ["female"]}}"#,
        r#"{"id": "p2", "schema": "Person", "properties": {"firstName": ["Arman"], "lastName": ["Bekov"]}}"#,
        r#"{"id": "f1", "schema": "Family", "properties": {"person": ["p2"], "relative": ["p1"], "relationship": ["sister"]}}"#,
        r#"{"id": "o1", "schema": "Organization", "properties": {"name": ["Party"]}}"#,
    ]
    .map(String::from)
    .to_vec();
    let file = write(dir.path(), "entities.ftm.json", &lines);
    let out = haven(&data, &["import", "registry", arg(&file)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("FollowTheMoney entities carry no protection status"),
        "{}",
        stderr(&out)
    );

    let out = haven(&data, &["import", "context", arg(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .contains(": 2 inserted, 0 updated, 0 unchanged, 0 rejected; skipped 1 Organization;"),
        "{}",
        stdout(&out)
    );
    let store = Store::open(&data).expect("opens");
    let p2 = store
        .get_context_person(&haven_domain::PersonId::parse("p2").expect("valid"))
        .expect("reads")
        .expect("stored");
    assert_eq!(p2.relations[0].kind, haven_domain::RelationKind::Sibling);
}

/// A large registry: `n` persons, each pointing at the previous one.
fn large_registry(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join("large.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("creatable"));
    for i in 0..n {
        let line = match i {
            0 => person("L-0", &[]),
            _ => person(&format!("L-{i}"), &[("sibling", &format!("L-{}", i - 1))]),
        };
        writeln!(out, "{line}").expect("writable");
    }
    out.flush().expect("writable");
    path
}

#[test]
fn sigkill_mid_import_leaves_the_previous_state() {
    const LARGE: usize = 200_000;
    let dir = tempfile::tempdir().expect("temporary directory");
    let small = write(
        dir.path(),
        "small.jsonl",
        &[person("R-1", &[]), person("R-2", &[]), person("R-3", &[])],
    );
    let large = large_registry(dir.path(), LARGE);

    let mut killed_mid_import = false;
    // Kill later and later until one kill lands while the import runs; each attempt starts
    // from a fresh data directory holding the small registry.
    for (attempt, delay_ms) in [400u64, 150, 50, 900, 1500].into_iter().enumerate() {
        let data = dir.path().join(format!("data-{attempt}"));
        let first = haven(&data, &["import", "registry", arg(&small)]);
        assert!(first.status.success(), "{}", stderr(&first));

        let mut child = Command::new(env!("CARGO_BIN_EXE_haven"))
            .arg("--data-dir")
            .arg(&data)
            .args(["import", "registry", arg(&large)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haven starts");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let running = child.try_wait().expect("waitable").is_none();
        // On Unix, `kill` sends SIGKILL: no destructor, no rollback code of ours runs.
        child.kill().expect("killable");
        child.wait().expect("reaped");

        // A fresh open sees either the old state or the complete new one, never a part.
        let count = registry_count(&data);
        let ledger = Store::open(&data)
            .expect("opens")
            .ledger_size()
            .expect("size");
        assert!(
            (count, ledger) == (3, 2) || (count, ledger) == (3 + LARGE as u64, 3),
            "attempt {attempt}: {count} registry persons and {ledger} ledger entries after a kill"
        );
        let verified = haven(&data, &["ledger", "verify"]);
        assert!(verified.status.success(), "{}", stderr(&verified));
        if running && count == 3 {
            killed_mid_import = true;
            break;
        }
    }
    assert!(killed_mid_import, "no kill landed during the import");
}
