//! The stylesheet, compiled into the binary: nothing is fetched from the network, no build step.

use axum::http::header;
use axum::response::IntoResponse;

const STYLESHEET: &str = include_str!("../static/haven.css");

pub(crate) async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}
