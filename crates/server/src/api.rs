//! The endpoints of DESIGN §5.4 under `/api/v1`. Each handler is thin: authenticate (the
//! `Authenticated` extractor), authorise (`require`, before the body is even parsed, so a role
//! that may not do a thing learns nothing about its input), decode, call the service
//! (`haven-app`) on the blocking pool, encode. What a role may see of the protection registry is
//! the service's business, decided in one place there.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRef, Path, Query, State};
use axum::http::StatusCode;
use haven_access::{Action, Principal};
use haven_app::{
    AppError, ImportKind, ImportOutcome, MemorySource, ScreenOptions, ScreenedMatch, Service,
};
use haven_domain::workflow::Refusal;
use haven_domain::{PersonId, parse_party, parse_request};
use haven_names::Tier;
use haven_store::ImportMode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthFailure, Authenticate, Authenticated, require};
use crate::error::ApiError;
use crate::json::ApiJson;

/// The state every handler shares: the service, and the same service as the authenticator.
#[derive(Clone)]
pub struct AppState {
    /// The use cases.
    pub service: Arc<Service>,
    authenticator: Arc<dyn Authenticate>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// The state over one service.
    pub fn new(service: Arc<Service>) -> AppState {
        AppState {
            authenticator: Arc::new(ServiceAuthenticator(Arc::clone(&service))),
            service,
        }
    }
}

impl FromRef<AppState> for Arc<dyn Authenticate> {
    fn from_ref(state: &AppState) -> Arc<dyn Authenticate> {
        Arc::clone(&state.authenticator)
    }
}

/// The service's accounts, as the extractor's authenticator.
struct ServiceAuthenticator(Arc<Service>);

impl Authenticate for ServiceAuthenticator {
    fn authenticate(&self, token: &str) -> Result<Principal, AuthFailure> {
        auth_outcome(self.0.authenticate(token))
    }
}

fn auth_outcome(
    outcome: Result<Principal, haven_app::AuthError>,
) -> Result<Principal, AuthFailure> {
    match outcome {
        Ok(principal) => Ok(principal),
        Err(haven_app::AuthError::Unavailable(err)) => {
            Err(AuthFailure::Unavailable(err.to_string()))
        }
        // Unknown, wrong, disabled: the client hears 401 for all of them.
        Err(_) => Err(AuthFailure::InvalidToken),
    }
}

/// The one mapping from the service's errors to statuses (DESIGN §5.4).
impl From<AppError> for ApiError {
    fn from(err: AppError) -> ApiError {
        match err {
            AppError::Forbidden { .. } => ApiError::forbidden(),
            AppError::NotFound(what) => ApiError::not_found(what),
            AppError::Invalid(message) => ApiError::bad_request(message),
            AppError::InvalidImport { ref rejects } => {
                let shown: Vec<String> = rejects
                    .iter()
                    .take(20)
                    .map(|r| format!("line {}: {}", r.line, r.message))
                    .collect();
                ApiError::bad_request(format!("{err}: {}", shown.join("; ")))
            }
            AppError::Conflict(message) => ApiError::conflict(message),
            AppError::Refused(refusal) => refused(refusal),
            AppError::Tampered(message) => {
                tracing::error!(%message, "the ledger does not verify");
                ApiError::conflict(format!("the ledger does not verify: {message}"))
            }
            AppError::Unavailable(cause) => {
                tracing::error!(error = %cause, "the database is unavailable");
                ApiError::unavailable("the database is unavailable; try again later")
            }
            other => {
                // Internal causes go to the log (they name no person: store and index errors
                // carry ids and SQL, not names), never to the client.
                tracing::error!(error = %other, "request failed");
                ApiError::internal()
            }
        }
    }
}

/// A case step the rules refused: its own stable code (DESIGN §5.5), with the status the code
/// calls for.
fn refused(refusal: Refusal) -> ApiError {
    let status = haven_web::refusal_status(refusal.code);
    ApiError::new(status, refusal.code.as_str(), refusal.message).with_details(refusal.details)
}

/// Runs a service call on the blocking pool: screening and assessment are CPU-bound, and the
/// store is synchronous; the async workers stay free to accept and answer other requests.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(join) if join.is_panic() => {
            tracing::error!("a service call panicked");
            Err(ApiError::internal())
        }
        Err(_) => Err(ApiError::unavailable("the server is shutting down")),
    }
}

fn utf8(body: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not UTF-8: {e}")))
}

/// The routes of `/api/v1`, documented.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(screen))
        .routes(routes!(submit_request))
        .routes(routes!(list_cases))
        .routes(routes!(read_case))
        .routes(routes!(consult_registry_record))
        .routes(routes!(import))
        .routes(routes!(checkpoint))
        .routes(routes!(inclusion_proof))
        .routes(routes!(verify_ledger))
}

/// Options of a screening.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScreenParams {
    /// Matches per source (registry, context), best first: 1–100, default 10.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
    /// Leave out matches below this tier: `match`, `possible` or `none` (default).
    min_tier: Option<String>,
    /// Why the screening is done (a case or request reference): recorded in the ledger.
    purpose: Option<String>,
}

/// Ranked matches for one person.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenResponse {
    /// Best first; registry and context candidates ranked separately, both returned.
    #[schema(value_type = Vec<Object>)]
    matches: Vec<ScreenedMatch>,
}

/// Screens one person (a party of DESIGN §5.2) against the registry and the context knowledge
/// base. A registry match says the person is protected and must be referred; only the asylum
/// liaison sees the protection details, and that read is a ledger entry. Every screening is one.
#[utoipa::path(
    post, path = "/api/v1/screen", tag = "screening",
    params(ScreenParams),
    request_body(content = Object, description = "A party: names, birth_date, nationalities, gender", content_type = "application/json"),
    responses(
        (status = OK, body = ScreenResponse),
        (status = BAD_REQUEST, body = ApiError), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = PAYLOAD_TOO_LARGE, body = ApiError),
        (status = SERVICE_UNAVAILABLE, description = "The database is unreachable or the request timed out", body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn screen(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Query(params): Query<ScreenParams>,
    body: Bytes,
) -> Result<ApiJson<ScreenResponse>, ApiError> {
    require(&who, Action::Screen)?;
    let party = parse_party(utf8(&body)?).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let limit = params.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request("limit: must be between 1 and 100"));
    }
    let min_tier = match params.min_tier.as_deref() {
        None => Tier::None,
        Some(text) => Tier::parse(text).ok_or_else(|| {
            ApiError::bad_request(format!(
                "min_tier: {text:?} is not one of match, possible, none"
            ))
        })?,
    };
    let options = ScreenOptions {
        limit,
        min_tier,
        justification: params
            .purpose
            .unwrap_or_else(|| "screening through the API".into()),
        batch: None,
    };
    let mut results = blocking(move || state.service.screen(&who, &[party], &options)).await?;
    Ok(ApiJson(ScreenResponse {
        matches: results.pop().unwrap_or_default(),
    }))
}

/// Assesses a request (DESIGN §5.2) and opens a case: the decision of DESIGN §5.3 with the case
/// id, as the submitting officer may see it.
#[utoipa::path(
    post, path = "/api/v1/requests", tag = "cases",
    request_body(content = Object, description = "A request (DESIGN §5.2)", content_type = "application/json"),
    responses(
        (status = CREATED, description = "The case id and the decision (DESIGN §5.3)", body = Object),
        (status = BAD_REQUEST, body = ApiError), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = PAYLOAD_TOO_LARGE, body = ApiError),
        (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn submit_request(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    body: Bytes,
) -> Result<(StatusCode, ApiJson<haven_app::Assessed>), ApiError> {
    require(&who, Action::SubmitRequest)?;
    let request = parse_request(utf8(&body)?).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let assessed = blocking(move || state.service.assess(&who, &request, true)).await?;
    Ok((StatusCode::CREATED, ApiJson(assessed)))
}

/// The list of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseList {
    /// Oldest first.
    #[schema(value_type = Vec<Object>)]
    cases: Vec<haven_store::CaseSummary>,
}

/// Every case, oldest first.
#[utoipa::path(
    get, path = "/api/v1/cases", tag = "cases",
    responses(
        (status = OK, body = CaseList), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError),
        (status = SERVICE_UNAVAILABLE, description = "The database is unreachable or the request timed out", body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn list_cases(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<ApiJson<CaseList>, ApiError> {
    require(&who, Action::ListCases)?;
    let cases = blocking(move || state.service.cases(&who)).await?;
    Ok(ApiJson(CaseList { cases }))
}

/// One case: the request, the decision as the reader's role may see it, and its history.
#[utoipa::path(
    get, path = "/api/v1/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "The case id, e.g. case-000001")),
    responses(
        (status = OK, body = Object), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = NOT_FOUND, body = ApiError),
        (status = SERVICE_UNAVAILABLE, description = "The database is unreachable or the request timed out", body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn read_case(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path(id): Path<String>,
) -> Result<ApiJson<haven_app::CaseView>, ApiError> {
    require(&who, Action::ReadCase)?;
    let case = blocking(move || state.service.case(&who, &id)).await?;
    Ok(ApiJson(case))
}

/// Why a protected record is consulted.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsultParams {
    /// Why (a case or referral reference): required, recorded in the ledger.
    purpose: String,
}

/// A protected person's registry record, for the asylum liaison; the read is a ledger entry
/// (who, when, why, which record) written before the record is returned.
#[utoipa::path(
    get, path = "/api/v1/registry/{id}", tag = "registry",
    params(("id" = String, Path, description = "The registry id"), ConsultParams),
    responses(
        (status = OK, body = Object), (status = BAD_REQUEST, body = ApiError),
        (status = UNAUTHORIZED, body = ApiError), (status = FORBIDDEN, body = ApiError),
        (status = NOT_FOUND, body = ApiError),
        (status = SERVICE_UNAVAILABLE, description = "The database is unreachable or the request timed out", body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn consult_registry_record(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path(id): Path<String>,
    Query(params): Query<ConsultParams>,
) -> Result<ApiJson<haven_domain::RegistryPerson>, ApiError> {
    require(&who, Action::ViewProtectionDetails)?;
    let id = PersonId::parse(id).map_err(|e| ApiError::bad_request(format!("id: {e}")))?;
    let person =
        blocking(move || state.service.consult_protected(&who, &id, &params.purpose)).await?;
    Ok(ApiJson(person))
}

/// Options of an import.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Import the valid lines and report the rest, instead of refusing the whole body.
    #[serde(default)]
    skip_invalid: bool,
    /// The name recorded in the ledger for this input (default `api-upload`).
    name: Option<String>,
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    inserted: u64,
    updated: u64,
    unchanged: u64,
    /// Rejected lines (only with `skip_invalid`): `line N: reason`.
    rejected: Vec<String>,
    /// The persons added or changed.
    changed_persons: Vec<String>,
    data_version: u64,
    ledger_index: u64,
    /// How long the running screening index took to apply the change, in milliseconds (null if
    /// nothing changed).
    index_update_ms: Option<f64>,
}

impl From<ImportOutcome> for ImportResponse {
    fn from(outcome: ImportOutcome) -> ImportResponse {
        let report = outcome.report;
        ImportResponse {
            inserted: report.inserted,
            updated: report.updated,
            unchanged: report.unchanged,
            rejected: report
                .rejects
                .iter()
                .map(|r| format!("line {}: {}", r.line, r.message))
                .collect(),
            changed_persons: report.changed_persons,
            data_version: report.data_version,
            ledger_index: report.ledger_index,
            index_update_ms: outcome.index.map(|u| u.took.as_secs_f64() * 1000.0),
        }
    }
}

/// Imports registry persons or context records (JSON lines, or FollowTheMoney for context) in
/// one transaction; the running screening index applies them at once, without a rebuild.
#[utoipa::path(
    post, path = "/api/v1/imports/{kind}", tag = "imports",
    params(("kind" = String, Path, description = "`registry` or `context`"), ImportParams),
    request_body(content = String, description = "JSON lines (DESIGN §5.2)", content_type = "application/x-ndjson"),
    responses(
        (status = OK, body = ImportResponse), (status = BAD_REQUEST, body = ApiError),
        (status = UNAUTHORIZED, body = ApiError), (status = FORBIDDEN, body = ApiError),
        (status = NOT_FOUND, body = ApiError), (status = PAYLOAD_TOO_LARGE, body = ApiError),
        (status = SERVICE_UNAVAILABLE, description = "The database is unreachable or the request timed out", body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn import(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path(kind): Path<String>,
    Query(params): Query<ImportParams>,
    body: Bytes,
) -> Result<ApiJson<ImportResponse>, ApiError> {
    require(&who, Action::Import)?;
    let kind = ImportKind::parse(&kind)
        .ok_or_else(|| ApiError::not_found(format!("import kind {kind:?}")))?;
    let mode = if params.skip_invalid {
        ImportMode::SkipInvalid
    } else {
        ImportMode::AllOrNothing
    };
    let source = MemorySource {
        name: params.name.unwrap_or_else(|| "api-upload".into()),
        bytes: body.to_vec(),
    };
    let outcome = blocking(move || state.service.import(&who, kind, &source, mode, &())).await?;
    Ok(ApiJson(outcome.into()))
}

/// The latest signed checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointResponse {
    /// The number of entries it covers.
    size: u64,
    /// The root hash (hex).
    root: String,
    /// The signed note (C2SP checkpoint format).
    note: String,
}

/// The ledger's latest signed checkpoint.
#[utoipa::path(
    get, path = "/api/v1/ledger/checkpoint", tag = "ledger",
    responses(
        (status = OK, body = CheckpointResponse), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = NOT_FOUND, body = ApiError),
        (status = SERVICE_UNAVAILABLE, description = "The database is unreachable or the request timed out", body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn checkpoint(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<ApiJson<CheckpointResponse>, ApiError> {
    require(&who, Action::ReadCheckpoint)?;
    let checkpoint = blocking(move || state.service.checkpoint(&who))
        .await?
        .ok_or_else(|| ApiError::not_found("a checkpoint (the ledger is empty)"))?;
    Ok(ApiJson(CheckpointResponse {
        size: checkpoint.size,
        root: checkpoint.root.to_hex(),
        note: checkpoint.note,
    }))
}

/// An inclusion proof with what is needed to check it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProofResponse {
    /// The entry's index.
    index: u64,
    /// The entry's canonical JSON.
    entry: String,
    /// The RFC 6962 audit path (hex hashes, leaf to root).
    path: Vec<String>,
    /// The checkpoint the proof leads to.
    checkpoint: CheckpointResponse,
}

/// An inclusion proof for one ledger entry against the latest checkpoint.
#[utoipa::path(
    get, path = "/api/v1/ledger/proof/{index}", tag = "ledger",
    params(("index" = u64, Path, description = "The entry's index")),
    responses(
        (status = OK, body = ProofResponse), (status = BAD_REQUEST, body = ApiError),
        (status = UNAUTHORIZED, body = ApiError), (status = FORBIDDEN, body = ApiError),
        (status = NOT_FOUND, body = ApiError),
        (status = SERVICE_UNAVAILABLE, description = "The database is unreachable or the request timed out", body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn inclusion_proof(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path(index): Path<String>,
) -> Result<ApiJson<ProofResponse>, ApiError> {
    require(&who, Action::ReadProof)?;
    let index: u64 = index
        .parse()
        .map_err(|_| ApiError::bad_request(format!("index: {index:?} is not an entry number")))?;
    let bundle = blocking(move || state.service.inclusion_proof(&who, index)).await?;
    Ok(ApiJson(ProofResponse {
        index: bundle.proof.index,
        entry: bundle.entry,
        path: bundle.proof.path.iter().map(|h| h.to_hex()).collect(),
        checkpoint: CheckpointResponse {
            size: bundle.checkpoint.size,
            root: bundle.checkpoint.root.to_hex(),
            note: bundle.checkpoint.note,
        },
    }))
}

/// The result of a full verification.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyResponse {
    /// Entries recomputed.
    size: u64,
    /// Checkpoint signatures checked.
    checkpoints: usize,
    /// The recomputed root (hex).
    root: String,
}

/// Recomputes every ledger hash and checks every checkpoint signature (auditors). A tampered
/// ledger answers 409, naming the first bad entry.
#[utoipa::path(
    post, path = "/api/v1/ledger/verify", tag = "ledger",
    responses(
        (status = OK, body = VerifyResponse), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = CONFLICT, body = ApiError),
        (status = SERVICE_UNAVAILABLE, description = "The database is unreachable or the request timed out", body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn verify_ledger(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<ApiJson<VerifyResponse>, ApiError> {
    require(&who, Action::VerifyLedger)?;
    let verified = blocking(move || state.service.verify_ledger(&who)).await?;
    Ok(ApiJson(VerifyResponse {
        size: verified.size,
        checkpoints: verified.checkpoints,
        root: verified.root.to_hex(),
    }))
}
