//! The API's contract over real HTTP (DESIGN §5.4): 400 naming the field, 413, 404, all in the
//! one error shape, and a request id on every response.

use haven_app::Role;
use reqwest::Method;
use serde_json::Value;

use crate::application::{example_request, expect_error, spawn_api, status_and_json};

#[tokio::test]
async fn a_bad_party_field_is_400_naming_it() {
    let app = spawn_api().await;
    let (status, body) = app
        .post_json(Role::Officer, "/api/v1/screen", r#"{"names": [3]}"#)
        .await;
    let message = expect_error(status, &body, 400, "invalid_request");
    assert!(message.contains("names[0]"), "{message}");
}

#[tokio::test]
async fn a_request_missing_a_required_field_is_400_naming_it() {
    let app = spawn_api().await;
    let mut request: Value =
        serde_json::from_str(&example_request("06-eio-nl-investment-fraud-search.json"))
            .expect("example is JSON");
    request
        .as_object_mut()
        .expect("an object")
        .remove("requesting_state")
        .expect("the example has the field");
    let before = app.ledger_size();
    let (status, body) = app
        .post_json(Role::Officer, "/api/v1/requests", &request.to_string())
        .await;
    let message = expect_error(status, &body, 400, "invalid_request");
    assert!(message.contains("requesting_state"), "{message}");
    assert_eq!(app.ledger_size(), before, "no case opened");
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_api().await;
    for path in ["/api/v1/screen", "/api/v1/requests"] {
        let (status, body) = app
            .post_json(Role::Officer, path, r#"{"names": ["Ivan"#)
            .await;
        expect_error(status, &body, 400, "invalid_request");
    }
}

#[tokio::test]
async fn a_2_mib_body_on_screen_is_413() {
    let app = spawn_api().await;
    let body = format!(r#"{{"names": ["{}"]}}"#, "a".repeat(2 * 1024 * 1024));
    let (status, answer) = app.post_json(Role::Officer, "/api/v1/screen", &body).await;
    expect_error(status, &answer, 413, "payload_too_large");
}

#[tokio::test]
async fn an_unknown_case_and_a_proof_beyond_the_ledger_are_404_in_the_one_shape() {
    let app = spawn_api().await;
    let (status, body) = app
        .get_json(Role::Officer, "/api/v1/cases/case-999999")
        .await;
    let message = expect_error(status, &body, 404, "not_found");
    assert!(message.contains("case-999999"), "{message}");

    let size = app.ledger_size();
    for index in [size, size + 1, 1_000_000] {
        let (status, body) = app
            .get_json(Role::Auditor, &format!("/api/v1/ledger/proof/{index}"))
            .await;
        let message = expect_error(status, &body, 404, "not_found");
        assert!(message.contains(&index.to_string()), "{message}");
    }
    // Not a number at all is a bad request, not a missing entry.
    let (status, body) = app
        .get_json(Role::Auditor, "/api/v1/ledger/proof/last")
        .await;
    expect_error(status, &body, 400, "invalid_request");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_the_clients() {
    let app = spawn_api().await;
    // status_and_json asserts the header on each of these: a success, a 401, a 403, a 404.
    let (status, _) = app.get_json(Role::Officer, "/api/v1/cases").await;
    assert_eq!(status, 200);
    let response = app
        .client
        .get(app.url("/api/v1/cases"))
        .send()
        .await
        .expect("send");
    let (status, _) = status_and_json(response).await;
    assert_eq!(status, 401);
    let (status, _) = app.get_json(Role::Admin, "/api/v1/cases").await;
    assert_eq!(status, 403);
    let (status, _) = app.get_json(Role::Officer, "/api/v1/nowhere").await;
    assert_eq!(status, 404);

    // Two requests get two ids; an id the client sends comes back unchanged.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = app
            .as_role(Role::Officer, Method::GET, "/api/v1/cases")
            .send()
            .await
            .expect("send");
        ids.push(response.headers()["x-request-id"].clone());
    }
    assert_ne!(ids[0], ids[1]);
    let response = app
        .as_role(Role::Officer, Method::GET, "/api/v1/cases")
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .expect("send");
    assert_eq!(
        response.headers()["x-request-id"].as_bytes(),
        b"trace-me-42"
    );
}
