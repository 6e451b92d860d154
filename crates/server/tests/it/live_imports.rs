//! Imports reach screening while the server runs: one through the API is visible to the next
//! screening (well within a second), one by another process on the same directory once the
//! service catches up (`haven serve` calls `catch_up` every second).

use std::time::{Duration, Instant};

use haven_app::{ImportKind, Role};
use reqwest::Method;
use serde_json::Value;

use crate::application::{ApiApp, import_as_admin, newcomer_line, service_in, spawn_api};

/// The ids screening matches (tier `match`) for `party`, as the officer.
pub async fn matched_ids(app: &ApiApp, party: &str) -> Vec<String> {
    let (status, answer) = app.post_json(Role::Officer, "/api/v1/screen", party).await;
    assert_eq!(status, 200, "{answer}");
    answer["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .filter(|m| m["tier"] == "match")
        .filter_map(|m| m["id"].as_str().map(str::to_owned))
        .collect()
}

/// Imports the newcomer (`newcomer_line`) through the API as the admin; the import's report.
pub async fn import_newcomer(app: &ApiApp) -> Value {
    let response = app
        .as_role(
            Role::Admin,
            Method::POST,
            "/api/v1/imports/registry?name=newcomer.jsonl",
        )
        .header("content-type", "application/x-ndjson")
        .body(newcomer_line())
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.expect("JSON")
}

pub const NEWCOMER: &str = r#"{"names": ["Temirkhanova Gulnara"], "birth_date": "1979"}"#;

#[tokio::test]
async fn an_import_through_the_api_is_screened_against_at_once() {
    let app = spawn_api().await;
    // Also verifies the officer's token once: its Argon2 check is not the index's latency.
    assert!(matched_ids(&app, NEWCOMER).await.is_empty());

    let outcome = import_newcomer(&app).await;
    let imported_at = Instant::now();
    assert_eq!(outcome["inserted"], 1, "{outcome}");
    assert_eq!(outcome["changed_persons"], serde_json::json!(["R-9001"]));
    assert!(
        outcome["index_update_ms"]
            .as_f64()
            .is_some_and(|ms| ms >= 0.0),
        "the running index took the change: {outcome}"
    );

    let matched = matched_ids(&app, NEWCOMER).await;
    let elapsed = imported_at.elapsed();
    assert_eq!(matched, ["R-9001"]);
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
}

#[tokio::test]
async fn another_processs_import_is_screened_against_after_catch_up() {
    let app = spawn_api().await;
    assert!(matched_ids(&app, NEWCOMER).await.is_empty());

    // A second service on the same directory stands for `haven import` in another process.
    let other = service_in(app.dir.path());
    import_as_admin(
        &other,
        ImportKind::Registry,
        "newcomer.jsonl",
        newcomer_line().into_bytes(),
    );
    assert!(
        matched_ids(&app, NEWCOMER).await.is_empty(),
        "not seen before the catch-up"
    );

    let update = app
        .service
        .catch_up()
        .expect("catches up")
        .expect("something changed");
    assert_eq!(update.applied, 1);
    assert_eq!(matched_ids(&app, NEWCOMER).await, ["R-9001"]);
}
