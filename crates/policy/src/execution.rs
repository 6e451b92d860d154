//! The execution record's rules (DESIGN §5.5): which safeguard asks for which part of the record
//! for which kind of measure, what a saved record may hold, and what completion requires —
//! every safeguard the decision requires recorded, inventory owners' names matching the parties
//! they are recorded against (the name engine, `match` tier), no foreign official without
//! consent and supervisor, privileged items sealed.
//!
//! The rules, in the order [`check`] applies them:
//!
//! 1. Each safeguard of the decision (each code once) that [`concerns`] the measure's kind must
//!    have its part of the record ([`record_part`]) recorded and satisfying it:
//!    - `warrant_presented`: the warrant's reference and to whom it was shown, both non-blank;
//!    - `counsel_present`: when counsel was notified, and counsel present or why not;
//!    - `independent_legal_observer`: the observer's name and qualification;
//!    - `privilege_sealing`: the inventory recorded, every item that is or may be privileged
//!      sealed;
//!    - `itemised_inventory`: the inventory recorded (empty when nothing was seized), every item
//!      described, every seized device and sealed item with at least one custody step, every item recorded against a
//!      party with the owner's name as written on the seizure list;
//!    - `judge_led_questioning`: questioned by a judge, or not questioned (a lawyer is not
//!      questioned by the police);
//!    - `foreign_officials_observe_only`: every official present with a consent reference and a
//!      supervising officer;
//!    - `no_foreign_officials`: no official of the requesting state present (consent withheld);
//!    - `no_live_account_access`: device handling recorded, no credential used live;
//!    - `sealed_storage`: device handling recorded, devices sealed;
//!    - `remedy_information`: to whom the person was told how to challenge the measure.
//! 2. Whatever the safeguards, the record must be consistent and lawful in itself: every foreign
//!    official has a consent reference and a supervisor (`official_consent`), every item that is
//!    or may be privileged is sealed (`privileged_items_sealed`), inventory ids are non-blank and
//!    unique (`inventory_ids`), custody steps name inventory items (`custody_items`). Where the
//!    decision's own safeguard asks the same thing (`foreign_officials_observe_only`,
//!    `privilege_sealing`), the problem is reported once, under the safeguard's code.
//!
//!    Everything in 1 and 2 is one `safeguard_missing` refusal, one detail per problem.
//! 3. Only when nothing is missing: each item recorded against a party must name a party of
//!    the request (`invalid` otherwise), and the owner's name, where written, must be the
//!    party's at the name engine's `match` tier (`owner_name_mismatch` otherwise): a child's
//!    laptop listed under a cousin's surname is not the child's, and what is later sent abroad
//!    would be attributed to the wrong person.

use std::collections::{BTreeMap, BTreeSet};

use haven_domain::workflow::{
    CaseEvent, CaseFile, CaseState, EventRecord, Execution, ExecutionRecord, InventoryItem,
    Privileged, Questioner, Reason, Refusal, RefusalCode, Signed,
};
use haven_domain::{Decision, Measure, MeasureKind, Principal, Request, Role, SafeguardCode};
use haven_names::{Matcher, Tier};

use crate::workflow::require_role;

/// Which measures a safeguard concerns at execution.
#[derive(Debug, Clone, Copy)]
enum Reach {
    /// These kinds only.
    Kinds(&'static [MeasureKind]),
    /// Every kind: whatever the measure, the record may list officials of the requesting state.
    Every,
    /// Every kind aimed at a party: a person who can challenge the measure.
    EveryAimedAtParty,
    /// None: checked when material is transferred (`gate`), not at execution.
    AtTransfer,
}

/// One safeguard's line of the table: which measures it concerns, the part of the record it asks
/// for and what it asks of that part (in words a police officer and a judge can read).
#[derive(Debug, Clone, Copy)]
struct Asks {
    code: SafeguardCode,
    reach: Reach,
    part: Option<&'static str>,
    what: &'static str,
}

/// Searches and seizures: where privileged material is found and where the owner's rights are
/// most directly touched.
const SEARCH_AND_SEIZURE: &[MeasureKind] = &[
    MeasureKind::SearchPremises,
    MeasureKind::SeizeDevices,
    MeasureKind::SeizeDocuments,
];

/// THE table (data, one place): what each safeguard asks of which execution record.
const TABLE: &[Asks] = &[
    Asks {
        code: SafeguardCode::WarrantPresented,
        reach: Reach::Kinds(&[
            MeasureKind::SearchPremises,
            MeasureKind::SeizeDevices,
            MeasureKind::SeizeDocuments,
            MeasureKind::BankingRecords,
            MeasureKind::AccountAccess,
            MeasureKind::Interception,
            MeasureKind::ProvisionalArrest,
        ]),
        part: Some("warrant"),
        what: "reference and to whom it was shown",
    },
    Asks {
        code: SafeguardCode::CounselPresent,
        reach: Reach::Kinds(&[
            MeasureKind::SearchPremises,
            MeasureKind::SeizeDevices,
            MeasureKind::SeizeDocuments,
            MeasureKind::Questioning,
        ]),
        part: Some("counsel"),
        what: "when counsel was notified, and present or why absent",
    },
    Asks {
        code: SafeguardCode::IndependentLegalObserver,
        reach: Reach::Kinds(SEARCH_AND_SEIZURE),
        part: Some("observer"),
        what: "name and qualification",
    },
    Asks {
        code: SafeguardCode::PrivilegeSealing,
        reach: Reach::Kinds(SEARCH_AND_SEIZURE),
        part: Some("inventory[].sealed"),
        what: "every item that is or may be privileged sealed",
    },
    Asks {
        code: SafeguardCode::ItemisedInventory,
        reach: Reach::Kinds(SEARCH_AND_SEIZURE),
        part: Some("inventory"),
        what: "every item described, with its owner and its chain of custody; empty if nothing \
               was seized",
    },
    Asks {
        code: SafeguardCode::JudgeLedQuestioning,
        reach: Reach::Kinds(&[MeasureKind::Questioning]),
        part: Some("questioned_by"),
        what: "a lawyer is questioned by a judge",
    },
    Asks {
        code: SafeguardCode::ForeignOfficialsObserveOnly,
        reach: Reach::Every,
        part: Some("foreign_officials"),
        what: "each official's consent reference and supervising officer",
    },
    Asks {
        code: SafeguardCode::NoForeignOfficials,
        reach: Reach::Every,
        part: Some("foreign_officials"),
        what: "consent to the presence of the requesting state's officials is withheld",
    },
    Asks {
        code: SafeguardCode::NoLiveAccountAccess,
        reach: Reach::Kinds(&[MeasureKind::SeizeDevices, MeasureKind::AccountAccess]),
        part: Some("devices.live_account_access"),
        what: "no credential found used to access an account live",
    },
    Asks {
        code: SafeguardCode::SealedStorage,
        reach: Reach::Kinds(&[MeasureKind::SeizeDevices, MeasureKind::AccountAccess]),
        part: Some("devices.sealed"),
        what: "devices and account data kept in sealed storage with an access log, no \
               credential found used for live access",
    },
    Asks {
        code: SafeguardCode::RemedyInformation,
        reach: Reach::EveryAimedAtParty,
        part: Some("remedy_information"),
        what: "to whom the means to challenge the measure were given, or \"deferred\" and why",
    },
    Asks {
        code: SafeguardCode::TransferAfterJudicialSorting,
        reach: Reach::AtTransfer,
        part: None,
        what: "checked when material is transferred",
    },
    Asks {
        code: SafeguardCode::SpecialityOfUse,
        reach: Reach::AtTransfer,
        part: None,
        what: "checked when material is transferred",
    },
    Asks {
        code: SafeguardCode::TransferBlocked,
        reach: Reach::AtTransfer,
        part: None,
        what: "checked when material is transferred",
    },
];

/// The rules checked whatever the decision's safeguards (their names stand where a safeguard
/// code would in a refusal's details).
const OFFICIAL_CONSENT: &str = "official_consent";
const PRIVILEGED_ITEMS_SEALED: &str = "privileged_items_sealed";
const INVENTORY_IDS: &str = "inventory_ids";
const CUSTODY_ITEMS: &str = "custody_items";

/// The table's line for a code. Every code has one (the table test checks it); the fallback
/// asks for nothing, so a code added to the domain without a line here is never enforced by
/// accident with the wrong words.
fn asks(code: SafeguardCode) -> Asks {
    TABLE
        .iter()
        .copied()
        .find(|line| line.code == code)
        .unwrap_or(Asks {
            code,
            reach: Reach::AtTransfer,
            part: None,
            what: "not checked at execution",
        })
}

/// Whether a safeguard concerns a kind of measure at execution. `remedy_information` concerns
/// every kind, but only a measure aimed at a party ([`applies`]).
pub fn concerns(code: SafeguardCode, kind: MeasureKind) -> bool {
    match asks(code).reach {
        Reach::Kinds(kinds) => kinds.contains(&kind),
        Reach::Every | Reach::EveryAimedAtParty => true,
        Reach::AtTransfer => false,
    }
}

/// Whether a safeguard applies to this measure's execution record.
pub fn applies(code: SafeguardCode, measure: &Measure) -> bool {
    match asks(code).reach {
        Reach::EveryAimedAtParty => measure.party.is_some(),
        _ => concerns(code, measure.kind),
    }
}

/// The part of the execution record a safeguard asks for (for messages), or `None` for a
/// safeguard checked when material is transferred rather than at execution.
pub fn record_part(code: SafeguardCode) -> Option<&'static str> {
    asks(code).part
}

/// The decision's safeguards that apply to measure `index`, each code once, in the decision's
/// order: those the decision attaches to this measure (the rule that required them chose the
/// measure), and those on the whole request where the table above says the measure's kind
/// concerns them (`no_foreign_officials` on every record). A safeguard checked at transfer has
/// no record part and applies to none.
pub fn applicable(decision: &Decision, index: usize, measure: &Measure) -> Vec<SafeguardCode> {
    let mut codes = Vec::new();
    for safeguard in &decision.safeguards {
        let applies_here = match safeguard.measure {
            Some(attached) => attached == index && record_part(safeguard.code).is_some(),
            None => applies(safeguard.code, measure),
        };
        if applies_here && !codes.contains(&safeguard.code) {
            codes.push(safeguard.code);
        }
    }
    codes
}

/// Whether a measure is executed on its own and so needs its own completed record before the
/// case is `executed`. The presence of the requesting state's officials accompanies the other
/// measures (every record's `foreign_officials` shows it, and `no_foreign_officials` is checked
/// on each), and a transfer of material is the gate's business, not the police's; both may
/// still have a record of their own.
pub fn needs_own_record(kind: MeasureKind) -> bool {
    !matches!(
        kind,
        MeasureKind::ForeignOfficialsPresent | MeasureKind::TransferOfMaterial
    )
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
    // The police execute (DESIGN §5.5: the execution endpoints are theirs alone).
    require_role(by, Role::Police, "save an execution record")?;
    executing(file, measure_of(request, measure)?, "saved")?;
    not_completed(file, measure)?;
    ids_unique_in_case(file, measure, &record)?;
    let mut file = file.clone();
    file.executions.insert(
        measure,
        Execution {
            record,
            saved_by: by.actor.clone(),
            saved_at: at,
            completed: None,
            deferred: Vec::new(),
        },
    );
    Ok(file)
}

/// Everything that stops this record from being completed, as a refusal
/// (`safeguard_missing` before `owner_name_mismatch`), or `None` if it may be completed.
pub fn check(
    request: &Request,
    decision: &Decision,
    measure: usize,
    record: &ExecutionRecord,
) -> Option<Refusal> {
    let the_measure = match measure_of(request, measure) {
        Ok(the_measure) => the_measure,
        Err(refusal) => return Some(refusal),
    };
    let codes = applicable(decision, measure, the_measure);
    let mut problems = Problems::default();
    for &code in &codes {
        safeguard_problems(code, the_measure.kind, record, &mut problems);
    }
    always_problems(&codes, record, &mut problems);
    if let Some(refusal) = problems.refusal(measure, the_measure) {
        return Some(refusal);
    }
    owner_problems(request, measure, the_measure, record)
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
    require_role(by, Role::Police, "complete an execution record")?;
    let the_measure = measure_of(request, measure)?;
    executing(file, the_measure, "completed")?;
    let Some(execution) = file.executions.get(&measure) else {
        return Err(nothing_saved(decision, measure, the_measure));
    };
    not_completed(file, measure)?;
    if let Some(refusal) = check(request, decision, measure, &execution.record) {
        return Err(refusal);
    }

    let signed = Signed::new(by, at, reason);
    let mut file = file.clone();
    let deferred = deferred(decision, measure, the_measure, &execution.record);
    if let Some(execution) = file.executions.get_mut(&measure) {
        execution.completed = Some(signed.clone());
        execution.deferred = deferred;
    }
    let all_completed = request
        .measures
        .iter()
        .enumerate()
        .filter(|(_, measure)| needs_own_record(measure.kind))
        .all(|(index, _)| {
            file.executions
                .get(&index)
                .is_some_and(|execution| execution.completed.is_some())
        });
    // Already executed: a record that does not hold the case was completed after the others.
    if !all_completed || file.state != CaseState::Executing {
        return Ok((file, None));
    }
    let event =
        crate::workflow::record_event(&mut file, CaseEvent::CompleteExecution, signed, None)?;
    Ok((file, Some(event)))
}

/// Records are kept while the case is executing; the record of a measure that does not hold
/// the case (see [`needs_own_record`]) may still be kept once the others made it `executed`.
fn executing(file: &CaseFile, measure: &Measure, what: &str) -> Result<(), Refusal> {
    if file.state == CaseState::Executing
        || (file.state == CaseState::Executed && !needs_own_record(measure.kind))
    {
        return Ok(());
    }
    Err(Refusal::new(
        RefusalCode::InvalidTransition,
        format!(
            "an execution record is {what} only while the case is executing; the case is {}",
            file.state
        ),
    ))
}

fn measure_of(request: &Request, measure: usize) -> Result<&Measure, Refusal> {
    request.measures.get(measure).ok_or_else(|| {
        Refusal::new(
            RefusalCode::NotFound,
            format!(
                "measure {measure}: the request has {} measures, numbered from 0",
                request.measures.len()
            ),
        )
    })
}

fn not_completed(file: &CaseFile, measure: usize) -> Result<(), Refusal> {
    match file
        .executions
        .get(&measure)
        .and_then(|e| e.completed.as_ref())
    {
        None => Ok(()),
        Some(completed) => Err(Refusal::new(
            RefusalCode::InvalidTransition,
            format!(
                "measure {measure}: the execution record was completed on {} by {}; a completed \
                 record is closed",
                completed.at, completed.actor
            ),
        )),
    }
}

/// Item ids name seized material across the whole case (sorting, transfers, the gate): an id
/// another measure's record already uses would make them ambiguous.
fn ids_unique_in_case(
    file: &CaseFile,
    measure: usize,
    record: &ExecutionRecord,
) -> Result<(), Refusal> {
    let elsewhere: BTreeMap<&str, usize> = file
        .executions
        .iter()
        .filter(|(other, _)| **other != measure)
        .flat_map(|(other, execution)| {
            execution
                .record
                .inventory
                .iter()
                .flatten()
                .map(move |item| (item.id.as_str(), *other))
        })
        .collect();
    let clashes: Vec<String> = record
        .inventory
        .iter()
        .flatten()
        .filter_map(|item| {
            elsewhere.get(item.id.as_str()).map(|other| {
                format!(
                    "inventory[].id: {} is already an item of measure {other}'s record",
                    item.id
                )
            })
        })
        .collect();
    if clashes.is_empty() {
        return Ok(());
    }
    Err(Refusal::new(
        RefusalCode::Invalid,
        format!(
            "measure {measure}: inventory item ids must be unique within the case; rename: {}",
            clashes.join("; ")
        ),
    )
    .with_details(clashes))
}

/// Completing a measure nothing was saved for: every safeguard that applies to it is missing.
fn nothing_saved(decision: &Decision, measure: usize, the_measure: &Measure) -> Refusal {
    let codes = applicable(decision, measure, the_measure);
    let details = codes.iter().map(|&code| whole_part(code)).collect();
    let missing = if codes.is_empty() {
        String::from("save it before completing it")
    } else {
        let listed: Vec<&str> = codes.iter().map(|code| code.as_str()).collect();
        format!("safeguards missing: {}", listed.join(", "))
    };
    Refusal::new(
        RefusalCode::SafeguardMissing,
        format!(
            "measure {measure} ({}): no execution record is saved; {missing}",
            the_measure.kind
        ),
    )
    .with_details(details)
}

/// The detail for a safeguard whose whole part is missing:
/// `warrant_presented: warrant (reference and to whom it was shown)`.
fn whole_part(code: SafeguardCode) -> String {
    let line = asks(code);
    format!(
        "{code}: {} ({})",
        line.part.unwrap_or("execution record"),
        line.what
    )
}

/// What stops completion, by safeguard code or always-rule name, in the order found.
#[derive(Debug, Default)]
struct Problems {
    /// Codes and rule names, each once, in order.
    names: Vec<String>,
    details: Vec<String>,
}

impl Problems {
    fn add(&mut self, name: &str, detail: String) {
        if !self.names.iter().any(|known| known == name) {
            self.names.push(name.to_owned());
        }
        self.details.push(format!("{name}: {detail}"));
    }

    fn refusal(self, measure: usize, the_measure: &Measure) -> Option<Refusal> {
        if self.details.is_empty() {
            return None;
        }
        Some(
            Refusal::new(
                RefusalCode::SafeguardMissing,
                format!(
                    "measure {measure} ({}): safeguards missing: {}",
                    the_measure.kind,
                    self.names.join(", ")
                ),
            )
            .with_details(self.details),
        )
    }
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

fn blank_or_absent(text: Option<&String>) -> bool {
    text.is_none_or(|text| blank(text))
}

/// Whether an item is, or may be, privileged: it must be sealed until a judge sorts it.
fn may_be_privileged(item: &InventoryItem) -> bool {
    matches!(item.privileged, Privileged::Yes | Privileged::Possible)
}

/// What one safeguard finds missing in the record.
fn safeguard_problems(
    code: SafeguardCode,
    kind: MeasureKind,
    record: &ExecutionRecord,
    problems: &mut Problems,
) {
    let name = code.as_str();
    match code {
        SafeguardCode::WarrantPresented => {
            if record
                .warrant
                .as_ref()
                .is_none_or(|w| blank(&w.reference) || blank(&w.shown_to))
            {
                problems.add(name, "warrant (reference and to whom it was shown)".into());
            }
        }
        SafeguardCode::CounselPresent => {
            let satisfied = record.counsel.as_ref().is_some_and(|counsel| {
                !blank_or_absent(counsel.notified_at.as_ref())
                    && (counsel.present == Some(true)
                        || !blank_or_absent(counsel.absent_reason.as_ref()))
            });
            if !satisfied {
                problems.add(
                    name,
                    "counsel (when counsel was notified, and present or why absent)".into(),
                );
            }
        }
        SafeguardCode::IndependentLegalObserver => {
            if record
                .observer
                .as_ref()
                .is_none_or(|o| blank(&o.name) || blank(&o.qualification))
            {
                problems.add(name, "observer (name and qualification)".into());
            }
        }
        SafeguardCode::PrivilegeSealing => match &record.inventory {
            None => problems.add(
                name,
                "inventory[].sealed (the inventory is not recorded, so nothing shows that \
                 privileged items were sealed)"
                    .into(),
            ),
            Some(items) => unsealed(items, name, problems),
        },
        SafeguardCode::ItemisedInventory => itemised_problems(kind, record, name, problems),
        SafeguardCode::JudgeLedQuestioning => match record.questioned_by {
            Some(Questioner::Judge | Questioner::None) => {}
            Some(Questioner::Police) => problems.add(
                name,
                "questioned_by (questioned by the police; a lawyer is questioned by a judge)"
                    .into(),
            ),
            None => problems.add(
                name,
                "questioned_by (not recorded; a lawyer is questioned by a judge)".into(),
            ),
        },
        SafeguardCode::ForeignOfficialsObserveOnly => official_problems(record, name, problems),
        SafeguardCode::NoForeignOfficials => {
            if !record.foreign_officials.is_empty() {
                let names: Vec<String> = record
                    .foreign_officials
                    .iter()
                    .map(|official| format!("«{}»", official.name))
                    .collect();
                problems.add(
                    name,
                    format!(
                        "foreign_officials (consent to the presence of the requesting state's \
                         officials is withheld, yet the record lists {})",
                        names.join(", ")
                    ),
                );
            }
        }
        SafeguardCode::NoLiveAccountAccess => match &record.devices {
            None if sealed_in_custody(record) => {}
            None => problems.add(
                name,
                "devices.live_account_access (device handling is not recorded)".into(),
            ),
            Some(devices) if devices.live_account_access => problems.add(
                name,
                "devices.live_account_access (a credential found was used to access an account \
                 live)"
                    .into(),
            ),
            Some(_) => {}
        },
        SafeguardCode::SealedStorage => match &record.devices {
            None if sealed_in_custody(record) => {}
            None => problems.add(
                name,
                "devices.sealed (device handling is not recorded)".into(),
            ),
            Some(devices) => {
                if !devices.sealed {
                    problems.add(
                        name,
                        "devices.sealed (devices and account data are not in sealed storage)"
                            .into(),
                    );
                }
                // Sealed storage means what is sealed is not used: a credential found on a
                // seized device is never used to open an account live (LED Arts 29–31).
                if devices.live_account_access {
                    problems.add(
                        name,
                        "devices.live_account_access (a credential found was used to access an \
                         account live; sealed storage forbids it)"
                            .into(),
                    );
                }
            }
        },
        // May wait until after execution (LEGAL-REVIEW §4: "after execution when earlier
        // notice would defeat it"): absent, it is recorded as deferred at completion; recorded,
        // it must say to whom.
        SafeguardCode::RemedyInformation => {
            if record
                .remedy_information
                .as_ref()
                .is_some_and(|remedy| blank(&remedy.given_to))
            {
                problems.add(
                    name,
                    "remedy_information (to whom the means to challenge the measure were given, \
                     or \"deferred\" and why)"
                        .into(),
                );
            }
        }
        SafeguardCode::TransferAfterJudicialSorting
        | SafeguardCode::SpecialityOfUse
        | SafeguardCode::TransferBlocked => {}
    }
}

/// Without a `devices` part, what DESIGN §5.5's record itself shows of sealed storage: the
/// inventory recorded, every item in it sealed and handed on in a chain of custody (nothing
/// seized under this measure: nothing to seal). A `devices` part, when recorded, says more and
/// is checked instead.
fn sealed_in_custody(record: &ExecutionRecord) -> bool {
    record.inventory.as_ref().is_some_and(|items| {
        items
            .iter()
            .all(|item| item.sealed && record.custody.iter().any(|step| step.item == item.id))
    })
}

/// The safeguards that may wait until after execution and are not recorded yet.
fn deferred(
    decision: &Decision,
    index: usize,
    measure: &Measure,
    record: &ExecutionRecord,
) -> Vec<SafeguardCode> {
    applicable(decision, index, measure)
        .into_iter()
        .filter(|&code| {
            code == SafeguardCode::RemedyInformation && record.remedy_information.is_none()
        })
        .collect()
}

/// `itemised_inventory`: recorded, every item described, recorded against a party with the
/// owner's name, and a chain of custody for seized devices and sealed items.
fn itemised_problems(
    kind: MeasureKind,
    record: &ExecutionRecord,
    name: &str,
    problems: &mut Problems,
) {
    let Some(items) = &record.inventory else {
        problems.add(
            name,
            "inventory (not recorded; record it, empty if nothing was seized)".into(),
        );
        return;
    };
    for (index, item) in items.iter().enumerate() {
        let label = item_label(index, item);
        if blank(&item.description) {
            problems.add(
                name,
                format!("inventory[].description ({label} is not described)"),
            );
        }
        if let Some(party) = item.owner_party
            && blank_or_absent(item.owner_name.as_ref())
        {
            problems.add(
                name,
                format!(
                    "inventory[].owner_name ({label} is recorded against party {party} without \
                     the owner's name as written on the seizure list)"
                ),
            );
        }
        // A chain of custody for what must stay intact until a judge sees it: seized devices
        // and every sealed item.
        let tracked = kind == MeasureKind::SeizeDevices || item.sealed;
        if tracked && !record.custody.iter().any(|step| step.item == item.id) {
            problems.add(
                name,
                format!("custody ({label} has no custody step: its chain of custody is missing)"),
            );
        }
    }
}

fn item_label(index: usize, item: &InventoryItem) -> String {
    if blank(&item.id) {
        format!("item {index} (no id)")
    } else {
        item.id.clone()
    }
}

/// Items that are or may be privileged and are not sealed, under `name`.
fn unsealed(items: &[InventoryItem], name: &str, problems: &mut Problems) {
    for (index, item) in items.iter().enumerate() {
        if may_be_privileged(item) && !item.sealed {
            problems.add(
                name,
                format!(
                    "inventory[].sealed ({}, privileged: {}, is not sealed)",
                    item_label(index, item),
                    item.privileged
                ),
            );
        }
    }
}

/// Officials without a consent reference or a supervising officer, under `name`: officials of
/// the requesting state act only with consent and under a domestic officer's supervision.
fn official_problems(record: &ExecutionRecord, name: &str, problems: &mut Problems) {
    for official in &record.foreign_officials {
        let mut lacks = Vec::new();
        if blank_or_absent(official.consent_reference.as_ref()) {
            lacks.push("consent reference");
        }
        if blank_or_absent(official.supervisor.as_ref()) {
            lacks.push("supervising officer");
        }
        if !lacks.is_empty() {
            problems.add(
                name,
                format!(
                    "foreign_officials («{}» has no {})",
                    official.name,
                    lacks.join(" and no ")
                ),
            );
        }
    }
}

/// The checks made whatever the decision's safeguards. Where a safeguard of the decision asks
/// the same thing, its code names the problem (and it was already reported).
fn always_problems(codes: &[SafeguardCode], record: &ExecutionRecord, problems: &mut Problems) {
    if !codes.contains(&SafeguardCode::ForeignOfficialsObserveOnly) {
        official_problems(record, OFFICIAL_CONSENT, problems);
    }
    let items: &[InventoryItem] = record.inventory.as_deref().unwrap_or(&[]);
    if !codes.contains(&SafeguardCode::PrivilegeSealing) {
        unsealed(items, PRIVILEGED_ITEMS_SEALED, problems);
    }

    let mut seen = BTreeSet::new();
    let mut twice = BTreeSet::new();
    for (index, item) in items.iter().enumerate() {
        if blank(&item.id) {
            problems.add(
                INVENTORY_IDS,
                format!("inventory[].id (item {index} has no id)"),
            );
        } else if !seen.insert(item.id.as_str()) && twice.insert(item.id.as_str()) {
            problems.add(
                INVENTORY_IDS,
                format!(
                    "inventory[].id ({} is used for more than one item)",
                    item.id
                ),
            );
        }
    }

    for (index, step) in record.custody.iter().enumerate() {
        if !seen.contains(step.item.as_str()) {
            problems.add(
                CUSTODY_ITEMS,
                format!(
                    "custody[].item (step {index} names «{}», which is not in the inventory)",
                    step.item
                ),
            );
        }
    }
}

/// Owners' names against the parties they are recorded against (rule 3 of the module header).
fn owner_problems(
    request: &Request,
    measure: usize,
    the_measure: &Measure,
    record: &ExecutionRecord,
) -> Option<Refusal> {
    let named: Vec<(&InventoryItem, usize, &str)> = record
        .inventory
        .iter()
        .flatten()
        .filter_map(|item| {
            let name = item.owner_name.as_deref().filter(|name| !blank(name))?;
            Some((item, item.owner_party?, name))
        })
        .collect();

    // Any item recorded against a party the request does not have is inconsistent, named or not.
    let no_party: Vec<String> = record
        .inventory
        .iter()
        .flatten()
        .filter_map(|item| Some((item, item.owner_party?)))
        .filter(|(_, party)| *party >= request.parties.len())
        .map(|(item, party)| {
            format!(
                "{}: inventory[].owner_party {party} names no party (the request has {}, \
                 numbered from 0)",
                item.id,
                request.parties.len()
            )
        })
        .collect();
    if !no_party.is_empty() {
        return Some(
            Refusal::new(
                RefusalCode::Invalid,
                format!(
                    "measure {measure} ({}): an inventory item is recorded against a party the \
                     request does not have",
                    the_measure.kind
                ),
            )
            .with_details(no_party),
        );
    }

    let matcher = Matcher::bundled();
    let mismatches: Vec<String> = named
        .iter()
        .filter_map(|(item, index, name)| {
            let party = request.parties.get(*index)?;
            let same_person = party
                .names
                .iter()
                .any(|known| matcher.compare(name, known.as_str()).tier == Tier::Match);
            if same_person {
                return None;
            }
            let known: Vec<String> = party
                .names
                .iter()
                .map(|known| format!("«{}»", known.as_str()))
                .collect();
            Some(format!(
                "{}: owner recorded as «{name}», party {index} is {}",
                item.id,
                known.join(" or ")
            ))
        })
        .collect();
    if mismatches.is_empty() {
        return None;
    }
    Some(
        Refusal::new(
            RefusalCode::OwnerNameMismatch,
            format!(
                "measure {measure} ({}): the inventory must name each owner as the request names \
                 the party it is recorded against; a name that is not the party's (a child \
                 recorded under a cousin's surname) is refused: correct the name or the party",
                the_measure.kind
            ),
        )
        .with_details(mismatches),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_line_and_only_transfer_codes_lack_a_part() {
        for &code in SafeguardCode::ALL {
            let lines = TABLE.iter().filter(|line| line.code == code).count();
            assert_eq!(lines, 1, "{code}");
            let at_transfer = matches!(
                code,
                SafeguardCode::TransferAfterJudicialSorting
                    | SafeguardCode::SpecialityOfUse
                    | SafeguardCode::TransferBlocked
            );
            assert_eq!(record_part(code).is_none(), at_transfer, "{code}");
            let concerns_some = MeasureKind::ALL.iter().any(|&kind| concerns(code, kind));
            assert_eq!(concerns_some, !at_transfer, "{code}");
        }
    }
}
