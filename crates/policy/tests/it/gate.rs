//! The outbound transfer gate: one table row per block reason, the motivating case (a refugee's
//! lawyer's files and her son's bank records asked for by the state she fled) step by step, the
//! refusals of each step, and a property test that no sequence of overrides, sortings and
//! approvals sends a transfer the gate has not cleared.

use std::collections::{BTreeMap, BTreeSet};

use haven_domain::workflow::{
    BlockReason, CaseEvent, CaseFile, CaseState, Execution, ExecutionRecord, InventoryItem,
    Privileged, Reason, Refusal, RefusalCode, Signed, Sorting, Transfer, TransferState,
};
use haven_domain::{AccountName, Decision, Principal, Request, Role, parse_request};
use haven_policy::gate::{self, Approval, Proposal, ProtectedPerson};
use haven_policy::{Catalogue, Facts, evaluate};
use proptest::prelude::*;

use crate::support::{be, finding};

const CASE: &str = "case-000001";
/// The instrument in force with Kazakhstan for a bribery MLA request.
const UNCAC: &str = "uncac-mla";

fn principal(name: &str, role: Role) -> Principal {
    Principal {
        actor: AccountName::parse(name).expect("account name"),
        role,
    }
}

fn officer() -> Principal {
    principal("officer-c", Role::Officer)
}

fn judge_a() -> Principal {
    principal("judge-a", Role::Judge)
}

fn judge_b() -> Principal {
    principal("judge-b", Role::Judge)
}

fn at() -> jiff::Timestamp {
    jiff::Timestamp::from_second(1_700_000_000).expect("timestamp")
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).expect("reason")
}

fn signed(by: &Principal) -> Signed {
    Signed {
        actor: by.actor.clone(),
        role: by.role,
        at: at(),
        reason: reason("recorded"),
    }
}

/// The motivating request: Kazakhstan asks for the records of a bribery case against a
/// recognised refugee (party 0), her son (party 1) and her lawyer (party 2).
fn kz_request(parties: &[&str]) -> Request {
    let parties: Vec<String> = parties
        .iter()
        .map(|name| format!(r#"{{"role": "subject", "names": ["{name}"]}}"#))
        .collect();
    let json = format!(
        r#"{{"reference": "MLA/2024/17", "kind": "mla", "requesting_state": "kz",
            "received_on": "2024-01-15", "parties": [{}],
            "measures": [{{"kind": "seize_documents", "party": 0}}],
            "offences": [{{"description": "bribery of a customs official", "category": "fraud"}}]}}"#,
        parties.join(", ")
    );
    parse_request(&json).unwrap_or_else(|e| panic!("test request {json}: {e}"))
}

fn family() -> Request {
    kz_request(&["Aigerim Bekova", "Timur Bekov", "Dana Ospanova"])
}

fn decide(request: &Request, findings: &[&str]) -> Decision {
    let facts = Facts {
        request,
        requested_state: be(),
        findings: findings.iter().map(|spec| finding(spec)).collect(),
        state_risk: None,
    };
    evaluate(Catalogue::bundled(), &facts)
}

/// The family's decision: the mother is protected against Kazakhstan, the son is her relative.
fn family_decision() -> Decision {
    decide(
        &family(),
        &[
            "protected_against_requesting_state@0",
            "relative_of_protected_person@1",
        ],
    )
}

/// An inventory item: `id`, owner party, owner name, privileged.
fn item(
    id: &str,
    party: Option<usize>,
    name: Option<&str>,
    privileged: Privileged,
) -> InventoryItem {
    InventoryItem {
        id: id.into(),
        description: format!("seized item {id}"),
        owner_party: party,
        owner_name: name.map(str::to_owned),
        privileged,
        sealed: privileged != Privileged::No,
    }
}

/// A case executed with these items in measure 0's completed inventory.
fn executed(items: Vec<InventoryItem>) -> CaseFile {
    let mut file = CaseFile::assessed();
    file.state = CaseState::Executed;
    file.executions.insert(
        0,
        Execution {
            record: ExecutionRecord {
                inventory: Some(items),
                ..ExecutionRecord::default()
            },
            saved_by: AccountName::parse("police-d").expect("account"),
            saved_at: at(),
            completed: Some(signed(&principal("police-d", Role::Police))),
            deferred: Vec::new(),
        },
    );
    file
}

/// The family's seized items: the lawyer's client files (possibly privileged), the son's bank
/// records, a customs ledger nobody owns.
fn family_file() -> CaseFile {
    executed(vec![
        item("I-1", Some(2), Some("Dana Ospanova"), Privileged::Possible),
        item("I-2", Some(1), Some("Timur Bekov"), Privileged::No),
        item("I-3", None, None, Privileged::No),
    ])
}

fn proposal(recipient: &str, basis: &str, items: &[&str], text: &str) -> Proposal {
    Proposal {
        recipient: recipient.into(),
        legal_basis: basis.into(),
        items: items.iter().map(|i| (*i).to_owned()).collect(),
        text: text.into(),
    }
}

const CLEAN_TEXT: &str = "Enclosed: the records seized in execution of your request MLA/2024/17.";

fn propose_on(
    file: &CaseFile,
    request: &Request,
    decision: &Decision,
    protected: &[ProtectedPerson],
    proposal: Proposal,
) -> (CaseFile, String) {
    gate::propose(
        file,
        CASE,
        request,
        decision,
        protected,
        Catalogue::bundled().partners(),
        proposal,
        &officer(),
        at(),
        reason("the requested records"),
    )
    .expect("proposal accepted")
}

fn transfer<'f>(file: &'f CaseFile, id: &str) -> &'f Transfer {
    gate::find(file, id).expect("transfer on file")
}

/// Block reasons of one item (or of the whole transfer with `None`).
fn reasons(transfer: &Transfer, item: Option<&str>) -> Vec<BlockReason> {
    let blocks = match item {
        None => &transfer.blocks,
        Some(id) => {
            &transfer
                .items
                .iter()
                .find(|i| i.item == id)
                .expect("item in transfer")
                .blocks
        }
    };
    blocks.iter().map(|b| b.reason).collect()
}

fn mother() -> ProtectedPerson {
    ProtectedPerson {
        record: "R-1001".into(),
        names: vec!["Aigerim Bekova".into(), "Бекова Айгерим".into()],
        party: Some(0),
    }
}

fn son_outside() -> ProtectedPerson {
    ProtectedPerson {
        record: "R-1002".into(),
        names: vec!["Timur Bekov".into()],
        party: None,
    }
}

/// One row: the items on file, the findings, the protected persons, what is proposed, and the
/// blocks expected on the item named (or on the whole transfer), with their overridability.
struct Row {
    name: &'static str,
    items: fn() -> Vec<InventoryItem>,
    sortings: &'static [(&'static str, bool)],
    findings: &'static [&'static str],
    protected: fn() -> Vec<ProtectedPerson>,
    recipient: &'static str,
    basis: &'static str,
    text: &'static str,
    propose: &'static [&'static str],
    on: Option<&'static str>,
    expect: &'static [(BlockReason, bool)],
}

fn plain() -> Vec<InventoryItem> {
    vec![item("I-1", None, None, Privileged::No)]
}

fn nobody() -> Vec<ProtectedPerson> {
    Vec::new()
}

const ROWS: &[Row] = &[
    Row {
        name: "a clean item to the requesting state under the basis goes",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "kz: Prosecutor General",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[],
    },
    Row {
        name: "nothing blocks the whole of a clean proposal",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "KZ",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: None,
        expect: &[],
    },
    Row {
        name: "an item not in a completed inventory",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-9"],
        on: Some("I-9"),
        expect: &[(BlockReason::UnknownItem, false)],
    },
    Row {
        name: "possibly privileged, unsorted",
        items: || vec![item("I-1", None, None, Privileged::Possible)],
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[(BlockReason::PrivilegeUnsorted, true)],
    },
    Row {
        name: "privileged, unsorted",
        items: || vec![item("I-1", None, None, Privileged::Yes)],
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[(BlockReason::PrivilegeUnsorted, true)],
    },
    Row {
        name: "sorted privileged by a judge",
        items: || vec![item("I-1", None, None, Privileged::Possible)],
        sortings: &[("I-1", true)],
        findings: &[],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[(BlockReason::Privileged, false)],
    },
    Row {
        name: "sorted not privileged by a judge",
        items: || vec![item("I-1", None, None, Privileged::Yes)],
        sortings: &[("I-1", false)],
        findings: &[],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[],
    },
    Row {
        name: "owned by a party protected against the requesting state",
        items: || vec![item("I-1", Some(0), None, Privileged::No)],
        sortings: &[],
        findings: &["protected_against_requesting_state@0"],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[(BlockReason::ProtectedPerson, true)],
    },
    Row {
        name: "owned by a party protected by another state",
        items: || vec![item("I-1", Some(0), None, Privileged::No)],
        sortings: &[],
        findings: &["protected_by_other_state@0"],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[(BlockReason::ProtectedPerson, true)],
    },
    Row {
        name: "owned by a party that possibly matches a protected person",
        items: || vec![item("I-1", Some(0), None, Privileged::No)],
        sortings: &[],
        findings: &["possible_match_protected@0"],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[(BlockReason::ProtectedPerson, true)],
    },
    Row {
        name: "owned by a relative of a protected person",
        items: || vec![item("I-1", Some(1), None, Privileged::No)],
        sortings: &[],
        findings: &["relative_of_protected_person@1"],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[(BlockReason::ProtectedPerson, true)],
    },
    Row {
        name: "another party's finding does not reach the item",
        items: || vec![item("I-1", Some(2), None, Privileged::No)],
        sortings: &[],
        findings: &["relative_of_protected_person@1", "minor_involved@2"],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[],
    },
    Row {
        name: "owner named like a protected person in another script, no party",
        items: || vec![item("I-1", None, Some("Бекова Айгерим"), Privileged::No)],
        sortings: &[],
        findings: &[],
        protected: || vec![mother()],
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[(BlockReason::ProtectedPerson, true)],
    },
    Row {
        name: "owner with another name than the protected person",
        items: || vec![item("I-1", None, Some("Nurlan Sadykov"), Privileged::No)],
        sortings: &[],
        findings: &[],
        protected: || vec![mother()],
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[],
    },
    Row {
        name: "privileged and about a protected person: both blocks",
        items: || vec![item("I-1", Some(0), None, Privileged::Possible)],
        sortings: &[],
        findings: &["protected_against_requesting_state@0"],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: Some("I-1"),
        expect: &[
            (BlockReason::PrivilegeUnsorted, true),
            (BlockReason::ProtectedPerson, true),
        ],
    },
    Row {
        name: "recipient in a third state",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "tr",
        basis: UNCAC,
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: None,
        expect: &[(BlockReason::RecipientOutsideBasis, false)],
    },
    Row {
        name: "an instrument not in force with kz",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "kz",
        basis: "ets-30",
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: None,
        expect: &[(BlockReason::RecipientOutsideBasis, false)],
    },
    Row {
        name: "a third state and a wrong instrument: two blocks",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "tr: Ankara prosecutor",
        basis: "ets-182",
        text: CLEAN_TEXT,
        propose: &["I-1"],
        on: None,
        expect: &[
            (BlockReason::RecipientOutsideBasis, false),
            (BlockReason::RecipientOutsideBasis, false),
        ],
    },
    Row {
        name: "covering text mentioning the refugee",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: "Enclosed is the refugee's file.",
        propose: &["I-1"],
        on: None,
        expect: &[(BlockReason::CoveringText, false)],
    },
    Row {
        name: "covering text mentioning asylum in French",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: nobody,
        recipient: "kz",
        basis: UNCAC,
        text: "Ci-joint le dossier de la demande d'asile.",
        propose: &["I-1"],
        on: None,
        expect: &[(BlockReason::CoveringText, false)],
    },
    Row {
        name: "covering text naming a protected person who is not a party",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: || vec![son_outside()],
        recipient: "kz",
        basis: UNCAC,
        text: "Enclosed: the bank records of Timur Bekov, as requested.",
        propose: &["I-1"],
        on: None,
        expect: &[(BlockReason::CoveringText, false)],
    },
    Row {
        name: "covering text naming him by a spelling variant, possessive",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: || vec![son_outside()],
        recipient: "kz",
        basis: UNCAC,
        text: "Enclosed: Bekov Temur's bank records, as requested.",
        propose: &["I-1"],
        on: None,
        expect: &[(BlockReason::CoveringText, false)],
    },
    Row {
        name: "covering text naming a protected party is no text block",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: || vec![mother()],
        recipient: "kz",
        basis: UNCAC,
        text: "Enclosed: the records of Aigerim Bekova, as requested.",
        propose: &["I-1"],
        on: None,
        expect: &[],
    },
    Row {
        name: "covering text naming nobody protected",
        items: plain,
        sortings: &[],
        findings: &[],
        protected: || vec![son_outside()],
        recipient: "kz",
        basis: UNCAC,
        text: "Enclosed: the customs ledger of the Almaty office, seized on 3 March.",
        propose: &["I-1"],
        on: None,
        expect: &[],
    },
];

#[test]
fn each_block_reason_by_table() {
    let request = family();
    for row in ROWS {
        let mut file = executed((row.items)());
        for (id, privileged) in row.sortings {
            file.sortings.insert(
                (*id).to_owned(),
                Sorting {
                    privileged: *privileged,
                    by: signed(&judge_a()),
                },
            );
        }
        let decision = decide(&request, row.findings);
        let (next, id) = propose_on(
            &file,
            &request,
            &decision,
            &(row.protected)(),
            proposal(row.recipient, row.basis, row.propose, row.text),
        );
        let transfer = transfer(&next, &id);
        let blocks = match row.on {
            None => &transfer.blocks,
            Some(on) => {
                &transfer
                    .items
                    .iter()
                    .find(|i| i.item == on)
                    .expect("item")
                    .blocks
            }
        };
        let got: Vec<(BlockReason, bool)> =
            blocks.iter().map(|b| (b.reason, b.overridable)).collect();
        assert_eq!(got, row.expect, "{}: {blocks:#?}", row.name);
        for block in blocks {
            assert!(
                block.explanation.contains("Art ") || block.explanation.contains("DESIGN"),
                "{}: the explanation cites its source: {}",
                row.name,
                block.explanation
            );
        }
        // Blocks never refuse the proposal: it is on file, proposed, the case pending.
        assert_eq!(transfer.state, TransferState::Proposed, "{}", row.name);
        assert_eq!(next.state, CaseState::TransferPending, "{}", row.name);
    }
}

#[test]
fn a_wrong_instrument_names_those_in_force() {
    let request = family();
    let (file, id) = propose_on(
        &executed(plain()),
        &request,
        &decide(&request, &[]),
        &[],
        proposal("kz", "ets-30", &["I-1"], CLEAN_TEXT),
    );
    let explanation = &transfer(&file, &id).blocks[0].explanation;
    assert!(
        explanation.contains(
            "\"ets-30\" is not an instrument in force between be and kz for this request: uncac-mla"
        ),
        "{explanation}"
    );
}

#[test]
fn use_conditions_travel_with_the_material() {
    let request = family();
    let decision = decide(&request, &[]);
    let cases: &[(&str, &[&str])] = &[
        // UNCAC's speciality clause, in its own words, then onward transfer.
        (
            UNCAC,
            &[
                "UN Convention against Corruption 2003 (mutual legal assistance) Art 46(19): ",
                "onward transfer",
            ],
        ),
        // No clause on file: the limitation to the proceedings described.
        (
            "be-law-2004",
            &[
                "limited to the proceedings described in the request",
                "onward transfer",
            ],
        ),
    ];
    for (basis, expected) in cases {
        let (file, id) = propose_on(
            &executed(plain()),
            &request,
            &decision,
            &[],
            proposal("kz", basis, &["I-1"], CLEAN_TEXT),
        );
        let conditions = &transfer(&file, &id).use_conditions;
        assert_eq!(conditions.len(), expected.len(), "{basis}: {conditions:#?}");
        for (condition, phrase) in conditions.iter().zip(expected.iter()) {
            assert!(condition.contains(phrase), "{basis}: {condition}");
        }
        assert!(
            conditions
                .last()
                .is_some_and(|c| c.contains("prior consent of the requested state (be)"))
        );
    }
}

/// The motivating case, step by step.
#[test]
fn the_family_case_is_sent_only_after_sorting_override_and_two_judges() {
    let request = family();
    let decision = family_decision();
    let protected = [mother()];
    let file = family_file();

    // The lawyer's files are possibly privileged and unsorted; the son's bank records concern
    // a relative of a protected person; the customs ledger may go.
    let (proposed, t1) = propose_on(
        &file,
        &request,
        &decision,
        &protected,
        proposal(
            "kz: Prosecutor General",
            UNCAC,
            &["I-1", "I-2", "I-3"],
            CLEAN_TEXT,
        ),
    );
    assert_eq!(t1, "case-000001-t1");
    let sent = transfer(&proposed, &t1);
    assert_eq!(reasons(sent, Some("I-1")), [BlockReason::PrivilegeUnsorted]);
    assert_eq!(reasons(sent, Some("I-2")), [BlockReason::ProtectedPerson]);
    assert_eq!(reasons(sent, Some("I-3")), []);
    assert_eq!(reasons(sent, None), []);
    let record = proposed.events.last().expect("event");
    assert_eq!(
        (record.event, record.from, record.to),
        (
            CaseEvent::ProposeTransfer,
            CaseState::Executed,
            CaseState::TransferPending
        )
    );
    insta::assert_json_snapshot!("family_case_proposed", sent);

    // Approving while blocked: refused, one line per blocked item.
    let refused =
        gate::approve(&proposed, &t1, &judge_a(), at(), reason("ok")).expect_err("blocked");
    assert_eq!(refused.code, RefusalCode::TransferBlocked);
    assert_eq!(refused.details.len(), 2, "{:#?}", refused.details);
    assert!(refused.details[0].starts_with("I-1: privilege_unsorted"));
    assert!(refused.details[1].starts_with("I-2: protected_person"));

    // A judge's reasoned override of the unsorted files is the judicial sorting, recorded as
    // such (not privileged). (Below, the walk goes on from the proposal without it.)
    let overridden = gate::override_item(
        &proposed,
        &t1,
        "I-1",
        &judge_a(),
        at(),
        reason("read by the judge: no client material in these binders"),
    )
    .expect("overridable");
    assert_eq!(
        overridden.sortings.get("I-1").map(|s| s.privileged),
        Some(false)
    );

    // The son's records: a judge overrides with reasons; the files stay blocked (not
    // re-evaluated by the sorting), so the officer proposes without them.
    let sorted = gate::sort_item(
        &proposed,
        "I-1",
        true,
        &judge_a(),
        at(),
        reason("client files"),
    )
    .expect("sorted");
    assert_eq!(
        reasons(transfer(&sorted, &t1), Some("I-1")),
        [BlockReason::PrivilegeUnsorted],
        "a proposed transfer is not re-evaluated"
    );
    let refused = gate::override_item(&sorted, &t1, "I-2", &officer(), at(), reason("x"))
        .expect_err("officer");
    assert_eq!(refused.code, RefusalCode::Forbidden);

    // A second transfer with the son's records and the ledger only.
    let (clean, t2) = propose_on(
        &executed(vec![
            item("I-2", Some(1), Some("Timur Bekov"), Privileged::No),
            item("I-3", None, None, Privileged::No),
        ]),
        &request,
        &decision,
        &protected,
        proposal("kz", UNCAC, &["I-2", "I-3"], CLEAN_TEXT),
    );
    assert_eq!(t2, "case-000001-t1");
    let refused = gate::approve(&clean, &t2, &judge_a(), at(), reason("ok")).expect_err("blocked");
    assert_eq!(refused.code, RefusalCode::TransferBlocked);
    let overridden = gate::override_item(
        &clean,
        &t2,
        "I-2",
        &judge_a(),
        at(),
        reason("the records concern the son's own company, not his mother"),
    )
    .expect("overridden");
    assert_eq!(
        transfer(&overridden, &t2).items[0]
            .override_by
            .as_ref()
            .map(|s| s.actor.as_str()),
        Some("judge-a")
    );
    // Overriding clears nothing: the block stays on file, overridden.
    assert_eq!(
        reasons(transfer(&overridden, &t2), Some("I-2")),
        [BlockReason::ProtectedPerson]
    );

    let (first, approval) =
        gate::approve(&overridden, &t2, &judge_a(), at(), reason("ok")).expect("first");
    assert_eq!(approval, Approval::Recorded);
    assert_eq!(first.state, CaseState::TransferPending);
    let refused = gate::approve(&first, &t2, &judge_a(), at(), reason("again")).expect_err("same");
    assert_eq!(refused.code, RefusalCode::FourEyes);
    let (done, approval) =
        gate::approve(&first, &t2, &judge_b(), at(), reason("ok")).expect("second");
    assert_eq!(approval, Approval::Sent);
    assert_eq!(transfer(&done, &t2).state, TransferState::Sent);
    assert_eq!(done.state, CaseState::Transferred);
    let record = done.events.last().expect("event");
    assert_eq!(
        (
            record.event,
            record.from,
            record.to,
            record.by.actor.as_str()
        ),
        (
            CaseEvent::SendTransfer,
            CaseState::TransferPending,
            CaseState::Transferred,
            "judge-b"
        )
    );
    assert_eq!(
        record.first_approval.as_ref().map(|s| s.actor.as_str()),
        Some("judge-a")
    );

    // A sent transfer takes no more approvals; a new one may be proposed from `transferred`.
    let refused = gate::approve(
        &done,
        &t2,
        &principal("judge-e", Role::Judge),
        at(),
        reason("x"),
    )
    .expect_err("sent");
    assert_eq!(refused.code, RefusalCode::InvalidTransition);
    let refused =
        gate::override_item(&done, &t2, "I-2", &judge_b(), at(), reason("x")).expect_err("sent");
    assert_eq!(refused.code, RefusalCode::InvalidTransition);
    let (again, t3) = propose_on(
        &done,
        &request,
        &decision,
        &protected,
        proposal("kz", UNCAC, &["I-3"], CLEAN_TEXT),
    );
    assert_eq!(t3, "case-000001-t2");
    assert_eq!(again.state, CaseState::TransferPending);
}

/// What a step gave, its new file dropped.
type Step = Result<(), Refusal>;

#[test]
fn refusals_of_each_step() {
    let request = family();
    let decision = family_decision();
    let partners = Catalogue::bundled().partners();
    let file = family_file();
    let propose = |file: &CaseFile, proposal: Proposal, by: &Principal| {
        gate::propose(
            file,
            CASE,
            &request,
            &decision,
            &[],
            partners,
            proposal,
            by,
            at(),
            reason("r"),
        )
        .map(|_| ())
    };
    let ok = || proposal("kz", UNCAC, &["I-3"], CLEAN_TEXT);
    let mut assessed = file.clone();
    assessed.state = CaseState::Assessed;
    let cases: Vec<(&str, Step, RefusalCode, &str)> = vec![
        (
            "a judge proposes",
            propose(&file, ok(), &judge_a()),
            RefusalCode::Forbidden,
            "officer",
        ),
        (
            "an assessed case",
            propose(&assessed, ok(), &officer()),
            RefusalCode::InvalidTransition,
            "executed, transfer_pending or transferred",
        ),
        (
            "no items",
            propose(&file, proposal("kz", UNCAC, &[], CLEAN_TEXT), &officer()),
            RefusalCode::Invalid,
            "items",
        ),
        (
            "an item twice",
            propose(
                &file,
                proposal("kz", UNCAC, &["I-3", "I-2", "I-3"], CLEAN_TEXT),
                &officer(),
            ),
            RefusalCode::Invalid,
            "I-3 is named twice",
        ),
        (
            "a recipient that names two states",
            propose(
                &file,
                proposal("Kazakhstan or Turkey", UNCAC, &["I-3"], CLEAN_TEXT),
                &officer(),
            ),
            RefusalCode::Invalid,
            "recipient",
        ),
        (
            "a recipient with an empty authority",
            propose(
                &file,
                proposal("kz:", UNCAC, &["I-3"], CLEAN_TEXT),
                &officer(),
            ),
            RefusalCode::Invalid,
            "recipient",
        ),
        (
            "an unassigned code",
            propose(
                &file,
                proposal("zz: someone", UNCAC, &["I-3"], CLEAN_TEXT),
                &officer(),
            ),
            RefusalCode::Invalid,
            "recipient",
        ),
    ];
    for (name, got, code, phrase) in cases {
        let refusal = got.expect_err(name);
        assert_eq!(refusal.code, code, "{name}: {}", refusal.message);
        assert!(
            refusal.message.contains(phrase),
            "{name}: {}",
            refusal.message
        );
    }

    let (proposed, t1) = propose_on(
        &file,
        &request,
        &decision,
        &[],
        proposal("kz", UNCAC, &["I-1", "I-2", "I-3"], CLEAN_TEXT),
    );
    let refusal = |r: Result<CaseFile, Refusal>| r.map(|_| ()).map_err(|r| r.code);
    let cases: Vec<(&str, Result<(), RefusalCode>, RefusalCode)> = vec![
        (
            "the officer sorts",
            refusal(gate::sort_item(
                &proposed,
                "I-1",
                false,
                &officer(),
                at(),
                reason("r"),
            )),
            RefusalCode::Forbidden,
        ),
        (
            "sorting an item not seized",
            refusal(gate::sort_item(
                &proposed,
                "I-9",
                false,
                &judge_a(),
                at(),
                reason("r"),
            )),
            RefusalCode::NotFound,
        ),
        (
            "sorting an item not privileged",
            refusal(gate::sort_item(
                &proposed,
                "I-3",
                false,
                &judge_a(),
                at(),
                reason("r"),
            )),
            RefusalCode::Invalid,
        ),
        (
            "overriding in no transfer",
            refusal(gate::override_item(
                &proposed,
                "case-000001-t9",
                "I-2",
                &judge_a(),
                at(),
                reason("r"),
            )),
            RefusalCode::NotFound,
        ),
        (
            "overriding an item not in it",
            refusal(gate::override_item(
                &proposed,
                &t1,
                "I-9",
                &judge_a(),
                at(),
                reason("r"),
            )),
            RefusalCode::NotFound,
        ),
        (
            "overriding an item without block",
            refusal(gate::override_item(
                &proposed,
                &t1,
                "I-3",
                &judge_a(),
                at(),
                reason("r"),
            )),
            RefusalCode::TransferBlocked,
        ),
        (
            "approving by an officer",
            gate::approve(&proposed, &t1, &officer(), at(), reason("r"))
                .map(|_| ())
                .map_err(|r| r.code),
            RefusalCode::Forbidden,
        ),
        (
            "approving no transfer",
            gate::approve(&proposed, "case-000001-t9", &judge_a(), at(), reason("r"))
                .map(|_| ())
                .map_err(|r| r.code),
            RefusalCode::NotFound,
        ),
        (
            "finding no transfer",
            gate::find(&proposed, "case-000001-t9")
                .map(|_| ())
                .map_err(|r| r.code),
            RefusalCode::NotFound,
        ),
    ];
    for (name, got, code) in cases {
        assert_eq!(got, Err(code), "{name}");
    }

    // A re-sort replaces the earlier sorting.
    let once =
        gate::sort_item(&proposed, "I-1", true, &judge_a(), at(), reason("r")).expect("sort");
    let twice =
        gate::sort_item(&once, "I-1", false, &judge_b(), at(), reason("r")).expect("re-sort");
    assert_eq!(twice.sortings.len(), 1);
    assert!(!twice.sortings["I-1"].privileged);
    assert_eq!(twice.sortings["I-1"].by.actor.as_str(), "judge-b");
}

// ---------------------------------------------------------------------------------------------
// The property: nothing the gate has not cleared is ever sent
// ---------------------------------------------------------------------------------------------

/// One generated inventory item and what a judge did before the proposal.
#[derive(Debug, Clone)]
struct ItemSpec {
    privileged: Privileged,
    owner_party: Option<usize>,
    /// Sorted before the proposal: privileged or not.
    sorted: Option<bool>,
    /// Proposed though not in the inventory.
    unknown: bool,
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Override(usize),
    Approve,
    Sort(usize, bool),
}

fn item_spec() -> impl Strategy<Value = ItemSpec> {
    (
        prop_oneof![
            Just(Privileged::No),
            Just(Privileged::Yes),
            Just(Privileged::Possible)
        ],
        proptest::option::of(0usize..3),
        proptest::option::of(any::<bool>()),
        proptest::bool::weighted(0.1),
    )
        .prop_map(|(privileged, owner_party, sorted, unknown)| ItemSpec {
            privileged,
            owner_party,
            sorted,
            unknown,
        })
}

fn op() -> impl Strategy<Value = (Op, usize)> {
    (
        prop_oneof![
            (0usize..6).prop_map(Op::Override),
            Just(Op::Approve),
            (0usize..6, any::<bool>()).prop_map(|(i, p)| Op::Sort(i, p)),
        ],
        0usize..3,
    )
}

const FINDINGS: [&str; 5] = [
    "protected_against_requesting_state",
    "protected_by_other_state",
    "possible_match_protected",
    "relative_of_protected_person",
    "minor_involved",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn nothing_uncleared_is_ever_sent(
        items in proptest::collection::vec(item_spec(), 1..6),
        findings in proptest::collection::vec((0usize..5, 0usize..3), 0..4),
        outside_recipient in proptest::bool::weighted(0.15),
        wrong_basis in proptest::bool::weighted(0.15),
        leaking_text in proptest::bool::weighted(0.15),
        ops in proptest::collection::vec(op(), 0..14),
    ) {
        let request = family();
        let specs: Vec<String> = findings.iter().map(|(code, party)| format!("{}@{party}", FINDINGS[*code])).collect();
        let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
        let decision = decide(&request, &specs);
        let ids: Vec<String> = (0..items.len()).map(|i| format!("I-{}", i + 1)).collect();
        let inventory = items
            .iter()
            .zip(&ids)
            .filter(|(spec, _)| !spec.unknown)
            .map(|(spec, id)| item(id, spec.owner_party, None, spec.privileged))
            .collect();
        let mut file = executed(inventory);
        for (spec, id) in items.iter().zip(&ids) {
            if let Some(privileged) = spec.sorted.filter(|_| spec.privileged != Privileged::No) {
                file.sortings.insert(id.clone(), Sorting { privileged, by: signed(&judge_a()) });
            }
        }
        let text = if leaking_text { "Enclosed is the refugee's file." } else { CLEAN_TEXT };
        let names: Vec<&str> = ids.iter().map(String::as_str).collect();
        let (mut file, id) = propose_on(
            &file,
            &request,
            &decision,
            &[],
            proposal(
                if outside_recipient { "tr" } else { "kz" },
                if wrong_basis { "ets-30" } else { UNCAC },
                &names,
                text,
            ),
        );

        // The oracle, from what was generated (not from the gate's verdict): which items can
        // never go, and which need a judge's override.
        let protected_parties: BTreeSet<usize> = findings
            .iter()
            .filter(|(code, _)| *code < 4)
            .map(|(_, party)| *party)
            .collect();
        let never = outside_recipient
            || wrong_basis
            || leaking_text
            || items.iter().any(|spec| {
                spec.unknown
                    || (spec.privileged != Privileged::No && spec.sorted == Some(true))
            });
        // A protected person's item, and a privileged one no judge had sorted when it was
        // proposed (the override is then the sorting).
        let needs_override: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, spec)| {
                spec.owner_party.is_some_and(|p| protected_parties.contains(&p))
                    || (spec.privileged != Privileged::No && spec.sorted.is_none())
            })
            .map(|(i, _)| i)
            .collect();

        let actors = [judge_a(), judge_b(), officer()];
        let mut overridden_by_judge: BTreeMap<usize, String> = BTreeMap::new();
        for (op, actor) in ops {
            let by = &actors[actor];
            let step = match op {
                Op::Override(i) => gate::override_item(&file, &id, &ids[i % ids.len()], by, at(), reason("r"))
                    .map(|f| (f, Some(i % ids.len()))),
                Op::Approve => gate::approve(&file, &id, by, at(), reason("r")).map(|(f, _)| (f, None)),
                Op::Sort(i, p) => gate::sort_item(&file, &ids[i % ids.len()], p, by, at(), reason("r"))
                    .map(|f| (f, None)),
            };
            if let Ok((next, overridden)) = step {
                if let Some(i) = overridden {
                    prop_assert_eq!(by.role, Role::Judge);
                    overridden_by_judge.insert(i, by.actor.to_string());
                }
                file = next;
            }
            let sent = transfer(&file, &id);
            if sent.state == TransferState::Sent {
                prop_assert!(!never, "sent despite a block that cannot be overridden: {sent:#?}");
                for i in &needs_override {
                    prop_assert!(overridden_by_judge.contains_key(i), "item {i} sent without override: {sent:#?}");
                }
                let judges: BTreeSet<&str> = sent
                    .approvals
                    .iter()
                    .filter(|a| a.role == Role::Judge)
                    .map(|a| a.actor.as_str())
                    .collect();
                prop_assert!(judges.len() >= 2, "sent with fewer than two judges: {sent:#?}");
                prop_assert_eq!(file.state, CaseState::Transferred);
            }
        }
    }
}

/// The son is no party of this request (only his mother and her lawyer are): a relative found
/// two hops out. A covering text that names him tells the requesting state of him.
#[test]
fn the_son_named_in_the_text_when_he_is_not_a_party() {
    let request = kz_request(&["Aigerim Bekova", "Dana Ospanova"]);
    let decision = decide(&request, &["protected_against_requesting_state@0"]);
    let protected = [mother(), son_outside()];
    let file = executed(vec![item("I-3", None, None, Privileged::No)]);
    let cases: &[(&str, &[BlockReason])] = &[
        ("Enclosed: the customs ledger, as requested.", &[]),
        (
            "Enclosed: the customs ledger kept by Timur Bekov.",
            &[BlockReason::CoveringText],
        ),
        (
            "Enclosed: the ledger of Aigerim Bekova's son Timur Bekov, a refugee.",
            &[BlockReason::CoveringText, BlockReason::CoveringText],
        ),
    ];
    for (text, expected) in cases {
        let (next, id) = propose_on(
            &file,
            &request,
            &decision,
            &protected,
            proposal("kz", UNCAC, &["I-3"], text),
        );
        let sent = transfer(&next, &id);
        assert_eq!(reasons(sent, None), *expected, "{text}: {:#?}", sent.blocks);
        if let Some(block) = sent.blocks.last() {
            assert!(
                block.explanation.contains("R-1002") || block.explanation.contains("refugee"),
                "{}",
                block.explanation
            );
            assert!(
                !block.explanation.contains("R-1001"),
                "the mother is a party: {}",
                block.explanation
            );
        }
    }
}

#[test]
fn the_recipient_and_the_basis_may_be_written_as_people_write_them() {
    let request = family();
    let decision = decide(&request, &[]);
    for (recipient, basis) in [
        ("kz", UNCAC),
        ("KZ: Prosecutor General's Office", "UNCAC"),
        (
            "Prosecutor General's Office (KZ)",
            "un convention against corruption 2003 (mutual legal assistance)",
        ),
        ("kz", " Convention against Corruption "),
        (
            "Prosecutor General's Office of the Republic of Kazakhstan",
            UNCAC,
        ),
    ] {
        let (file, id) = propose_on(
            &family_file(),
            &request,
            &decision,
            &[],
            proposal(recipient, basis, &["I-3"], CLEAN_TEXT),
        );
        let sent = transfer(&file, &id);
        assert_eq!(reasons(sent, None), [], "{recipient} / {basis}: {sent:#?}");
        assert_eq!(
            sent.legal_basis, UNCAC,
            "the instrument is recorded by its id"
        );
    }
    let refused = gate::propose(
        &family_file(),
        "case-000001",
        &request,
        &decision,
        &[],
        haven_policy::Catalogue::bundled().partners(),
        proposal(
            "the Prosecutor General at Almaty",
            UNCAC,
            &["I-3"],
            CLEAN_TEXT,
        ),
        &officer(),
        at(),
        reason("r"),
    )
    .expect_err("no state named");
    assert_eq!(refused.code, RefusalCode::Invalid);
    assert!(
        refused.message.starts_with("recipient:"),
        "{}",
        refused.message
    );
}
