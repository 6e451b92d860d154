//! PostgreSQL cases, accounts, sessions and ledger reads: the same operations through the
//! `Database` trait give the same results on PostgreSQL as on SQLite; case numbers and failed
//! sign-in counts stay exact under concurrent writers on two handles (two servers). (Tampering
//! on PostgreSQL is `tamper.rs`'s.)
//!
//! Each test has a database of its own on the test process's PostgreSQL (`haven-testpg`).

use std::sync::Arc;

use haven_domain::workflow::{CaseState, Refusal, RefusalCode};
use haven_domain::{Decision, Outcome, parse_request};
use haven_ledger::{
    Action, Actor, Entry, Justification, ObjectId, Role, leaf_hash, verify_inclusion,
};
use haven_store::{
    CaseUpdateError, Database, FailedSignIn, FileChange, NewAccount, NewSession, PgDatabase,
    SqliteDatabase,
};

/// A database of its own on the test process's PostgreSQL (`haven-testpg`), with a directory
/// for the signing key every handle on it shares.
struct PgScratch {
    url: String,
    key_dir: tempfile::TempDir,
}

impl PgScratch {
    fn new(test: &str) -> PgScratch {
        PgScratch {
            url: haven_testpg::server().fresh_database(&format!("pg_cases_{test}")),
            key_dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// A handle on the scratch database, as one server has it (every handle shares the key).
    fn connect(&self) -> PgDatabase {
        PgDatabase::connect(&self.url, &self.key_dir.path().join("ledger-signing.key"))
            .expect("the store connects")
    }
}

fn request(reference: &str) -> haven_domain::Request {
    parse_request(&format!(
        r#"{{"reference": "{reference}", "kind": "mla", "requesting_state": "kz",
            "received_on": "2019-09-10",
            "parties": [{{"role": "subject", "names": ["Бекова Айгерим"]}}],
            "measures": [{{"kind": "search_premises", "party": 0, "premises": "home"}}]}}"#
    ))
    .expect("valid request")
}

fn decision(codes: &[&str]) -> Decision {
    Decision {
        outcome: Outcome::FreezeAndRefer,
        legal_basis: None,
        findings: codes
            .iter()
            .map(|code| {
                serde_json::from_value(serde_json::json!({"code": code, "detail": "found"}))
                    .expect("a valid finding")
            })
            .collect(),
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

fn entry(actor: &str, role: &str, action: Action, why: &str) -> Entry {
    Entry::new(
        Actor::parse(actor).expect("valid"),
        Role::parse(role).expect("valid"),
        action,
        Justification::parse(why).expect("valid"),
    )
}

fn assess_entry() -> Entry {
    entry(
        "judge.martin",
        "officer",
        Action::Assess,
        "assessment of a received request",
    )
}

fn admin_entry(why: &str) -> Entry {
    entry("admin", "admin", Action::UserManagement, why)
}

fn new_account(name: &str, role: &str) -> NewAccount {
    NewAccount {
        name: name.into(),
        role: role.into(),
        token_hash: format!("$argon2id$token-of-{name}"),
        password_hash: Some(format!("$argon2id$password-of-{name}")),
    }
}

/// A timestamp's shape (`NNNN-NN-NNTNN:NN:NNZ`): the time itself differs between runs.
fn shape(time: &str) -> String {
    time.chars()
        .map(|c| if c.is_ascii_digit() { 'N' } else { c })
        .collect()
}

/// An entry's canonical JSON without what differs between two runs: its time, and the keys a
/// key rotation names (each database has its own).
fn comparable_entry(json: &str) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_str(json).expect("an entry is JSON");
    let object = value.as_object_mut().expect("an entry is an object");
    object.remove("time");
    object.remove("key_rotation");
    value
}

/// Runs the same operations on `db` and writes down everything they return that does not depend
/// on the clock or on the database's own key: the two backends must write the same transcript.
fn transcript(db: &dyn Database) -> Vec<String> {
    let mut out = Vec::new();
    let mut note = |line: String| out.push(line);

    // Cases.
    let mut first = decision(&["minor_involved", "protected_profession", "minor_involved"]);
    let id = db
        .record_case(&request("MLA/2019/0412"), &mut first, assess_entry())
        .expect("stored");
    note(format!(
        "case {id}, decision ledger index {:?}",
        first.ledger.as_ref().map(|l| l.index)
    ));
    let mut second = decision(&[]);
    let id2 = db
        .record_case(&request("MLA/2020/0007"), &mut second, assess_entry())
        .expect("stored");
    note(format!("case {id2}"));
    let refused = db.record_case(
        &request("MLA/2020/0008"),
        &mut decision(&[]),
        entry(
            "mallory",
            "officer",
            Action::KeyRotation,
            "not allowed here",
        ),
    );
    note(format!(
        "reserved action: {:?}",
        refused.map_err(|e| e.to_string())
    ));

    let case = db.get_case(&id).expect("readable").expect("exists");
    assert_eq!(
        case.decision, first,
        "the stored decision is the one returned"
    );
    note(format!(
        "get_case: {} {:?} {:?} created {}",
        case.id,
        case.request,
        case.file,
        shape(&case.created_at)
    ));
    note(format!(
        "missing case: {:?}",
        db.get_case("case-999999").expect("readable")
    ));
    for summary in db.list_cases().expect("lists") {
        note(format!(
            "list: {} {} {} {} {} {} {}",
            summary.id,
            summary.reference,
            summary.kind,
            summary.requesting_state,
            summary.outcome,
            summary.state,
            shape(&summary.created_at)
        ));
    }

    let refusal = db.update_case_file(&id, &mut |_| {
        Err(Refusal::new(
            RefusalCode::FourEyes,
            "another judge must approve",
        ))
    });
    note(format!(
        "refused change: {}",
        refusal
            .map(|_| ())
            .map_err(|e| e.to_string())
            .expect_err("refused")
    ));
    let update = db
        .update_case_file(&id, &mut |case| {
            let mut file = case.file.clone();
            file.state = CaseState::Frozen;
            Ok(FileChange {
                file,
                entries: vec![
                    entry(
                        "judge-a",
                        "judge",
                        Action::Decision,
                        "freeze: the subject may be protected",
                    ),
                    entry("judge-a", "judge", Action::Decision, "named already")
                        .with_objects([ObjectId::tagged("case", &id).expect("valid")]),
                ],
            })
        })
        .expect("stored");
    note(format!(
        "update: {:?}, receipts at {:?}",
        update.file,
        update.receipts.iter().map(|r| r.index).collect::<Vec<_>>()
    ));
    let missing = db.update_case_file("case-999999", &mut |case| {
        Ok(FileChange {
            file: case.file.clone(),
            entries: Vec::new(),
        })
    });
    note(format!(
        "missing update: {}",
        missing
            .map(|_| ())
            .map_err(|e| e.to_string())
            .expect_err("not found")
    ));
    assert!(matches!(
        db.update_case_file("case-999999", &mut |case| Ok(FileChange {
            file: case.file.clone(),
            entries: Vec::new(),
        })),
        Err(CaseUpdateError::NotFound(_))
    ));
    for (summary, file) in db.case_files().expect("lists") {
        note(format!("file: {} {} {:?}", summary.id, summary.state, file));
    }
    for listed in db.case_listing().expect("lists") {
        note(format!(
            "listing: {} {} {:?} {:?}",
            listed.summary.id, listed.summary.state, listed.file, listed.finding_codes
        ));
    }

    // Accounts.
    db.add_account(&new_account("zoe", "officer"), admin_entry("new officer"))
        .expect("created");
    db.add_account(&new_account("Bob", "judge"), admin_entry("new judge"))
        .expect("created");
    db.add_account(
        &new_account("alice", "asylum_liaison"),
        admin_entry("new liaison"),
    )
    .expect("created");
    let taken = db.add_account(&new_account("zoe", "judge"), admin_entry("again"));
    note(format!("taken: {:?}", taken.map_err(|e| e.to_string())));
    note(format!(
        "disable zoe: {:?}",
        db.disable_account("zoe", admin_entry("left the desk"))
            .expect("runs")
    ));
    note(format!(
        "disable zoe again: {:?}",
        db.disable_account("zoe", admin_entry("again"))
            .expect("runs")
    ));
    note(format!(
        "disable nobody: {:?}",
        db.disable_account("nobody", admin_entry("no one"))
            .expect("runs")
    ));
    let taken = db.add_account(&new_account("zoe", "officer"), admin_entry("back"));
    note(format!(
        "disabled stays taken: {:?}",
        taken.map_err(|e| e.to_string())
    ));
    for account in db.list_accounts().expect("lists") {
        note(format!(
            "account: {} {} {} {:?} created {} disabled {:?} locked {:?}",
            account.name,
            account.role,
            account.token_hash,
            account.password_hash,
            shape(&account.created_at),
            account.disabled_at.as_deref().map(shape),
            account.locked_until
        ));
    }
    note(format!(
        "no account: {:?}",
        db.account("nobody").expect("readable")
    ));

    // Sessions and failed sign-ins.
    db.create_session(&NewSession {
        id_hash: "h1".into(),
        account: "alice".into(),
        csrf_token: "csrf-1".into(),
        created_at: "2026-01-01T10:00:00Z".into(),
        expires_at: "2026-01-01T18:00:00Z".into(),
    })
    .expect("stored");
    db.touch_session("h1", "2026-01-01T11:00:00Z")
        .expect("touched");
    let session = db.session("h1").expect("readable").expect("exists");
    note(format!(
        "session: {} {} {} {} {}",
        session.account,
        session.csrf_token,
        session.created_at,
        session.last_seen_at,
        session.expires_at
    ));
    db.end_session("h1").expect("ended");
    db.end_session("h1").expect("ending again is no error");
    note(format!(
        "ended: {:?}",
        db.session("h1").expect("readable").is_none()
    ));
    let unknown_account = db.create_session(&NewSession {
        id_hash: "h2".into(),
        account: "nobody".into(),
        csrf_token: "csrf-2".into(),
        created_at: "2026-01-01T10:00:00Z".into(),
        expires_at: "2026-01-01T18:00:00Z".into(),
    });
    note(format!(
        "session of nobody refused: {}",
        unknown_account.is_err()
    ));
    let lock_entry = || {
        entry(
            "haven",
            "system",
            Action::UserManagement,
            "too many wrong passwords",
        )
    };
    for _ in 0..4 {
        let outcome = db
            .record_failed_sign_in("alice", 3, "2026-01-01T12:00:00Z", lock_entry())
            .expect("counted");
        note(format!("failed sign-in: {outcome:?}"));
    }
    note(format!(
        "locked until: {:?}",
        db.account("alice")
            .expect("readable")
            .expect("exists")
            .locked_until
    ));
    db.clear_failed_sign_ins("alice").expect("cleared");
    note(format!(
        "after clearing: {:?} {:?}",
        db.account("alice")
            .expect("readable")
            .expect("exists")
            .locked_until,
        db.record_failed_sign_in("alice", 3, "x", lock_entry())
            .expect("counted")
    ));
    note(format!(
        "unknown: {:?}",
        db.record_failed_sign_in("nobody", 3, "x", lock_entry())
            .expect("runs")
    ));

    // Ledger reads.
    let log = db.verify_ledger().expect("verifies");
    note(format!("verified size {}", log.size));
    let checkpoint = db.ledger_checkpoint().expect("readable").expect("exists");
    note(format!("checkpoint size {}", checkpoint.size));
    assert_eq!(
        checkpoint.root,
        log.frontier.root(),
        "the latest checkpoint is of the whole log"
    );
    let keys = db.ledger_keys().expect("readable");
    note(format!(
        "keys from sizes {:?}",
        keys.iter().map(|(from, _)| *from).collect::<Vec<_>>()
    ));
    assert_eq!(
        db.ledger_public_key().expect("readable"),
        keys.last().expect("a key").1
    );
    for index in [0, 1, log.size - 1] {
        let bundle = db.ledger_inclusion_proof(index).expect("provable");
        assert!(
            verify_inclusion(
                bundle.entry.as_bytes(),
                &bundle.checkpoint.root,
                &bundle.proof
            )
            .is_ok(),
            "the proof of entry {index} checks"
        );
        note(format!(
            "proof {index}: size {}, path of {}, entry {}",
            bundle.proof.size,
            bundle.proof.path.len(),
            comparable_entry(&bundle.entry)
        ));
    }
    note(format!(
        "proof beyond: {:?}",
        db.ledger_inclusion_proof(log.size)
            .map(|_| ())
            .map_err(|e| e.to_string())
    ));
    let export = db.export_ledger().expect("exports");
    note(format!(
        "export: format {}, {} keys, checkpoint {}",
        export.format,
        export.public_keys.len(),
        export.checkpoint.is_some()
    ));
    for exported in &export.entries {
        assert_eq!(
            exported.leaf_hash,
            leaf_hash(exported.canonical_json.as_bytes())
        );
        note(format!(
            "export {}: {}",
            exported.index,
            comparable_entry(&exported.canonical_json)
        ));
    }
    out
}

#[test]
fn postgres_gives_the_results_sqlite_gives() {
    let scratch = PgScratch::new("same");
    let dir = tempfile::tempdir().expect("temporary directory");
    let sqlite = SqliteDatabase::open(dir.path()).expect("opens");
    let expected = transcript(&sqlite);
    let found = transcript(&scratch.connect());
    for (line, (e, f)) in expected.iter().zip(&found).enumerate() {
        assert_eq!(e, f, "line {line} differs");
    }
    assert_eq!(expected.len(), found.len());
}

#[test]
fn concurrent_cases_on_two_servers_get_distinct_ids_and_one_log() {
    let scratch = PgScratch::new("concurrent");
    let servers: Vec<Arc<PgDatabase>> = (0..2).map(|_| Arc::new(scratch.connect())).collect();
    const THREADS: usize = 8;
    const CASES_EACH: usize = 6;
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let db = Arc::clone(&servers[t % 2]);
            std::thread::spawn(move || {
                (0..CASES_EACH)
                    .map(|_| {
                        db.record_case(
                            &request("MLA/2019/0412"),
                            &mut decision(&[]),
                            assess_entry(),
                        )
                        .expect("stored")
                    })
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    let mut ids: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("thread finishes"))
        .collect();
    ids.sort();
    let total = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), total, "a case id was drawn twice");
    assert_eq!(total, THREADS * CASES_EACH);
    assert_eq!(servers[0].list_cases().expect("lists").len(), total);
    let log = servers[1].verify_ledger().expect("the log verifies");
    assert_eq!(
        log.size,
        1 + total as u64,
        "the key's entry and one per case"
    );
    // Each case's decision names the entry that records it.
    for summary in servers[0].list_cases().expect("lists") {
        let case = servers[1]
            .get_case(&summary.id)
            .expect("readable")
            .expect("exists");
        let index = case
            .decision
            .ledger
            .expect("the decision names its entry")
            .index;
        let bundle = servers[0].ledger_inclusion_proof(index).expect("provable");
        assert!(
            bundle.entry.contains(&format!("\"case:{}\"", summary.id)),
            "{}",
            bundle.entry
        );
    }
}

#[test]
fn concurrent_failed_sign_ins_on_two_servers_lose_no_count() {
    let scratch = PgScratch::new("signins");
    let servers: Vec<Arc<PgDatabase>> = (0..2).map(|_| Arc::new(scratch.connect())).collect();
    servers[0]
        .add_account(&new_account("alice", "officer"), admin_entry("new officer"))
        .expect("created");
    const THREADS: usize = 8;
    const TRIES_EACH: usize = 5;
    let limit = (THREADS * TRIES_EACH) as u32;
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let db = Arc::clone(&servers[t % 2]);
            std::thread::spawn(move || {
                (0..TRIES_EACH)
                    .map(|_| {
                        db.record_failed_sign_in(
                            "alice",
                            limit,
                            "2026-01-01T12:00:00Z",
                            entry(
                                "haven",
                                "system",
                                Action::UserManagement,
                                "too many wrong passwords",
                            ),
                        )
                        .expect("counted")
                    })
                    .collect::<Vec<FailedSignIn>>()
            })
        })
        .collect();
    let outcomes: Vec<FailedSignIn> = threads
        .into_iter()
        .flat_map(|t| t.join().expect("thread finishes"))
        .collect();
    let mut counts: Vec<u32> = outcomes
        .iter()
        .filter_map(|o| match o {
            FailedSignIn::Counted(n) => Some(*n),
            _ => None,
        })
        .collect();
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..limit).collect::<Vec<u32>>(),
        "every count seen once"
    );
    let locks = outcomes
        .iter()
        .filter(|o| matches!(o, FailedSignIn::Locked { .. }))
        .count();
    assert_eq!(locks, 1, "exactly the limit-th failure locks");
    let alice = servers[1]
        .account("alice")
        .expect("readable")
        .expect("exists");
    assert_eq!(alice.locked_until.as_deref(), Some("2026-01-01T12:00:00Z"));
    // The key's entry, the account's, the lock's.
    assert_eq!(servers[0].verify_ledger().expect("verifies").size, 3);
}
