//! The outbound transfer gate (DESIGN §5.5, LEGAL-REVIEW §3): item by item, what may leave the
//! country. Privileged or possibly privileged items need a judge's sorting; items about a
//! protected person or their relative are blocked unless a judge overrides with reasons (LED Art
//! 38(2)); the recipient must be within the legal basis; the covering text may not mention
//! asylum or protection nor name a protected person who is not a party; the applicable
//! instrument's use conditions travel with the material; two different judges approve.

use haven_domain::workflow::{CaseFile, Reason, Refusal, Transfer};
use haven_domain::{Decision, Principal, Request};

use crate::PartnerTable;

/// A protected person the case touches (a registry match of a party, or a relative found two
/// hops out), with every name the registry has for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedPerson {
    pub record: String,
    pub names: Vec<String>,
    /// The request party they were matched to, if they are one.
    pub party: Option<usize>,
}

/// What an officer proposes to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub recipient: String,
    pub legal_basis: String,
    pub items: Vec<String>,
    pub text: String,
}

/// What an approval did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// The first judge's approval is recorded.
    Recorded,
    /// The second judge approved: the transfer is sent.
    Sent,
}

/// Proposes a transfer: the gate's verdict on every item and on the whole; the case moves to
/// `transfer_pending`. Returns the new file and the new transfer's id.
#[allow(clippy::too_many_arguments)]
pub fn propose(
    file: &CaseFile,
    case_id: &str,
    request: &Request,
    decision: &Decision,
    protected: &[ProtectedPerson],
    partners: &PartnerTable,
    proposal: Proposal,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<(CaseFile, String), Refusal> {
    let _ = (
        file, case_id, request, decision, protected, partners, proposal, by, at, reason,
    );
    todo!()
}

/// A judge's sorting of a privileged or possibly privileged inventory item.
pub fn sort_item(
    file: &CaseFile,
    item: &str,
    privileged: bool,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<CaseFile, Refusal> {
    let _ = (file, item, privileged, by, at, reason);
    todo!()
}

/// A judge's reasoned override of one blocked item.
pub fn override_item(
    file: &CaseFile,
    transfer: &str,
    item: &str,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<CaseFile, Refusal> {
    let _ = (file, transfer, item, by, at, reason);
    todo!()
}

/// A judge's approval; the second by another judge sends the transfer (the case moves to
/// `transferred`).
pub fn approve(
    file: &CaseFile,
    transfer: &str,
    by: &Principal,
    at: jiff::Timestamp,
    reason: Reason,
) -> Result<(CaseFile, Approval), Refusal> {
    let _ = (file, transfer, by, at, reason);
    todo!()
}

/// Looks a transfer up (for readers); `not_found` refusal if absent.
pub fn find<'f>(file: &'f CaseFile, transfer: &str) -> Result<&'f Transfer, Refusal> {
    let _ = (file, transfer);
    todo!()
}
