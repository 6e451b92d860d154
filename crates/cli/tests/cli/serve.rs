//! `haven user` and `haven serve`: accounts made on the command line sign in to the API; the
//! demo server prints a working token per role; SIGTERM stops the server cleanly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use super::{haven, stderr, stdout};

/// One HTTP/1.1 request over a fresh connection: the status and the body.
pub(crate) fn http(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    (status, body)
}

#[test]
fn accounts_are_added_listed_and_disabled() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let added = haven(&data, &["user", "add", "alice", "--role", "officer"]);
    assert!(added.status.success(), "{}", stderr(&added));
    let token = stdout(&added).trim().to_owned();
    assert!(token.starts_with("hv1.alice."), "{token}");
    assert!(stderr(&added).contains("shown once"), "{}", stderr(&added));

    let bad_role = haven(&data, &["user", "add", "bob", "--role", "superuser"]);
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(
        stderr(&bad_role).contains("asylum_liaison"),
        "{}",
        stderr(&bad_role)
    );
    let taken = haven(&data, &["user", "add", "alice", "--role", "judge"]);
    assert_eq!(taken.status.code(), Some(2));
    assert!(
        stderr(&taken).contains("already exists"),
        "{}",
        stderr(&taken)
    );

    let mut with_password = Command::new(env!("CARGO_BIN_EXE_haven"))
        .arg("--data-dir")
        .arg(&data)
        .args([
            "user",
            "add",
            "carol",
            "--role",
            "asylum_liaison",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("haven runs");
    with_password
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"a long enough passphrase\n")
        .expect("written");
    assert!(
        with_password
            .wait_with_output()
            .expect("ends")
            .status
            .success()
    );

    let list = stdout(&haven(&data, &["user", "list"]));
    assert!(list.contains("alice\tofficer\tactive"), "{list}");
    assert!(list.contains("carol\tasylum_liaison\tactive"), "{list}");
    assert!(list.contains("password set"), "{list}");
    assert!(!list.contains("argon2") && !list.contains(&token), "{list}");

    let disabled = haven(&data, &["user", "disable", "alice"]);
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    let list = stdout(&haven(&data, &["user", "list"]));
    assert!(list.contains("alice\tofficer\tdisabled"), "{list}");
    let again = haven(&data, &["user", "disable", "alice"]);
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn the_demo_server_answers_every_role_and_stops_on_sigterm() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_haven"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("haven serve starts");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let mut address = String::new();
    let mut tokens = std::collections::BTreeMap::new();
    let mut passwords = std::collections::BTreeMap::new();
    for line in lines.by_ref() {
        let line = line.expect("a line");
        if let Some(rest) = line.strip_prefix("Haven serves the API on http://") {
            address = rest.split(' ').next().expect("an address").to_owned();
        }
        // label, account name, web password, API token
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() == 4 && words[3].starts_with("hv1.") {
            tokens.insert(words[0].to_owned(), words[3].to_owned());
            passwords.insert(words[1].to_owned(), words[2].to_owned());
        }
        if line.starts_with("  Try:") {
            break;
        }
    }
    assert!(!address.is_empty(), "no address printed");
    // One per role, and a second judge for the four-eyes steps.
    assert_eq!(tokens.len(), 7, "{tokens:?}");
    assert!(tokens.contains_key("judge-2"), "{tokens:?}");
    assert!(
        passwords.values().all(|p| p.chars().count() >= 12),
        "every demo account has a web password"
    );
    assert!(passwords.contains_key("demo-officer"));
    // The web UI is served beside the API: a stranger is sent to the sign-in form.
    let (status, _) = http(&address, "GET", "/", None, "");
    assert_eq!(status, 303);
    let (status, login) = http(&address, "GET", "/login", None, "");
    assert_eq!(status, 200);
    assert!(login.contains("name=\"password\""), "{login}");

    let (status, body) = http(&address, "GET", "/healthz", None, "");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let party = r#"{"names": ["Жаксыбекова Алия"], "birth_date": "1968"}"#;
    let (status, body) = http(
        &address,
        "POST",
        "/api/v1/screen",
        Some(&tokens["officer"]),
        party,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""id":"R-1001""#), "{body}");
    assert!(body.contains(r#""refer_to":"asylum_authority""#), "{body}");
    assert!(!body.contains("granted_on"), "{body}");
    let (status, body) = http(
        &address,
        "POST",
        "/api/v1/screen",
        Some(&tokens["asylum_liaison"]),
        party,
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""granted_on":"2013-06-20""#), "{body}");
    let (status, _) = http(
        &address,
        "POST",
        "/api/v1/screen",
        Some(&tokens["police"]),
        party,
    );
    assert_eq!(status, 403);
    let (status, _) = http(&address, "POST", "/api/v1/screen", None, party);
    assert_eq!(status, 401);

    // SIGTERM: graceful shutdown, exit 0.
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let output = server.wait_with_output().expect("the server ends");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
