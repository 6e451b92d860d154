//! Imports through a running service reach its screening index at once, by a new layer, without
//! a rebuild; imports by another process are picked up by `catch_up`; a fresh service starts
//! from the saved snapshot, and never from a snapshot of another database.

use std::sync::Arc;

use haven_app::{
    ImportKind, IndexOrigin, MemorySource, Role, ScreenOptions, Service, ServiceOptions,
};
use haven_domain::CountryCode;
use haven_domain::parse_party;
use haven_store::{ImportMode, SqliteDatabase};

use crate::{import_example, principal, service_in, with_examples};

fn newcomer_line() -> String {
    serde_json::json!({
        "id": "R-9001", "names": ["Gulnara Temirkhanova"], "birth_date": "1979-05-05",
        "nationalities": ["kz"], "gender": "f",
        "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2024-01-10", "against": ["kz"]},
    })
    .to_string()
}

/// Imports the newcomer through `service`, as an administrator.
fn import_newcomer(service: &haven_app::Service) -> haven_app::ImportOutcome {
    service
        .import(
            &principal(Role::Admin),
            ImportKind::Registry,
            &MemorySource {
                name: "newcomer.jsonl".into(),
                bytes: newcomer_line().into_bytes(),
            },
            ImportMode::AllOrNothing,
            &(),
        )
        .expect("imports")
}

fn screen_newcomer(service: &haven_app::Service) -> Vec<String> {
    let party = parse_party(r#"{"names": ["Temirkhanova Gulnara"], "birth_date": "1979"}"#)
        .expect("valid party");
    service
        .screen(
            &principal(Role::Officer),
            &[party],
            &ScreenOptions::default(),
        )
        .expect("screens")[0]
        .iter()
        .filter(|m| m.tier == "match")
        .map(|m| m.id.clone())
        .collect()
}

#[test]
fn an_import_is_visible_to_screening_at_once_without_a_rebuild() {
    let (_dir, service) = with_examples();
    assert!(screen_newcomer(&service).is_empty());
    let base_len = service.screening_index().expect("loaded").current().len();
    let outcome = import_newcomer(&service);
    assert_eq!(outcome.report.changed_persons, ["R-9001"]);
    let update = outcome.index.expect("the running index took the change");
    assert_eq!(update.applied, 1);
    assert!(!update.compacted);
    let index = service.screening_index().expect("loaded").current();
    assert_eq!(index.recent_len(), 1, "applied as a layer, not rebuilt");
    assert_eq!(index.len(), base_len + 1);
    assert_eq!(screen_newcomer(&service), ["R-9001"]);
}

#[test]
fn another_processs_import_is_caught_up_and_a_restart_loads_the_snapshot() {
    let (dir, service) = with_examples();
    service.load_index().expect("loads");
    // A second service on the same directory stands for `haven import` in another process.
    let other = service_in(dir.path());
    import_newcomer(&other);
    let update = service
        .catch_up()
        .expect("catches up")
        .expect("something changed");
    assert_eq!(update.applied, 1);
    assert!(
        service.catch_up().expect("catches up").is_none(),
        "now current"
    );
    assert_eq!(screen_newcomer(&service), ["R-9001"]);

    // A fresh process: the snapshot saved when the index was first built, caught up with the
    // one person imported since.
    let restarted = service_in(dir.path());
    let origin = restarted.load_index().expect("loads").expect("first load");
    assert_eq!(origin, IndexOrigin::Snapshot { caught_up: 1 });
    assert_eq!(screen_newcomer(&restarted), ["R-9001"]);
}

#[test]
fn a_snapshot_of_another_database_is_rebuilt_not_used() {
    // Database A: the examples and the newcomer, its snapshot saved in the shared directory.
    let (dir, service) = with_examples();
    import_newcomer(&service);
    service.load_index().expect("loads");
    drop(service);
    // Database B at the same data version (three imports) but without the newcomer, its index
    // snapshot pointed at A's file — as a data directory pointed at another PostgreSQL database
    // would be. Without the origin check B would load A's snapshot as current.
    let other_dir = tempfile::tempdir().expect("temporary directory");
    let other = SqliteDatabase::open(other_dir.path()).expect("opens");
    let b = Service::new(
        Arc::new(other),
        ServiceOptions {
            receiving_state: CountryCode::parse("be").expect("valid"),
            index_snapshot: Some(dir.path().join(haven_app::INDEX_FILE)),
            clock: haven_app::Clock::system(),
        },
    );
    import_example(&b, ImportKind::Registry, "registry.jsonl");
    import_example(&b, ImportKind::Context, "context.jsonl");
    let someone_else = serde_json::json!({
        "id": "R-9002", "names": ["Dana Omarova"], "birth_date": "1985-02-02",
        "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2023-01-10", "against": ["kz"]},
    });
    b.import(
        &principal(Role::Admin),
        ImportKind::Registry,
        &MemorySource {
            name: "someone.jsonl".into(),
            bytes: someone_else.to_string().into_bytes(),
        },
        ImportMode::AllOrNothing,
        &(),
    )
    .expect("imports");
    assert_eq!(
        b.database().data_version().expect("version"),
        3,
        "the same data version as A"
    );
    let origin = b.load_index().expect("loads").expect("first load");
    assert!(
        matches!(&origin, IndexOrigin::Built { reason, .. } if reason == "snapshot of another database"),
        "{origin:?}"
    );
    assert!(
        screen_newcomer(&b).is_empty(),
        "B does not hold A's newcomer"
    );
}

#[test]
fn an_invalid_import_names_its_lines_and_changes_nothing() {
    let (_dir, service) = with_examples();
    let bad = format!(
        "{}\n{{\"id\": \"R-9002\", \"names\": []}}\n",
        newcomer_line()
    );
    let err = service
        .import(
            &principal(Role::Admin),
            ImportKind::Registry,
            &MemorySource {
                name: "bad.jsonl".into(),
                bytes: bad.into_bytes(),
            },
            ImportMode::AllOrNothing,
            &(),
        )
        .expect_err("refused");
    let haven_app::AppError::InvalidImport { rejects } = err else {
        panic!("expected the invalid lines, got {err}");
    };
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].line, 2);
    assert!(
        rejects[0].message.contains("names"),
        "{}",
        rejects[0].message
    );
    assert!(screen_newcomer(&service).is_empty());
}
