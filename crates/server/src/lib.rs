//! Haven's HTTP API (DESIGN §5.4): the endpoints (`api`) over the service layer (`haven-app`),
//! and what every endpoint plugs into.
//!
//! - `api`: the `/api/v1` handlers of DESIGN §5.4 and `AppState`; [`application`] assembles the
//!   whole router.
//! - `workflow_api`: the handlers of DESIGN §5.5 (case events, referrals, execution records,
//!   transfers, statistics).
//! - `error`: `ApiError`, the one error shape `{"error": {"code", "message", "details"?}}`.
//! - `json`: `ApiJson<T>` and `parse_body`, JSON bodies whose errors name the field.
//! - `auth`: `Authenticate` (implemented by the application), the `Authenticated` extractor
//!   (401) and `require` (403, the bundled cedar policy).
//! - `middleware`: `layered`, the standard layers and limits.
//! - `openapi`: the document root, `/openapi.json`, `/healthz`.
//! - here: `serve` with graceful shutdown, and `shutdown_signal`.
//!
//! Assembling a server: `openapi::api_router()` + documented routes → `openapi::into_router` →
//! `.with_state(state)` → `middleware::layered(router, &limits)` → `serve(listener, router, shutdown_signal())`.
//!
//! Architecture invariant: no business logic. A handler authenticates, authorises, decodes, calls
//! one service method on the blocking pool and encodes; what a role may see is the service's.

pub mod api;
pub mod auth;
pub mod error;
pub mod json;
pub mod middleware;
pub mod openapi;
pub mod workflow_api;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use haven_app::Service;
pub use haven_web::WebOptions;

pub use auth::{AuthFailure, Authenticate, Authenticated, require};
pub use error::ApiError;
pub use json::ApiJson;
pub use middleware::{Limits, layered};

/// The whole HTTP application over one service: `/api/v1`, `/openapi.json`, `/healthz` and the
/// web UI's pages (`haven-web`), behind the standard layers; the web UI's upload routes (a
/// request with its file, an import) get their own, larger body limits (`UPLOAD_LIMITS`).
pub fn application(service: Arc<Service>, limits: &Limits, web: WebOptions) -> Router {
    let router = openapi::into_router(
        openapi::api_router()
            .merge(api::routes())
            .merge(workflow_api::routes()),
    )
    .with_state(api::AppState::new(Arc::clone(&service)))
    .merge(haven_web::routes(service, web));
    middleware::layered_with_uploads(router, limits, haven_web::UPLOAD_LIMITS)
}

/// Serves `router` on `listener` until `shutdown` completes, then stops accepting connections
/// and waits for the requests in flight to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what a service manager or container runtime sends).
/// If a signal handler cannot be installed, that signal is not waited for (and the failure is
/// logged) rather than shutting down at once.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
