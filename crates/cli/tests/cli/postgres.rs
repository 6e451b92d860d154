//! The command line on PostgreSQL (issue 13): the CLI contract (import, assess, `ledger
//! verify`, proofs, export, backup and restore) with `--database-url`, giving the decisions
//! SQLite gives; and a
//! `haven serve` killed with SIGKILL in the middle of an import loses nothing it acknowledged,
//! keeps the killed import all-or-nothing, and leaves a ledger that verifies.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use super::serve::http;
use super::{finding_codes, haven, stderr, stdout};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data")
}

/// `haven` with `--data-dir DATA` and the database URL in `HAVEN_DATABASE_URL`, as a server's
/// environment would give it (the URL may hold a password: never on a command line).
fn haven_pg(data_dir: &Path, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haven"))
        .arg("--data-dir")
        .arg(data_dir)
        .env("HAVEN_DATABASE_URL", url)
        .args(args)
        .output()
        .expect("haven runs")
}

/// Imports the examples and assesses request 01; the decision printed.
fn import_and_assess(run: &dyn Fn(&[&str]) -> Output) -> serde_json::Value {
    for kind in ["registry", "context"] {
        let file = examples().join(format!("{kind}.jsonl"));
        let output = run(&["import", kind, file.to_str().expect("UTF-8")]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let request = examples().join("requests/01-mla-kz-refugee-lawyer-home-search.json");
    let output = run(&["assess", request.to_str().expect("UTF-8")]);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("a JSON decision")
}

#[test]
fn the_command_line_contract_holds_on_postgres() {
    let url = haven_testpg::server().fresh_database("cli_contract");
    let dir = tempfile::tempdir().expect("temporary directory");
    let pg_data = dir.path().join("pg");
    let sqlite_data = dir.path().join("sqlite");

    let on_pg = import_and_assess(&|args| haven_pg(&pg_data, &url, args));
    let on_sqlite = import_and_assess(&|args| haven(&sqlite_data, args));
    assert_eq!(on_pg["case"], "case-000001");
    assert_eq!(on_pg["outcome"], on_sqlite["outcome"]);
    assert_eq!(finding_codes(&on_pg), finding_codes(&on_sqlite));
    assert_eq!(on_pg["grounds"], on_sqlite["grounds"]);
    assert!(
        !pg_data.join(haven_store::DATABASE_FILE).exists(),
        "no SQLite database beside PostgreSQL"
    );

    let verified = haven_pg(&pg_data, &url, &["ledger", "verify"]);
    assert!(verified.status.success(), "{}", stderr(&verified));
    assert!(
        stdout(&verified).starts_with("ledger verified: 4 entries"),
        "key, two imports, one case: {}",
        stdout(&verified)
    );
    let proof = haven_pg(&pg_data, &url, &["ledger", "proof", "3"]);
    assert!(proof.status.success(), "{}", stderr(&proof));
    let export_file = dir.path().join("export.json");
    let export = haven_pg(
        &pg_data,
        &url,
        &[
            "ledger",
            "export",
            "--out",
            export_file.to_str().expect("UTF-8"),
        ],
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let checked = haven(
        &sqlite_data,
        &[
            "ledger",
            "verify-export",
            export_file.to_str().expect("UTF-8"),
        ],
    );
    assert!(checked.status.success(), "{}", stderr(&checked));

    // `haven backup` / `haven restore` with the URL: into another database, which verifies.
    let dump = dir.path().join("haven.dump");
    let backup = haven_pg(&pg_data, &url, &["backup", dump.to_str().expect("UTF-8")]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    let target = haven_testpg::server().fresh_database("cli_restore");
    let restored = haven_pg(
        &pg_data,
        &target,
        &["restore", dump.to_str().expect("UTF-8")],
    );
    assert!(restored.status.success(), "{}", stderr(&restored));
    let restored = stdout(&restored);
    assert!(
        restored.contains("ledger verified: 4 entries"),
        "{restored}"
    );
    assert!(restored.contains(", 1 cases"), "{restored}");

    // A URL that cannot be reached is a clear error that never repeats the password.
    let secret_url = "postgres://haven:s3cret-pw@127.0.0.1:1/haven";
    let refused = haven_pg(&pg_data, secret_url, &["ledger", "verify"]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(
        message.contains("postgres://127.0.0.1:1/haven"),
        "{message}"
    );
    assert!(!message.contains("s3cret-pw"), "{message}");
}

/// `n` registry persons `{prefix}-{i}` as JSON lines.
fn registry_lines(prefix: &str, n: usize) -> String {
    (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("{prefix}-{i}"),
                "names": [format!("Person {prefix} Number{i}")],
                "birth_date": "1980-01-01",
                "nationalities": ["kz"],
                "protection": {"status": "refugee", "granted_by": "be",
                               "granted_on": "2020-01-01", "against": ["kz"]},
            })
            .to_string()
                + "\n"
        })
        .collect()
}

/// The number of registry persons whose id starts with `prefix`, read straight from PostgreSQL.
fn persons_with_prefix(url: &str, prefix: &str) -> i64 {
    let mut client = postgres::Client::connect(url, postgres::NoTls).expect("connects");
    client
        .query_one(
            "SELECT COUNT(*) FROM registry_persons WHERE id LIKE $1",
            &[&format!("{prefix}-%")],
        )
        .expect("counts")
        .get(0)
}

/// Starts `haven serve` on `url`; the child and the address it serves on.
fn serve(data: &Path, url: &str) -> (std::process::Child, String) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_haven"))
        .arg("--data-dir")
        .arg(data)
        .env("HAVEN_DATABASE_URL", url)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--max-body-bytes",
            "67108864",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("haven serve starts");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let mut address = String::new();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        if let Some(rest) = line.strip_prefix("Haven serves the API on http://") {
            address = rest.split(' ').next().expect("an address").to_owned();
            break;
        }
    }
    // Keep reading: a server whose stdout is closed fails at its next line.
    std::thread::spawn(move || lines.for_each(drop));
    assert!(!address.is_empty(), "no address printed");
    (server, address)
}

#[test]
fn a_server_killed_mid_import_loses_nothing_it_acknowledged() {
    let url = haven_testpg::server().fresh_database("kill_mid_import");
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let added = haven_pg(&data, &url, &["user", "add", "admin-1", "--role", "admin"]);
    assert!(added.status.success(), "{}", stderr(&added));
    let token = stdout(&added).trim().to_owned();
    let (mut server, address) = serve(&data, &url);

    // Acknowledged imports, one after the other.
    for batch in 0..5 {
        let (status, body) = http(
            &address,
            "POST",
            &format!("/api/v1/imports/registry?name=batch-{batch}.jsonl"),
            Some(&token),
            &registry_lines(&format!("ACK{batch}"), 50),
        );
        assert_eq!(status, 200, "{body}");
    }

    // A large import, killed (SIGKILL) while the server works on it.
    let big = registry_lines("BIG", 60_000);
    let killer = {
        let pid = server.id().to_string();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(700));
            Command::new("kill")
                .args(["-9", &pid])
                .status()
                .expect("kill runs")
        })
    };
    let answer = std::panic::catch_unwind(|| {
        http(
            &address,
            "POST",
            "/api/v1/imports/registry?name=big.jsonl",
            Some(&token),
            &big,
        )
    });
    assert!(killer.join().expect("killer ran").success());
    let _ = server.wait();
    let big_acknowledged = matches!(answer, Ok((200, _)));

    for batch in 0..5 {
        assert_eq!(
            persons_with_prefix(&url, &format!("ACK{batch}")),
            50,
            "acknowledged batch {batch} is all there"
        );
    }
    let big_stored = persons_with_prefix(&url, "BIG");
    assert!(
        big_stored == 0 || big_stored == 60_000,
        "the killed import is all or nothing: {big_stored} stored"
    );
    if big_acknowledged {
        assert_eq!(big_stored, 60_000, "an acknowledged import is kept");
    }
    eprintln!("killed import: acknowledged {big_acknowledged}, {big_stored} persons stored");
    let verified = haven_pg(&data, &url, &["ledger", "verify"]);
    assert!(verified.status.success(), "{}", stderr(&verified));

    // The server starts again on the same database and serves.
    let (mut again, address) = serve(&data, &url);
    let (status, _) = http(&address, "GET", "/healthz", None, "");
    assert_eq!(status, 200);
    let _ = again.kill();
    let _ = again.wait();
}
