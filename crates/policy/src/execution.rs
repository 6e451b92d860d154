//! The execution record's rules (DESIGN §5.5): which safeguard asks for which part of the record
//! for which kind of measure, what a saved record may hold, and what completion requires —
//! every safeguard the decision requires recorded, inventory owners' names matching the parties
//! they are recorded against (the name engine, `match` tier), no foreign official without
//! consent and supervisor, privileged items sealed.

use haven_domain::workflow::{CaseFile, EventRecord, ExecutionRecord, Reason, Refusal};
use haven_domain::{Decision, Principal, Request, SafeguardCode};

/// The part of the execution record a safeguard asks for (for messages), or `None` for a
/// safeguard checked when material is transferred rather than at execution.
pub fn record_part(code: SafeguardCode) -> Option<&'static str> {
    let _ = code;
    todo!()
}

/// Saves (replaces) the record of measure `measure` while the case is executing and the record
/// is not completed.
pub fn save(
    file: &CaseFile,
    request: &Request,
    measure: usize,
    record: ExecutionRecord,
    by: &Principal,
    at: jiff::Timestamp,
) -> Result<CaseFile, Refusal> {
    let _ = (file, request, measure, record, by, at);
    todo!()
}

/// Everything that stops this record from being completed, as a refusal
/// (`safeguard_missing` before `owner_name_mismatch`), or `None` if it may be completed.
pub fn check(
    request: &Request,
    decision: &Decision,
    measure: usize,
    record: &ExecutionRecord,
) -> Option<Refusal> {
    let _ = (request, decision, measure, record);
    todo!()
}

/// Completes the record of measure `measure`. When it was the last measure, the case moves to
/// `executed` and the event is returned.
pub fn complete(
    file: &CaseFile,
    request: &Request,
    decision: &Decision,
    measure: usize,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<(CaseFile, Option<EventRecord>), Refusal> {
    let _ = (file, request, decision, measure, by, at, reason);
    todo!()
}
