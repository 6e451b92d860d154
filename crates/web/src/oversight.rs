//! Oversight pages: the referral list across cases (filter: overdue only) and the statistics
//! (requests per requesting state and outcome, freezes, refusals, overdue referrals, transfers),
//! also as a CSV download for the oversight body's own tools.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use haven_app::{Statistics, StatisticsRow};
use serde::Deserialize;

use crate::cases::words;
use crate::filters;
use crate::page::{Frame, PageError, render};
use crate::session::Signed;
use crate::{WebState, blocking};

/// A referral as the list shows it.
#[derive(Debug)]
struct ReferralRow {
    case: String,
    reference: String,
    referral: String,
    opened: String,
    due: String,
    overdue: bool,
    /// The answer in words, `None` while open.
    answer: Option<String>,
}

#[derive(Template)]
#[template(path = "referrals.html")]
struct ReferralsPage {
    frame: Frame,
    referrals: Vec<ReferralRow>,
    overdue: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReferralsQuery {
    #[serde(default)]
    overdue: String,
}

/// `GET /referrals`, `GET /referrals?overdue=1`.
pub(crate) async fn referrals(
    State(state): State<WebState>,
    signed: Signed,
    Query(query): Query<ReferralsQuery>,
) -> Result<Response, PageError> {
    let frame = signed.frame("/referrals");
    let principal = signed.session.principal.clone();
    let overdue_only = !query.overdue.is_empty();
    let listings = blocking(&state, move |service| {
        Ok(service.referrals(&principal, overdue_only)?)
    })
    .await
    .map_err(|e| e.in_frame(frame.clone()))?;
    let referrals = listings
        .into_iter()
        .map(|listing| ReferralRow {
            referral: words(listing.referral.code.as_str()),
            opened: listing.referral.opened_at.strftime("%Y-%m-%d").to_string(),
            due: listing.referral.due.strftime("%Y-%m-%d").to_string(),
            overdue: listing.overdue,
            answer: listing.referral.answer.as_ref().map(|a| {
                format!(
                    "{} — by {} on {}: {}",
                    words(a.answer.as_str()),
                    a.by.actor,
                    a.by.at.strftime("%Y-%m-%d %H:%M"),
                    a.by.reason.as_str()
                )
            }),
            case: listing.case,
            reference: listing.reference,
        })
        .collect();
    let page = ReferralsPage {
        frame,
        referrals,
        overdue: overdue_only,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatisticsPage {
    frame: Frame,
    generated_at: String,
    rows: Vec<StatisticsRow>,
    total: StatisticsRow,
}

async fn statistics(state: &WebState, signed: &Signed) -> Result<Statistics, PageError> {
    let principal = signed.session.principal.clone();
    blocking(state, move |service| Ok(service.statistics(&principal)?))
        .await
        .map_err(|e| e.in_frame(signed.frame("/stats")))
}

/// `GET /stats`.
pub(crate) async fn stats(
    State(state): State<WebState>,
    signed: Signed,
) -> Result<Response, PageError> {
    let statistics = statistics(&state, &signed).await?;
    let page = StatisticsPage {
        frame: signed.frame("/stats"),
        generated_at: statistics
            .generated_at
            .strftime("%Y-%m-%d %H:%M UTC")
            .to_string(),
        rows: statistics.rows,
        total: statistics.total,
    };
    Ok(render(&page))
}

/// `GET /stats.csv`: the same figures as a download (the session's cookie authenticates it,
/// like every page).
pub(crate) async fn stats_csv(
    State(state): State<WebState>,
    signed: Signed,
) -> Result<Response, PageError> {
    let statistics = statistics(&state, &signed).await?;
    let file_name = format!(
        "haven-statistics-{}.csv",
        statistics.generated_at.strftime("%Y%m%d-%H%M%S")
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .map_err(|_| PageError::internal().in_frame(signed.frame("/stats")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        statistics.to_csv(),
    )
        .into_response())
}
