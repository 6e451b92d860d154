//! Registry and context imports: counts, idempotence, precise rejections, all-or-nothing, and
//! the read API the index uses.

use haven_domain::{CountryCode, Numbered, RegistryPerson, RelationKind, parse_registry_line};
use haven_ledger::Entry;
use haven_store::{Database, ImportError, ImportItem, ImportMode, RecordSource, StoredPerson};

use crate::{context, id, ledger_size, meta, on_backends, registry, registry_line};

/// A registry line: id, relations as (kind, to).
fn person(id: &str, relations: &[(&str, &str)]) -> String {
    registry_line(id, relations, &format!("Name {id}"))
}

/// The messages of a refused import, as "line N: message".
fn refused(result: Result<haven_store::ImportReport, ImportError>) -> Vec<String> {
    match result {
        Err(ImportError::Invalid { rejects }) => rejects
            .iter()
            .map(|r| format!("line {}: {}", r.line, r.message))
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn import_is_idempotent_and_recorded() {
    on_backends("import_is_idempotent_and_recorded", |b| {
        import_is_idempotent_and_recorded_on(b.db())
    });
}

fn import_is_idempotent_and_recorded_on(store: &dyn Database) {
    let lines = vec![
        person("R-1", &[("child", "R-2")]),
        person("R-2", &[]),
        person("R-3", &[("sibling", "R-1")]),
    ];
    let ledger_before = ledger_size(store);
    let report = registry(store, &lines, ImportMode::AllOrNothing).expect("imports");
    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (3, 0, 0)
    );
    assert_eq!(report.data_version, 1);
    assert_eq!(store.data_version().expect("version"), 1);
    assert_eq!(store.data_counts().expect("counts").registry_persons, 3);
    assert_eq!(store.data_counts().expect("counts").relations, 2);

    // The ledger entry names the file and the counts.
    let export = store.export_ledger().expect("export");
    let last =
        Entry::from_canonical_json(&export.entries[report.ledger_index as usize].canonical_json)
            .expect("entry");
    let objects: Vec<&str> = last.objects.iter().map(|o| o.as_str()).collect();
    assert_eq!(
        objects,
        [
            "import:registry",
            "file:registry.jsonl",
            "inserted:3",
            "updated:0",
            "unchanged:0",
            "rejected:0",
            "data_version:1"
        ]
    );
    assert_eq!(last.actor.as_str(), "admin-alice");
    assert_eq!(report.ledger_index, ledger_before);

    // Re-importing the same file changes nothing but is recorded.
    let again = registry(store, &lines, ImportMode::AllOrNothing).expect("imports");
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(again.data_version, 1);
    assert_eq!(ledger_size(store), ledger_before + 2);
    assert_eq!(store.data_counts().expect("counts").registry_persons, 3);

    // Same id → update; a relation may point at a person stored earlier.
    let changed = vec![
        person("R-2", &[("parent", "R-1")]),
        person("R-4", &[("spouse", "R-3")]),
    ];
    let update = registry(store, &changed, ImportMode::AllOrNothing).expect("imports");
    assert_eq!(
        (update.inserted, update.updated, update.unchanged),
        (1, 1, 0)
    );
    assert_eq!(store.data_version().expect("version"), 2);
    let r2 = store
        .registry_person(&id("R-2"))
        .expect("reads")
        .expect("exists");
    assert_eq!(r2.relations[0].kind, RelationKind::Parent);
    store.verify_ledger().expect("ledger verifies");

    // The read API: every person, with the version it is of.
    let mut ids = Vec::new();
    let version = store
        .for_each_person(&mut |p| {
            if let StoredPerson::Registry(p) = p {
                ids.push(p.id.to_string());
            }
        })
        .expect("reads");
    assert_eq!((ids.join(" "), version), ("R-1 R-2 R-3 R-4".to_owned(), 2));

    // Links in both directions, the inverse implied.
    let links: Vec<String> = store
        .links_of(&id("R-1"))
        .expect("reads")
        .iter()
        .map(|l| {
            format!(
                "{} {} {}",
                l.id,
                l.kind,
                if l.implied { "implied" } else { "stated" }
            )
        })
        .collect();
    // R-2's own "parent: R-1" is the inverse of R-1's "child: R-2": listed once.
    assert_eq!(links, ["R-2 child stated", "R-3 sibling implied"]);
}

#[test]
fn refusals_name_line_and_field_and_store_nothing() {
    on_backends("refusals_name_line_and_field_and_store_nothing", |b| {
        refusals_name_line_and_field_and_store_nothing_on(b.db())
    });
}

fn refusals_name_line_and_field_and_store_nothing_on(store: &dyn Database) {
    registry(store, &[person("R-1", &[])], ImportMode::AllOrNothing).expect("imports");
    let ledger = ledger_size(store);
    let lines = vec![
        person("R-2", &[("child", "R-9")]),
        "{\"id\": \"R-3\",".to_owned(),
        person("R-2", &[]),
        person("R-4", &[("sibling", "R-1")]),
        person("R-5", &[]).replace("\"1971\"", "\"1971-13-02\""),
        person("R-6", &[]).replace("\"names\"", "\"nick\": \"x\", \"names\""),
    ];
    assert_eq!(
        refused(registry(store, &lines, ImportMode::AllOrNothing)),
        [
            r#"line 1: relations[0].to: "R-9" is neither in this file nor in the registry"#,
            "line 2: not valid JSON: EOF while parsing a value at column 13",
            r#"line 3: id: "R-2" appears on line 1 and line 3; ids must be unique in a file"#,
            r#"line 5: birth_date: "1971-13-02" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"#,
            "line 6: unknown field `nick`, expected one of `id`, `names`, `birth_date`, `nationalities`, `gender`, `protection`, `roles`, `relations`",
        ]
    );
    assert_eq!(store.data_counts().expect("counts").registry_persons, 1);
    assert_eq!(ledger_size(store), ledger);
    assert_eq!(store.data_version().expect("version"), 1);
}

#[test]
fn skip_invalid_imports_the_rest_and_follows_dangling_chains() {
    on_backends(
        "skip_invalid_imports_the_rest_and_follows_dangling_chains",
        |b| skip_invalid_imports_the_rest_and_follows_dangling_chains_on(b.db()),
    );
}

fn skip_invalid_imports_the_rest_and_follows_dangling_chains_on(store: &dyn Database) {
    let lines = vec![
        person("R-1", &[("child", "R-2")]),
        person("R-2", &[("child", "R-9")]),
        person("R-3", &[]),
        "not json".to_owned(),
    ];
    let report = registry(store, &lines, ImportMode::SkipInvalid).expect("imports");
    let rejects: Vec<String> = report
        .rejects
        .iter()
        .map(|r| format!("line {}: {}", r.line, r.message))
        .collect();
    assert_eq!(
        rejects,
        [
            // Dropping R-2 leaves R-1 pointing at nobody, so it goes too.
            r#"line 1: relations[0].to: "R-2" is neither in this file nor in the registry"#,
            r#"line 2: relations[0].to: "R-9" is neither in this file nor in the registry"#,
            "line 4: not valid JSON: expected ident at column 2",
        ]
    );
    assert_eq!(report.inserted, 1);
    assert_eq!(store.data_counts().expect("counts").registry_persons, 1);
}

#[test]
fn context_links_may_point_at_registry_persons() {
    on_backends("context_links_may_point_at_registry_persons", |b| {
        context_links_may_point_at_registry_persons_on(b.db())
    });
}

fn context_links_may_point_at_registry_persons_on(store: &dyn Database) {
    registry(store, &[person("R-1", &[])], ImportMode::AllOrNothing).expect("imports");
    let lines: Vec<String> = [
        r#"{"kind": "person", "id": "C-7", "names": ["Arman Bekov"], "relations": [{"kind": "sibling", "to": "R-1"}]}"#,
        r#"{"kind": "finding", "id": "F-1", "about": "C-7", "type": "recognised_political_prisoner", "state": "kz", "summary": "s", "source": "s"}"#,
        r#"{"kind": "finding", "id": "F-2", "about": "R-1", "type": "interpol_notice_deleted", "state": "kz", "date": "2018-05", "summary": "s", "source": "s"}"#,
        r#"{"kind": "state_profile", "state": "kz", "risk": "high", "summary": "s", "sources": ["s"]}"#,
    ]
    .map(String::from)
    .to_vec();
    let report = context(store, &lines, ImportMode::AllOrNothing).expect("imports");
    assert_eq!(report.inserted, 4);
    let counts = store.data_counts().expect("counts");
    assert_eq!(
        (
            counts.context_persons,
            counts.findings,
            counts.state_profiles
        ),
        (1, 2, 1)
    );
    assert_eq!(store.findings_about(&id("R-1")).expect("reads").len(), 1);
    assert!(store.context_person(&id("C-7")).expect("reads").is_some());
    let kz = CountryCode::parse("kz").expect("valid");
    assert_eq!(
        store
            .state_profile(kz)
            .expect("reads")
            .map(|p| p.summary.to_string()),
        Some("s".to_owned())
    );
    let links = store.links_of(&id("R-1")).expect("reads");
    assert_eq!(links.len(), 1);
    assert_eq!(
        (links[0].id.as_str(), links[0].source, links[0].implied),
        ("C-7", RecordSource::Context, true)
    );

    // A new profile of the same state replaces the old one.
    let newer = vec![r#"{"kind": "state_profile", "state": "kz", "risk": "very_high", "summary": "t", "sources": ["s"]}"#.to_owned()];
    let report = context(store, &newer, ImportMode::AllOrNothing).expect("imports");
    assert_eq!((report.inserted, report.updated), (0, 1));

    let bad: Vec<String> = [
        r#"{"kind": "finding", "id": "F-3", "about": "C-99", "type": "recognised_political_prisoner", "state": "kz", "summary": "s", "source": "s"}"#,
        r#"{"kind": "person", "id": "R-1", "names": ["X"]}"#,
        r#"{"kind": "state_profile", "state": "ru", "risk": "high", "summary": "s", "sources": ["s"]}"#,
        r#"{"kind": "state_profile", "state": "RU", "risk": "low", "summary": "s", "sources": ["s"]}"#,
        r#"{"kind": "finding", "id": "F-1", "about": "C-7", "type": "recognised_political_prisoner", "state": "kz", "summary": "s", "source": "s"}"#,
        r#"{"kind": "finding", "id": "F-1", "about": "C-7", "type": "recognised_political_prisoner", "state": "kz", "summary": "s", "source": "s"}"#,
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(
        refused(context(store, &bad, ImportMode::AllOrNothing)),
        [
            r#"line 1: about: "C-99" is neither in this file nor among stored context or registry persons"#,
            r#"line 2: id: "R-1" is already a registry person's id; registry and context ids must differ"#,
            r#"line 4: state: a profile of "ru" appears on line 3 and line 4; one profile per state"#,
            r#"line 6: id: finding "F-1" appears on line 5 and line 6; ids must be unique in a file"#,
        ]
    );
}

#[test]
fn registry_ids_may_not_take_context_ids() {
    on_backends("registry_ids_may_not_take_context_ids", |b| {
        registry_ids_may_not_take_context_ids_on(b.db())
    });
}

fn registry_ids_may_not_take_context_ids_on(store: &dyn Database) {
    let ctx = vec![r#"{"kind": "person", "id": "C-7", "names": ["A"]}"#.to_owned()];
    context(store, &ctx, ImportMode::AllOrNothing).expect("imports");
    assert_eq!(
        refused(registry(
            store,
            &[person("C-7", &[])],
            ImportMode::AllOrNothing
        )),
        [
            r#"line 1: id: "C-7" is already a context person's id; registry and context ids must differ"#
        ]
    );
}

#[test]
fn a_read_error_stores_nothing() {
    on_backends("a_read_error_stores_nothing", |b| {
        a_read_error_stores_nothing_on(b.db())
    });
}

fn a_read_error_stores_nothing_on(store: &dyn Database) {
    let items: Vec<ImportItem<RegistryPerson>> = vec![
        Ok(Ok(Numbered {
            line: 1,
            value: parse_registry_line(&person("R-1", &[])).expect("valid"),
        })),
        Err(std::io::Error::other("disk gone")),
    ];
    let err = store
        .import_registry(
            &mut items.into_iter(),
            ImportMode::SkipInvalid,
            &meta("r.jsonl"),
        )
        .expect_err("aborts");
    assert_eq!(err.to_string(), "reading the input: disk gone");
    assert_eq!(store.data_counts().expect("counts").registry_persons, 0);
}

/// An asylum seeker is protected while the application is examined (DESIGN §5.2): imported with
/// the application date and read back as written; one carrying a grant date is refused with its
/// line, and nothing of that file is stored.
#[test]
fn asylum_seekers_are_imported_with_their_application_date() {
    on_backends(
        "asylum_seekers_are_imported_with_their_application_date",
        |b| asylum_seekers_are_imported_with_their_application_date_on(b.db()),
    );
}

fn asylum_seekers_are_imported_with_their_application_date_on(store: &dyn Database) {
    let seeker = |id: &str, dates: serde_json::Value| {
        let mut protection =
            serde_json::json!({"status": "asylum_seeker", "granted_by": "be", "against": ["ru"]});
        protection
            .as_object_mut()
            .expect("object")
            .extend(dates.as_object().expect("object").clone());
        serde_json::json!({"id": id, "names": ["Ilya Voronetskiy"], "protection": protection})
            .to_string()
    };
    let bad = vec![
        seeker("R-1", serde_json::json!({"applied_on": "2023-05-02"})),
        seeker("R-2", serde_json::json!({"granted_on": "2023"})),
    ];
    assert_eq!(
        refused(registry(store, &bad, ImportMode::AllOrNothing)),
        [
            "line 2: protection: granted_on: an asylum seeker has been granted nothing yet; give the application date as applied_on"
        ]
    );
    assert_eq!(store.data_counts().expect("counts").registry_persons, 0);

    let good = vec![
        seeker("R-1", serde_json::json!({"applied_on": "2023-05-02"})),
        seeker("R-2", serde_json::json!({})),
    ];
    let report = registry(store, &good, ImportMode::AllOrNothing).expect("imports");
    assert_eq!(report.inserted, 2);
    let stored = store
        .registry_person(&id("R-1"))
        .expect("read")
        .expect("stored");
    assert_eq!(stored.protection.granted_on, None);
    assert_eq!(
        stored.protection.since().map(|d| d.to_string()).as_deref(),
        Some("2023-05-02")
    );
    let undated = store
        .registry_person(&id("R-2"))
        .expect("read")
        .expect("stored");
    assert_eq!(undated.protection.since(), None);
}

#[test]
fn an_import_names_the_persons_it_changed_and_a_reader_catches_up_from_a_version() {
    on_backends(
        "an_import_names_the_persons_it_changed_and_a_reader_catches_up_from_a_version",
        |b| {
            an_import_names_the_persons_it_changed_and_a_reader_catches_up_from_a_version_on(b.db())
        },
    );
}

fn an_import_names_the_persons_it_changed_and_a_reader_catches_up_from_a_version_on(
    store: &dyn Database,
) {
    let first = vec![person("R-1", &[]), person("R-2", &[])];
    let report = registry(store, &first, ImportMode::AllOrNothing).expect("imports");
    assert_eq!(report.changed_persons, ["R-1", "R-2"]);
    let at_first = report.data_version;

    // R-1 unchanged, R-2 renamed, R-3 new: only R-2 and R-3 are news to an index at `at_first`.
    let mut renamed: serde_json::Value = serde_json::from_str(&person("R-2", &[])).expect("json");
    renamed["names"] = serde_json::json!(["Another Name"]);
    let second = vec![person("R-1", &[]), renamed.to_string(), person("R-3", &[])];
    let report = registry(store, &second, ImportMode::AllOrNothing).expect("imports");
    assert_eq!(report.changed_persons, ["R-2", "R-3"]);

    let (changed, now) = store.persons_changed_since(at_first).expect("readable");
    assert_eq!(now, report.data_version);
    let ids: Vec<String> = changed
        .iter()
        .map(|p| match p {
            haven_store::StoredPerson::Registry(p) => p.id.as_str().to_owned(),
            haven_store::StoredPerson::Context(p) => p.id.as_str().to_owned(),
        })
        .collect();
    assert_eq!(ids, ["R-2", "R-3"]);
    let (all, _) = store.persons_changed_since(0).expect("readable");
    assert_eq!(all.len(), 3);
    let (none, _) = store.persons_changed_since(now).expect("readable");
    assert!(none.is_empty());

    // A re-import that changes nothing names nobody.
    let report = registry(store, &second, ImportMode::AllOrNothing).expect("imports");
    assert!(report.changed_persons.is_empty());
}
