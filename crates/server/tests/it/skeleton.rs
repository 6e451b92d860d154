//! Status codes, the one error shape, request ids and graceful shutdown over real HTTP.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::{TestApp, spawn_app};

/// Asserts the one error shape and returns the message.
async fn error_message(response: reqwest::Response, status: StatusCode, code: &str) -> String {
    assert_eq!(response.status().as_u16(), status.as_u16());
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/json");
    let body: Value = response.json().await.expect("JSON body");
    let error = body
        .as_object()
        .filter(|object| object.len() == 1)
        .and_then(|object| object.get("error"))
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("not the one error shape: {body}"));
    assert_eq!(error.len(), 2, "{body}");
    assert_eq!(
        error.get("code").and_then(Value::as_str),
        Some(code),
        "{body}"
    );
    error
        .get("message")
        .and_then(Value::as_str)
        .expect("message is a string")
        .to_owned()
}

async fn submit_with(app: &TestApp, authorization: Option<&str>) -> reqwest::Response {
    let mut request = app.client.post(app.url("/test/submit"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.expect("send")
}

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn no_token_is_401_with_www_authenticate() {
    let app = spawn_app().await;
    for authorization in [
        None,
        Some("Basic dXNlcjpwYXNz"),
        Some("Bearer"),
        Some("Bearer "),
    ] {
        let response = submit_with(&app, authorization).await;
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .map(|v| v.as_bytes()),
            Some(&b"Bearer"[..]),
            "{authorization:?}"
        );
        error_message(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

#[tokio::test]
async fn a_bad_token_is_401() {
    let app = spawn_app().await;
    let response = submit_with(&app, Some("Bearer token-emperor")).await;
    assert!(response.headers().contains_key("www-authenticate"));
    error_message(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn an_unreachable_account_store_is_503_without_details() {
    let app = spawn_app().await;
    let response = submit_with(&app, Some("Bearer token-down")).await;
    let message = error_message(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(!message.contains("connection refused"), "{message}");
}

#[tokio::test]
async fn a_forbidden_role_is_403_and_an_allowed_one_passes() {
    let app = spawn_app().await;
    let response = submit_with(&app, Some("Bearer token-judge")).await;
    error_message(response, StatusCode::FORBIDDEN, "forbidden").await;

    // The scheme is case-insensitive.
    let response = submit_with(&app, Some("bearer token-officer")).await;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({"actor": "test-officer", "role": "officer"}));
}

#[tokio::test]
async fn a_json_body_round_trips() {
    let app = spawn_app().await;
    let party = json!({"names": ["Ivan Petrov"], "birth_year": 1970});
    let response = app
        .client
        .post(app.url("/test/echo"))
        .json(&party)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.json::<Value>().await.expect("JSON"), party);
}

#[tokio::test]
async fn a_wrong_typed_field_is_400_naming_the_field() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/test/echo"))
        .json(&json!({"names": ["Ivan", 3]}))
        .send()
        .await
        .expect("send");
    let message = error_message(response, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(
        message.starts_with("invalid field: names[1]: invalid type: integer `3`"),
        "{message}"
    );
    assert!(message.contains("line 1 column"), "{message}");

    let response = app
        .client
        .post(app.url("/test/echo"))
        .json(&json!({"names": [], "birth_year": "1970"}))
        .send()
        .await
        .expect("send");
    let message = error_message(response, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(
        message.contains("birth_year: invalid type: string"),
        "{message}"
    );
}

#[tokio::test]
async fn a_missing_field_is_400_naming_it() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/test/echo"))
        .json(&json!({"birth_year": 1970}))
        .send()
        .await
        .expect("send");
    let message = error_message(response, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(message.contains("missing field `names`"), "{message}");
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/test/echo"))
        .header("content-type", "application/json")
        .body(r#"{"names": ["Ivan""#)
        .send()
        .await
        .expect("send");
    let message = error_message(response, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert!(message.starts_with("malformed JSON: "), "{message}");
    assert!(message.contains("line 1 column"), "{message}");
}

#[tokio::test]
async fn a_missing_content_type_is_400() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/test/echo"))
        .body(r#"{"names": []}"#)
        .send()
        .await
        .expect("send");
    let message = error_message(response, StatusCode::BAD_REQUEST, "invalid_request").await;
    assert_eq!(message, "expected Content-Type: application/json");
}

#[tokio::test]
async fn a_2_mib_body_is_413() {
    let app = spawn_app().await;
    let body = format!(r#"{{"names": ["{}"]}}"#, "a".repeat(2 * 1024 * 1024));
    let response = app
        .client
        .post(app.url("/test/echo"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("send");
    error_message(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn a_panic_is_500_without_details() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/test/panic"))
        .send()
        .await
        .expect("send");
    let message = error_message(response, StatusCode::INTERNAL_SERVER_ERROR, "internal").await;
    assert!(!message.contains("secret"), "{message}");
    // The server survives the panic.
    let response = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn an_unknown_path_is_404_in_the_one_shape() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/no/such/thing"))
        .send()
        .await
        .expect("send");
    let message = error_message(response, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(message, "path /no/such/thing not found");
}

#[tokio::test]
async fn a_wrong_method_is_405_in_the_one_shape() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(app.url("/healthz"))
        .send()
        .await
        .expect("send");
    assert!(response.headers().contains_key("allow"));
    error_message(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn a_slow_request_times_out_with_503() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/test/slow"))
        .send()
        .await
        .expect("send");
    error_message(response, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
}

#[tokio::test]
async fn the_request_id_is_echoed_or_made() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .expect("send");
    assert_eq!(
        response.headers().get("x-request-id").map(|v| v.as_bytes()),
        Some(&b"abc-123"[..])
    );
    // Errors carry it too, and one is made when the client sent none.
    let response = app
        .client
        .get(app.url("/nowhere"))
        .send()
        .await
        .expect("send");
    let made = response
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .expect("a request id is made");
    assert_eq!(made.len(), 36, "a UUID: {made}");
}

#[tokio::test]
async fn shutdown_waits_for_requests_in_flight() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let router = axum::Router::new().route(
        "/work",
        axum::routing::get(|| async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            "done"
        }),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(haven_server::serve(listener, router, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let in_flight = tokio::spawn(async move {
        client
            .get(format!("http://{address}/work"))
            .send()
            .await
            .expect("send")
            .text()
            .await
            .expect("body")
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    stop.send(()).expect("server is running");
    assert_eq!(in_flight.await.expect("join"), "done");
    server
        .await
        .expect("join")
        .expect("the server stops cleanly");
    // And it no longer accepts connections.
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413() {
    // No Content-Length, so the limit is found while the extractor reads the body: this is the
    // path through ApiJson's rejection mapping rather than the early refusal. Plain blocking
    // std I/O on a blocking thread keeps tokio's io-util feature out of the build.
    use std::io::{Read, Write};

    let app = spawn_app().await;
    let address = app.address;
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        let head = "POST /test/echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                    Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        stream.write_all(head.as_bytes()).expect("write head");
        let chunk = "a".repeat(64 * 1024);
        let mut refused = false;
        // 2 MiB in 64 KiB chunks; the server may answer and close before all of it is sent.
        for _ in 0..32 {
            let frame = format!("{:x}\r\n{chunk}\r\n", chunk.len());
            if stream.write_all(frame.as_bytes()).is_err() {
                refused = true;
                break;
            }
        }
        if !refused {
            let _ = stream.write_all(b"0\r\n\r\n");
        }
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .expect("join");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(r#""code":"payload_too_large""#), "{answer}");
}
