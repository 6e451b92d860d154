//! What happens to a case after its decision (DESIGN §5.5), as plain data: the case's state and
//! the events that move it, four-eyes approvals, referrals with their due dates, the execution
//! record of each measure, and the transfers of seized material abroad with the gate's verdict
//! on every item. The rules that move these values on live in `haven-policy` (`workflow`,
//! `execution`, `gate`); this module only says what the values are and how they are written.
//!
//! A [`CaseFile`] is the whole of one case's workflow. It is stored as one JSON document and
//! replaced as a whole, in the same transaction as the ledger entry for the change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{AccountName, Principal, ReferralCode, Role, SafeguardCode};

codes! {
    /// Where a case stands (DESIGN §5.5).
    CaseState {
        /// Registered, not yet assessed (a case is normally assessed when it is opened).
        Received = "received",
        /// Assessed: the decision is on file.
        Assessed = "assessed",
        /// Execution suspended by a judge.
        Frozen = "frozen",
        /// Referred to the authorities the decision names; waiting for their answers.
        Referred = "referred",
        /// A judge authorised execution.
        Authorised = "authorised",
        /// The police are executing the measures.
        Executing = "executing",
        /// Every measure's execution record is complete.
        Executed = "executed",
        /// A transfer of seized material is proposed and waits for the gate and two judges.
        TransferPending = "transfer_pending",
        /// Material was sent to the requesting state.
        Transferred = "transferred",
        /// Nothing more will happen.
        Closed = "closed",
        /// The request was refused.
        Refused = "refused",
    }
}

codes! {
    /// What may happen to a case. The first seven are asked for through
    /// `POST /cases/{id}/events`; the others happen through their own endpoints (completing an
    /// execution record, proposing and sending a transfer).
    CaseEvent {
        Freeze = "freeze",
        Refer = "refer",
        LiftFreeze = "lift_freeze",
        Authorise = "authorise",
        Refuse = "refuse",
        StartExecution = "start_execution",
        Close = "close",
        /// The last measure's execution record was completed.
        CompleteExecution = "complete_execution",
        /// A transfer was proposed.
        ProposeTransfer = "propose_transfer",
        /// A transfer had its second approval and was sent.
        SendTransfer = "send_transfer",
    }
}

impl CaseEvent {
    /// The events a user asks for by name (`POST /cases/{id}/events`).
    pub const REQUESTABLE: &'static [CaseEvent] = &[
        CaseEvent::Freeze,
        CaseEvent::Refer,
        CaseEvent::LiftFreeze,
        CaseEvent::Authorise,
        CaseEvent::Refuse,
        CaseEvent::StartExecution,
        CaseEvent::Close,
    ];
}

codes! {
    /// Why a workflow step is refused. Stable snake_case words: clients and tests rely on them
    /// (DESIGN §5.4, §5.5).
    RefusalCode {
        /// The reason is missing or blank (HTTP 400).
        ReasonRequired = "reason_required",
        /// The role may not take this step at all (HTTP 403).
        Forbidden = "forbidden",
        /// The same judge tried to give both approvals of a four-eyes step (HTTP 409).
        FourEyes = "four_eyes",
        /// The event does not apply to the case's state (HTTP 409).
        InvalidTransition = "invalid_transition",
        /// The decision requires the case to be frozen or referred before it is authorised.
        FreezeRequired = "freeze_required",
        /// A referral has not been answered yet.
        ReferralOpen = "referral_open",
        /// A safeguard the decision requires is not recorded (HTTP 409).
        SafeguardMissing = "safeguard_missing",
        /// An inventory owner's name does not match the party it is recorded against (HTTP 409).
        OwnerNameMismatch = "owner_name_mismatch",
        /// A transfer item is blocked by the gate (HTTP 409).
        TransferBlocked = "transfer_blocked",
        /// A measure, item, referral or transfer the case does not have (HTTP 404).
        NotFound = "not_found",
        /// The input is inconsistent (an item id used twice, a custody step for no item) (400).
        Invalid = "invalid",
    }
}

/// A refused step: its stable code, a sentence a user can act on, and for
/// `safeguard_missing` / `owner_name_mismatch` / `transfer_blocked` each thing that is missing
/// or wrong, one per entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub code: RefusalCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl Refusal {
    pub fn new(code: RefusalCode, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn with_details(mut self, details: Vec<String>) -> Refusal {
        self.details = details;
        self
    }
}

/// A non-blank reason, at most 2,000 characters, on one line or several: every workflow step
/// carries one (`reason_required` otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

impl Reason {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(text: &str) -> Result<Reason, Refusal> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Refusal::new(
                RefusalCode::ReasonRequired,
                "reason: a reason is required for every step of a case",
            ));
        }
        if text.chars().count() > Reason::MAX_CHARS {
            return Err(Refusal::new(
                RefusalCode::ReasonRequired,
                format!("reason: at most {} characters", Reason::MAX_CHARS),
            ));
        }
        Ok(Reason(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Reason {
    type Error = Refusal;
    fn try_from(text: String) -> Result<Reason, Refusal> {
        Reason::parse(&text)
    }
}

impl From<Reason> for String {
    fn from(reason: Reason) -> String {
        reason.0
    }
}

/// Who did something, in which role, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signed {
    pub actor: AccountName,
    pub role: Role,
    pub at: jiff::Timestamp,
    pub reason: Reason,
}

impl Signed {
    /// `by`'s signature on a step taken at `at` for `reason`.
    pub fn new(by: &Principal, at: jiff::Timestamp, reason: Reason) -> Signed {
        Signed {
            actor: by.actor.clone(),
            role: by.role,
            at,
            reason,
        }
    }
}

/// One event in a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRecord {
    pub event: CaseEvent,
    pub from: CaseState,
    pub to: CaseState,
    /// Who applied it (for a four-eyes event, the second judge).
    #[serde(flatten)]
    pub by: Signed,
    /// For a four-eyes event: the first judge's approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_approval: Option<Signed>,
}

/// The first approval of a four-eyes event, waiting for a second judge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingApproval {
    pub event: CaseEvent,
    #[serde(flatten)]
    pub by: Signed,
}

codes! {
    /// What an authority answered to a referral.
    ReferralAnswer {
        /// The asylum authority: the person is protected.
        Protected = "protected",
        /// The asylum authority: the person is not (or no longer) protected.
        NotProtected = "not_protected",
        /// The asylum authority: no record of this person (the match was a namesake).
        NoRecord = "no_record",
        /// Another authority (judge, bar association, data-protection officer) took note.
        Acknowledged = "acknowledged",
    }
}

/// A referral to one authority, opened when the case is referred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    pub code: ReferralCode,
    pub opened_at: jiff::Timestamp,
    pub due: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<ReferralAnswered>,
}

impl Referral {
    /// Open and past its due date at `now`.
    pub fn is_overdue(&self, now: jiff::Timestamp) -> bool {
        self.answer.is_none() && self.due < now
    }
}

/// A referral's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralAnswered {
    pub answer: ReferralAnswer,
    #[serde(flatten)]
    pub by: Signed,
}

// ---------------------------------------------------------------------------------------------
// The execution record (DESIGN §5.5)
// ---------------------------------------------------------------------------------------------

/// The execution record of one measure, as the police fill it in. Every part is optional until
/// completion; completion checks it against the decision's safeguards
/// (`haven_policy::execution`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutionRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warrant: Option<Warrant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counsel: Option<Counsel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observer: Option<Observer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_officials: Vec<ForeignOfficial>,
    /// Absent: not recorded yet. Empty: nothing was seized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Vec<InventoryItem>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custody: Vec<CustodyStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub questioned_by: Option<Questioner>,
    /// Seized devices and accounts: sealed storage, no live access (LED Arts 29–31).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<DeviceHandling>,
    /// How the person was told to challenge the measure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy_information: Option<RemedyInformation>,
}

/// The judicial warrant and to whom it was shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warrant {
    pub reference: String,
    pub shown_to: String,
}

/// Counsel: when notified, and present or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counsel {
    #[serde(default)]
    pub notified_at: Option<String>,
    #[serde(default)]
    pub present: Option<bool>,
    #[serde(default)]
    pub absent_reason: Option<String>,
}

/// The independent legal observer (for a lawyer's premises: the bâtonnier or a delegate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observer {
    pub name: String,
    pub qualification: String,
}

/// An official of the requesting state present at execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignOfficial {
    pub name: String,
    #[serde(default)]
    pub consent_reference: Option<String>,
    /// The domestic officer supervising them.
    #[serde(default)]
    pub supervisor: Option<String>,
}

codes! {
    /// Whether an item may hold privileged material.
    Privileged {
        Yes = "yes",
        No = "no",
        Possible = "possible",
    }
}

/// One seized item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryItem {
    /// Unique within the case (`I-1`).
    pub id: String,
    pub description: String,
    /// The request party the item belongs to, if it belongs to one.
    #[serde(default)]
    pub owner_party: Option<usize>,
    /// The owner's name as written on the seizure list.
    #[serde(default)]
    pub owner_name: Option<String>,
    pub privileged: Privileged,
    #[serde(default)]
    pub sealed: bool,
}

/// One link in an item's chain of custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustodyStep {
    pub item: String,
    pub at: String,
    pub from: String,
    pub to: String,
}

codes! {
    /// Who questioned the person.
    Questioner {
        Judge = "judge",
        Police = "police",
        None = "none",
    }
}

/// How seized devices and accounts were handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceHandling {
    /// Kept in sealed storage with an access log.
    pub sealed: bool,
    /// Whether any credential found was used to access an account live.
    pub live_account_access: bool,
}

/// How the person was (or will be) told to challenge the measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemedyInformation {
    /// To whom, or "deferred" with the reason earlier notice would defeat the measure.
    pub given_to: String,
    #[serde(default)]
    pub at: Option<String>,
}

/// One measure's record and whether it was completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Execution {
    pub record: ExecutionRecord,
    /// Who saved the record last, and when.
    pub saved_by: AccountName,
    pub saved_at: jiff::Timestamp,
    /// Set once completion passed its checks; the record is then closed to changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<Signed>,
    /// Safeguards the law lets wait until after execution and that were not yet recorded at
    /// completion (`remedy_information`: the person is told how to challenge the measure after
    /// execution when earlier notice would defeat it). An open obligation, shown on the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deferred: Vec<SafeguardCode>,
}

// ---------------------------------------------------------------------------------------------
// Transfers and the gate (DESIGN §5.5)
// ---------------------------------------------------------------------------------------------

codes! {
    /// Why the gate blocks an item or a transfer.
    BlockReason {
        /// Privileged or possibly privileged, not yet sorted by a judge.
        PrivilegeUnsorted = "privilege_unsorted",
        /// A judge sorted it and found it privileged: it never leaves.
        Privileged = "privileged",
        /// It concerns a protected person or a relative of one (LED Art 38(2)).
        ProtectedPerson = "protected_person",
        /// The recipient is outside the legal basis of the request.
        RecipientOutsideBasis = "recipient_outside_basis",
        /// The covering text mentions asylum or protection, or names a protected person who is
        /// not a party.
        CoveringText = "covering_text",
        /// Not in the case's completed inventory.
        UnknownItem = "unknown_item",
    }
}

/// The gate's verdict on one item (or, with `item` absent, on the transfer as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub reason: BlockReason,
    /// In words a judge can read, with the legal source.
    pub explanation: String,
    /// Whether a judge may override it with reasons (a sorted-privileged item, an unknown item,
    /// a recipient outside the basis and a leaking text may not: fix the proposal instead).
    pub overridable: bool,
}

/// One item of a transfer with the gate's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferItem {
    pub item: String,
    /// Empty: the item may go.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
    /// A judge's reasoned override of the item's overridable blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_by: Option<Signed>,
}

impl TransferItem {
    /// Blocked: a block that cannot be overridden, or blocks without an override.
    pub fn is_blocked(&self) -> bool {
        self.blocks.iter().any(|b| !b.overridable)
            || (!self.blocks.is_empty() && self.override_by.is_none())
    }
}

codes! {
    /// Where a transfer stands.
    TransferState {
        /// Waiting for overrides and two judges' approvals.
        Proposed = "proposed",
        /// Approved by two judges and sent; documented in the ledger.
        Sent = "sent",
    }
}

/// A proposed or sent transfer of seized material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// `{case id}-t{n}`, e.g. `case-000001-t1`.
    pub id: String,
    /// The receiving authority's state (ISO 3166 alpha-2) and, after a colon, the authority.
    pub recipient: String,
    /// The instrument id it is sent under (one of the decision's legal basis).
    pub legal_basis: String,
    pub text: String,
    pub items: Vec<TransferItem>,
    /// Blocks on the whole transfer (recipient, covering text): never overridable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
    /// The use conditions of the applicable instrument, attached to what is sent.
    pub use_conditions: Vec<String>,
    pub proposed: Signed,
    /// Judges' approvals, in order; two different judges send it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals: Vec<Signed>,
    pub state: TransferState,
}

impl Transfer {
    /// Whether anything still stops the transfer (apart from approvals).
    pub fn is_blocked(&self) -> bool {
        !self.blocks.is_empty() || self.items.iter().any(TransferItem::is_blocked)
    }
}

/// A judge's sorting of a privileged or possibly privileged item (EIO Art 11(1)(a)): once
/// sorted as not privileged it may be proposed for transfer; sorted as privileged, never.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sorting {
    pub privileged: bool,
    #[serde(flatten)]
    pub by: Signed,
}

/// Everything that happened to one case after its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    pub state: CaseState,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<EventRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<PendingApproval>,
    /// Two judges lifted a freeze the decision called for: authorising no longer needs one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub freeze_lifted: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<Referral>,
    /// By measure index.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub executions: BTreeMap<usize, Execution>,
    /// Judicial sorting of privileged items, by item id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sortings: BTreeMap<String, Sorting>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transfers: Vec<Transfer>,
}

impl CaseFile {
    /// The file of a case just assessed.
    pub fn assessed() -> CaseFile {
        CaseFile {
            state: CaseState::Assessed,
            events: Vec::new(),
            pending: None,
            freeze_lifted: false,
            referrals: Vec::new(),
            executions: BTreeMap::new(),
            sortings: BTreeMap::new(),
            transfers: Vec::new(),
        }
    }

    /// Every inventory item of every completed execution record.
    pub fn seized_items(&self) -> impl Iterator<Item = (usize, &InventoryItem)> {
        self.executions
            .iter()
            .filter(|(_, e)| e.completed.is_some())
            .flat_map(|(measure, e)| {
                e.record
                    .inventory
                    .iter()
                    .flatten()
                    .map(move |item| (*measure, item))
            })
    }

    /// The transfer with this id.
    pub fn transfer(&self, id: &str) -> Option<&Transfer> {
        self.transfers.iter().find(|t| t.id == id)
    }
}

/// Splits a transfer id into its case id and number: `case-000001-t2` → (`case-000001`, 2).
pub fn split_transfer_id(id: &str) -> Option<(&str, usize)> {
    let (case, n) = id.rsplit_once("-t")?;
    let n: usize = n.parse().ok()?;
    (n > 0 && !case.is_empty()).then_some((case, n))
}
