//! Haven's web UI (DESIGN §5.6): pages rendered on the server from askama templates, over the
//! same service layer as the HTTP API, for people who will never touch a command line or JSON.
//!
//! - `session`: sign-in, sign-out, the session cookie, the `Signed` extractor (no session: to
//!   `/login`) and `Posted<T>`, a form that is accepted only with its session's CSRF token.
//! - `page`: the page frame (navigation by role), `PageError` (an error as a page) and the
//!   security headers every page carries.
//! - `cases`: the case list with its filters, the case page (decision memo, matches and why,
//!   the reply abroad, history) and its forms (case events, referral answers).
//! - `ledger`: the latest checkpoint and its signature check, the full verification for the
//!   roles that may run it, and inclusion proofs.
//! - `oversight`: the referral list and the statistics (page and CSV).
//! - `intake`: the request intake form (fields, a JSON request pasted or uploaded, or a
//!   FollowTheMoney file for the parties), every error shown next to its field.
//! - `imports`: registry and context imports run in the background, with a progress page that
//!   reloads itself while the import runs.
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
mod imports;
mod intake;
mod ledger;
mod network;
mod oversight;
mod page;
mod session;
mod upload;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use haven_app::Service;

pub use page::{PageError, refusal_status};
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
    /// The imports started from the web UI (kept in memory: a restart forgets them, the ledger
    /// does not).
    pub(crate) jobs: Arc<imports::Jobs>,
}

/// A request with its JSON or FollowTheMoney file: the largest request is far smaller, but a
/// FtM export of a family with its relations may not be.
const INTAKE_BODY_BYTES: usize = 10 * 1024 * 1024;
/// A registry or context file: the API's 1 MiB would refuse any real registry.
const IMPORT_BODY_BYTES: usize = 256 * 1024 * 1024;

/// The upload routes and their body limits, larger than the API's (`Limits::body_bytes`): the
/// server's outer body limit must let these through (each route raises axum's own limit).
pub const UPLOAD_LIMITS: &[(&str, usize)] = &[
    ("/requests", INTAKE_BODY_BYTES),
    ("/imports", IMPORT_BODY_BYTES),
];

/// The web UI's routes over one service, ready to merge beside the API.
pub fn routes(service: Arc<Service>, options: WebOptions) -> Router {
    let state = WebState {
        service,
        options: Arc::new(options),
        jobs: Arc::default(),
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
        .route("/ledger", get(ledger::show))
        .route("/referrals", get(oversight::referrals))
        .route("/stats", get(oversight::stats))
        .route("/stats.csv", get(oversight::stats_csv))
        .route("/requests/new", get(intake::form))
        // Larger than the API's body limit (a request with its file): see UPLOAD_LIMITS.
        .route(
            "/requests",
            post(intake::submit).layer(DefaultBodyLimit::max(INTAKE_BODY_BYTES)),
        )
        // Larger still (a whole registry): see UPLOAD_LIMITS.
        .route(
            "/imports",
            get(imports::form)
                .post(imports::start)
                .layer(DefaultBodyLimit::max(IMPORT_BODY_BYTES)),
        )
        .route("/imports/{job}", get(imports::show))
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
