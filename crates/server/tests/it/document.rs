//! The skeleton's OpenAPI document, locked by a snapshot so a change to the API is a reviewed
//! diff.

use serde_json::Value;

use crate::spawn_app;

#[tokio::test]
async fn the_openapi_document_is_served_and_stable() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..])
    );
    let mut document: Value = response.json().await.expect("JSON");
    assert_eq!(document["info"]["title"], "Haven");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // The version moves with every release; the snapshot should not.
    document["info"]["version"] = Value::from("[version]");
    insta::assert_json_snapshot!(document);
}

/// The whole application's document: every endpoint with its security and error responses.
#[tokio::test]
async fn the_applications_openapi_document_locks_the_whole_api() {
    let app = crate::application::spawn_api().await;
    let response = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let mut document: Value = response.json().await.expect("JSON");

    // What the snapshot must show, checked here too so that accepting a snapshot cannot
    // silently drop it: (method, path, the error statuses documented besides 401 and 403).
    let endpoints: [(&str, &str, &[&str]); 9] = [
        ("post", "/api/v1/screen", &["400", "413"]),
        ("post", "/api/v1/requests", &["400", "413"]),
        ("get", "/api/v1/cases", &[]),
        ("get", "/api/v1/cases/{id}", &["404"]),
        ("get", "/api/v1/registry/{id}", &["400", "404"]),
        ("post", "/api/v1/imports/{kind}", &["400", "404", "413"]),
        ("get", "/api/v1/ledger/checkpoint", &["404"]),
        ("get", "/api/v1/ledger/proof/{index}", &["400", "404"]),
        ("post", "/api/v1/ledger/verify", &["409"]),
    ];
    let error_schema = serde_json::json!({"$ref": "#/components/schemas/ApiError"});
    for (method, path, errors) in endpoints {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not documented");
        assert_eq!(
            operation["security"],
            serde_json::json!([{"bearer": []}]),
            "{method} {path}"
        );
        for status in ["401", "403"].iter().chain(errors) {
            assert_eq!(
                operation["responses"][status]["content"]["application/json"]["schema"],
                error_schema,
                "{method} {path} {status}"
            );
        }
    }
    assert!(document["components"]["schemas"]["ApiError"].is_object());
    // OpenAPI 3.1 requires a description on every response.
    assert_eq!(document["openapi"], "3.1.0");
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            for (status, response) in operation["responses"].as_object().expect("responses") {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|text| !text.is_empty()),
                    "{method} {path} {status} has no description"
                );
            }
        }
    }

    document["info"]["version"] = Value::from("[version]");
    insta::assert_json_snapshot!(document);
}
