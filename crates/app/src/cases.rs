//! Assessing a request and keeping it as a case; reading cases back; consulting a protected
//! record. Decisions are stored whole and shown as the reader's role may see them.

use haven_access::{Action, Principal};
use haven_assess::Settings;
use haven_domain::workflow::{CaseEvent, CaseFile, CaseState};
use haven_domain::{Decision, FindingCode, Outcome, PersonId, RegistryPerson, Request};
use haven_ledger::ObjectId;
use haven_policy::Catalogue;
use haven_store::CaseSummary;
use serde::Serialize;

use crate::knowledge::DatabaseKnowledge;
use crate::need_to_know::decision_for;
use crate::{AppError, Service, entry_by};

/// An assessment: the decision as the principal may see it, and the case it was stored as
/// (absent on a dry run).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessed {
    /// The new case's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The decision (DESIGN §5.3).
    #[serde(flatten)]
    pub decision: Decision,
}

/// A stored case as the principal may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView {
    /// The case id.
    pub id: String,
    /// When it was opened (UTC).
    pub created_at: String,
    /// The request as received.
    pub request: Request,
    /// The decision.
    pub decision: Decision,
    /// Where the case stands (DESIGN §5.5).
    pub state: CaseState,
    /// What happened to the case, oldest first: the assessment, then every event.
    pub history: Vec<HistoryEntry>,
    /// The events the reader's role may ask for now (four-eyes steps included: the rules then
    /// say whether a second judge is needed).
    pub allowed_events: Vec<CaseEvent>,
    /// The whole file: a first approval awaiting a second judge, referrals, execution
    /// records, judicial sortings and transfers.
    pub file: CaseFile,
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// When (UTC).
    pub at: String,
    /// What: `assessed`, or an event (`freeze`, `authorise`, …).
    pub event: &'static str,
    /// For the assessment: the outcome decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<&'static str>,
    /// For an event: the state it moved the case to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<CaseState>,
    /// Who, in which role, and why (absent for the assessment, which the ledger names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a four-eyes event: the judge who gave the first approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_approval_by: Option<String>,
    /// The ledger entry that records it (for the assessment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_index: Option<u64>,
}

impl Service {
    /// Screens every party of `request` against the current index, decides, and unless
    /// `record` is false stores the case with its ledger entry. The decision returned is the
    /// one the principal may see; the stored one is whole.
    pub fn assess(
        &self,
        who: &Principal,
        request: &Request,
        record: bool,
    ) -> Result<Assessed, AppError> {
        self.authorize(who, Action::SubmitRequest)?;
        let index = self.screening_index()?.current();
        let knowledge = DatabaseKnowledge {
            db: self.db.as_ref(),
            index: &index,
        };
        let mut decision = haven_assess::assess(
            request,
            &knowledge,
            &Settings::new(self.options.receiving_state),
            Catalogue::bundled(),
        )?;
        let case = if record {
            let entry = entry_by(
                who,
                haven_ledger::Action::Assess,
                format!(
                    "assessment of request {} received {}: {}",
                    request.reference,
                    request.received_on,
                    decision.outcome.as_str()
                ),
            )?;
            let id = self
                .db
                .record_case(request, &mut decision, entry)
                .map_err(AppError::from_store)?;
            Some(id)
        } else {
            None
        };
        let (decision, disclosed) = decision_for(who, &decision);
        let mut context = vec![ObjectId::tagged("request", request.reference.as_str())?];
        if let Some(id) = &case {
            context.push(ObjectId::tagged("case", id)?);
        }
        self.log_disclosure(
            who,
            &format!("assessment of request {}", request.reference),
            &context,
            disclosed,
        )?;
        Ok(Assessed { case, decision })
    }

    /// Every case, oldest first.
    pub fn cases(&self, who: &Principal) -> Result<Vec<CaseSummary>, AppError> {
        self.authorize(who, Action::ListCases)?;
        self.db.list_cases().map_err(AppError::from_store)
    }

    /// One case, its decision as the principal may see it (a disclosure of protection details
    /// is recorded in the ledger).
    pub fn case(&self, who: &Principal, id: &str) -> Result<CaseView, AppError> {
        self.authorize(who, Action::ReadCase)?;
        let case = self
            .db
            .get_case(id)
            .map_err(AppError::from_store)?
            .ok_or_else(|| AppError::NotFound(format!("case {id}")))?;
        let (decision, disclosed) = decision_for(who, &case.decision);
        self.log_disclosure(
            who,
            &format!("read of case {id}"),
            &[ObjectId::tagged("case", id)?],
            disclosed,
        )?;
        let mut history = vec![HistoryEntry {
            at: case.created_at.clone(),
            event: "assessed",
            outcome: Some(case.decision.outcome.as_str()),
            to: None,
            by: None,
            role: None,
            reason: None,
            first_approval_by: None,
            ledger_index: case.decision.ledger.as_ref().map(|l| l.index),
        }];
        history.extend(case.file.events.iter().map(|e| HistoryEntry {
            at: e.by.at.to_string(),
            event: e.event.as_str(),
            outcome: None,
            to: Some(e.to),
            by: Some(e.by.actor.to_string()),
            role: Some(e.by.role.as_str()),
            reason: Some(e.by.reason.as_str().to_owned()),
            first_approval_by: e.first_approval.as_ref().map(|a| a.actor.to_string()),
            ledger_index: None,
        }));
        let allowed_events =
            haven_policy::workflow::allowed_events(&case.file, &case.decision, who.role);
        Ok(CaseView {
            id: case.id,
            created_at: case.created_at,
            request: case.request,
            decision,
            state: case.file.state,
            history,
            allowed_events,
            file: case.file,
        })
    }

    /// A protected person's registry record, for a role entitled to protection details; the
    /// read is recorded in the ledger with `why` before the record is returned.
    pub fn consult_protected(
        &self,
        who: &Principal,
        id: &PersonId,
        why: &str,
    ) -> Result<RegistryPerson, AppError> {
        self.authorize(who, Action::ViewProtectionDetails)?;
        if why.trim().is_empty() {
            return Err(AppError::Invalid(
                "justification: say why the protected record is consulted".into(),
            ));
        }
        let person = self
            .db
            .registry_person(id)
            .map_err(AppError::from_store)?
            .ok_or_else(|| AppError::NotFound(format!("registry record {id}")))?;
        self.log_disclosure(who, why, &[], vec![id.as_str().to_owned()])?;
        Ok(person)
    }
}

/// What the screening flagged about a case's parties, the strongest first: what a case list
/// shows and filters on (a flag, never the protection details).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtectionFlag {
    /// A party is a protected person (a `match` in the protection registry).
    Protected,
    /// A party may be a protected person (a `possible` match awaiting confirmation).
    Possible,
    /// A party is a relative or household member of a protected person.
    Relative,
    /// None of these.
    None,
}

impl ProtectionFlag {
    pub const ALL: &[ProtectionFlag] = &[
        ProtectionFlag::Protected,
        ProtectionFlag::Possible,
        ProtectionFlag::Relative,
        ProtectionFlag::None,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProtectionFlag::Protected => "protected",
            ProtectionFlag::Possible => "possible",
            ProtectionFlag::Relative => "relative",
            ProtectionFlag::None => "none",
        }
    }

    pub fn parse(text: &str) -> Option<ProtectionFlag> {
        ProtectionFlag::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == text)
    }

    /// The strongest flag a decision's finding codes raise.
    fn of(codes: &[String]) -> ProtectionFlag {
        let has = |code: FindingCode| codes.iter().any(|c| c == code.as_str());
        if has(FindingCode::ProtectedAgainstRequestingState)
            || has(FindingCode::ProtectedByOtherState)
        {
            ProtectionFlag::Protected
        } else if has(FindingCode::PossibleMatchProtected) {
            ProtectionFlag::Possible
        } else if has(FindingCode::RelativeOfProtectedPerson) {
            ProtectionFlag::Relative
        } else {
            ProtectionFlag::None
        }
    }
}

/// What a case list may be narrowed to; `None` fields do not narrow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub state: Option<CaseState>,
    pub outcome: Option<Outcome>,
    pub flag: Option<ProtectionFlag>,
    /// Only cases with a referral open past its due date.
    pub overdue_only: bool,
}

/// A case as a list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseListing {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub flag: ProtectionFlag,
    /// Referrals not answered yet, and of those the ones past their due date.
    pub open_referrals: usize,
    pub overdue_referrals: usize,
}

impl Service {
    /// The cases `filter` lets through, newest first.
    pub fn case_list(
        &self,
        who: &Principal,
        filter: &CaseFilter,
    ) -> Result<Vec<CaseListing>, AppError> {
        self.authorize(who, Action::ListCases)?;
        let now = self.clock().now();
        let mut listings: Vec<CaseListing> = self
            .db
            .case_listing()
            .map_err(AppError::from_store)?
            .into_iter()
            .map(|listed| CaseListing {
                flag: ProtectionFlag::of(&listed.finding_codes),
                open_referrals: listed
                    .file
                    .referrals
                    .iter()
                    .filter(|r| r.answer.is_none())
                    .count(),
                overdue_referrals: listed
                    .file
                    .referrals
                    .iter()
                    .filter(|r| r.is_overdue(now))
                    .count(),
                summary: listed.summary,
            })
            .filter(|listing| {
                filter
                    .state
                    .is_none_or(|state| listing.summary.state == state.as_str())
                    && filter
                        .outcome
                        .is_none_or(|outcome| listing.summary.outcome == outcome.as_str())
                    && filter.flag.is_none_or(|flag| listing.flag == flag)
                    && (!filter.overdue_only || listing.overdue_referrals > 0)
            })
            .collect();
        listings.reverse();
        Ok(listings)
    }
}
