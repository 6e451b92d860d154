//! The case state machine (DESIGN §5.5) as a pure function: [`transition`] takes a case's file,
//! its decision, an event, who asks and when, and returns the new file or the refusal. Who may
//! do what is one table, [`may`]; four-eyes events need two different judges; referring opens a
//! referral per authority the decision names, each with a due date.
//!
//! The transitions (anything else is refused with `invalid_transition`):
//!
//! | event                | from                                   | to                 |
//! |----------------------|----------------------------------------|--------------------|
//! | `freeze`             | assessed, referred                     | frozen             |
//! | `refer`              | assessed                               | referred           |
//! | `refer`              | frozen                                 | frozen (stays)     |
//! | `lift_freeze`        | frozen (two judges)                    | assessed           |
//! | `authorise`          | assessed (one judge)                   | authorised         |
//! | `authorise`          | frozen, referred (two judges)          | authorised         |
//! | `refuse`             | assessed, frozen, referred             | refused            |
//! | `start_execution`    | authorised                             | executing          |
//! | `complete_execution` | executing                              | executed           |
//! | `propose_transfer`   | executed, transferred                  | transfer_pending   |
//! | `send_transfer`      | transfer_pending                       | transferred        |
//! | `close`              | executed, transferred, refused         | closed             |
//!
//! A step is checked in a fixed order, so the refusal a user sees is the first thing to fix:
//! the role (`forbidden`), then the case's state (`invalid_transition`), then the event's own
//! rules (`freeze_required`, `referral_open`), and only then four-eyes — so no first approval is
//! ever recorded for a step that would be refused anyway.

use haven_domain::workflow::{
    CaseEvent, CaseFile, CaseState, EventRecord, PendingApproval, Reason, Referral, ReferralAnswer,
    ReferralAnswered, Refusal, RefusalCode, Signed,
};
use haven_domain::{Decision, Outcome, Principal, ReferralCode, Role};

/// Days an authority has to answer a referral.
pub const REFERRAL_DUE_DAYS: i64 = 14;

/// One step someone asks for.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub event: CaseEvent,
    pub by: &'a Principal,
    pub at: jiff::Timestamp,
    pub reason: Reason,
}

/// What a step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The case moved; the record is the last entry of the new file's history.
    Moved(EventRecord),
    /// The first of two approvals was recorded (HTTP 202): nothing moved yet.
    AwaitingSecondApproval(PendingApproval),
}

/// May this role ask for this event at all (whatever the case's state)?
///
/// - `freeze`, `lift_freeze`, `authorise`, `refuse`, `send_transfer`: judge — decisions on the
///   measure itself and on what leaves the country are judicial.
/// - `refer`, `close`: officer or judge — the desk routes and files cases.
/// - `start_execution`, `complete_execution`: police, who execute.
/// - `propose_transfer`: officer; a transfer is then approved by judges.
///
/// The asylum liaison, the auditor and the administrator move no case.
pub fn may(role: Role, event: CaseEvent) -> bool {
    roles_for(event).contains(&role)
}

/// The roles that may ask for `event` (the table behind [`may`]).
fn roles_for(event: CaseEvent) -> &'static [Role] {
    match event {
        CaseEvent::Freeze
        | CaseEvent::LiftFreeze
        | CaseEvent::Authorise
        | CaseEvent::Refuse
        | CaseEvent::SendTransfer => &[Role::Judge],
        CaseEvent::Refer | CaseEvent::Close => &[Role::Officer, Role::Judge],
        CaseEvent::StartExecution | CaseEvent::CompleteExecution => &[Role::Police],
        CaseEvent::ProposeTransfer => &[Role::Officer],
    }
}

/// Where `event` takes a case that is in `from`, or `None` if it does not apply there. The one
/// place the transition table of the module header is written down; messages derive the states
/// an event applies to from it.
fn target(from: CaseState, event: CaseEvent) -> Option<CaseState> {
    use CaseEvent as E;
    use CaseState as S;
    match (event, from) {
        (E::Freeze, S::Assessed | S::Referred) => Some(S::Frozen),
        (E::Refer, S::Assessed) => Some(S::Referred),
        // A frozen case stays frozen while the authorities are asked: referring must not
        // undo the freeze.
        (E::Refer, S::Frozen) => Some(S::Frozen),
        (E::LiftFreeze, S::Frozen) => Some(S::Assessed),
        (E::Authorise, S::Assessed | S::Frozen | S::Referred) => Some(S::Authorised),
        (E::Refuse, S::Assessed | S::Frozen | S::Referred) => Some(S::Refused),
        (E::StartExecution, S::Authorised) => Some(S::Executing),
        (E::CompleteExecution, S::Executing) => Some(S::Executed),
        // A new proposal while one is pending: a judge's sorting or a corrected covering text
        // is only taken into account by proposing again (the gate's verdict is fixed when
        // proposed); the old proposal stays on file, unsent.
        (E::ProposeTransfer, S::Executed | S::TransferPending | S::Transferred) => {
            Some(S::TransferPending)
        }
        // From transferred too: another proposal pending beside the one just sent.
        (E::SendTransfer, S::TransferPending | S::Transferred) => Some(S::Transferred),
        // Not from transfer_pending: a proposed transfer is sent or stays on file first.
        (E::Close, S::Executed | S::Transferred | S::Refused) => Some(S::Closed),
        _ => None,
    }
}

/// A step that its role, the case's state and the event's own rules allow.
struct Plan {
    /// Needs two different judges.
    four_eyes: bool,
}

/// Everything about a step that does not depend on who exactly asks: role, state, the event's
/// own rules. Shared by [`transition`] and [`allowed_events`], so the UI never offers a step the
/// server would refuse.
fn plan(
    file: &CaseFile,
    decision: &Decision,
    event: CaseEvent,
    role: Role,
) -> Result<Plan, Refusal> {
    if !may(role, event) {
        return Err(forbidden(role, event));
    }
    let from = file.state;
    if target(from, event).is_none() {
        return Err(invalid_transition(from, event));
    }
    let four_eyes = match event {
        // Lifting a freeze undoes a judge's protective decision: never one judge alone.
        CaseEvent::LiftFreeze => true,
        CaseEvent::Authorise => {
            if from == CaseState::Assessed && !authorisable_by_one_judge(file, decision) {
                return Err(Refusal::new(
                    RefusalCode::FreezeRequired,
                    format!(
                        "the decision is {}: freeze or refer the case first; authorising it then \
                         needs two judges",
                        decision.outcome
                    ),
                ));
            }
            let open: Vec<ReferralCode> = file
                .referrals
                .iter()
                .filter(|r| r.answer.is_none() && holds_authorisation(r.code))
                .map(|r| r.code)
                .collect();
            if !open.is_empty() {
                return Err(referral_open(&open));
            }
            // A case that was frozen or referred is authorised against that earlier caution.
            from != CaseState::Assessed
        }
        _ => false,
    };
    Ok(Plan { four_eyes })
}

/// Whether an open referral to this authority holds up authorisation. Only the asylum
/// authority's answer decides whether execution may go ahead at all (is the person protected?);
/// the other referrals inform — the bar association attends the search of a lawyer's premises,
/// the data-protection officer is told, the investigating judge answers by deciding — and are
/// tracked with their due dates without holding the case.
pub fn holds_authorisation(code: ReferralCode) -> bool {
    code == ReferralCode::AsylumAuthority
}

/// One judge may authorise an assessed case when the decision lets it proceed, or when two
/// judges already lifted the freeze it called for.
fn authorisable_by_one_judge(file: &CaseFile, decision: &Decision) -> bool {
    matches!(
        decision.outcome,
        Outcome::Proceed | Outcome::ProceedWithSafeguards
    ) || file.freeze_lifted
}

/// Applies one event to a case.
///
/// - Refused in this order: `forbidden` (the role may not ask for the event, see [`may`]),
///   `invalid_transition` (the event does not apply to the case's state; closed accepts nothing,
///   refused only `close`), then `freeze_required` (authorising an assessed case whose decision
///   is `freeze_and_refer` or `refuse`, unless two judges lifted a freeze) and `referral_open`
///   (authorising while a referral is unanswered; the open codes are in `details`).
/// - Four-eyes (`lift_freeze`; `authorise` from frozen or referred): with no first approval of
///   this event on file, the step records one in `pending` and answers
///   [`Applied::AwaitingSecondApproval`] — nothing moves, the history is unchanged. A first
///   approval of another event is replaced. The same judge again is refused with `four_eyes`;
///   another judge applies it, and the history names both (`first_approval`).
/// - `refer` opens one referral per authority the decision names (the asylum authority if it
///   names none) that the file does not have yet, due [`REFERRAL_DUE_DAYS`] days later.
/// - `lift_freeze` sets `freeze_lifted`: one judge may then authorise from assessed.
/// - Every applied step appends its [`EventRecord`] and clears any pending approval.
pub fn transition(
    file: &CaseFile,
    decision: &Decision,
    step: Step<'_>,
) -> Result<(CaseFile, Applied), Refusal> {
    let event = step.event;
    let plan = plan(file, decision, event, step.by.role)?;
    let signed = Signed::new(step.by, step.at, step.reason);

    let first_approval = if plan.four_eyes {
        match &file.pending {
            Some(pending) if pending.event == event => {
                if pending.by.actor == signed.actor {
                    return Err(Refusal::new(
                        RefusalCode::FourEyes,
                        format!(
                            "the second approval must come from another judge; {} approved on {}",
                            pending.by.actor, pending.by.at
                        ),
                    ));
                }
                Some(pending.by.clone())
            }
            _ => {
                let pending = PendingApproval { event, by: signed };
                let mut next = file.clone();
                next.pending = Some(pending.clone());
                return Ok((next, Applied::AwaitingSecondApproval(pending)));
            }
        }
    } else {
        None
    };

    let mut next = file.clone();
    match event {
        CaseEvent::Refer => open_referrals(&mut next, decision, step.at)?,
        CaseEvent::LiftFreeze => next.freeze_lifted = true,
        _ => {}
    }
    let record = record_event(&mut next, event, signed, first_approval)?;
    Ok((next, Applied::Moved(record)))
}

/// Moves the case by `event` and appends the event to its history: the one place a case's
/// state changes. [`transition`] calls it after its own rules; the execution record and the
/// gate call it for the events their rules decide (completing the last record, proposing and
/// sending a transfer), so the role and state tables above still have the last word.
pub(crate) fn record_event(
    file: &mut CaseFile,
    event: CaseEvent,
    by: Signed,
    first_approval: Option<Signed>,
) -> Result<EventRecord, Refusal> {
    if !may(by.role, event) {
        return Err(forbidden(by.role, event));
    }
    let from = file.state;
    let to = target(from, event).ok_or_else(|| invalid_transition(from, event))?;
    file.state = to;
    file.pending = None;
    let record = EventRecord {
        event,
        from,
        to,
        by,
        first_approval,
    };
    file.events.push(record.clone());
    Ok(record)
}

/// The authorities a referral goes to: those the decision names, once each, or the asylum
/// authority when it names none (a case is referred because of a protection finding).
fn referral_codes(decision: &Decision) -> Vec<ReferralCode> {
    if decision.referrals.is_empty() {
        return vec![ReferralCode::AsylumAuthority];
    }
    let mut codes: Vec<ReferralCode> = Vec::new();
    for code in &decision.referrals {
        if !codes.contains(code) {
            codes.push(*code);
        }
    }
    codes
}

/// Opens the referrals the file does not have yet; referring again opens nothing new and keeps
/// every earlier due date and answer.
fn open_referrals(
    file: &mut CaseFile,
    decision: &Decision,
    at: jiff::Timestamp,
) -> Result<(), Refusal> {
    let due = at
        .checked_add(jiff::SignedDuration::from_hours(24 * REFERRAL_DUE_DAYS))
        .map_err(|_| {
            Refusal::new(
                RefusalCode::Invalid,
                format!("at: {at} is too late for a referral due {REFERRAL_DUE_DAYS} days later"),
            )
        })?;
    for code in referral_codes(decision) {
        if !file.referrals.iter().any(|r| r.code == code) {
            file.referrals.push(Referral {
                code,
                opened_at: at,
                due,
                answer: None,
            });
        }
    }
    Ok(())
}

/// The role that answers a referral to this authority. The asylum liaison answers for the asylum
/// authority and the investigating judge for themself; the bar association and the
/// data-protection officer are outside bodies whose answer the officer records.
pub fn answering_role(code: ReferralCode) -> Role {
    match code {
        ReferralCode::AsylumAuthority => Role::AsylumLiaison,
        ReferralCode::InvestigatingJudge => Role::Judge,
        ReferralCode::BarAssociation | ReferralCode::DataProtectionOfficer => Role::Officer,
    }
}

/// The answers a referral to this authority takes: the asylum authority says whether the person
/// is protected (or unknown to it); the others take note.
pub fn allowed_answers(code: ReferralCode) -> &'static [ReferralAnswer] {
    match code {
        ReferralCode::AsylumAuthority => &[
            ReferralAnswer::Protected,
            ReferralAnswer::NotProtected,
            ReferralAnswer::NoRecord,
        ],
        ReferralCode::InvestigatingJudge
        | ReferralCode::BarAssociation
        | ReferralCode::DataProtectionOfficer => &[ReferralAnswer::Acknowledged],
    }
}

/// Records an authority's answer to an open referral.
///
/// Refused in this order: `forbidden` (not the role that answers for that authority, see
/// [`answering_role`]), `invalid_transition` (the case is closed; or the referral was already
/// answered — an answer is never overwritten), `not_found` (the case has no referral to that
/// authority), `invalid` (an answer the authority does not give, see [`allowed_answers`]).
/// Any other state is fine: an answer may arrive after the case moved on, and it belongs on file.
pub fn answer_referral(
    file: &CaseFile,
    code: ReferralCode,
    answer: ReferralAnswer,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<CaseFile, Refusal> {
    let answerer = answering_role(code);
    if by.role != answerer {
        return Err(Refusal::new(
            RefusalCode::Forbidden,
            format!(
                "the {} role may not answer the {code} referral: only the {answerer} role may",
                by.role
            ),
        ));
    }
    if file.state == CaseState::Closed {
        return Err(Refusal::new(
            RefusalCode::InvalidTransition,
            format!("the case is closed: its {code} referral can no longer be answered"),
        ));
    }
    let Some(index) = file.referrals.iter().position(|r| r.code == code) else {
        return Err(Refusal::new(
            RefusalCode::NotFound,
            format!("the case has no {code} referral: it was never referred there"),
        ));
    };
    if let Some(answered) = &file.referrals[index].answer {
        return Err(Refusal::new(
            RefusalCode::InvalidTransition,
            format!(
                "the {code} referral was already answered by {} on {}",
                answered.by.actor, answered.by.at
            ),
        ));
    }
    let allowed = allowed_answers(code);
    if !allowed.contains(&answer) {
        let names: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
        return Err(Refusal::new(
            RefusalCode::Invalid,
            format!(
                "answer: the {code} referral takes {}, not {answer}",
                join_or(&names)
            ),
        ));
    }
    let mut next = file.clone();
    next.referrals[index].answer = Some(ReferralAnswered {
        answer,
        by: Signed::new(by, at, reason),
    });
    Ok(next)
}

/// The open referrals past their due date at `now` (for `GET /referrals?overdue=true` and the
/// statistics).
pub fn overdue(file: &CaseFile, now: jiff::Timestamp) -> Vec<&Referral> {
    file.referrals
        .iter()
        .filter(|r| r.is_overdue(now))
        .collect()
}

/// The requestable events ([`CaseEvent::REQUESTABLE`]) this role could ask for now: those
/// [`transition`] would not refuse for a user of this role — except `four_eyes`, which depends
/// on who the user is, so a four-eyes event is listed for every judge.
pub fn allowed_events(file: &CaseFile, decision: &Decision, role: Role) -> Vec<CaseEvent> {
    CaseEvent::REQUESTABLE
        .iter()
        .copied()
        .filter(|&event| plan(file, decision, event, role).is_ok())
        .collect()
}

/// What an event does, as a verb phrase for messages.
fn doing(event: CaseEvent) -> &'static str {
    match event {
        CaseEvent::Freeze => "freeze a case",
        CaseEvent::Refer => "refer a case",
        CaseEvent::LiftFreeze => "lift a case's freeze",
        CaseEvent::Authorise => "authorise a case",
        CaseEvent::Refuse => "refuse a case",
        CaseEvent::StartExecution => "start a case's execution",
        CaseEvent::Close => "close a case",
        CaseEvent::CompleteExecution => "complete a case's execution",
        CaseEvent::ProposeTransfer => "propose a transfer",
        CaseEvent::SendTransfer => "send a transfer",
    }
}

/// Refuses anyone but `role` a step that is that role's alone (keeping an execution record,
/// proposing or approving a transfer): the execution record's and the gate's role check.
pub(crate) fn require_role(by: &Principal, role: Role, step: &str) -> Result<(), Refusal> {
    if by.role == role {
        Ok(())
    } else {
        Err(Refusal::new(
            RefusalCode::Forbidden,
            format!(
                "role: only the {role} role may {step}; {} acts as {}",
                by.actor, by.role
            ),
        ))
    }
}

fn forbidden(role: Role, event: CaseEvent) -> Refusal {
    let allowed: Vec<&str> = roles_for(event).iter().map(|r| r.as_str()).collect();
    Refusal::new(
        RefusalCode::Forbidden,
        format!(
            "the {role} role may not {}: only the {} role may",
            doing(event),
            join_or(&allowed)
        ),
    )
}

fn invalid_transition(from: CaseState, event: CaseEvent) -> Refusal {
    let sources: Vec<&str> = CaseState::ALL
        .iter()
        .copied()
        .filter(|&state| target(state, event).is_some())
        .map(CaseState::as_str)
        .collect();
    let closed = if from == CaseState::Closed {
        "; a closed case accepts nothing more"
    } else {
        ""
    };
    Refusal::new(
        RefusalCode::InvalidTransition,
        format!(
            "the case is {from}: {event} applies only to a case that is {}{closed}",
            join_or(&sources)
        ),
    )
}

fn referral_open(open: &[ReferralCode]) -> Refusal {
    let names: Vec<&str> = open.iter().map(|c| c.as_str()).collect();
    Refusal::new(
        RefusalCode::ReferralOpen,
        format!(
            "authorising needs every referral answered; still open: {}",
            names.join(", ")
        ),
    )
    .with_details(names.iter().map(|n| (*n).to_owned()).collect())
}

/// `a`, `a or b`, `a, b or c`.
fn join_or(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
