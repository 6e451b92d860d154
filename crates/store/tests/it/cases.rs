//! Cases: a case and its ledger entry are written together, the stored decision names its entry,
//! and a case reads back exactly as written.

use haven_domain::{Decision, Outcome, parse_request};
use haven_ledger::{Action, Actor, Entry, Justification, Role};

use haven_store::Database;

use crate::on_backends;

fn request() -> haven_domain::Request {
    parse_request(
        r#"{"reference": "MLA/2019/0412", "kind": "mla", "requesting_state": "kz",
            "received_on": "2019-09-10", "parties": [{"role": "subject", "names": ["Бекова Айгерим"]}],
            "measures": [{"kind": "search_premises", "party": 0, "premises": "home"}]}"#,
    )
    .expect("valid request")
}

fn decision() -> Decision {
    Decision {
        outcome: Outcome::FreezeAndRefer,
        legal_basis: None,
        findings: Vec::new(),
        safeguards: Vec::new(),
        referrals: Vec::new(),
        reasons: vec!["a reason [a source]".to_owned()],
        reply_to_requesting_state: "The request is under examination.".to_owned(),
        rules_applied: vec!["a-rule".to_owned()],
        grounds: Vec::new(),
        catalogue_version: Some("1.0.0".to_owned()),
        ledger: None,
    }
}

fn assess_entry() -> Entry {
    Entry::new(
        Actor::parse("judge.martin").expect("valid"),
        Role::parse("officer").expect("valid"),
        Action::Assess,
        Justification::parse("assessment of a received request").expect("valid"),
    )
}

#[test]
fn a_case_and_its_entry_are_stored_together() {
    on_backends("a_case_and_its_entry_are_stored_together", |b| {
        a_case_and_its_entry_are_stored_together_on(b.db())
    });
}

fn a_case_and_its_entry_are_stored_together_on(store: &dyn Database) {
    let before = store.verify_ledger().expect("verifies").size;
    let mut decision = decision();
    let id = store
        .record_case(&request(), &mut decision, assess_entry())
        .expect("stored");
    assert_eq!(id, "case-000001");
    let ledger = decision
        .ledger
        .clone()
        .expect("the decision names its entry");
    assert_eq!(ledger.index, before);

    let case = store.get_case(&id).expect("readable").expect("exists");
    assert_eq!(case.request, request());
    assert_eq!(case.decision, decision);
    let list = store.list_cases().expect("listable");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].outcome, "freeze_and_refer");
    assert_eq!(list[0].reference, "MLA/2019/0412");

    let export = store.export_ledger().expect("exports");
    let last = &export.entries.last().expect("an entry").canonical_json;
    assert!(last.contains("\"case:case-000001\""), "{last}");
    assert!(last.contains("\"request:MLA/2019/0412\""), "{last}");
    assert!(store.verify_ledger().is_ok());

    let second = store
        .record_case(&request(), &mut decision.clone(), assess_entry())
        .expect("stored");
    assert_eq!(second, "case-000002");
    assert!(store.get_case("case-999999").expect("readable").is_none());
}

#[test]
fn a_failed_entry_leaves_no_case() {
    on_backends("a_failed_entry_leaves_no_case", |b| {
        a_failed_entry_leaves_no_case_on(b.db())
    });
}

fn a_failed_entry_leaves_no_case_on(store: &dyn Database) {
    let before = store.verify_ledger().expect("verifies").size;
    // Key rotations are the store's own entries: appending one is refused, mid-transaction.
    let refused = Entry::new(
        Actor::parse("mallory").expect("valid"),
        Role::parse("officer").expect("valid"),
        Action::KeyRotation,
        Justification::parse("not allowed here").expect("valid"),
    );
    let mut decision = decision();
    assert!(
        store
            .record_case(&request(), &mut decision, refused)
            .is_err()
    );
    assert!(store.list_cases().expect("listable").is_empty());
    assert_eq!(store.verify_ledger().expect("verifies").size, before);
}

#[test]
fn concurrent_writers_never_draw_the_same_case_id() {
    use std::sync::Arc;

    on_backends(
        "concurrent_writers_never_draw_the_same_case_id",
        |backend| {
            // Two handles on one database: two writer connections (pools), as two server processes
            // would have, each with threads of its own.
            let databases: Vec<Arc<dyn Database>> = (0..2)
                .map(|_| Arc::from(backend.open_again().expect("opens")))
                .collect();
            let threads: Vec<_> = (0..4)
                .map(|t| {
                    let db = Arc::clone(&databases[t % 2]);
                    std::thread::spawn(move || {
                        (0..10)
                            .map(|_| {
                                db.record_case(&request(), &mut decision(), assess_entry())
                                    .expect("stored")
                            })
                            .collect::<Vec<String>>()
                    })
                })
                .collect();
            let mut ids: Vec<String> = threads
                .into_iter()
                .flat_map(|t| {
                    t.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect();
            ids.sort();
            let total = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), total, "a case id was drawn twice");
            assert_eq!(databases[0].list_cases().expect("listable").len(), 40);
            assert!(databases[1].verify_ledger().is_ok());
        },
    );
}

fn decision_entry() -> Entry {
    Entry::new(
        Actor::parse("judge-a").expect("valid"),
        Role::parse("judge").expect("valid"),
        Action::Decision,
        Justification::parse("freeze: the subject may be protected").expect("valid"),
    )
}

#[test]
fn a_case_file_changes_with_its_entry_and_a_refusal_writes_nothing() {
    on_backends(
        "a_case_file_changes_with_its_entry_and_a_refusal_writes_nothing",
        |b| a_case_file_changes_with_its_entry_and_a_refusal_writes_nothing_on(b.db()),
    );
}

fn a_case_file_changes_with_its_entry_and_a_refusal_writes_nothing_on(store: &dyn Database) {
    use haven_domain::workflow::{CaseFile, CaseState, Refusal, RefusalCode};
    use haven_store::{CaseUpdateError, FileChange};

    let id = store
        .record_case(&request(), &mut decision(), assess_entry())
        .expect("stored");
    let case = store.get_case(&id).expect("readable").expect("exists");
    assert_eq!(case.file, CaseFile::assessed(), "a new case is assessed");
    let size = store.verify_ledger().expect("verifies").size;

    let refused = store.update_case_file(&id, &mut |_| {
        Err(Refusal::new(
            RefusalCode::FourEyes,
            "another judge must approve",
        ))
    });
    assert!(
        matches!(refused, Err(CaseUpdateError::Refused(ref r)) if r.code == RefusalCode::FourEyes),
        "{refused:?}"
    );
    assert_eq!(store.verify_ledger().expect("verifies").size, size);
    assert_eq!(store.list_cases().expect("lists")[0].state, "assessed");

    let update = store
        .update_case_file(&id, &mut |case| {
            let mut file = case.file.clone();
            file.state = CaseState::Frozen;
            Ok(FileChange {
                file,
                entries: vec![decision_entry()],
            })
        })
        .expect("stored");
    assert_eq!(update.receipts.len(), 1);
    assert_eq!(update.receipts[0].index, size);
    let case = store.get_case(&id).expect("readable").expect("exists");
    assert_eq!(case.file.state, CaseState::Frozen);
    assert_eq!(store.list_cases().expect("lists")[0].state, "frozen");
    let files = store.case_files().expect("lists");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].1.state, CaseState::Frozen);
    let verified = store.verify_ledger().expect("verifies");
    assert_eq!(verified.size, size + 1);

    assert!(matches!(
        store.update_case_file("case-999999", &mut |case| Ok(FileChange {
            file: case.file.clone(),
            entries: Vec::new(),
        })),
        Err(CaseUpdateError::NotFound(_))
    ));
}
