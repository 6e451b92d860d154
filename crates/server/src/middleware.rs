//! The layers every route runs behind: request id, tracing without personal data, sensitive
//! `Authorization`, body limit, timeout, panic catching, a 404 fallback, and a last pass that
//! gives any bare error response (405 from the router, 413 from the body limit) the one shape.

use std::any::Any;
use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{Method, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower::{Layer, ServiceBuilder, ServiceExt};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::ApiError;

/// How much a request may send and how long it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub body_bytes: usize,
    pub request_timeout: Duration,
}

impl Default for Limits {
    /// 1 MiB holds the largest request (DESIGN §5.2) many times over; 30 s is far beyond a
    /// screening or an assessment, so hitting it means something is stuck.
    fn default() -> Limits {
        Limits {
            body_bytes: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Wraps `router` (all its routes, and a 404 fallback added here) in the standard layers.
/// Call it last, after every route is added and the state is set.
pub fn layered(router: Router, limits: &Limits) -> Router {
    layered_with_uploads(router, limits, &[])
}

/// [`layered`], with a larger body limit for the upload routes in `uploads` (a path and its
/// limit in bytes; a POST to that exact path). The route itself must raise axum's limit too
/// (`DefaultBodyLimit::max`): this only keeps the outer, global limit from refusing it first.
pub fn layered_with_uploads(
    router: Router,
    limits: &Limits,
    uploads: &'static [(&'static str, usize)],
) -> Router {
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        // Nothing here logs headers; marking Authorization sensitive keeps it out of any
        // layer or debug print added later.
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
        ]))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .on_failure(DefaultOnFailure::new().level(Level::ERROR)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(middleware::from_fn(give_errors_the_one_shape))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(
            limits.request_timeout,
            enforce_timeout,
        ))
        // tower-http refuses a declared Content-Length over the limit before the handler runs
        // and caps a chunked body; axum's limit makes its extractors agree on the same number.
        .layer(middleware::from_fn_with_state(
            BodyLimits {
                default: limits.body_bytes,
                uploads,
            },
            limit_body,
        ))
        .layer(DefaultBodyLimit::max(limits.body_bytes));
    router.fallback(no_such_path).layer(layers)
}

/// The body limit of every route, and the larger ones of the upload routes.
#[derive(Debug, Clone, Copy)]
struct BodyLimits {
    default: usize,
    uploads: &'static [(&'static str, usize)],
}

/// tower-http's body limit, at the request's own limit: it refuses a declared Content-Length
/// over the limit before the handler runs and caps a chunked body, so extractors that bypass
/// axum's `DefaultBodyLimit` are bounded too.
async fn limit_body(State(limits): State<BodyLimits>, request: Request, next: Next) -> Response {
    let upload = (request.method() == Method::POST)
        .then(|| {
            limits
                .uploads
                .iter()
                .find(|(path, _)| *path == request.uri().path())
        })
        .flatten();
    let limit = upload.map_or(limits.default, |&(_, bytes)| bytes);
    // The limit hands on a `Limited` body; the rest of the stack takes axum's `Body`.
    let inner = tower::service_fn(move |request: Request<_>| {
        let next = next.clone();
        async move { Ok::<_, Infallible>(next.run(request.map(Body::new)).await) }
    });
    match RequestBodyLimitLayer::new(limit)
        .layer(inner)
        .oneshot(request)
        .await
    {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// The span of one request: method and route template only. The URI is left out (a path like
/// `/cases/{id}` is logged as its template; query strings may carry names), so are headers and
/// bodies. Status and latency are added by the response event.
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map_or("(none)", loggable_request_id);
    tracing::info_span!("request", id, method = %request.method(), path = route)
}

/// The request id as the log may show it, so an operator can find a client's request: the ids
/// this server makes (UUIDs) and any client id of the same plain shape. A client may put anything
/// in the header — a name, a case reference — so any other value is withheld from the log (the
/// client still gets it back in the response).
fn loggable_request_id(id: &str) -> &str {
    let plain =
        !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    if plain { id } else { "(withheld)" }
}

async fn no_such_path(uri: Uri) -> ApiError {
    // The path is echoed back to the caller who sent it, never logged.
    ApiError::not_found(format!("path {}", uri.path()))
}

async fn enforce_timeout(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_elapsed) => {
            tracing::warn!(limit_seconds = limit.as_secs_f64(), "request timed out");
            ApiError::unavailable(format!(
                "the request took longer than {} s",
                limit.as_secs_f64()
            ))
            .into_response()
        }
    }
}

fn panic_response(_payload: Box<dyn Any + Send + 'static>) -> Response {
    // The payload is not logged: a panic message may be formatted from request data.
    tracing::error!("a handler panicked");
    ApiError::internal().into_response()
}

/// Error responses that are not JSON were made by a layer or by axum itself (405, the body
/// limit's 413): replace them with the one shape. JSON error bodies are ours and pass through,
/// and so are HTML ones: those are the web UI's error pages and forms shown again with their
/// errors (axum's own errors are plain text).
async fn give_errors_the_one_shape(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // The API's errors are JSON already; the web UI's error pages are HTML written for people.
    let has_own_body = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.starts_with("application/json") || value.starts_with("text/html")
        });
    if has_own_body {
        return response;
    }
    let mut replacement = ApiError::for_status(status).into_response();
    // Keep what the original said about the protocol (Allow on a 405), drop its body headers.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replacement
                .headers_mut()
                .entry(name)
                .or_insert(value.clone());
        }
    }
    replacement
}

#[cfg(test)]
mod tests {
    use super::loggable_request_id;

    #[test]
    fn only_plain_request_ids_reach_the_log() {
        for (id, logged) in [
            (
                "6f1c2b9e-4d1a-4c3e-9a57-0b8f2e6d7c11",
                "6f1c2b9e-4d1a-4c3e-9a57-0b8f2e6d7c11",
            ),
            ("abc-123", "abc-123"),
            ("", "(withheld)"),
            ("Aliya Zhaksybekova", "(withheld)"),
            ("case-000001/R-1001", "(withheld)"),
            (&"a".repeat(65), "(withheld)"),
        ] {
            assert_eq!(loggable_request_id(id), logged, "{id:?}");
        }
    }
}
