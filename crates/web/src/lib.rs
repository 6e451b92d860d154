//! Haven's web UI (DESIGN §5.6): pages rendered on the server from askama templates, over the
//! same service layer as the HTTP API, for people who will never touch a command line or JSON.
//!
//! - `session`: sign-in, sign-out, the session cookie, the `Signed` extractor (no session: to
//!   `/login`) and `Posted<T>`, a form that is accepted only with its session's CSRF token.
//! - `page`: the page frame (navigation by role), `PageError` (an error as a page) and the
//!   security headers every page carries.
//! - `cases`: the case list with its filters, the case page (decision memo, matches and why,
//!   the reply abroad, history) and its forms (case events, referral answers).
//! - `network`: the case's context network drawn as SVG (pure: no I/O) and as table rows.
//! - `assets`: the stylesheet, compiled in.
//!
//! Architecture invariant: no business logic and no knowledge of who may see what. A handler
//! takes the session's principal, calls one service method on the blocking pool and renders what
//! comes back; what a role may not see is never handed to a template, so it is absent from the
//! HTML rather than hidden by CSS. Every page works without JavaScript.

mod assets;
mod cases;
mod filters;
mod network;
mod page;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use haven_app::Service;

pub use page::PageError;
pub use session::{Posted, Signed};

/// How the web UI is set up.
#[derive(Debug, Clone, Default)]
pub struct WebOptions {
    /// Mark the session cookie `Secure`: set when Haven is served behind TLS (a terminating
    /// proxy). A request forwarded with `X-Forwarded-Proto: https` gets it anyway.
    pub secure_cookies: bool,
}

/// What every page handler reaches.
#[derive(Debug, Clone)]
pub struct WebState {
    pub(crate) service: Arc<Service>,
    pub(crate) options: Arc<WebOptions>,
}

/// The web UI's routes over one service, ready to merge beside the API.
pub fn routes(service: Arc<Service>, options: WebOptions) -> Router {
    let state = WebState {
        service,
        options: Arc::new(options),
    };
    Router::new()
        .route("/", get(session::home))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route("/cases", get(cases::list))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/events", post(cases::event))
        .route(
            "/cases/{id}/referrals/{code}/answer",
            post(cases::answer_referral),
        )
        .route("/static/haven.css", get(assets::stylesheet))
        .layer(axum::middleware::map_response(page::security_headers))
        .with_state(state)
}

/// Runs a service call on the blocking pool (the store and Argon2 are synchronous), so the
/// async workers keep answering other requests.
pub(crate) async fn blocking<T, F>(state: &WebState, f: F) -> Result<T, PageError>
where
    T: Send + 'static,
    F: FnOnce(&Service) -> Result<T, PageError> + Send + 'static,
{
    let service = Arc::clone(&state.service);
    tokio::task::spawn_blocking(move || f(&service))
        .await
        .map_err(|_| {
            tracing::error!("a page handler panicked");
            PageError::internal()
        })?
}
