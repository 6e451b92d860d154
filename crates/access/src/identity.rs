//! The actions of access, each with its one wire spelling (snake_case) shared by the HTTP API,
//! the CLI and the cedar policy. Roles, account names and principals live in `haven-domain`
//! (the case workflow needs them too) and are re-exported from this crate.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Something a principal asks to do. Each is one cedar action (`Haven::Action::"screen"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Screen,
    SubmitRequest,
    ListCases,
    ReadCase,
    ReadCheckpoint,
    ReadProof,
    VerifyLedger,
    Import,
    /// See the protection details (status, granting state, dates) behind a protected match,
    /// rather than only the flag that the person is protected (DESIGN §5.4, need-to-know).
    ViewProtectionDetails,
    /// Ask for a case event (freeze, refer, authorise…); the workflow's own table then says
    /// which role may ask for which event.
    RecordCaseEvent,
    /// Record an authority's answer to a referral.
    AnswerReferral,
    /// List referrals and their due dates.
    ListReferrals,
    /// Save and complete execution records.
    RecordExecution,
    /// Propose a transfer of seized material abroad.
    ProposeTransfer,
    /// Sort privileged items, override a blocked item, approve a transfer.
    DecideTransfer,
    /// Read the oversight statistics.
    ReadStatistics,
}

impl Action {
    pub const ALL: &[Action] = &[
        Action::Screen,
        Action::SubmitRequest,
        Action::ListCases,
        Action::ReadCase,
        Action::ReadCheckpoint,
        Action::ReadProof,
        Action::VerifyLedger,
        Action::Import,
        Action::ViewProtectionDetails,
        Action::RecordCaseEvent,
        Action::AnswerReferral,
        Action::ListReferrals,
        Action::RecordExecution,
        Action::ProposeTransfer,
        Action::DecideTransfer,
        Action::ReadStatistics,
    ];

    /// The wire name, also the cedar action id.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Screen => "screen",
            Action::SubmitRequest => "submit_request",
            Action::ListCases => "list_cases",
            Action::ReadCase => "read_case",
            Action::ReadCheckpoint => "read_checkpoint",
            Action::ReadProof => "read_proof",
            Action::VerifyLedger => "verify_ledger",
            Action::Import => "import",
            Action::ViewProtectionDetails => "view_protection_details",
            Action::RecordCaseEvent => "record_case_event",
            Action::AnswerReferral => "answer_referral",
            Action::ListReferrals => "list_referrals",
            Action::RecordExecution => "record_execution",
            Action::ProposeTransfer => "propose_transfer",
            Action::DecideTransfer => "decide_transfer",
            Action::ReadStatistics => "read_statistics",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}
