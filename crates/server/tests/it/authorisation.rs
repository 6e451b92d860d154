//! Who may call what, over real HTTP with real accounts: every role against every `/api/v1`
//! endpoint, checked against a table written out here by hand (not derived from the policy, so
//! a change to the policy that this table does not share fails). Without a token, or with a
//! wrong one, every endpoint answers 401; a forbidden role gets 403 before its body is read.

use haven_app::Role;
use reqwest::{Method, RequestBuilder};
use serde_json::Value;

use crate::application::{
    ApiApp, account_name, example_request, expect_error, newcomer_line, spawn_api, status_and_json,
};

/// The columns of [`MATRIX`], in order.
const ROLES: [Role; 6] = [
    Role::Officer,
    Role::AsylumLiaison,
    Role::Judge,
    Role::Police,
    Role::Auditor,
    Role::Admin,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Screen,
    SubmitRequest,
    ListCases,
    ReadCase,
    ConsultRegistry,
    ImportRegistry,
    Checkpoint,
    Proof,
    Verify,
}

/// The expected status per role, columns as [`ROLES`]: officer, asylum_liaison, judge, police,
/// auditor, admin.
const MATRIX: [(Endpoint, [u16; 6]); 9] = [
    (Endpoint::Screen, [200, 200, 403, 403, 403, 403]),
    (Endpoint::SubmitRequest, [201, 403, 403, 403, 403, 403]),
    (Endpoint::ListCases, [200, 200, 200, 200, 200, 403]),
    (Endpoint::ReadCase, [200, 200, 200, 200, 200, 403]),
    (Endpoint::ConsultRegistry, [403, 200, 403, 403, 403, 403]),
    (Endpoint::ImportRegistry, [403, 403, 403, 403, 403, 200]),
    (Endpoint::Checkpoint, [200, 200, 200, 200, 200, 200]),
    (Endpoint::Proof, [200, 200, 200, 200, 200, 403]),
    (Endpoint::Verify, [403, 403, 403, 403, 200, 200]),
];

impl Endpoint {
    fn method(self) -> Method {
        match self {
            Endpoint::Screen
            | Endpoint::SubmitRequest
            | Endpoint::ImportRegistry
            | Endpoint::Verify => Method::POST,
            Endpoint::ListCases
            | Endpoint::ReadCase
            | Endpoint::ConsultRegistry
            | Endpoint::Checkpoint
            | Endpoint::Proof => Method::GET,
        }
    }

    fn path(self, case_id: &str) -> String {
        match self {
            Endpoint::Screen => "/api/v1/screen".into(),
            Endpoint::SubmitRequest => "/api/v1/requests".into(),
            Endpoint::ListCases => "/api/v1/cases".into(),
            Endpoint::ReadCase => format!("/api/v1/cases/{case_id}"),
            Endpoint::ConsultRegistry => {
                "/api/v1/registry/R-1001?purpose=referral%20of%20the%20matrix%20case".into()
            }
            Endpoint::ImportRegistry => "/api/v1/imports/registry".into(),
            Endpoint::Checkpoint => "/api/v1/ledger/checkpoint".into(),
            Endpoint::Proof => "/api/v1/ledger/proof/0".into(),
            Endpoint::Verify => "/api/v1/ledger/verify".into(),
        }
    }

    /// A valid body, with its content type, for the endpoints that take one.
    fn valid_body(self) -> Option<(&'static str, String)> {
        match self {
            Endpoint::Screen => Some((
                "application/json",
                r#"{"names": ["Жаксыбекова Алия"], "birth_date": "1968"}"#.into(),
            )),
            Endpoint::SubmitRequest => Some((
                "application/json",
                example_request("06-eio-nl-investment-fraud-search.json"),
            )),
            Endpoint::ImportRegistry => Some(("application/x-ndjson", newcomer_line())),
            _ => None,
        }
    }

    /// The request without credentials.
    fn request(self, app: &ApiApp, case_id: &str) -> RequestBuilder {
        let request = app
            .client
            .request(self.method(), app.url(&self.path(case_id)));
        match self.valid_body() {
            Some((content_type, body)) => request.header("content-type", content_type).body(body),
            None => request,
        }
    }
}

/// Opens a case as the officer, for the case endpoints; returns its id.
async fn open_a_case(app: &ApiApp) -> String {
    let (status, body) = app
        .post_json(
            Role::Officer,
            "/api/v1/requests",
            &example_request("06-eio-nl-investment-fraud-search.json"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["case"].as_str().expect("a case id").to_owned()
}

#[tokio::test]
async fn every_role_gets_the_status_the_table_says_on_every_endpoint() {
    let app = spawn_api().await;
    let case_id = open_a_case(&app).await;
    let mut wrong = Vec::new();
    for (endpoint, expected) in MATRIX {
        for (role, expected) in ROLES.into_iter().zip(expected) {
            let response = endpoint
                .request(&app, &case_id)
                .bearer_auth(app.token(role))
                .send()
                .await
                .expect("send");
            let (status, body) = status_and_json(response).await;
            if status != expected {
                wrong.push(format!(
                    "{endpoint:?} as {role:?}: {status} (expected {expected}) {body}"
                ));
            } else if status == 403 {
                expect_error(status, &body, 403, "forbidden");
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn the_table_covers_every_role() {
    // The matrix's columns are the roles of this build, all of them, once each.
    let mut listed = ROLES.to_vec();
    listed.sort();
    let mut all = Role::ALL.to_vec();
    all.sort();
    assert_eq!(listed, all);
}

#[tokio::test]
async fn every_endpoint_answers_401_without_a_token_or_with_a_wrong_one() {
    let app = spawn_api().await;
    let case_id = open_a_case(&app).await;
    // Well-formed tokens with the wrong secret (for an existing account and for an unknown
    // one), and one that is not a Haven token at all.
    let officer = app.token(Role::Officer);
    let mut forged = officer.to_owned();
    let last = forged.pop().expect("non-empty token");
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let unknown = officer.replacen(&account_name(Role::Officer), "nobody", 1);
    let before = app.ledger_size();
    for (endpoint, _) in MATRIX {
        for token in [
            None,
            Some(forged.as_str()),
            Some(unknown.as_str()),
            Some("hv1"),
        ] {
            let mut request = endpoint.request(&app, &case_id);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.expect("send");
            assert_eq!(
                response
                    .headers()
                    .get("www-authenticate")
                    .map(|v| v.as_bytes()),
                Some(&b"Bearer"[..]),
                "{endpoint:?} with {token:?}"
            );
            let (status, body) = status_and_json(response).await;
            expect_error(status, &body, 401, "unauthorized");
        }
    }
    assert_eq!(app.ledger_size(), before, "nothing was done");
}

#[tokio::test]
async fn a_forbidden_role_gets_403_before_its_body_is_read() {
    let app = spawn_api().await;
    let before = app.ledger_size();
    let invalid_bodies = [
        (Endpoint::Screen, "application/json", "{\"names\": [3"),
        (
            Endpoint::SubmitRequest,
            "application/json",
            "not JSON at all",
        ),
        (
            Endpoint::ImportRegistry,
            "application/x-ndjson",
            "{\"id\": 7}\n][",
        ),
    ];
    for (endpoint, content_type, body) in invalid_bodies {
        let (_, expected) = MATRIX
            .iter()
            .find(|(listed, _)| *listed == endpoint)
            .expect("in the table");
        for (role, expected) in ROLES.into_iter().zip(expected) {
            let response = app
                .as_role(role, endpoint.method(), &endpoint.path(""))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("send");
            let (status, answer) = status_and_json(response).await;
            if *expected == 403 {
                expect_error(status, &answer, 403, "forbidden");
            } else {
                // The permitted role does get to the body, and it is refused as invalid.
                expect_error(status, &answer, 400, "invalid_request");
            }
        }
    }
    assert_eq!(app.ledger_size(), before, "nothing was done");
}

/// The 2xx answers of the matrix are real answers, not empty shells.
#[tokio::test]
async fn permitted_calls_answer_with_their_documented_bodies() {
    let app = spawn_api().await;
    let case_id = open_a_case(&app).await;
    let body_of = |status: u16, body: Value| {
        assert!((200..300).contains(&status), "{status} {body}");
        body
    };
    let (status, cases) = app.get_json(Role::Judge, "/api/v1/cases").await;
    let cases = body_of(status, cases);
    assert_eq!(cases["cases"].as_array().map(Vec::len), Some(1), "{cases}");
    let (status, case) = app
        .get_json(Role::Police, &format!("/api/v1/cases/{case_id}"))
        .await;
    assert_eq!(body_of(status, case)["id"], case_id.as_str());
    let (status, record) = app
        .get_json(
            Role::AsylumLiaison,
            "/api/v1/registry/R-1001?purpose=referral",
        )
        .await;
    assert_eq!(body_of(status, record)["id"], "R-1001");
    let (status, checkpoint) = app.get_json(Role::Admin, "/api/v1/ledger/checkpoint").await;
    let checkpoint = body_of(status, checkpoint);
    let size = checkpoint["size"].as_u64().expect("a size");
    assert!(size > 0, "{checkpoint}");
    let (status, proof) = app
        .get_json(Role::Auditor, &format!("/api/v1/ledger/proof/{}", size - 1))
        .await;
    let proof = body_of(status, proof);
    assert_eq!(proof["index"], size - 1);
    assert_eq!(proof["checkpoint"]["size"], size);
    let (status, verified) = app
        .post_json(Role::Auditor, "/api/v1/ledger/verify", "")
        .await;
    let verified = body_of(status, verified);
    assert!(verified["size"].as_u64() >= Some(size), "{verified}");
}

/// The workflow endpoints (DESIGN §5.5): which roles the policy lets through to the rules, by
/// hand. A forbidden role gets 403 before its (here malformed) body is read; a permitted one
/// reaches the body or the rules, and with these inputs nothing is recorded.
#[tokio::test]
async fn the_workflow_endpoints_let_through_only_their_roles() {
    use Role::{Admin, AsylumLiaison, Auditor, Judge, Officer, Police};
    let app = spawn_api().await;
    let case = open_a_case(&app).await;
    let before = app.ledger_size();
    let table: Vec<(Method, String, &[Role])> = vec![
        (
            Method::POST,
            format!("/api/v1/cases/{case}/events"),
            &[Officer, Judge, Police],
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{case}/referrals/asylum_authority/answer"),
            &[Officer, AsylumLiaison, Judge],
        ),
        (
            Method::GET,
            "/api/v1/referrals".into(),
            &[Officer, AsylumLiaison, Judge, Auditor],
        ),
        (
            Method::PUT,
            format!("/api/v1/cases/{case}/measures/0/execution"),
            &[Police],
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{case}/measures/0/execution/complete"),
            &[Police],
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{case}/transfers"),
            &[Officer],
        ),
        (
            Method::GET,
            format!("/api/v1/transfers/{case}-t1"),
            &[Officer, AsylumLiaison, Judge, Police, Auditor],
        ),
        (
            Method::POST,
            format!("/api/v1/transfers/{case}-t1/approve"),
            &[Judge],
        ),
        (
            Method::POST,
            format!("/api/v1/transfers/{case}-t1/items/I-1/override"),
            &[Judge],
        ),
        (
            Method::POST,
            format!("/api/v1/cases/{case}/items/I-1/sorting"),
            &[Judge],
        ),
        (Method::GET, "/api/v1/stats".into(), &[Auditor, Admin]),
        (Method::GET, "/api/v1/stats.csv".into(), &[Auditor, Admin]),
    ];
    let mut wrong = Vec::new();
    for (method, path, permitted) in &table {
        for role in ROLES {
            let response = app
                .as_role(role, method.clone(), path)
                .header("content-type", "application/json")
                .body("][")
                .send()
                .await
                .expect("send");
            let status = response.status().as_u16();
            let allowed = permitted.contains(&role);
            if allowed && matches!(status, 401 | 403) || !allowed && status != 403 {
                wrong.push(format!("{method} {path} as {role:?}: {status}"));
            }
            if !allowed {
                let (status, body) = status_and_json(response).await;
                expect_error(status, &body, 403, "forbidden");
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(app.ledger_size(), before, "nothing was done");
}
