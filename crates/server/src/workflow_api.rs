//! The endpoints of DESIGN §5.5 under `/api/v1`: case events (four-eyes answered 202 until the
//! second judge), referral answers and the overdue list, execution records, transfers through
//! the gate, judicial sorting, and the oversight statistics (JSON and CSV). Thin like `api`:
//! authenticate, authorise the kind of step before reading the body, decode, call the service,
//! encode. The rules and their refusals (`reason_required`, `four_eyes`, `safeguard_missing`,
//! `owner_name_mismatch`, `transfer_blocked`, …) come from the service.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use haven_access::Action;
use haven_app::{EventOutcome, ReferralListing, Statistics, TransferRequest, TransferView};
use haven_domain::ReferralCode;
use haven_domain::workflow::{
    CaseEvent, Execution, ExecutionRecord, Referral, ReferralAnswer, TransferState,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::api::{AppState, blocking};
use crate::auth::{Authenticated, require};
use crate::error::ApiError;
use crate::json::{ApiJson, parse_body};

/// The routes of DESIGN §5.5, documented.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(case_event))
        .routes(routes!(answer_referral))
        .routes(routes!(list_referrals))
        .routes(routes!(save_execution))
        .routes(routes!(complete_execution))
        .routes(routes!(propose_transfer))
        .routes(routes!(read_transfer))
        .routes(routes!(approve_transfer))
        .routes(routes!(override_item))
        .routes(routes!(sort_item))
        .routes(routes!(statistics))
        .routes(routes!(statistics_csv))
}

/// A case event asked for by name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EventBody {
    /// `freeze`, `refer`, `lift_freeze`, `authorise`, `refuse`, `start_execution`, `close`.
    event: String,
    /// Why: required for every step (`reason_required` otherwise).
    #[serde(default)]
    reason: Option<String>,
}

/// A reason, alone.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReasonBody {
    /// Why: required (`reason_required` otherwise).
    #[serde(default)]
    reason: Option<String>,
}

/// A body that holds only a reason may be left empty: the rules then answer
/// `reason_required` where one is needed.
fn reason_body(body: &[u8]) -> Result<ReasonBody, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(ReasonBody::default())
    } else {
        parse_body(body)
    }
}

/// The status of a step that may wait for a second judge: 202 while it waits, 200 once done.
fn step_status(awaits_second_approval: bool) -> StatusCode {
    if awaits_second_approval {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    }
}

/// Applies an event to a case. `lift_freeze`, and `authorise` of a frozen or referred case,
/// need two different judges: the first call records an approval and answers 202, the second
/// (another judge) applies it; the same judge twice is `four_eyes`.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/events", tag = "workflow",
    params(("id" = String, Path, description = "The case id")),
    request_body = EventBody,
    responses(
        (status = OK, description = "The case moved", body = Object),
        (status = ACCEPTED, description = "A first approval is recorded; a second judge must approve", body = Object),
        (status = BAD_REQUEST, description = "`reason_required`, or an unknown event", body = ApiError),
        (status = UNAUTHORIZED, body = ApiError), (status = FORBIDDEN, body = ApiError),
        (status = NOT_FOUND, body = ApiError),
        (status = CONFLICT, description = "`four_eyes`, `invalid_transition`, `freeze_required`, `referral_open`", body = ApiError),
        (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn case_event(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, ApiJson<EventOutcome>), ApiError> {
    require(&who, Action::RecordCaseEvent)?;
    let body: EventBody = parse_body(&body)?;
    let event = CaseEvent::parse(&body.event)
        .filter(|e| CaseEvent::REQUESTABLE.contains(e))
        .ok_or_else(|| {
            let names: Vec<&str> = CaseEvent::REQUESTABLE.iter().map(|e| e.as_str()).collect();
            ApiError::bad_request(format!(
                "event: {:?} is not one of {}",
                body.event,
                names.join(", ")
            ))
        })?;
    let reason = body.reason.unwrap_or_default();
    let outcome = blocking(move || state.service.case_event(&who, &id, event, &reason)).await?;
    Ok((
        step_status(outcome.awaits_second_approval()),
        ApiJson(outcome),
    ))
}

/// An authority's answer to a referral.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerBody {
    /// `protected`, `not_protected` or `no_record` (asylum authority); `acknowledged` (others).
    answer: String,
    #[serde(default)]
    reason: Option<String>,
}

/// Records the answer to a referral: the asylum authority's by the asylum liaison; the
/// investigating judge's by a judge; the bar association's and the data-protection officer's
/// recorded by the officer.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/referrals/{code}/answer", tag = "workflow",
    params(("id" = String, Path, description = "The case id"),
           ("code" = String, Path, description = "`asylum_authority`, `investigating_judge`, `bar_association`, `data_protection_officer`")),
    request_body = AnswerBody,
    responses(
        (status = OK, description = "The answered referral", body = Object),
        (status = BAD_REQUEST, body = ApiError), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = NOT_FOUND, body = ApiError),
        (status = CONFLICT, body = ApiError), (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn answer_referral(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path((id, code)): Path<(String, String)>,
    body: Bytes,
) -> Result<ApiJson<Referral>, ApiError> {
    require(&who, Action::AnswerReferral)?;
    let body: AnswerBody = parse_body(&body)?;
    let code = ReferralCode::parse(&code)
        .ok_or_else(|| ApiError::not_found(format!("referral {code:?}")))?;
    let answer = ReferralAnswer::parse(&body.answer).ok_or_else(|| {
        ApiError::bad_request(format!(
            "answer: {:?} is not one of protected, not_protected, no_record, acknowledged",
            body.answer
        ))
    })?;
    let reason = body.reason.unwrap_or_default();
    let referral = blocking(move || {
        state
            .service
            .answer_referral(&who, &id, code, answer, &reason)
    })
    .await?;
    Ok(ApiJson(referral))
}

/// Which referrals to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralParams {
    /// Only those open past their due date.
    #[serde(default)]
    overdue: bool,
}

/// Referrals.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralList {
    /// Open first, by due date.
    #[schema(value_type = Vec<Object>)]
    referrals: Vec<ReferralListing>,
}

/// Referrals of every case with their due dates; `?overdue=true` lists those open past it.
#[utoipa::path(
    get, path = "/api/v1/referrals", tag = "workflow",
    params(ReferralParams),
    responses(
        (status = OK, body = ReferralList), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn list_referrals(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Query(params): Query<ReferralParams>,
) -> Result<ApiJson<ReferralList>, ApiError> {
    require(&who, Action::ListReferrals)?;
    let referrals = blocking(move || state.service.referrals(&who, params.overdue)).await?;
    Ok(ApiJson(ReferralList { referrals }))
}

fn measure_number(n: &str) -> Result<usize, ApiError> {
    n.parse()
        .map_err(|_| ApiError::bad_request(format!("measure: {n:?} is not a measure number")))
}

/// Saves the execution record of measure `n` so far (every part optional until completion).
#[utoipa::path(
    put, path = "/api/v1/cases/{id}/measures/{n}/execution", tag = "workflow",
    params(("id" = String, Path, description = "The case id"),
           ("n" = usize, Path, description = "The measure's index in the request, from 0")),
    request_body(content = Object, description = "The execution record (DESIGN §5.5)", content_type = "application/json"),
    responses(
        (status = OK, description = "The saved record", body = Object),
        (status = BAD_REQUEST, body = ApiError), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = NOT_FOUND, body = ApiError),
        (status = CONFLICT, body = ApiError), (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn save_execution(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path((id, n)): Path<(String, String)>,
    body: Bytes,
) -> Result<ApiJson<Execution>, ApiError> {
    require(&who, Action::RecordExecution)?;
    let record: ExecutionRecord = parse_body(&body)?;
    let measure = measure_number(&n)?;
    let saved = blocking(move || state.service.save_execution(&who, &id, measure, record)).await?;
    Ok(ApiJson(saved))
}

/// Completes the execution record of measure `n`: 409 `safeguard_missing` naming each required
/// safeguard not recorded, 409 `owner_name_mismatch` naming each inventory owner whose name is
/// not the party's.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/measures/{n}/execution/complete", tag = "workflow",
    params(("id" = String, Path, description = "The case id"),
           ("n" = usize, Path, description = "The measure's index in the request, from 0")),
    request_body(content = ReasonBody, description = "Optional: `{\"reason\": \"…\"}`"),
    responses(
        (status = OK, description = "The completed record", body = Object),
        (status = BAD_REQUEST, body = ApiError), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = NOT_FOUND, body = ApiError),
        (status = CONFLICT, description = "`safeguard_missing`, `owner_name_mismatch`, `invalid_transition`", body = ApiError),
        (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn complete_execution(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path((id, n)): Path<(String, String)>,
    body: Bytes,
) -> Result<ApiJson<Execution>, ApiError> {
    require(&who, Action::RecordExecution)?;
    let measure = measure_number(&n)?;
    let body = reason_body(&body)?;
    let completed = blocking(move || {
        state
            .service
            .complete_execution(&who, &id, measure, body.reason.as_deref())
    })
    .await?;
    Ok(ApiJson(completed))
}

/// Proposes a transfer of seized items and a covering text; answers the gate's verdict on each
/// item and on the whole (blocked items stay blocked until a judge sorts or overrides them).
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/transfers", tag = "workflow",
    params(("id" = String, Path, description = "The case id")),
    request_body(content = Object, description = "`{\"recipient\": \"kz: Prosecutor General\", \"legal_basis\": \"…\", \"items\": [\"I-1\"], \"text\": \"…\"}`", content_type = "application/json"),
    responses(
        (status = CREATED, description = "The transfer with the gate's verdicts", body = Object),
        (status = BAD_REQUEST, body = ApiError), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = NOT_FOUND, body = ApiError),
        (status = CONFLICT, body = ApiError), (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn propose_transfer(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, ApiJson<TransferView>), ApiError> {
    require(&who, Action::ProposeTransfer)?;
    let proposal: TransferRequest = parse_body(&body)?;
    let transfer = blocking(move || state.service.propose_transfer(&who, &id, proposal)).await?;
    Ok((StatusCode::CREATED, ApiJson(transfer)))
}

/// One transfer with the gate's verdicts, overrides and approvals.
#[utoipa::path(
    get, path = "/api/v1/transfers/{tid}", tag = "workflow",
    params(("tid" = String, Path, description = "The transfer id, e.g. case-000001-t1")),
    responses(
        (status = OK, body = Object), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = NOT_FOUND, body = ApiError),
        (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn read_transfer(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path(tid): Path<String>,
) -> Result<ApiJson<TransferView>, ApiError> {
    require(&who, Action::ReadCase)?;
    let transfer = blocking(move || state.service.transfer(&who, &tid)).await?;
    Ok(ApiJson(transfer))
}

/// A judge's approval: 202 after the first, 200 when the second judge's sends it; 409
/// `transfer_blocked` while any item is blocked, `four_eyes` for the same judge twice.
#[utoipa::path(
    post, path = "/api/v1/transfers/{tid}/approve", tag = "workflow",
    params(("tid" = String, Path, description = "The transfer id")),
    request_body = ReasonBody,
    responses(
        (status = OK, description = "Sent", body = Object),
        (status = ACCEPTED, description = "First approval recorded", body = Object),
        (status = BAD_REQUEST, body = ApiError), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = NOT_FOUND, body = ApiError),
        (status = CONFLICT, description = "`transfer_blocked`, `four_eyes`", body = ApiError),
        (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn approve_transfer(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path(tid): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, ApiJson<TransferView>), ApiError> {
    require(&who, Action::DecideTransfer)?;
    let body = reason_body(&body)?;
    let reason = body.reason.unwrap_or_default();
    let transfer = blocking(move || state.service.approve_transfer(&who, &tid, &reason)).await?;
    let sent = transfer.transfer.state == TransferState::Sent;
    Ok((step_status(!sent), ApiJson(transfer)))
}

/// A judge's reasoned override of one blocked item (a protected person's or relative's data);
/// the transfer still needs two approvals.
#[utoipa::path(
    post, path = "/api/v1/transfers/{tid}/items/{item}/override", tag = "workflow",
    params(("tid" = String, Path, description = "The transfer id"),
           ("item" = String, Path, description = "The inventory item id")),
    request_body = ReasonBody,
    responses(
        (status = OK, body = Object), (status = BAD_REQUEST, body = ApiError),
        (status = UNAUTHORIZED, body = ApiError), (status = FORBIDDEN, body = ApiError),
        (status = NOT_FOUND, body = ApiError), (status = CONFLICT, body = ApiError),
        (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn override_item(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path((tid, item)): Path<(String, String)>,
    body: Bytes,
) -> Result<ApiJson<TransferView>, ApiError> {
    require(&who, Action::DecideTransfer)?;
    let body = reason_body(&body)?;
    let reason = body.reason.unwrap_or_default();
    let transfer = blocking(move || {
        state
            .service
            .override_transfer_item(&who, &tid, &item, &reason)
    })
    .await?;
    Ok(ApiJson(transfer))
}

/// A judge's sorting of a privileged item.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SortingBody {
    /// True: privileged, it never leaves. False: not privileged, it may be proposed.
    privileged: bool,
    #[serde(default)]
    reason: Option<String>,
}

/// What was recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct SortingResponse {
    item: String,
    privileged: bool,
}

/// A judge sorts a privileged or possibly privileged seized item (EIO Art 11(1)(a)); a
/// transfer proposed after the sorting takes it into account.
#[utoipa::path(
    post, path = "/api/v1/cases/{id}/items/{item}/sorting", tag = "workflow",
    params(("id" = String, Path, description = "The case id"),
           ("item" = String, Path, description = "The inventory item id")),
    request_body = SortingBody,
    responses(
        (status = OK, body = SortingResponse), (status = BAD_REQUEST, body = ApiError),
        (status = UNAUTHORIZED, body = ApiError), (status = FORBIDDEN, body = ApiError),
        (status = NOT_FOUND, body = ApiError), (status = CONFLICT, body = ApiError),
        (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn sort_item(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
    Path((id, item)): Path<(String, String)>,
    body: Bytes,
) -> Result<ApiJson<SortingResponse>, ApiError> {
    require(&who, Action::DecideTransfer)?;
    let body: SortingBody = parse_body(&body)?;
    let reason = body.reason.unwrap_or_default();
    let privileged = body.privileged;
    let answer = SortingResponse {
        item: item.clone(),
        privileged,
    };
    blocking(move || {
        state
            .service
            .sort_item(&who, &id, &item, privileged, &reason)
    })
    .await?;
    Ok(ApiJson(answer))
}

/// Oversight statistics: requests per requesting state and outcome, freezes, refusals,
/// overdue referrals, transfers proposed, blocked and sent.
#[utoipa::path(
    get, path = "/api/v1/stats", tag = "oversight",
    responses(
        (status = OK, body = Object), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn statistics(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<ApiJson<Statistics>, ApiError> {
    require(&who, Action::ReadStatistics)?;
    let statistics = blocking(move || state.service.statistics(&who)).await?;
    Ok(ApiJson(statistics))
}

/// The same statistics as CSV, one line per requesting state and outcome, then the total.
#[utoipa::path(
    get, path = "/api/v1/stats.csv", tag = "oversight",
    responses(
        (status = OK, content_type = "text/csv", body = String), (status = UNAUTHORIZED, body = ApiError),
        (status = FORBIDDEN, body = ApiError), (status = SERVICE_UNAVAILABLE, body = ApiError),
    ),
    security(("bearer" = [])),
)]
async fn statistics_csv(
    State(state): State<AppState>,
    Authenticated(who): Authenticated,
) -> Result<impl IntoResponse, ApiError> {
    require(&who, Action::ReadStatistics)?;
    let statistics = blocking(move || state.service.statistics(&who)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"haven-statistics.csv\"",
            ),
        ],
        statistics.to_csv(),
    ))
}
