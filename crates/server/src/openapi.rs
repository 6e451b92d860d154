//! The OpenAPI document (served at `/openapi.json`, no Swagger UI: it would be fetched from the
//! network at build time) and the routes every Haven server has: `/healthz`.
//!
//! Adding an endpoint: annotate the handler with `#[utoipa::path(...)]` (responses with
//! `body = ApiError` for errors, `security(("bearer" = []))` when it needs a token) and add it to
//! the router from `api_router()` with `.routes(utoipa_axum::routes!(handler))`; then
//! `into_router` turns the whole into an axum `Router` that also serves the document.

use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, OpenApi as OpenApiDocument, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::json::ApiJson;

/// The name of the bearer security scheme, for handlers' `security(("bearer" = []))`.
pub const BEARER_SCHEME: &str = "bearer";

/// The document's root: title, version, the bearer scheme and the error schema.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Haven",
        description = "Screens interstate legal-cooperation requests against the protection registry; records every decision in a tamper-evident ledger.",
    ),
    components(schemas(ApiError)),
    modifiers(&DocumentRoot),
)]
pub struct ApiDoc;

struct DocumentRoot;

impl Modify for DocumentRoot {
    fn modify(&self, openapi: &mut OpenApiDocument) {
        openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
        let components = openapi
            .components
            .get_or_insert_with(|| ComponentsBuilder::new().build());
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `haven user add NAME --role ROLE`."))
                    .build(),
            ),
        );
    }
}

/// The router to add documented routes to; it already holds `/healthz`.
pub fn api_router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    OpenApiRouter::with_openapi(ApiDoc::openapi()).routes(routes!(healthz))
}

/// Splits the documented router into the axum router and its document, and serves the document
/// at `GET /openapi.json` (serialised once).
pub fn into_router<S>(router: OpenApiRouter<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let (router, mut document) = router.split_for_parts();
    describe_every_response(&mut document);
    let document_json: Arc<str> = match document.to_json() {
        Ok(text) => Arc::from(text),
        // Serialising a document built from derives cannot fail in practice; if it does, the
        // server still starts and says so at the endpoint rather than refusing to run.
        Err(error) => {
            tracing::error!(%error, "the OpenAPI document does not serialise");
            Arc::from("{}")
        }
    };
    router.route(
        "/openapi.json",
        get(move || {
            let document_json = Arc::clone(&document_json);
            async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    document_json.to_string(),
                )
                    .into_response()
            }
        }),
    )
}

/// OpenAPI 3.1 (the version utoipa declares) requires a description on every response, but
/// utoipa leaves an empty one out (3.2 made it optional): without this, a response documented
/// only by its status and body makes the whole document invalid for 3.1 validators and
/// generators. Such a response gets its status's reason phrase.
fn describe_every_response(document: &mut OpenApiDocument) {
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
            &mut item.query,
        ]
        .into_iter()
        .flatten()
        .chain(item.additional_operations.values_mut());
        for operation in operations {
            for (status, response) in &mut operation.responses.responses {
                if let RefOr::T(response) = response
                    && response.description.is_empty()
                {
                    response.description = reason_phrase(status);
                }
            }
        }
    }
}

/// `Not Found` for `"404"`; `Response` for what is not a known status (`default`, `4XX`).
fn reason_phrase(status: &str) -> String {
    status
        .parse::<u16>()
        .ok()
        .and_then(|code| StatusCode::from_u16(code).ok())
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Response")
        .to_owned()
}

/// The answer of `/healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`: the process is up and serving.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: answers while the process serves requests. Needs no token.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "service",
    responses((status = OK, description = "The server is up", body = Health)),
)]
async fn healthz() -> ApiJson<Health> {
    ApiJson(Health { status: "ok" })
}
