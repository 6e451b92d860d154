//! The case after its decision (DESIGN §5.5): events (freeze, refer, four-eyes authorisation…),
//! referral answers, execution records, transfers through the gate, and oversight statistics.
//!
//! Each use case authorises the principal's role for the kind of step (cedar), then lets the
//! store read the case inside a write transaction and hands it to the pure rules of
//! `haven-policy` (`workflow`, `execution`, `gate`), which return the new case file or a
//! [`Refusal`]; the new file is written with its ledger entry in the same transaction. The rules
//! decide; this module only gathers what they need and words the ledger entries.

use std::collections::BTreeMap;

use haven_access::{Action, Principal};
use haven_domain::workflow::{
    CaseEvent, CaseFile, CaseState, EventRecord, Execution, ExecutionRecord, Reason, Referral,
    ReferralAnswer, Refusal, RefusalCode, Transfer, split_transfer_id,
};
use haven_domain::{FindingCode, PersonId, ReferralCode};
use haven_ledger::{Entry, ObjectId, Recipient};
use haven_policy::gate::{self, Approval, Proposal, ProtectedPerson};
use haven_policy::workflow::{self, Applied, Step};
use haven_policy::{Catalogue, execution};
use haven_store::{Case, CaseUpdateError, FileChange};
use serde::Serialize;

use crate::{AppError, Service, entry_by};

/// What an event did: the case moved, or a first approval waits for a second judge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventOutcome {
    pub case: String,
    /// The case's state after the step.
    pub state: CaseState,
    /// `moved` or `awaiting_second_approval`.
    pub status: &'static str,
    /// The event recorded in the case's history (absent while a second approval is awaited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<EventRecord>,
    /// The ledger entry that records the step.
    pub ledger_index: u64,
}

impl EventOutcome {
    /// True when the step was a first approval that waits for another judge.
    pub fn awaits_second_approval(&self) -> bool {
        self.event.is_none()
    }
}

/// An open or answered referral, with its case, for the referral list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralListing {
    pub case: String,
    pub reference: String,
    pub overdue: bool,
    #[serde(flatten)]
    pub referral: Referral,
}

/// A transfer and the case it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransferView {
    pub case: String,
    /// Whether the gate still stops it.
    pub blocked: bool,
    #[serde(flatten)]
    pub transfer: Transfer,
}

/// One row of the oversight statistics: a requesting state and an outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatisticsRow {
    pub requesting_state: String,
    pub outcome: String,
    /// Requests received (cases opened).
    pub requests: u64,
    /// Cases a judge froze at some point.
    pub frozen: u64,
    /// Cases refused.
    pub refused: u64,
    /// Referrals open past their due date.
    pub overdue_referrals: u64,
    /// Transfers proposed.
    pub transfers_proposed: u64,
    /// Transfers the gate blocked (at least one item, or the whole, blocked when proposed).
    pub transfers_blocked: u64,
    /// Transfers sent.
    pub transfers_sent: u64,
}

/// The oversight statistics (DESIGN §5.5): per requesting state and outcome, and in total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statistics {
    pub generated_at: jiff::Timestamp,
    pub rows: Vec<StatisticsRow>,
    pub total: StatisticsRow,
}

impl Statistics {
    /// The rows as CSV (a header, then one line per state and outcome, then the total).
    pub fn to_csv(&self) -> String {
        let mut csv = String::from(
            "requesting_state,outcome,requests,frozen,refused,overdue_referrals,\
             transfers_proposed,transfers_blocked,transfers_sent\n",
        );
        for row in self.rows.iter().chain(std::iter::once(&self.total)) {
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                row.requesting_state,
                row.outcome,
                row.requests,
                row.frozen,
                row.refused,
                row.overdue_referrals,
                row.transfers_proposed,
                row.transfers_blocked,
                row.transfers_sent
            ));
        }
        csv
    }
}

/// A proposed transfer as the API and the CLI take it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    pub recipient: String,
    pub legal_basis: String,
    pub items: Vec<String>,
    pub text: String,
    /// Why it is proposed; a sentence naming recipient and basis when absent.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A refused step as an application error.
impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> AppError {
        AppError::Refused(refusal)
    }
}

impl From<CaseUpdateError> for AppError {
    fn from(err: CaseUpdateError) -> AppError {
        match err {
            CaseUpdateError::NotFound(id) => AppError::NotFound(format!("case {id}")),
            CaseUpdateError::Refused(refusal) => AppError::Refused(refusal),
            CaseUpdateError::Store(err) => AppError::from_store(err),
        }
    }
}

/// The justification of a ledger entry: what was done and the actor's reason, on one line and
/// within the entry's length limit.
fn justification(what: &str, reason: &str) -> String {
    let text: String = format!("{what}: {reason}")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    text.chars().take(2000).collect()
}

/// The ledger action that records a case event.
fn ledger_action(event: CaseEvent) -> haven_ledger::Action {
    match event {
        CaseEvent::Refer => haven_ledger::Action::Referral,
        CaseEvent::StartExecution | CaseEvent::CompleteExecution => {
            haven_ledger::Action::ExecutionRecord
        }
        CaseEvent::SendTransfer => haven_ledger::Action::Transfer,
        _ => haven_ledger::Action::Decision,
    }
}

impl Service {
    /// The service's clock (a test may move it on to see referrals fall due).
    fn now(&self) -> jiff::Timestamp {
        self.options.clock.now()
    }

    /// Runs one change of a case's file: the store reads the case in a write transaction,
    /// `rules` decide, and the file and its entries are written together.
    fn change_case(
        &self,
        case_id: &str,
        mut rules: impl FnMut(&Case) -> Result<FileChange, Refusal>,
    ) -> Result<(CaseFile, u64), AppError> {
        let update = self.db.update_case_file(case_id, &mut rules)?;
        let index = update
            .receipts
            .last()
            .map(|r| r.index)
            .ok_or_else(|| AppError::Invalid("a case change must be recorded".into()))?;
        Ok((update.file, index))
    }

    /// A ledger entry by `who` for a step of a case, naming the extra objects given.
    fn case_entry(
        who: &Principal,
        action: haven_ledger::Action,
        what: &str,
        reason: &str,
        objects: &[(&str, String)],
    ) -> Result<Entry, Refusal> {
        let invalid = |e: haven_ledger::EntryError| {
            Refusal::new(RefusalCode::Invalid, format!("ledger entry: {e}"))
        };
        let objects = objects
            .iter()
            .map(|(prefix, value)| ObjectId::tagged(prefix, value))
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        Ok(entry_by(who, action, justification(what, reason))
            .map_err(|e| Refusal::new(RefusalCode::Invalid, e.to_string()))?
            .with_objects(objects))
    }

    /// Applies one event asked for by name (`freeze`, `refer`, `lift_freeze`, `authorise`,
    /// `refuse`, `start_execution`, `close`). Four-eyes events answer with a first approval
    /// until a second judge applies them.
    pub fn case_event(
        &self,
        who: &Principal,
        case_id: &str,
        event: CaseEvent,
        reason: &str,
    ) -> Result<EventOutcome, AppError> {
        self.authorize(who, Action::RecordCaseEvent)?;
        if !CaseEvent::REQUESTABLE.contains(&event) {
            return Err(AppError::Invalid(format!(
                "event: {event} happens through its own endpoint, not as an event"
            )));
        }
        let reason = Reason::parse(reason)?;
        let at = self.now();
        let mut applied = None;
        let (file, ledger_index) = self.change_case(case_id, |case| {
            let (file, outcome) = workflow::transition(
                &case.file,
                &case.decision,
                Step {
                    event,
                    by: who,
                    at,
                    reason: reason.clone(),
                },
            )?;
            let what = match &outcome {
                Applied::Moved(record) => format!("{event}: {} → {}", record.from, record.to),
                Applied::AwaitingSecondApproval(_) => {
                    format!("{event}: first approval, awaiting a second judge")
                }
            };
            let entry = Self::case_entry(who, ledger_action(event), &what, reason.as_str(), &[])?;
            applied = Some(outcome);
            Ok(one_entry(file, entry))
        })?;
        let event = match applied {
            Some(Applied::Moved(record)) => Some(record),
            _ => None,
        };
        Ok(EventOutcome {
            case: case_id.to_owned(),
            state: file.state,
            status: if event.is_some() {
                "moved"
            } else {
                "awaiting_second_approval"
            },
            event,
            ledger_index,
        })
    }

    /// Records an authority's answer to a referral of a case.
    pub fn answer_referral(
        &self,
        who: &Principal,
        case_id: &str,
        code: ReferralCode,
        answer: ReferralAnswer,
        reason: &str,
    ) -> Result<Referral, AppError> {
        self.authorize(who, Action::AnswerReferral)?;
        let reason = Reason::parse(reason)?;
        let at = self.now();
        let (file, _) = self.change_case(case_id, |case| {
            let file =
                workflow::answer_referral(&case.file, code, answer, who, at, reason.clone())?;
            let entry = Self::case_entry(
                who,
                haven_ledger::Action::Referral,
                &format!("referral to {code} answered: {answer}"),
                reason.as_str(),
                &[("referral", code.to_string())],
            )?;
            Ok(one_entry(file, entry))
        })?;
        file.referrals
            .into_iter()
            .find(|r| r.code == code)
            .ok_or_else(|| AppError::NotFound(format!("referral {code} of case {case_id}")))
    }

    /// Referrals of every case, open ones first; with `overdue_only`, only those open past
    /// their due date.
    pub fn referrals(
        &self,
        who: &Principal,
        overdue_only: bool,
    ) -> Result<Vec<ReferralListing>, AppError> {
        self.authorize(who, Action::ListReferrals)?;
        let now = self.now();
        let mut listings = Vec::new();
        for (summary, file) in self.db.case_files().map_err(AppError::from_store)? {
            for referral in file.referrals {
                let overdue = referral.is_overdue(now);
                if overdue_only && !overdue {
                    continue;
                }
                listings.push(ReferralListing {
                    case: summary.id.clone(),
                    reference: summary.reference.clone(),
                    overdue,
                    referral,
                });
            }
        }
        listings.sort_by(|a, b| {
            (a.referral.answer.is_some(), a.referral.due, &a.case).cmp(&(
                b.referral.answer.is_some(),
                b.referral.due,
                &b.case,
            ))
        });
        Ok(listings)
    }

    /// Saves the execution record of measure `measure` (partial records are fine until
    /// completion).
    pub fn save_execution(
        &self,
        who: &Principal,
        case_id: &str,
        measure: usize,
        record: ExecutionRecord,
    ) -> Result<Execution, AppError> {
        self.authorize(who, Action::RecordExecution)?;
        let at = self.now();
        let (file, _) = self.change_case(case_id, |case| {
            let file =
                execution::save(&case.file, &case.request, measure, record.clone(), who, at)?;
            let entry = Self::case_entry(
                who,
                haven_ledger::Action::ExecutionRecord,
                &format!("execution record of measure {measure} saved"),
                "record amended by the executing officer",
                &[("measure", measure.to_string())],
            )?;
            Ok(one_entry(file, entry))
        })?;
        file.executions
            .get(&measure)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("measure {measure} of case {case_id}")))
    }

    /// Completes the execution record of measure `measure`: refused while a safeguard the
    /// decision requires is missing or an owner's name does not match its party.
    pub fn complete_execution(
        &self,
        who: &Principal,
        case_id: &str,
        measure: usize,
        reason: Option<&str>,
    ) -> Result<Execution, AppError> {
        self.authorize(who, Action::RecordExecution)?;
        let reason = Reason::parse(reason.unwrap_or("execution record complete"))?;
        let at = self.now();
        let (file, _) = self.change_case(case_id, |case| {
            let (file, moved) = execution::complete(
                &case.file,
                &case.request,
                &case.decision,
                measure,
                who,
                at,
                reason.clone(),
            )?;
            let mut entries = vec![Self::case_entry(
                who,
                haven_ledger::Action::ExecutionRecord,
                &format!("execution record of measure {measure} completed"),
                reason.as_str(),
                &[("measure", measure.to_string())],
            )?];
            if let Some(record) = moved {
                entries.push(Self::case_entry(
                    who,
                    ledger_action(record.event),
                    &format!("{}: {} → {}", record.event, record.from, record.to),
                    "every measure's execution record is complete",
                    &[],
                )?);
            }
            Ok(FileChange { file, entries })
        })?;
        file.executions
            .get(&measure)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("measure {measure} of case {case_id}")))
    }

    /// The protected persons a case touches, for the gate: each registry record a finding
    /// rests on (with the party it was matched to, for a direct match) and the registry
    /// persons linked to it, with all their names.
    fn protected_persons(&self, case: &Case) -> Result<Vec<ProtectedPerson>, AppError> {
        let mut persons: BTreeMap<String, Option<usize>> = BTreeMap::new();
        for finding in &case.decision.findings {
            let Some(evidence) = &finding.matched else {
                continue;
            };
            if evidence.source != "registry" {
                continue;
            }
            let direct = matches!(
                finding.code,
                FindingCode::ProtectedAgainstRequestingState
                    | FindingCode::ProtectedByOtherState
                    | FindingCode::PossibleMatchProtected
                    | FindingCode::RelativeOfProtectedPerson
                    | FindingCode::ProtectedProfession
            );
            let party = if direct { finding.party } else { None };
            let slot = persons.entry(evidence.id.clone()).or_insert(party);
            if slot.is_none() {
                *slot = party;
            }
        }
        let matched: Vec<String> = persons.keys().cloned().collect();
        for id in matched {
            let Ok(id) = PersonId::parse(&id) else {
                continue;
            };
            for link in self.db.links_of(&id).map_err(AppError::from_store)? {
                if link.source == haven_store::RecordSource::Registry {
                    persons.entry(link.id.as_str().to_owned()).or_insert(None);
                }
            }
        }
        let mut protected = Vec::with_capacity(persons.len());
        for (record, party) in persons {
            let id = PersonId::parse(&record)
                .map_err(|e| AppError::Invalid(format!("registry id {record}: {e}")))?;
            let person = self
                .db
                .registry_person(&id)
                .map_err(AppError::from_store)?
                .ok_or_else(|| AppError::NotFound(format!("registry record {record}")))?;
            protected.push(ProtectedPerson {
                record,
                names: person.names.iter().map(|n| n.as_str().to_owned()).collect(),
                party,
            });
        }
        Ok(protected)
    }

    /// Proposes a transfer of seized items: the gate's verdict on each item and on the whole
    /// is stored with it; blocked items stay blocked until sorted or overridden.
    pub fn propose_transfer(
        &self,
        who: &Principal,
        case_id: &str,
        proposal: TransferRequest,
    ) -> Result<TransferView, AppError> {
        self.authorize(who, Action::ProposeTransfer)?;
        let case = self
            .db
            .get_case(case_id)
            .map_err(AppError::from_store)?
            .ok_or_else(|| AppError::NotFound(format!("case {case_id}")))?;
        let protected = self.protected_persons(&case)?;
        let reason = Reason::parse(proposal.reason.as_deref().unwrap_or(&format!(
            "transfer to {} under {}",
            proposal.recipient, proposal.legal_basis
        )))?;
        let at = self.now();
        let mut transfer_id = String::new();
        let (file, _) = self.change_case(case_id, |case| {
            let (file, id) = gate::propose(
                &case.file,
                &case.id,
                &case.request,
                &case.decision,
                &protected,
                Catalogue::bundled().partners(),
                Proposal {
                    recipient: proposal.recipient.clone(),
                    legal_basis: proposal.legal_basis.clone(),
                    items: proposal.items.clone(),
                    text: proposal.text.clone(),
                },
                who,
                at,
                reason.clone(),
            )?;
            let mut objects = vec![("transfer", id.clone())];
            objects.extend(proposal.items.iter().map(|i| ("item", i.clone())));
            let entry = Self::case_entry(
                who,
                haven_ledger::Action::Decision,
                &format!(
                    "transfer {id} proposed to {} under {}",
                    proposal.recipient, proposal.legal_basis
                ),
                reason.as_str(),
                &objects,
            )?;
            transfer_id = id;
            Ok(one_entry(file, entry))
        })?;
        transfer_view(case_id, &file, &transfer_id)
    }

    /// A transfer with the gate's verdicts.
    pub fn transfer(&self, who: &Principal, transfer_id: &str) -> Result<TransferView, AppError> {
        self.authorize(who, Action::ReadCase)?;
        let case_id = case_of_transfer(transfer_id)?;
        let case = self
            .db
            .get_case(case_id)
            .map_err(AppError::from_store)?
            .ok_or_else(|| AppError::NotFound(format!("transfer {transfer_id}")))?;
        transfer_view(case_id, &case.file, transfer_id)
    }

    /// A judge's sorting of a privileged or possibly privileged seized item.
    pub fn sort_item(
        &self,
        who: &Principal,
        case_id: &str,
        item: &str,
        privileged: bool,
        reason: &str,
    ) -> Result<(), AppError> {
        self.authorize(who, Action::DecideTransfer)?;
        let reason = Reason::parse(reason)?;
        let at = self.now();
        self.change_case(case_id, |case| {
            let file = gate::sort_item(&case.file, item, privileged, who, at, reason.clone())?;
            let verdict = if privileged {
                "privileged"
            } else {
                "not privileged"
            };
            let entry = Self::case_entry(
                who,
                haven_ledger::Action::Decision,
                &format!("item {item} sorted: {verdict}"),
                reason.as_str(),
                &[("item", item.to_owned())],
            )?;
            Ok(one_entry(file, entry))
        })?;
        Ok(())
    }

    /// A judge's reasoned override of one blocked item of a transfer.
    pub fn override_transfer_item(
        &self,
        who: &Principal,
        transfer_id: &str,
        item: &str,
        reason: &str,
    ) -> Result<TransferView, AppError> {
        self.authorize(who, Action::DecideTransfer)?;
        let case_id = case_of_transfer(transfer_id)?;
        let reason = Reason::parse(reason)?;
        let at = self.now();
        let (file, _) = self.change_case(case_id, |case| {
            let file = gate::override_item(&case.file, transfer_id, item, who, at, reason.clone())?;
            let entry = Self::case_entry(
                who,
                haven_ledger::Action::Decision,
                &format!("transfer {transfer_id}: block on item {item} overridden"),
                reason.as_str(),
                &[
                    ("transfer", transfer_id.to_owned()),
                    ("item", item.to_owned()),
                ],
            )?;
            Ok(one_entry(file, entry))
        })?;
        transfer_view(case_id, &file, transfer_id)
    }

    /// A judge's approval of a transfer; the second, by another judge, sends it and documents
    /// it in the ledger (date, time, recipient, legal basis, items, approvers).
    pub fn approve_transfer(
        &self,
        who: &Principal,
        transfer_id: &str,
        reason: &str,
    ) -> Result<TransferView, AppError> {
        self.authorize(who, Action::DecideTransfer)?;
        let case_id = case_of_transfer(transfer_id)?;
        let reason = Reason::parse(reason)?;
        let at = self.now();
        let (file, _) = self.change_case(case_id, |case| {
            let (file, approval) = gate::approve(&case.file, transfer_id, who, at, reason.clone())?;
            let transfer = gate::find(&file, transfer_id)?;
            let mut objects = vec![("transfer", transfer_id.to_owned())];
            let entry = match approval {
                Approval::Recorded => Self::case_entry(
                    who,
                    haven_ledger::Action::Decision,
                    &format!("transfer {transfer_id}: first approval"),
                    reason.as_str(),
                    &objects,
                )?,
                Approval::Sent => {
                    objects.extend(transfer.items.iter().map(|i| ("item", i.item.clone())));
                    let approvers: Vec<&str> = transfer
                        .approvals
                        .iter()
                        .map(|a| a.actor.as_str())
                        .collect();
                    let recipient = Recipient::parse(transfer.recipient.clone()).map_err(|e| {
                        Refusal::new(RefusalCode::Invalid, format!("recipient: {e}"))
                    })?;
                    Self::case_entry(
                        who,
                        haven_ledger::Action::Transfer,
                        &format!(
                            "transfer {transfer_id} sent to {} under {}: {} item(s) ({}); \
                             approved by {}",
                            transfer.recipient,
                            transfer.legal_basis,
                            transfer.items.len(),
                            transfer
                                .items
                                .iter()
                                .map(|i| i.item.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            approvers.join(" and ")
                        ),
                        reason.as_str(),
                        &objects,
                    )?
                    .with_recipient(recipient)
                }
            };
            Ok(one_entry(file, entry))
        })?;
        transfer_view(case_id, &file, transfer_id)
    }

    /// The oversight statistics: requests per requesting state and outcome, freezes,
    /// refusals, overdue referrals, transfers proposed, blocked and sent.
    pub fn statistics(&self, who: &Principal) -> Result<Statistics, AppError> {
        self.authorize(who, Action::ReadStatistics)?;
        let now = self.now();
        let mut rows: BTreeMap<(String, String), StatisticsRow> = BTreeMap::new();
        let mut total = StatisticsRow {
            requesting_state: "all".into(),
            outcome: "all".into(),
            ..StatisticsRow::default()
        };
        for (summary, file) in self.db.case_files().map_err(AppError::from_store)? {
            let row = rows
                .entry((summary.requesting_state.clone(), summary.outcome.clone()))
                .or_insert_with(|| StatisticsRow {
                    requesting_state: summary.requesting_state.clone(),
                    outcome: summary.outcome.clone(),
                    ..StatisticsRow::default()
                });
            let frozen = file.events.iter().any(|e| e.event == CaseEvent::Freeze);
            let refused = file.state == CaseState::Refused;
            let overdue = file.referrals.iter().filter(|r| r.is_overdue(now)).count() as u64;
            let proposed = file.transfers.len() as u64;
            let blocked = file
                .transfers
                .iter()
                .filter(|t| !t.blocks.is_empty() || t.items.iter().any(|i| !i.blocks.is_empty()))
                .count() as u64;
            let sent = file
                .transfers
                .iter()
                .filter(|t| t.state == haven_domain::workflow::TransferState::Sent)
                .count() as u64;
            for row in [&mut *row, &mut total] {
                row.requests += 1;
                row.frozen += u64::from(frozen);
                row.refused += u64::from(refused);
                row.overdue_referrals += overdue;
                row.transfers_proposed += proposed;
                row.transfers_blocked += blocked;
                row.transfers_sent += sent;
            }
        }
        Ok(Statistics {
            generated_at: now,
            rows: rows.into_values().collect(),
            total,
        })
    }
}

/// A change recorded by one ledger entry.
fn one_entry(file: CaseFile, entry: Entry) -> FileChange {
    FileChange {
        file,
        entries: vec![entry],
    }
}

/// The case a transfer id belongs to (`case-000001-t2` → `case-000001`).
fn case_of_transfer(transfer_id: &str) -> Result<&str, AppError> {
    split_transfer_id(transfer_id)
        .map(|(case, _)| case)
        .ok_or_else(|| AppError::NotFound(format!("transfer {transfer_id}")))
}

fn transfer_view(
    case_id: &str,
    file: &CaseFile,
    transfer_id: &str,
) -> Result<TransferView, AppError> {
    let transfer = gate::find(file, transfer_id)?.clone();
    Ok(TransferView {
        case: case_id.to_owned(),
        blocked: transfer.is_blocked(),
        transfer,
    })
}
