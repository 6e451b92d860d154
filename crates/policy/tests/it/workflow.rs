//! The case state machine: who may ask for what (one row per event), the transition table (one
//! row per legal move, every other state × event refused), the full state × event × role matrix
//! as a snapshot for two decisions, four-eyes, referrals and their answers, and a property test:
//! a case the decision says to freeze is never authorised without two different judges.

use haven_domain::workflow::{
    CaseEvent, CaseFile, CaseState, Reason, ReferralAnswer, Refusal, RefusalCode,
};
use haven_domain::{AccountName, Decision, Outcome, Principal, ReferralCode, Role};
use haven_policy::workflow::{
    Applied, REFERRAL_DUE_DAYS, Step, allowed_answers, allowed_events, answer_referral,
    answering_role, may, overdue, transition,
};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

// Short names for the one-line rows of the hand-written tables.
use haven_domain::ReferralCode as Ref;
use haven_domain::Role as R;
use haven_domain::workflow::{
    CaseEvent as E, CaseState as S, ReferralAnswer as A, RefusalCode as C,
};

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

fn decision(outcome: Outcome, referrals: &[ReferralCode]) -> Decision {
    Decision {
        outcome,
        legal_basis: None,
        findings: Vec::new(),
        safeguards: Vec::new(),
        referrals: referrals.to_vec(),
        reasons: Vec::new(),
        reply_to_requesting_state: String::new(),
        rules_applied: Vec::new(),
        grounds: Vec::new(),
        catalogue_version: None,
        ledger: None,
    }
}

fn freeze_and_refer() -> Decision {
    decision(Outcome::FreezeAndRefer, &[ReferralCode::AsylumAuthority])
}

fn proceed_with_safeguards() -> Decision {
    decision(Outcome::ProceedWithSafeguards, &[])
}

fn who(actor: &str, role: Role) -> Principal {
    Principal {
        actor: AccountName::parse(actor).expect("test account name"),
        role,
    }
}

/// `hours` after a fixed morning.
fn at(hours: i64) -> Timestamp {
    let start: Timestamp = "2026-03-02T09:00:00Z".parse().expect("timestamp");
    start
        .checked_add(SignedDuration::from_hours(hours))
        .expect("in range")
}

fn reason() -> Reason {
    Reason::parse("recorded in the test").expect("reason")
}

fn file_in(state: CaseState) -> CaseFile {
    CaseFile {
        state,
        ..CaseFile::assessed()
    }
}

fn apply(
    file: &CaseFile,
    decision: &Decision,
    event: CaseEvent,
    by: &Principal,
    hour: i64,
) -> Result<(CaseFile, Applied), Refusal> {
    transition(
        file,
        decision,
        Step {
            event,
            by,
            at: at(hour),
            reason: reason(),
        },
    )
}

/// Applies a step that must succeed and returns the new file.
fn ok(file: &CaseFile, decision: &Decision, event: CaseEvent, by: &Principal) -> CaseFile {
    let hour = i64::try_from(file.events.len()).expect("small") + 1;
    match apply(file, decision, event, by, hour) {
        Ok((next, _)) => next,
        Err(refusal) => panic!("{event} by {} {}: {refusal:?}", by.actor, by.role),
    }
}

fn refused(result: Result<(CaseFile, Applied), Refusal>) -> Refusal {
    match result {
        Ok((_, applied)) => panic!("expected a refusal, got {applied:?}"),
        Err(refusal) => refusal,
    }
}

// ---------------------------------------------------------------------------------------------
// Who may ask for what
// ---------------------------------------------------------------------------------------------

#[rustfmt::skip]
const MAY: &[(CaseEvent, &[Role])] = &[
    (CaseEvent::Freeze, &[Role::Judge]),
    (CaseEvent::Refer, &[Role::Officer, Role::Judge]),
    (CaseEvent::LiftFreeze, &[Role::Judge]),
    (CaseEvent::Authorise, &[Role::Judge]),
    (CaseEvent::Refuse, &[Role::Judge]),
    (CaseEvent::StartExecution, &[Role::Police]),
    (CaseEvent::Close, &[Role::Officer, Role::Judge]),
    (CaseEvent::CompleteExecution, &[Role::Police]),
    (CaseEvent::ProposeTransfer, &[Role::Officer]),
    (CaseEvent::SendTransfer, &[Role::Judge]),
];

#[test]
fn who_may_ask_for_each_event() {
    assert_eq!(MAY.len(), CaseEvent::ALL.len(), "one row per event");
    for &(event, roles) in MAY {
        for &role in Role::ALL {
            assert_eq!(may(role, event), roles.contains(&role), "{role} {event}");
        }
    }
}

#[test]
fn forbidden_comes_first_and_names_the_role_and_the_step() {
    // A closed case would refuse freeze as invalid_transition; the role is checked before.
    let refusal = refused(apply(
        &file_in(CaseState::Closed),
        &freeze_and_refer(),
        CaseEvent::Freeze,
        &who("pia", Role::Police),
        1,
    ));
    assert_eq!(refusal.code, RefusalCode::Forbidden);
    assert_eq!(
        refusal.message,
        "the police role may not freeze a case: only the judge role may"
    );
    let refusal = refused(apply(
        &file_in(CaseState::Executed),
        &freeze_and_refer(),
        CaseEvent::Close,
        &who("lia", Role::AsylumLiaison),
        1,
    ));
    assert_eq!(
        refusal.message,
        "the asylum_liaison role may not close a case: only the officer or judge role may"
    );
}

// ---------------------------------------------------------------------------------------------
// The transition table
// ---------------------------------------------------------------------------------------------

/// Every legal move, written out by hand from DESIGN §5.5 and the brief: everything else is
/// `invalid_transition`.
#[rustfmt::skip]
const MOVES: &[(CaseState, CaseEvent, CaseState)] = &[
    (CaseState::Assessed,        CaseEvent::Freeze,            CaseState::Frozen),
    (CaseState::Referred,        CaseEvent::Freeze,            CaseState::Frozen),
    (CaseState::Assessed,        CaseEvent::Refer,             CaseState::Referred),
    (CaseState::Frozen,          CaseEvent::Refer,             CaseState::Frozen),
    (CaseState::Frozen,          CaseEvent::LiftFreeze,        CaseState::Assessed),
    (CaseState::Assessed,        CaseEvent::Authorise,         CaseState::Authorised),
    (CaseState::Frozen,          CaseEvent::Authorise,         CaseState::Authorised),
    (CaseState::Referred,        CaseEvent::Authorise,         CaseState::Authorised),
    (CaseState::Assessed,        CaseEvent::Refuse,            CaseState::Refused),
    (CaseState::Frozen,          CaseEvent::Refuse,            CaseState::Refused),
    (CaseState::Referred,        CaseEvent::Refuse,            CaseState::Refused),
    (CaseState::Authorised,      CaseEvent::StartExecution,    CaseState::Executing),
    (CaseState::Executing,       CaseEvent::CompleteExecution, CaseState::Executed),
    (CaseState::Executed,        CaseEvent::ProposeTransfer,   CaseState::TransferPending),
    (CaseState::Transferred,     CaseEvent::ProposeTransfer,   CaseState::TransferPending),
    (CaseState::TransferPending, CaseEvent::ProposeTransfer,   CaseState::TransferPending),
    (CaseState::TransferPending, CaseEvent::SendTransfer,      CaseState::Transferred),
    (CaseState::Transferred,     CaseEvent::SendTransfer,      CaseState::Transferred),
    (CaseState::Executed,        CaseEvent::Close,             CaseState::Closed),
    (CaseState::Transferred,     CaseEvent::Close,             CaseState::Closed),
    (CaseState::Refused,         CaseEvent::Close,             CaseState::Closed),
];

/// Four-eyes moves need a second judge: (from, event).
#[rustfmt::skip]
const FOUR_EYES: &[(CaseState, CaseEvent)] = &[
    (CaseState::Frozen, CaseEvent::LiftFreeze),
    (CaseState::Frozen, CaseEvent::Authorise),
    (CaseState::Referred, CaseEvent::Authorise),
];

#[test]
fn every_state_and_event_moves_as_the_table_says() {
    // Proceed with safeguards and no referral on file: only the state decides.
    let decision = proceed_with_safeguards();
    for &from in CaseState::ALL {
        for &event in CaseEvent::ALL {
            let role = MAY
                .iter()
                .find(|(e, _)| *e == event)
                .map(|(_, roles)| roles[0])
                .expect("every event has a role");
            let first = who("first", role);
            let second = who("second", role);
            let expected = MOVES
                .iter()
                .find(|(f, e, _)| *f == from && *e == event)
                .map(|(_, _, to)| *to);
            let four_eyes = FOUR_EYES.contains(&(from, event));
            let result = apply(&file_in(from), &decision, event, &first, 1);
            match (expected, result) {
                (None, Err(refusal)) => {
                    assert_eq!(
                        refusal.code,
                        RefusalCode::InvalidTransition,
                        "{from} {event}"
                    );
                    assert!(
                        refusal.message.contains(from.as_str()),
                        "{}",
                        refusal.message
                    );
                    assert!(
                        refusal.message.contains(event.as_str()),
                        "{}",
                        refusal.message
                    );
                }
                (Some(to), Ok((file, Applied::AwaitingSecondApproval(pending)))) => {
                    assert!(four_eyes, "{from} {event} asked for a second judge");
                    assert_eq!(pending.event, event);
                    assert_eq!(file.state, from, "nothing moves on a first approval");
                    assert!(file.events.is_empty(), "nor is the history written");
                    let (file, applied) =
                        apply(&file, &decision, event, &second, 2).expect("second judge");
                    let Applied::Moved(record) = applied else {
                        panic!("{from} {event}: the second judge applies it")
                    };
                    assert_eq!((record.from, record.to, file.state), (from, to, to));
                }
                (Some(to), Ok((file, Applied::Moved(record)))) => {
                    assert!(!four_eyes, "{from} {event} moved on one judge");
                    assert_eq!((record.from, record.to, file.state), (from, to, to));
                    assert_eq!(file.events, vec![record]);
                }
                (expected, result) => {
                    panic!("{from} {event}: expected {expected:?}, got {result:?}")
                }
            }
        }
    }
}

#[test]
fn invalid_transition_names_the_state_the_event_and_where_it_applies() {
    let refusal = refused(apply(
        &file_in(CaseState::TransferPending),
        &proceed_with_safeguards(),
        CaseEvent::Close,
        &who("olga", Role::Officer),
        1,
    ));
    assert_eq!(
        refusal.message,
        "the case is transfer_pending: close applies only to a case that is executed, \
         transferred or refused"
    );
    let refusal = refused(apply(
        &file_in(CaseState::Closed),
        &proceed_with_safeguards(),
        CaseEvent::Close,
        &who("olga", Role::Officer),
        1,
    ));
    assert_eq!(refusal.code, RefusalCode::InvalidTransition);
    assert!(
        refusal
            .message
            .ends_with("a closed case accepts nothing more")
    );
}

// ---------------------------------------------------------------------------------------------
// The full matrix, as a snapshot
// ---------------------------------------------------------------------------------------------

fn outcome_of(result: &Result<(CaseFile, Applied), Refusal>) -> String {
    match result {
        Ok((_, Applied::Moved(record))) => format!("→ {}", record.to),
        Ok((_, Applied::AwaitingSecondApproval(_))) => "1st approval".to_owned(),
        Err(refusal) => format!("✗ {}", refusal.code),
    }
}

/// Every state × event × role, for a `freeze_and_refer` and a `proceed_with_safeguards`
/// decision, from a file with no referral and no pending approval; roles with the same results
/// share a line.
#[test]
fn the_full_matrix() {
    let decisions = [freeze_and_refer(), proceed_with_safeguards()];
    let mut lines = vec![format!(
        "{:<16} {:<18} {:<49} {:<20} {}",
        "state", "event", "roles", "freeze_and_refer", "proceed_with_safeguards"
    )];
    for &state in CaseState::ALL {
        for &event in CaseEvent::ALL {
            let mut groups: Vec<(Vec<&str>, Vec<String>)> = Vec::new();
            for &role in Role::ALL {
                let results: Vec<String> = decisions
                    .iter()
                    .map(|d| outcome_of(&apply(&file_in(state), d, event, &who("a", role), 1)))
                    .collect();
                match groups.iter_mut().find(|(_, r)| *r == results) {
                    Some((roles, _)) => roles.push(role.as_str()),
                    None => groups.push((vec![role.as_str()], results)),
                }
            }
            for (roles, results) in groups {
                lines.push(
                    format!(
                        "{:<16} {:<18} {:<49} {:<20} {}",
                        state.as_str(),
                        event.as_str(),
                        roles.join(","),
                        results[0],
                        results[1]
                    )
                    .trim_end()
                    .to_owned(),
                );
            }
        }
    }
    insta::assert_snapshot!("workflow_matrix", lines.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The rows that matter most, by hand
// ---------------------------------------------------------------------------------------------

/// Expected result of one step from a fresh file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Moved(CaseState),
    FirstApproval,
    Refused(RefusalCode),
}

struct Row {
    state: CaseState,
    freeze_lifted: bool,
    open_referral: bool,
    outcome: Outcome,
    event: CaseEvent,
    role: Role,
    want: Want,
}

const fn row(state: CaseState, outcome: Outcome, event: CaseEvent, role: Role, want: Want) -> Row {
    Row {
        state,
        freeze_lifted: false,
        open_referral: false,
        outcome,
        event,
        role,
        want,
    }
}

const FAR: Outcome = Outcome::FreezeAndRefer;
const PWS: Outcome = Outcome::ProceedWithSafeguards;

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // The decision says freeze: one judge cannot authorise an assessed case...
    row(S::Assessed, FAR, E::Authorise, R::Judge, Want::Refused(C::FreezeRequired)),
    row(S::Assessed, Outcome::Refuse, E::Authorise, R::Judge, Want::Refused(C::FreezeRequired)),
    // ...unless two judges lifted the freeze.
    Row { freeze_lifted: true, ..row(S::Assessed, FAR, E::Authorise, R::Judge, Want::Moved(S::Authorised)) },
    // Proceed: one judge authorises.
    row(S::Assessed, PWS, E::Authorise, R::Judge, Want::Moved(S::Authorised)),
    row(S::Assessed, Outcome::Proceed, E::Authorise, R::Judge, Want::Moved(S::Authorised)),
    // Frozen or referred: two judges, whatever the decision.
    row(S::Frozen, FAR, E::Authorise, R::Judge, Want::FirstApproval),
    row(S::Referred, FAR, E::Authorise, R::Judge, Want::FirstApproval),
    row(S::Frozen, PWS, E::Authorise, R::Judge, Want::FirstApproval),
    row(S::Frozen, FAR, E::LiftFreeze, R::Judge, Want::FirstApproval),
    // An open referral stops every authorise, before any approval is recorded.
    Row { open_referral: true, ..row(S::Referred, FAR, E::Authorise, R::Judge, Want::Refused(C::ReferralOpen)) },
    Row { open_referral: true, ..row(S::Frozen, FAR, E::Authorise, R::Judge, Want::Refused(C::ReferralOpen)) },
    Row { open_referral: true, freeze_lifted: true, ..row(S::Assessed, FAR, E::Authorise, R::Judge, Want::Refused(C::ReferralOpen)) },
    // freeze_required is checked before referral_open.
    Row { open_referral: true, ..row(S::Assessed, FAR, E::Authorise, R::Judge, Want::Refused(C::FreezeRequired)) },
    // An open referral does not stop a refusal or a freeze.
    Row { open_referral: true, ..row(S::Referred, FAR, E::Refuse, R::Judge, Want::Moved(S::Refused)) },
    Row { open_referral: true, ..row(S::Referred, FAR, E::Freeze, R::Judge, Want::Moved(S::Frozen)) },
    // Forbidden before anything else.
    row(S::Assessed, FAR, E::Freeze, R::Police, Want::Refused(C::Forbidden)),
    row(S::Frozen, FAR, E::Authorise, R::Officer, Want::Refused(C::Forbidden)),
    row(S::Closed, FAR, E::Authorise, R::Admin, Want::Refused(C::Forbidden)),
    row(S::Assessed, FAR, E::Refer, R::AsylumLiaison, Want::Refused(C::Forbidden)),
    row(S::Authorised, PWS, E::StartExecution, R::Judge, Want::Refused(C::Forbidden)),
    // Referring a frozen case keeps it frozen; a referred case is not referred again.
    row(S::Frozen, FAR, E::Refer, R::Officer, Want::Moved(S::Frozen)),
    row(S::Referred, FAR, E::Refer, R::Officer, Want::Refused(C::InvalidTransition)),
    // Closed accepts nothing; refused only close.
    row(S::Closed, PWS, E::Close, R::Judge, Want::Refused(C::InvalidTransition)),
    row(S::Closed, PWS, E::Refer, R::Officer, Want::Refused(C::InvalidTransition)),
    row(S::Closed, PWS, E::ProposeTransfer, R::Officer, Want::Refused(C::InvalidTransition)),
    row(S::Refused, PWS, E::Authorise, R::Judge, Want::Refused(C::InvalidTransition)),
    row(S::Refused, PWS, E::Close, R::Officer, Want::Moved(S::Closed)),
    // Not closed while a transfer is pending.
    row(S::TransferPending, PWS, E::Close, R::Judge, Want::Refused(C::InvalidTransition)),
    // The police complete an execution alone.
    row(S::Executing, PWS, E::CompleteExecution, R::Police, Want::Moved(S::Executed)),
];

#[test]
fn the_rows_that_matter() {
    for r in ROWS {
        let decision = decision(r.outcome, &[ReferralCode::AsylumAuthority]);
        let mut file = file_in(r.state);
        file.freeze_lifted = r.freeze_lifted;
        if r.open_referral {
            let (referred, _) = apply(
                &CaseFile::assessed(),
                &decision,
                CaseEvent::Refer,
                &who("olga", Role::Officer),
                0,
            )
            .expect("refer");
            file.referrals = referred.referrals;
        }
        let result = apply(&file, &decision, r.event, &who("jan", r.role), 1);
        let got = match &result {
            Ok((_, Applied::Moved(record))) => Want::Moved(record.to),
            Ok((_, Applied::AwaitingSecondApproval(_))) => Want::FirstApproval,
            Err(refusal) => Want::Refused(refusal.code),
        };
        assert_eq!(
            got, r.want,
            "{} (lifted {}, open referral {}) {} {} {}: {result:?}",
            r.state, r.freeze_lifted, r.open_referral, r.outcome, r.event, r.role
        );
    }
}

#[test]
fn freeze_required_and_referral_open_explain_themselves() {
    let refusal = refused(apply(
        &CaseFile::assessed(),
        &freeze_and_refer(),
        CaseEvent::Authorise,
        &who("jan", Role::Judge),
        1,
    ));
    assert_eq!(
        refusal.message,
        "the decision is freeze_and_refer: freeze or refer the case first; authorising it then \
         needs two judges"
    );

    let decision = decision(
        Outcome::FreezeAndRefer,
        &[ReferralCode::AsylumAuthority, ReferralCode::BarAssociation],
    );
    let referred = ok(
        &CaseFile::assessed(),
        &decision,
        CaseEvent::Refer,
        &who("olga", Role::Officer),
    );
    let refusal = refused(apply(
        &referred,
        &decision,
        CaseEvent::Authorise,
        &who("jan", Role::Judge),
        2,
    ));
    // Only the asylum authority's answer holds the case: the bar association is told.
    assert_eq!(refusal.code, RefusalCode::ReferralOpen);
    assert_eq!(refusal.details, vec!["asylum_authority"]);
    assert!(
        refusal.message.contains("asylum_authority"),
        "{}",
        refusal.message
    );
}

// ---------------------------------------------------------------------------------------------
// Four-eyes
// ---------------------------------------------------------------------------------------------

#[test]
fn the_same_judge_cannot_approve_twice() {
    let decision = freeze_and_refer();
    let jan = who("jan", Role::Judge);
    let frozen = ok(&CaseFile::assessed(), &decision, CaseEvent::Freeze, &jan);
    let (pending, applied) =
        apply(&frozen, &decision, CaseEvent::LiftFreeze, &jan, 5).expect("first approval");
    assert!(matches!(applied, Applied::AwaitingSecondApproval(_)));
    let refusal = refused(apply(&pending, &decision, CaseEvent::LiftFreeze, &jan, 6));
    assert_eq!(refusal.code, RefusalCode::FourEyes);
    assert_eq!(
        refusal.message,
        format!(
            "the second approval must come from another judge; jan approved on {}",
            at(5)
        )
    );
}

#[test]
fn two_judges_apply_it_and_the_history_names_both() {
    let decision = freeze_and_refer();
    let (jan, kim) = (who("jan", Role::Judge), who("kim", Role::Judge));
    let frozen = ok(&CaseFile::assessed(), &decision, CaseEvent::Freeze, &jan);
    let (first, applied) =
        apply(&frozen, &decision, CaseEvent::Authorise, &jan, 5).expect("first approval");
    let Applied::AwaitingSecondApproval(pending) = applied else {
        panic!("a frozen case is authorised by two judges")
    };
    assert_eq!(
        (pending.event, pending.by.actor.as_str()),
        (CaseEvent::Authorise, "jan")
    );
    assert_eq!(first.pending, Some(pending));
    assert_eq!((first.state, first.events.len()), (CaseState::Frozen, 1));

    let (second, applied) =
        apply(&first, &decision, CaseEvent::Authorise, &kim, 6).expect("second approval");
    let Applied::Moved(record) = applied else {
        panic!("the second judge applies it")
    };
    assert_eq!(second.state, CaseState::Authorised);
    assert_eq!(second.pending, None);
    assert_eq!(second.events.last(), Some(&record));
    assert_eq!(
        (record.from, record.to),
        (CaseState::Frozen, CaseState::Authorised)
    );
    assert_eq!((record.by.actor.as_str(), record.by.at), ("kim", at(6)));
    let approval = record.first_approval.expect("the first judge is on record");
    assert_eq!(
        (approval.actor.as_str(), approval.role, approval.at),
        ("jan", Role::Judge, at(5))
    );
}

#[test]
fn another_transition_clears_a_pending_approval() {
    let decision = freeze_and_refer();
    let (jan, kim) = (who("jan", Role::Judge), who("kim", Role::Judge));
    let frozen = ok(&CaseFile::assessed(), &decision, CaseEvent::Freeze, &jan);
    let pending = ok(&frozen, &decision, CaseEvent::LiftFreeze, &jan);
    assert!(pending.pending.is_some());
    // Referring keeps the case frozen but is a step of its own: the approval lapses, and the
    // next lift_freeze is a first approval again.
    let referred = ok(
        &pending,
        &decision,
        CaseEvent::Refer,
        &who("olga", Role::Officer),
    );
    assert_eq!(
        (referred.state, referred.pending.as_ref()),
        (CaseState::Frozen, None)
    );
    let (_, applied) =
        apply(&referred, &decision, CaseEvent::LiftFreeze, &kim, 9).expect("first approval");
    assert!(matches!(applied, Applied::AwaitingSecondApproval(_)));
}

#[test]
fn a_first_approval_of_another_event_is_replaced() {
    let decision = freeze_and_refer();
    let (jan, kim) = (who("jan", Role::Judge), who("kim", Role::Judge));
    let frozen = ok(&CaseFile::assessed(), &decision, CaseEvent::Freeze, &jan);
    let lift = ok(&frozen, &decision, CaseEvent::LiftFreeze, &jan);
    let authorise = ok(&lift, &decision, CaseEvent::Authorise, &kim);
    let pending = authorise.pending.as_ref().expect("kim's approval");
    assert_eq!(
        (pending.event, pending.by.actor.as_str()),
        (CaseEvent::Authorise, "kim")
    );
    // jan now gives the second approval of kim's authorise.
    let (done, _) = apply(&authorise, &decision, CaseEvent::Authorise, &jan, 9).expect("moves");
    let record = done.events.last().expect("recorded");
    assert_eq!(record.by.actor.as_str(), "jan");
    assert_eq!(
        record.first_approval.as_ref().map(|s| s.actor.as_str()),
        Some("kim")
    );
}

#[test]
fn lifting_a_freeze_lets_one_judge_authorise() {
    let decision = freeze_and_refer();
    let (jan, kim) = (who("jan", Role::Judge), who("kim", Role::Judge));
    let frozen = ok(&CaseFile::assessed(), &decision, CaseEvent::Freeze, &jan);
    let pending = ok(&frozen, &decision, CaseEvent::LiftFreeze, &jan);
    let lifted = ok(&pending, &decision, CaseEvent::LiftFreeze, &kim);
    assert_eq!(
        (lifted.state, lifted.freeze_lifted),
        (CaseState::Assessed, true)
    );
    let authorised = ok(&lifted, &decision, CaseEvent::Authorise, &jan);
    assert_eq!(authorised.state, CaseState::Authorised);
    assert_eq!(
        authorised
            .events
            .last()
            .and_then(|r| r.first_approval.as_ref()),
        None
    );
}

// ---------------------------------------------------------------------------------------------
// Referrals
// ---------------------------------------------------------------------------------------------

#[test]
fn referring_opens_one_referral_per_authority_due_in_fourteen_days() {
    let olga = who("olga", Role::Officer);
    let decision = decision(
        Outcome::FreezeAndRefer,
        &[
            ReferralCode::AsylumAuthority,
            ReferralCode::BarAssociation,
            ReferralCode::AsylumAuthority,
        ],
    );
    let (referred, _) =
        apply(&CaseFile::assessed(), &decision, CaseEvent::Refer, &olga, 3).expect("refer");
    assert_eq!(referred.state, CaseState::Referred);
    let codes: Vec<ReferralCode> = referred.referrals.iter().map(|r| r.code).collect();
    assert_eq!(
        codes,
        vec![ReferralCode::AsylumAuthority, ReferralCode::BarAssociation]
    );
    for referral in &referred.referrals {
        assert_eq!(referral.opened_at, at(3));
        assert_eq!(referral.due, at(3 + 24 * REFERRAL_DUE_DAYS));
        assert_eq!(referral.due.to_string(), "2026-03-16T12:00:00Z");
        assert_eq!(referral.answer, None);
    }

    // Freezing and referring again opens nothing new and keeps the due dates; the step is
    // still on record.
    let frozen = ok(
        &referred,
        &decision,
        CaseEvent::Freeze,
        &who("jan", Role::Judge),
    );
    let (again, applied) = apply(&frozen, &decision, CaseEvent::Refer, &olga, 40).expect("refer");
    assert_eq!(again.referrals, referred.referrals);
    let Applied::Moved(record) = applied else {
        panic!("refer moves")
    };
    assert_eq!(
        (record.from, record.to),
        (CaseState::Frozen, CaseState::Frozen)
    );
}

#[test]
fn a_decision_naming_no_authority_refers_to_the_asylum_authority() {
    let (referred, _) = apply(
        &CaseFile::assessed(),
        &proceed_with_safeguards(),
        CaseEvent::Refer,
        &who("olga", Role::Officer),
        0,
    )
    .expect("refer");
    let codes: Vec<ReferralCode> = referred.referrals.iter().map(|r| r.code).collect();
    assert_eq!(codes, vec![ReferralCode::AsylumAuthority]);
}

#[test]
fn referrals_are_overdue_after_their_due_date_until_answered() {
    let decision = freeze_and_refer();
    let (referred, _) = apply(
        &CaseFile::assessed(),
        &decision,
        CaseEvent::Refer,
        &who("olga", Role::Officer),
        0,
    )
    .expect("refer");
    let due = at(24 * REFERRAL_DUE_DAYS);
    let just_after = due
        .checked_add(SignedDuration::from_secs(1))
        .expect("in range");
    assert!(overdue(&referred, at(1)).is_empty());
    assert!(
        overdue(&referred, due).is_empty(),
        "due on the day is not overdue yet"
    );
    let late = overdue(&referred, just_after);
    assert_eq!(
        late.iter().map(|r| r.code).collect::<Vec<_>>(),
        vec![ReferralCode::AsylumAuthority]
    );

    let answered = answer_referral(
        &referred,
        ReferralCode::AsylumAuthority,
        ReferralAnswer::NoRecord,
        &who("lia", Role::AsylumLiaison),
        just_after,
        reason(),
    )
    .expect("answer");
    assert!(overdue(&answered, at(1000)).is_empty());
}

/// (authority, role, answer, expected code or None for accepted).
#[rustfmt::skip]
const ANSWERS: &[(ReferralCode, Role, ReferralAnswer, Option<RefusalCode>)] = &[
    (Ref::AsylumAuthority, R::AsylumLiaison, A::Protected, None),
    (Ref::AsylumAuthority, R::AsylumLiaison, A::NotProtected, None),
    (Ref::AsylumAuthority, R::AsylumLiaison, A::NoRecord, None),
    (Ref::AsylumAuthority, R::AsylumLiaison, A::Acknowledged, Some(C::Invalid)),
    (Ref::AsylumAuthority, R::Officer, A::Protected, Some(C::Forbidden)),
    (Ref::AsylumAuthority, R::Judge, A::Protected, Some(C::Forbidden)),
    (Ref::InvestigatingJudge, R::Judge, A::Acknowledged, None),
    (Ref::InvestigatingJudge, R::Judge, A::Protected, Some(C::Invalid)),
    (Ref::InvestigatingJudge, R::Officer, A::Acknowledged, Some(C::Forbidden)),
    (Ref::BarAssociation, R::Officer, A::Acknowledged, None),
    (Ref::BarAssociation, R::Officer, A::NoRecord, Some(C::Invalid)),
    (Ref::BarAssociation, R::AsylumLiaison, A::Acknowledged, Some(C::Forbidden)),
    (Ref::DataProtectionOfficer, R::Officer, A::Acknowledged, None),
    (Ref::DataProtectionOfficer, R::Auditor, A::Acknowledged, Some(C::Forbidden)),
    (Ref::DataProtectionOfficer, R::Admin, A::Acknowledged, Some(C::Forbidden)),
];

#[test]
fn who_answers_which_referral_with_what() {
    let decision = decision(Outcome::FreezeAndRefer, ReferralCode::ALL);
    let (referred, _) = apply(
        &CaseFile::assessed(),
        &decision,
        CaseEvent::Refer,
        &who("olga", Role::Officer),
        0,
    )
    .expect("refer");
    for &(code, role, answer, expected) in ANSWERS {
        let result = answer_referral(&referred, code, answer, &who("ana", role), at(5), reason());
        match (expected, result) {
            (None, Ok(file)) => {
                let referral = file
                    .referrals
                    .iter()
                    .find(|r| r.code == code)
                    .expect("on file");
                let answered = referral.answer.as_ref().expect("answered");
                assert_eq!(answered.answer, answer);
                assert_eq!(
                    (answered.by.actor.as_str(), answered.by.role),
                    ("ana", role)
                );
            }
            (Some(want), Err(refusal)) => assert_eq!(refusal.code, want, "{code} {role} {answer}"),
            (expected, result) => panic!("{code} {role} {answer}: {expected:?} vs {result:?}"),
        }
    }
    let refusal = answer_referral(
        &referred,
        ReferralCode::AsylumAuthority,
        ReferralAnswer::Acknowledged,
        &who("lia", Role::AsylumLiaison),
        at(5),
        reason(),
    )
    .expect_err("not an asylum authority's answer");
    assert_eq!(
        refusal.message,
        "answer: the asylum_authority referral takes protected, not_protected or no_record, not \
         acknowledged"
    );
}

#[test]
fn an_answer_needs_an_open_referral_of_a_case_not_closed() {
    let lia = who("lia", Role::AsylumLiaison);
    let answer = |file: &CaseFile| {
        answer_referral(
            file,
            ReferralCode::AsylumAuthority,
            ReferralAnswer::Protected,
            &lia,
            at(5),
            reason(),
        )
    };
    let refusal = answer(&CaseFile::assessed()).expect_err("never referred");
    assert_eq!(refusal.code, RefusalCode::NotFound);

    let decision = freeze_and_refer();
    let referred = ok(
        &CaseFile::assessed(),
        &decision,
        CaseEvent::Refer,
        &who("olga", Role::Officer),
    );
    let answered = answer(&referred).expect("answer");
    let refusal = answer(&answered).expect_err("already answered");
    assert_eq!(refusal.code, RefusalCode::InvalidTransition);
    assert_eq!(
        refusal.message,
        format!(
            "the asylum_authority referral was already answered by lia on {}",
            at(5)
        )
    );

    // Any state but closed: an answer arriving after a refusal still goes on file.
    let refused_case = ok(
        &referred,
        &decision,
        CaseEvent::Refuse,
        &who("jan", Role::Judge),
    );
    assert!(answer(&refused_case).is_ok());
    let closed = ok(
        &refused_case,
        &decision,
        CaseEvent::Close,
        &who("olga", Role::Officer),
    );
    assert_eq!(
        answer(&closed).expect_err("closed").code,
        RefusalCode::InvalidTransition
    );
}

#[test]
fn once_every_referral_is_answered_two_judges_authorise() {
    let decision = freeze_and_refer();
    let (jan, kim) = (who("jan", Role::Judge), who("kim", Role::Judge));
    let referred = ok(
        &CaseFile::assessed(),
        &decision,
        CaseEvent::Refer,
        &who("olga", Role::Officer),
    );
    let refusal = refused(apply(&referred, &decision, CaseEvent::Authorise, &jan, 2));
    assert_eq!(refusal.code, RefusalCode::ReferralOpen);
    assert_eq!(refusal.details, vec!["asylum_authority"]);

    let answered = answer_referral(
        &referred,
        ReferralCode::AsylumAuthority,
        ReferralAnswer::NotProtected,
        &who("lia", Role::AsylumLiaison),
        at(3),
        reason(),
    )
    .expect("answer");
    let first = ok(&answered, &decision, CaseEvent::Authorise, &jan);
    assert_eq!(first.state, CaseState::Referred);
    let second = ok(&first, &decision, CaseEvent::Authorise, &kim);
    assert_eq!(second.state, CaseState::Authorised);
}

// ---------------------------------------------------------------------------------------------
// Reasons and the events offered
// ---------------------------------------------------------------------------------------------

#[test]
fn a_blank_reason_is_refused_where_it_is_parsed() {
    for text in ["", "   ", "\n\t "] {
        let refusal = Reason::parse(text).expect_err("blank");
        assert_eq!(refusal.code, RefusalCode::ReasonRequired, "{text:?}");
    }
    let long = "x".repeat(Reason::MAX_CHARS + 1);
    assert_eq!(
        Reason::parse(&long).expect_err("too long").code,
        RefusalCode::ReasonRequired
    );
    assert_eq!(
        Reason::parse("  urgent \n").expect("reason").as_str(),
        "urgent"
    );
}

#[test]
fn allowed_events_are_those_the_role_would_not_be_refused() {
    let far = freeze_and_refer();
    let pws = proceed_with_safeguards();
    let lifted = CaseFile {
        freeze_lifted: true,
        ..CaseFile::assessed()
    };
    #[rustfmt::skip]
    let rows: &[(CaseFile, &Decision, Role, &[CaseEvent])] = &[
        (CaseFile::assessed(), &far, Role::Judge, &[E::Freeze, E::Refer, E::Refuse]),
        (CaseFile::assessed(), &pws, Role::Judge, &[E::Freeze, E::Refer, E::Authorise, E::Refuse]),
        (lifted, &far, Role::Judge, &[E::Freeze, E::Refer, E::Authorise, E::Refuse]),
        (CaseFile::assessed(), &far, Role::Officer, &[E::Refer]),
        (file_in(CaseState::Frozen), &far, Role::Judge, &[E::Refer, E::LiftFreeze, E::Authorise, E::Refuse]),
        (file_in(CaseState::Authorised), &far, Role::Police, &[E::StartExecution]),
        (file_in(CaseState::Executed), &far, Role::Officer, &[E::Close]),
        (file_in(CaseState::Closed), &far, Role::Judge, &[]),
        (CaseFile::assessed(), &far, Role::AsylumLiaison, &[]),
    ];
    for (file, decision, role, want) in rows {
        assert_eq!(
            allowed_events(file, decision, *role),
            *want,
            "{} {role}",
            file.state
        );
    }
    // An open referral takes authorise off the list.
    let referred = ok(
        &CaseFile::assessed(),
        &far,
        E::Refer,
        &who("olga", Role::Officer),
    );
    assert_eq!(
        allowed_events(&referred, &far, Role::Judge),
        vec![E::Freeze, E::Refuse]
    );
}

// ---------------------------------------------------------------------------------------------
// Property: two different judges before a frozen decision is authorised
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Event(CaseEvent, Role, &'static str),
    Answer(ReferralCode, Role, ReferralAnswer, &'static str),
}

/// Judges, and the steps around a freeze, are drawn more often than the rest so that sequences
/// do reach the four-eyes steps; answers mostly come from the right role with an answer the
/// authority gives, so that referrals do get answered.
fn arb_op() -> impl Strategy<Value = Op> {
    let actor = proptest::sample::select(&["a", "b", "c"][..]);
    let role = prop_oneof![4 => Just(Role::Judge), 1 => proptest::sample::select(Role::ALL)];
    let event = prop_oneof![
        4 => Just(E::Authorise),
        3 => Just(E::LiftFreeze),
        3 => Just(E::Freeze),
        2 => Just(E::Refer),
        2 => proptest::sample::select(CaseEvent::ALL),
    ];
    let answer = proptest::sample::select(ReferralCode::ALL).prop_flat_map(|code| {
        let right = (
            Just(answering_role(code)),
            proptest::sample::select(allowed_answers(code)),
        );
        let any = (
            proptest::sample::select(Role::ALL),
            proptest::sample::select(ReferralAnswer::ALL),
        );
        (Just(code), prop_oneof![3 => right, 1 => any])
    });
    prop_oneof![
        5 => (event, role, actor.clone()).prop_map(|(e, r, a)| Op::Event(e, r, a)),
        2 => (answer, actor).prop_map(|((c, (r, x)), a)| Op::Answer(c, r, x, a)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_frozen_decision_needs_two_judges_to_be_authorised(
        outcome in prop_oneof![Just(Outcome::FreezeAndRefer), Just(Outcome::Refuse)],
        ops in proptest::collection::vec(arb_op(), 1..40),
    ) {
        let decision = decision(outcome, &[ReferralCode::AsylumAuthority, ReferralCode::BarAssociation]);
        let mut file = CaseFile::assessed();
        for (hour, op) in (1..).zip(ops) {
            let result = match op {
                Op::Event(event, role, actor) => {
                    apply(&file, &decision, event, &who(actor, role), hour).map(|(f, _)| f)
                }
                Op::Answer(code, role, answer, actor) => {
                    answer_referral(&file, code, answer, &who(actor, role), at(hour), reason())
                }
            };
            let Ok(next) = result else { continue };
            file = next;

            // The history is a chain from assessed to the current state.
            let mut state = CaseState::Assessed;
            for record in &file.events {
                prop_assert_eq!(record.from, state);
                state = record.to;
                if let Some(first) = &record.first_approval {
                    prop_assert_ne!(&first.actor, &record.by.actor);
                    prop_assert_eq!((first.role, record.by.role), (Role::Judge, Role::Judge));
                }
            }
            prop_assert_eq!(state, file.state);

            if file.events.iter().any(|r| r.to == CaseState::Authorised) {
                let two_judges = file.events.iter().any(|r| {
                    matches!(r.event, CaseEvent::Authorise | CaseEvent::LiftFreeze)
                        && r.first_approval.as_ref().is_some_and(|f| f.actor != r.by.actor)
                });
                prop_assert!(two_judges, "authorised by one judge: {:?}", file.events);
            }
        }
    }
}
