//! The request intake page and web imports over real HTTP, as a browser would use them: signed in
//! through `/login` (the session cookie carried by hand), forms sent as multipart/form-data with
//! the session's CSRF token. Checks that a request typed or pasted opens a case, that an error is
//! shown next to its field with nothing stored, that a form without the token does nothing, that
//! a FollowTheMoney file gives the parties, and that an import runs to its report.

use std::time::{Duration, Instant};

use haven_app::{Principal, Role};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::{Response, StatusCode};

use crate::application::{
    ApiApp, example_request, newcomer_line, principal as cli_principal, spawn_api,
};
use crate::web::{WebClient, hidden};

/// A browser signed in as one account: the session cookie it carries, its page's CSRF token.
struct Browser<'a> {
    app: &'a ApiApp,
    client: reqwest::Client,
    session: String,
}

/// One part of a multipart form: a text field, or a file (name, file name, content).
enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a str, &'a [u8]),
}

/// A multipart/form-data body of `parts` and its content type.
fn multipart(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "----haven-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                body.extend_from_slice(value.as_bytes());
            }
            Part::File(name, file_name, bytes) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; \
                         filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Signs the account `name` of `role` in through the sign-in form (the shared web client) and
/// carries its session cookie in a client whose answers the tests read whole.
async fn sign_in<'a>(app: &'a ApiApp, name: &str, role: Role) -> Browser<'a> {
    let web = WebClient::signed_in_as(app, name, role).await;
    let session = web.cookie("haven_session").expect("a session").to_owned();
    // Redirects are answers to check, not to follow.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Browser {
        app,
        client,
        session,
    }
}

impl Browser<'_> {
    async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.app.url(path))
            .header(COOKIE, format!("haven_session={}", self.session))
            .send()
            .await
            .expect("GET")
    }

    /// The page at `path` (200) and the CSRF token of its forms.
    async fn page(&self, path: &str) -> (String, String) {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        let html = response.text().await.expect("body");
        let token = hidden(&html, "csrf");
        (html, token)
    }

    async fn post_multipart(&self, path: &str, parts: &[Part<'_>]) -> Response {
        let (content_type, body) = multipart(parts);
        self.client
            .post(self.app.url(path))
            .header(COOKIE, format!("haven_session={}", self.session))
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("POST")
    }
}

fn officer() -> Principal {
    cli_principal(Role::Officer)
}

fn case_count(app: &ApiApp) -> usize {
    app.service.cases(&officer()).expect("cases").len()
}

/// The case id a 303 to `/cases/{id}` names.
fn case_redirect(response: &Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .expect("a Location");
    location
        .strip_prefix("/cases/")
        .unwrap_or_else(|| panic!("not a case: {location}"))
        .to_owned()
}

#[tokio::test]
async fn a_request_pasted_as_json_opens_a_case() {
    let app = spawn_api().await;
    let browser = sign_in(&app, "web-officer", Role::Officer).await;
    let (form, token) = browser.page("/requests/new").await;
    for input in [
        r#"name="file" type="file""#,
        r#"<textarea id="request" name="request""#,
        r#"<label for="request">"#,
        r#"<label for="file">"#,
        r#"enctype="multipart/form-data""#,
    ] {
        assert!(form.contains(input), "no {input} in the form");
    }
    let before = case_count(&app);
    let request = example_request("01-mla-kz-refugee-lawyer-home-search.json");
    let response = browser
        .post_multipart(
            "/requests",
            &[
                Part::Text("csrf", &token),
                Part::Text("reference", ""),
                // A browser sends the file input even when no file was chosen.
                Part::File("file", "", b""),
                Part::Text("request", &request),
            ],
        )
        .await;
    let id = case_redirect(&response);
    assert_eq!(case_count(&app), before + 1);
    let case = app.service.case(&officer(), &id).expect("the case");
    assert_eq!(case.request.reference.as_str(), "MLA/2019/0412-DEMO");
    let page = browser.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.text()
            .await
            .expect("body")
            .contains("MLA/2019/0412-DEMO")
    );

    // The same request as an uploaded JSON file.
    let uploaded = request.replace("MLA/2019/0412-DEMO", "MLA/2019/0412-FILE");
    let response = browser
        .post_multipart(
            "/requests",
            &[
                Part::Text("csrf", &token),
                Part::File("file", "request.json", uploaded.as_bytes()),
                Part::Text("request", ""),
            ],
        )
        .await;
    let id = case_redirect(&response);
    let case = app.service.case(&officer(), &id).expect("the case");
    assert_eq!(case.request.reference.as_str(), "MLA/2019/0412-FILE");
    assert_eq!(case_count(&app), before + 2);
}

/// The form's fields for a complete request but for what `overrides` changes.
fn form_fields<'a>(token: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<Part<'a>> {
    let mut fields: Vec<(&str, &str)> = vec![
        ("csrf", token),
        ("reference", "WEB/2026/0001"),
        ("kind", "mla"),
        ("requesting_state", "kz"),
        ("received_on", "2026-11-30"),
        ("offence_description", "Fraud (invented for a test)"),
        ("offence_category", "fraud"),
        ("eio_authority", ""),
        ("party1_role", "subject"),
        ("party1_names", "Aigerim Bekova\r\nБекова Айгерим"),
        ("party1_birth_date", "1971-03-02"),
        ("party1_nationalities", "kz"),
        ("party2_role", "other"),
        ("party2_names", ""),
        ("party2_birth_date", ""),
        ("party2_nationalities", ""),
        ("measure1_kind", "questioning"),
        ("measure1_party", "0"),
        ("measure2_kind", ""),
        ("measure2_party", ""),
        ("request", ""),
    ];
    for (name, value) in overrides {
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
        .into_iter()
        .map(|(name, value)| Part::Text(name, value))
        .collect()
}

#[tokio::test]
async fn a_bad_birth_date_is_shown_at_its_field_and_nothing_is_stored() {
    let app = spawn_api().await;
    let browser = sign_in(&app, "web-officer", Role::Officer).await;
    let (_, token) = browser.page("/requests/new").await;
    let before = case_count(&app);
    let ledger_before = app.ledger_size();

    let mut parts = form_fields(
        &token,
        &[
            ("party2_names", "Timur Bekov"),
            ("party2_birth_date", "1992-02-30"),
        ],
    );
    parts.push(Part::File("file", "", b""));
    let response = browser.post_multipart("/requests", &parts).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html")),
        "the form again, as a page"
    );
    let html = response.text().await.expect("body");
    // The input points at its error, the error is next to it, and what was typed is kept.
    assert!(
        html.contains(r#"aria-describedby="party2_birth_date-error"#),
        "{html}"
    );
    let error_at = html
        .find(r#"<p class="field-error" id="party2_birth_date-error">"#)
        .expect("the error next to the field");
    let input_at = html.find(r#"id="party2_birth_date""#).expect("the input");
    assert!(
        error_at > input_at && error_at - input_at < 600,
        "next to it"
    );
    assert!(
        html[error_at..].contains("1992-02-30"),
        "the message quotes the value"
    );
    assert!(
        html.contains(r#"value="1992-02-30""#),
        "the input keeps the value"
    );
    assert!(html.contains("Timur Bekov"), "the other inputs keep theirs");
    assert!(html.contains("Бекова Айгерим"));
    assert_eq!(
        html.matches(r#"class="field-error""#).count(),
        1,
        "one error"
    );
    assert_eq!(case_count(&app), before, "nothing stored");
    assert_eq!(app.ledger_size(), ledger_before, "nothing in the ledger");

    // The same form corrected opens the case, parties numbered as typed.
    let mut parts = form_fields(
        &token,
        &[
            ("party2_names", "Timur Bekov"),
            ("party2_birth_date", "1992-02-28"),
            ("party2_role", "account_holder"),
            ("measure2_kind", "banking_records"),
            ("measure2_party", "1"),
        ],
    );
    parts.push(Part::File("file", "", b""));
    let response = browser.post_multipart("/requests", &parts).await;
    let id = case_redirect(&response);
    let case = app.service.case(&officer(), &id).expect("the case");
    assert_eq!(case.request.reference.as_str(), "WEB/2026/0001");
    assert_eq!(case.request.parties.len(), 2);
    assert_eq!(case.request.parties[0].names.len(), 2);
    assert_eq!(case.request.measures[1].party, Some(1));
    assert_eq!(case_count(&app), before + 1);
}

#[tokio::test]
async fn a_form_without_the_session_token_is_refused_and_stores_nothing() {
    let app = spawn_api().await;
    let browser = sign_in(&app, "web-officer", Role::Officer).await;
    let before = case_count(&app);
    let request = example_request("01-mla-kz-refugee-lawyer-home-search.json");
    for token in [None, Some("not-the-token")] {
        let mut parts = vec![Part::Text("request", &request)];
        if let Some(token) = token {
            parts.push(Part::Text("csrf", token));
        }
        let response = browser.post_multipart("/requests", &parts).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "token {token:?}");
    }
    assert_eq!(case_count(&app), before);

    // An import form without it imports nothing either.
    let admin = sign_in(&app, "web-admin", Role::Admin).await;
    let counts = app.service.database().data_counts().expect("counts");
    let line = newcomer_line();
    let response = admin
        .post_multipart(
            "/imports",
            &[
                Part::Text("kind", "registry"),
                Part::File("file", "newcomer.jsonl", line.as_bytes()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.service.database().data_counts().expect("counts"),
        counts
    );
}

#[tokio::test]
async fn a_followthemoney_file_gives_the_parties() {
    let app = spawn_api().await;
    let browser = sign_in(&app, "web-officer", Role::Officer).await;
    let (form, token) = browser.page("/requests/new").await;
    assert!(
        form.contains("the first as the subject"),
        "the page says how FtM persons become parties"
    );
    let ftm = [
        r#"{"id": "ftm-p1", "schema": "Person", "properties": {"name": ["Aigerim Bekova"], "birthDate": ["1971-03-02"], "nationality": ["kz"]}}"#,
        r#"{"id": "ftm-p2", "schema": "Person", "properties": {"name": ["Timur Bekov"], "nationality": ["kz"]}}"#,
        r#"{"id": "ftm-o1", "schema": "Organization", "properties": {"name": ["Bekov Trading LLP"]}}"#,
        r#"{"id": "ftm-f1", "schema": "Family", "properties": {"person": ["ftm-p1"], "relative": ["ftm-p2"], "relationship": ["son"]}}"#,
    ]
    .join("\n");
    let mut parts = form_fields(
        &token,
        &[
            ("party1_names", ""),
            ("party1_birth_date", ""),
            ("party1_nationalities", ""),
            ("measure2_kind", "banking_records"),
            ("measure2_party", "1"),
        ],
    );
    parts.push(Part::File("file", "family.ftm.json", ftm.as_bytes()));
    let response = browser.post_multipart("/requests", &parts).await;
    let id = case_redirect(&response);
    let request = app.service.case(&officer(), &id).expect("the case").request;
    let parties: Vec<(String, String)> = request
        .parties
        .iter()
        .map(|p| {
            (
                p.role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
                p.names[0].as_str().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        parties,
        [
            ("subject".to_owned(), "Aigerim Bekova".to_owned()),
            ("other".to_owned(), "Timur Bekov".to_owned()),
        ]
    );
    assert_eq!(
        request.parties[0]
            .birth_date
            .as_ref()
            .map(ToString::to_string),
        Some("1971-03-02".to_owned())
    );
    assert_eq!(
        request.reference.as_str(),
        "WEB/2026/0001",
        "the form gives the rest"
    );

    // A FtM file and party fields at once: the file says which, nothing stored.
    let before = case_count(&app);
    let mut parts = form_fields(&token, &[]);
    parts.push(Part::File("file", "family.ftm.json", ftm.as_bytes()));
    let response = browser.post_multipart("/requests", &parts).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.expect("body");
    assert!(html.contains(r#"id="file-error""#), "{html}");
    assert_eq!(case_count(&app), before);
}

/// Reloads the import page until it is no longer running (as its meta refresh would); the page.
async fn until_finished(browser: &Browser<'_>, path: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        let html = response.text().await.expect("body");
        let running = html.contains(r#"<meta http-equiv="refresh" content="1">"#);
        assert_eq!(
            running,
            html.contains("running"),
            "refreshes while running only"
        );
        if !running {
            return html;
        }
        assert!(Instant::now() < deadline, "the import did not finish");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Imports `lines` into the registry through the import form as `admin`; the job's page and the
/// page once the job has finished.
async fn import_through_form(
    admin: &Browser<'_>,
    token: &str,
    file_name: &str,
    lines: &str,
) -> (String, String) {
    let response = admin
        .post_multipart(
            "/imports",
            &[
                Part::Text("csrf", token),
                Part::Text("kind", "registry"),
                Part::File("file", file_name, lines.as_bytes()),
            ],
        )
        .await;
    let job = job_path(&response);
    let html = until_finished(admin, &job).await;
    (job, html)
}

/// The import page a 303 from `POST /imports` names.
fn job_path(response: &Response) -> String {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .expect("a Location")
        .to_owned();
    assert!(location.starts_with("/imports/"), "{location}");
    location
}

#[tokio::test]
async fn an_import_runs_to_its_report_and_only_its_starter_sees_it() {
    let app = spawn_api().await;
    let admin = sign_in(&app, "web-admin", Role::Admin).await;
    let (form, token) = admin.page("/imports").await;
    assert!(form.contains(r#"enctype="multipart/form-data""#));
    let before = app.service.database().data_counts().expect("counts");

    let line = newcomer_line();
    let (job, html) = import_through_form(&admin, &token, "newcomer.jsonl", &line).await;
    assert!(
        html.contains(r#"<dd id="import-state">done</dd>"#),
        "{html}"
    );
    assert!(html.contains("<progress"), "a progress bar");
    assert!(html.contains("New records</th><td>1</td>"), "{html}");
    let after = app.service.database().data_counts().expect("counts");
    assert_eq!(after.registry_persons, before.registry_persons + 1);
    let listed = admin.page("/imports").await.0;
    assert!(
        listed.contains(&job),
        "the form lists the account's imports"
    );

    // Another administrator does not see it.
    let other = sign_in(&app, "web-admin-two", Role::Admin).await;
    assert_eq!(other.get(&job).await.status(), StatusCode::NOT_FOUND);
    assert!(!other.page("/imports").await.0.contains(&job));

    // A file with bad lines: nothing imported, every bad line listed with its number and field.
    let bad = format!(
        "{}\n{}\n",
        line.replace("R-9001", "R-9002"),
        line.replace("R-9001", "R-9003")
            .replace("1979-05-05", "1979-13-05")
    );
    let (_, html) = import_through_form(&admin, &token, "bad.jsonl", &bad).await;
    assert!(
        html.contains(r#"<dd id="import-state">failed</dd>"#),
        "{html}"
    );
    assert!(
        html.contains("<tr><td>2</td><td><code>birth_date</code></td>"),
        "{html}"
    );
    assert_eq!(
        app.service.database().data_counts().expect("counts"),
        after,
        "all or nothing"
    );
}

#[tokio::test]
async fn only_roles_that_may_see_the_pages_have_them() {
    let app = spawn_api().await;
    let officer = sign_in(&app, "web-officer", Role::Officer).await;
    let (cases, token) = officer.page("/cases").await;
    assert!(cases.contains(r#"href="/requests/new""#));
    assert!(!cases.contains(r#"href="/imports""#), "absent, not hidden");
    assert_eq!(
        officer.get("/imports").await.status(),
        StatusCode::FORBIDDEN
    );
    let counts = app.service.database().data_counts().expect("counts");
    let line = newcomer_line();
    let response = officer
        .post_multipart(
            "/imports",
            &[
                Part::Text("csrf", &token),
                Part::Text("kind", "registry"),
                Part::File("file", "newcomer.jsonl", line.as_bytes()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.expect("body");
    assert!(html.contains("Not for your role"), "the 403 page: {html}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.service.database().data_counts().expect("counts"),
        counts
    );

    let judge = sign_in(&app, "web-judge", Role::Judge).await;
    let (cases, token) = judge.page("/cases").await;
    assert!(!cases.contains(r#"href="/requests/new""#));
    assert_eq!(
        judge.get("/requests/new").await.status(),
        StatusCode::FORBIDDEN
    );
    let before = case_count(&app);
    let request = example_request("01-mla-kz-refugee-lawyer-home-search.json");
    let response = judge
        .post_multipart(
            "/requests",
            &[Part::Text("csrf", &token), Part::Text("request", &request)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(case_count(&app), before);
}

#[tokio::test]
async fn an_upload_larger_than_the_api_limit_is_accepted_on_the_import_route() {
    let app = spawn_api().await;
    let admin = sign_in(&app, "web-admin", Role::Admin).await;
    let (_, token) = admin.page("/imports").await;
    // Over two MiB of registry persons, beyond the API's 1 MiB body limit.
    let line = newcomer_line();
    let mut big = String::new();
    let mut number = 100_000;
    while big.len() <= 2 * 1024 * 1024 {
        big.push_str(&line.replace("R-9001", &format!("R-{number}")));
        big.push('\n');
        number += 1;
    }
    let (_, html) = import_through_form(&admin, &token, "big.jsonl", &big).await;
    assert!(
        html.contains(r#"<dd id="import-state">done</dd>"#),
        "{html}"
    );

    // The API keeps its own limit.
    let response = app
        .client
        .post(app.url("/api/v1/imports/registry?name=big.jsonl"))
        .bearer_auth(app.token(Role::Admin))
        .header(CONTENT_TYPE, "application/x-ndjson")
        .body(big)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}
