//! The case state machine (DESIGN §5.5) as a pure function: [`transition`] takes a case's file,
//! its decision, an event, who asks and when, and returns the new file or the refusal. Who may
//! do what is one table, [`may`]; four-eyes events need two different judges; referring opens a
//! referral per authority the decision names, each with a due date.

use haven_domain::workflow::{
    CaseEvent, CaseFile, CaseState, EventRecord, PendingApproval, Reason, ReferralAnswer, Refusal,
};
use haven_domain::{Decision, Principal, ReferralCode, Role};

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
pub fn may(role: Role, event: CaseEvent) -> bool {
    let _ = (role, event);
    todo!()
}

/// Applies one event to a case.
pub fn transition(
    file: &CaseFile,
    decision: &Decision,
    step: Step<'_>,
) -> Result<(CaseFile, Applied), Refusal> {
    let _ = (file, decision, step);
    todo!()
}

/// Records an authority's answer to an open referral.
pub fn answer_referral(
    file: &CaseFile,
    code: ReferralCode,
    answer: ReferralAnswer,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<CaseFile, Refusal> {
    let _ = (file, code, answer, by, at, reason, CaseState::Assessed);
    todo!()
}
