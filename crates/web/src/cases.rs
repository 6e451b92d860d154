//! The case list (filters: state, outcome, protection flag, referral overdue) and the case page:
//! the decision memo (outcome, legal basis, numbered findings with the records and name forms
//! they rest on, grounds with their sources, safeguards, referrals), the reply that will be sent
//! abroad, the case's history, and the forms the reader's role may use on it (case events,
//! referral answers). The service has already removed what the reader may not see.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use haven_app::{CaseFilter, CaseListing, CaseView, ProtectionFlag};
use haven_domain::workflow::{CaseEvent, CaseState, ReferralAnswer};
use haven_domain::{Outcome, ReferralCode};
use serde::Deserialize;

use crate::filters;
use crate::network::NetworkSection;
use crate::page::{Choice, Frame, PageError, render};
use crate::session::{Posted, Signed};
use crate::{WebState, blocking};

/// The case list's query: empty fields do not narrow.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    flag: String,
    #[serde(default)]
    overdue: String,
}

fn choices(values: &[&'static str], chosen: &str) -> Vec<Choice> {
    values
        .iter()
        .map(|&value| Choice::wire(value, value == chosen))
        .collect()
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CaseListPage {
    frame: Frame,
    cases: Vec<CaseListing>,
    states: Vec<Choice>,
    outcomes: Vec<Choice>,
    flags: Vec<Choice>,
    overdue: bool,
    filtered: bool,
}

/// `GET /cases`.
pub(crate) async fn list(
    State(state): State<WebState>,
    signed: Signed,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let frame = signed.frame("/cases");
    let filter = CaseFilter {
        state: parse_choice(&query.state, CaseState::parse, "state", &frame)?,
        outcome: parse_choice(&query.outcome, Outcome::parse, "outcome", &frame)?,
        flag: parse_choice(&query.flag, ProtectionFlag::parse, "flag", &frame)?,
        overdue_only: !query.overdue.is_empty(),
    };
    let principal = signed.session.principal.clone();
    let filter_used = filter.clone();
    let cases = blocking(&state, move |service| {
        Ok(service.case_list(&principal, &filter_used)?)
    })
    .await
    .map_err(|e| e.in_frame(frame.clone()))?;
    let page = CaseListPage {
        frame,
        cases,
        states: choices(
            &CaseState::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
            &query.state,
        ),
        outcomes: choices(
            &Outcome::ALL.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
            &query.outcome,
        ),
        flags: choices(
            &ProtectionFlag::ALL
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>(),
            &query.flag,
        ),
        overdue: filter.overdue_only,
        filtered: filter != CaseFilter::default(),
    };
    Ok(render(&page))
}

fn parse_choice<T>(
    text: &str,
    parse: impl Fn(&str) -> Option<T>,
    field: &str,
    frame: &Frame,
) -> Result<Option<T>, PageError> {
    if text.is_empty() {
        return Ok(None);
    }
    parse(text).map(Some).ok_or_else(|| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            "Invalid filter",
            format!("{field}: {text:?} is not one of the choices"),
        )
        .in_frame(frame.clone())
    })
}

/// A referral as the case page shows it, with the answers the reader may give (none if the
/// referral is answered or not for the reader's role).
#[derive(Debug)]
struct ReferralRow {
    code: &'static str,
    label: String,
    due: String,
    overdue: bool,
    answer: Option<String>,
    answers: Vec<Choice>,
}

/// A finding with its number (grounds refer to it). `match_same_as_group` is true when the record
/// it rests on is the one its party was identified as, which the group states once;
/// `same_fact_as` is the number of the finding that already stated its context fact (the text
/// memo's "as finding N").
#[derive(Debug)]
struct FindingRow {
    number: usize,
    finding: haven_domain::DecisionFinding,
    match_same_as_group: bool,
    same_fact_as: Option<usize>,
}

/// A measure of the request and where its execution record stands.
#[derive(Debug)]
struct MeasureRow {
    number: usize,
    kind: &'static str,
    party: Option<usize>,
    status: String,
}

/// Each measure (numbered from 0, as the decision's safeguards number them) with its record's
/// state: none yet, saved, or completed (and what was deferred).
fn measure_rows(case: &CaseView) -> Vec<MeasureRow> {
    case.request
        .measures
        .iter()
        .enumerate()
        .map(|(number, measure)| MeasureRow {
            number,
            kind: measure.kind.as_str(),
            party: measure.party,
            status: match case.file.executions.get(&number) {
                None => "no record yet".to_owned(),
                Some(execution) => match &execution.completed {
                    Some(done) => {
                        let mut status = format!(
                            "completed by {} on {}",
                            done.actor,
                            done.at.strftime("%Y-%m-%d %H:%M")
                        );
                        if !execution.deferred.is_empty() {
                            let deferred: Vec<String> = execution
                                .deferred
                                .iter()
                                .map(|code| words(code.as_str()))
                                .collect();
                            status.push_str(&format!("; still owed: {}", deferred.join(", ")));
                        }
                        status
                    }
                    None => format!(
                        "saved by {} on {}, not completed",
                        execution.saved_by,
                        execution.saved_at.strftime("%Y-%m-%d %H:%M")
                    ),
                },
            },
        })
        .collect()
}

/// The findings about one party (or the request as a whole), as the text memo groups them: the
/// record the party was identified as, with why the names matched, said once.
#[derive(Debug)]
struct FindingGroup {
    heading: String,
    identified: Option<haven_domain::MatchEvidence>,
    findings: Vec<FindingRow>,
}

/// Groups findings by party in party order, the request-wide ones last; numbers stay the
/// decision's (1-based, in decision order), which grounds cite.
fn group_findings(case: &CaseView) -> Vec<FindingGroup> {
    let mut groups: Vec<(Option<usize>, FindingGroup)> = Vec::new();
    let mut facts_said: Vec<(&haven_domain::FindingId, usize)> = Vec::new();
    for (i, finding) in case.decision.findings.iter().enumerate() {
        let position = match groups.iter().position(|(party, _)| *party == finding.party) {
            Some(position) => position,
            None => {
                groups.push((
                    finding.party,
                    FindingGroup {
                        heading: finding.party.map_or_else(
                            || "The request as a whole".to_owned(),
                            |p| party_label(case, p),
                        ),
                        identified: finding.matched.clone(),
                        findings: Vec::new(),
                    },
                ));
                groups.len() - 1
            }
        };
        let group = &mut groups[position].1;
        if group.identified.is_none() {
            group.identified = finding.matched.clone();
        }
        let match_same_as_group = match (&finding.matched, &group.identified) {
            (Some(m), Some(identified)) => m.id == identified.id && m.source == identified.source,
            (None, _) => true,
            _ => false,
        };
        let same_fact_as = finding.fact.as_ref().and_then(|fact| {
            let said = facts_said.iter().find(|(f, _)| *f == fact).map(|&(_, n)| n);
            if said.is_none() {
                facts_said.push((fact, i + 1));
            }
            said
        });
        group.findings.push(FindingRow {
            number: i + 1,
            finding: finding.clone(),
            match_same_as_group,
            same_fact_as,
        });
    }
    groups.sort_by_key(|(party, _)| party.map_or(usize::MAX, |p| p));
    groups.into_iter().map(|(_, group)| group).collect()
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    frame: Frame,
    case: CaseView,
    findings: Vec<FindingGroup>,
    measures: Vec<MeasureRow>,
    referrals: Vec<ReferralRow>,
    events: Vec<Choice>,
    notice: Option<&'static str>,
    form_error: Option<String>,
    /// The context network (absent for a role that may not see it).
    network: Option<NetworkSection>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ShowQuery {
    #[serde(default)]
    done: String,
}

/// `GET /cases/{id}`.
pub(crate) async fn show(
    State(state): State<WebState>,
    signed: Signed,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let notice = match query.done.as_str() {
        "event" => Some("The step was recorded."),
        "approval" => Some("Your approval was recorded; a second judge must now approve."),
        "answer" => Some("The answer was recorded."),
        _ => None,
    };
    case_page(&state, &signed, id, notice, None, StatusCode::OK).await
}

async fn case_page(
    state: &WebState,
    signed: &Signed,
    id: String,
    notice: Option<&'static str>,
    form_error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let frame = signed.frame("/cases");
    let principal = signed.session.principal.clone();
    let case = blocking(state, move |service| Ok(service.case(&principal, &id)?))
        .await
        .map_err(|e| e.in_frame(frame.clone()))?;
    let network = network_section(state, signed, &case.id).await?;
    let role = signed.session.principal.role;
    // The service's clock, as the case list and the referral list use: one notion of "overdue".
    let now = state.service.clock().now();
    let referrals = case
        .file
        .referrals
        .iter()
        .map(|referral| {
            let answerable = referral.answer.is_none()
                && haven_policy::workflow::answering_role(referral.code) == role;
            ReferralRow {
                code: referral.code.as_str(),
                label: words(referral.code.as_str()),
                due: referral.due.strftime("%Y-%m-%d").to_string(),
                overdue: referral.is_overdue(now),
                answer: referral.answer.as_ref().map(|a| {
                    format!(
                        "{} — by {} on {}: {}",
                        words(a.answer.as_str()),
                        a.by.actor,
                        a.by.at.strftime("%Y-%m-%d %H:%M"),
                        a.by.reason.as_str()
                    )
                }),
                answers: if answerable {
                    haven_policy::workflow::allowed_answers(referral.code)
                        .iter()
                        .map(|a| Choice::wire(a.as_str(), false))
                        .collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    let findings = group_findings(&case);
    let measures = measure_rows(&case);
    let events = case
        .allowed_events
        .iter()
        .map(|e| Choice::wire(e.as_str(), false))
        .collect();
    let page = CasePage {
        frame,
        findings,
        measures,
        referrals,
        events,
        notice,
        form_error,
        network,
        case,
    };
    Ok((status, render(&page)).into_response())
}

/// "Party 0 (subject): Бекова Айгерим", numbered from 0 as the decision's texts number parties.
fn party_label(case: &CaseView, index: usize) -> String {
    match case.request.parties.get(index) {
        Some(party) => format!(
            "Party {index} ({}): {}",
            party
                .role
                .map_or("no role given".to_owned(), |r| words(r.as_str())),
            party.names.first().map_or("", |n| n.as_str())
        ),
        None => format!("Party {index}"),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EventForm {
    #[serde(default)]
    event: String,
    #[serde(default)]
    reason: String,
}

/// `POST /cases/{id}/events`: a case event with its reason. A refusal is shown on the case page
/// beside the form, with the rule's words.
pub(crate) async fn event(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted<EventForm>,
) -> Result<Response, PageError> {
    let Some(event) = CaseEvent::parse(&posted.form.event) else {
        return case_page(
            &state,
            &posted.signed,
            id,
            None,
            Some("Choose a step.".into()),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let principal = posted.signed.session.principal.clone();
    let (case_id, reason) = (id.clone(), posted.form.reason.clone());
    let outcome = blocking(&state, move |service| {
        Ok(service.case_event(&principal, &case_id, event, &reason))
    })
    .await?;
    match outcome {
        Ok(outcome) => {
            let done = if outcome.awaits_second_approval() {
                "approval"
            } else {
                "event"
            };
            Ok(Redirect::to(&format!("/cases/{}?done={done}", outcome.case)).into_response())
        }
        Err(error) => refused(&state, &posted.signed, id, error).await,
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
}

/// `POST /cases/{id}/referrals/{code}/answer`.
pub(crate) async fn answer_referral(
    State(state): State<WebState>,
    Path((id, code)): Path<(String, String)>,
    posted: Posted<AnswerForm>,
) -> Result<Response, PageError> {
    let (Some(code), Some(answer)) = (
        ReferralCode::parse(&code),
        ReferralAnswer::parse(&posted.form.answer),
    ) else {
        return case_page(
            &state,
            &posted.signed,
            id,
            None,
            Some("Choose an answer.".into()),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let principal = posted.signed.session.principal.clone();
    let (case_id, reason) = (id.clone(), posted.form.reason.clone());
    let outcome = blocking(&state, move |service| {
        Ok(service.answer_referral(&principal, &case_id, code, answer, &reason))
    })
    .await?;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?done=answer")).into_response()),
        Err(error) => refused(&state, &posted.signed, id, error).await,
    }
}

/// A step the service refused: the case page again, the refusal beside the forms, with the
/// status the API would answer.
async fn refused(
    state: &WebState,
    signed: &Signed,
    id: String,
    error: haven_app::AppError,
) -> Result<Response, PageError> {
    let page_error = PageError::from(error);
    if page_error.status == StatusCode::NOT_FOUND {
        return Err(page_error.in_frame(signed.frame("/cases")));
    }
    case_page(
        state,
        signed,
        id,
        None,
        Some(page_error.message),
        page_error.status,
    )
    .await
}

/// A wire name in words: `freeze_and_refer` → "freeze and refer".
pub(crate) fn words(wire: &str) -> String {
    wire.replace('_', " ")
}

/// The case's context network as the reader may see it; none for a role the service refuses.
async fn network_section(
    state: &WebState,
    signed: &Signed,
    id: &str,
) -> Result<Option<NetworkSection>, PageError> {
    let principal = signed.session.principal.clone();
    let id = id.to_owned();
    blocking(state, move |service| {
        match service.context_network(&principal, &id) {
            Ok(network) => Ok(Some(NetworkSection::of(&network))),
            Err(haven_app::AppError::Forbidden { .. }) => Ok(None),
            Err(other) => Err(other.into()),
        }
    })
    .await
    .map_err(|e| e.in_frame(signed.frame("/cases")))
}
