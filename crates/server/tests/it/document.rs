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
