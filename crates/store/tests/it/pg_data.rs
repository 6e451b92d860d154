//! The PostgreSQL registry and context store against SQLite's: the same imports through the
//! `Database` trait on both give the same reports, rejects, counts, persons, links, findings,
//! profiles and versions; two handles importing at once are numbered one after the other. Each
//! test has a database of its own on the test process's PostgreSQL (`haven-testpg`).

use crate::{Backend, context, id, items, meta, registry, registry_line};
use haven_domain::{CountryCode, parse_registry_line};
use haven_store::{
    Database, ImportError, ImportItem, ImportMode, ImportReport, SqliteDatabase, StoredPerson,
};

fn sqlite() -> (tempfile::TempDir, SqliteDatabase) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db = SqliteDatabase::open(dir.path()).expect("SQLite store opens");
    (dir, db)
}

/// An import's outcome in words, comparable across backends.
fn outcome(result: Result<ImportReport, ImportError>) -> String {
    match result {
        Ok(report) => format!("{report:#?}"),
        Err(ImportError::Invalid { rejects }) => format!("refused: {rejects:#?}"),
        Err(err) => format!("failed: {err}"),
    }
}

fn person_id(p: &StoredPerson) -> String {
    match p {
        StoredPerson::Registry(p) => format!("registry {}", p.id),
        StoredPerson::Context(p) => format!("context {}", p.id),
    }
}

/// Everything the read API says about the stored data, in words.
fn everything(db: &dyn Database, ids: &[&str]) -> String {
    let mut out = format!(
        "version {}\n{:?}\n",
        db.data_version().expect("version"),
        db.data_counts().expect("counts")
    );
    let mut persons = Vec::new();
    let version = db
        .for_each_person(&mut |p| persons.push(p))
        .expect("persons");
    out.push_str(&format!(
        "every person at version {version}: {persons:#?}\n"
    ));
    for person in ids.iter().map(|s| id(s)) {
        out.push_str(&format!(
            "{person}: registry {:?}\ncontext {:?}\nlinks {:?}\nfindings {:?}\n",
            db.registry_person(&person).expect("registry person"),
            db.context_person(&person).expect("context person"),
            db.links_of(&person).expect("links"),
            db.findings_about(&person).expect("findings"),
        ));
    }
    for state in ["kz", "ru", "by"] {
        let state = CountryCode::parse(state).expect("valid");
        out.push_str(&format!(
            "{state}: {:?}\n",
            db.state_profile(state).expect("profile")
        ));
    }
    out
}

/// Runs `step` on both stores and requires the same outcome; returns it.
fn same(
    step: &str,
    pg: &dyn Database,
    sqlite: &dyn Database,
    run: impl Fn(&dyn Database) -> String,
) -> String {
    let on_pg = run(pg);
    let on_sqlite = run(sqlite);
    assert_eq!(
        on_pg, on_sqlite,
        "{step}: PostgreSQL (left) and SQLite (right) differ"
    );
    on_pg
}

const IDS: &[&str] = &[
    "R-1", "R-2", "R-3", "R-4", "R-5", "R-10", "r-2", "C-7", "C-8", "C-99",
];

fn context_lines() -> Vec<String> {
    [
        r#"{"kind": "person", "id": "C-7", "names": ["Arman Bekov"], "relations": [{"kind": "sibling", "to": "R-1"}]}"#,
        r#"{"kind": "person", "id": "C-8", "names": ["Dana Bekova"], "relations": [{"kind": "spouse", "to": "C-7"}, {"kind": "child", "to": "R-10"}]}"#,
        r#"{"kind": "finding", "id": "F-1", "about": "C-7", "type": "recognised_political_prisoner", "state": "kz", "summary": "s", "source": "s"}"#,
        r#"{"kind": "finding", "id": "F-2", "about": "R-1", "type": "interpol_notice_deleted", "state": "kz", "date": "2018-05", "summary": "s", "source": "s"}"#,
        r#"{"kind": "finding", "id": "F-10", "about": "R-1", "type": "recognised_political_prisoner", "state": "ru", "summary": "t", "source": "s"}"#,
        r#"{"kind": "state_profile", "state": "kz", "risk": "high", "summary": "s", "sources": ["s"]}"#,
    ]
    .map(String::from)
    .to_vec()
}

#[test]
fn imports_and_reads_on_postgresql_match_sqlite() {
    let test_pg = Backend::postgres("pg_data_match");
    let (_dir, sqlite) = sqlite();
    let (pg, sqlite): (&dyn Database, &dyn Database) = (test_pg.db(), &sqlite);

    // Ids whose byte order differs from a language collation's ("R-10" < "R-2" < "r-2").
    let first = vec![
        registry_line("R-2", &[("parent", "R-1")], "Two"),
        registry_line("R-1", &[("child", "R-2")], "One"),
        registry_line("R-10", &[("sibling", "R-1"), ("sibling", "R-1")], "Ten"),
        registry_line("r-2", &[], "Lower"),
        registry_line("R-3", &[("spouse", "R-4")], "Three"),
        registry_line("R-4", &[], "Four"),
    ];
    let report = same("first registry import", pg, sqlite, |db| {
        outcome(registry(db, &first, ImportMode::AllOrNothing))
    });
    assert!(report.contains("inserted: 6"), "{report}");
    same("context import", pg, sqlite, |db| {
        outcome(context(db, &context_lines(), ImportMode::AllOrNothing))
    });
    let after_imports = same("reads after the imports", pg, sqlite, |db| {
        everything(db, IDS)
    });
    assert!(after_imports.starts_with("version 2\n"), "{after_imports}");

    // Bad files: every reject, the same words and lines, and nothing stored.
    let bad_registry = vec![
        registry_line("R-5", &[("child", "R-9")], "Five"),
        "{\"id\": \"R-6\",".to_owned(),
        registry_line("R-5", &[], "Five again"),
        registry_line("C-7", &[], "Taken"),
        registry_line("R-7", &[("sibling", "C-8"), ("sibling", "R-1")], "Seven"),
    ];
    let refused = same("bad registry file", pg, sqlite, |db| {
        outcome(registry(db, &bad_registry, ImportMode::AllOrNothing))
    });
    assert!(refused.starts_with("refused"), "{refused}");
    let bad_context: Vec<String> = [
        r#"{"kind": "finding", "id": "F-3", "about": "C-99", "type": "recognised_political_prisoner", "state": "kz", "summary": "s", "source": "s"}"#,
        r#"{"kind": "person", "id": "R-1", "names": ["X"]}"#,
        r#"{"kind": "state_profile", "state": "ru", "risk": "high", "summary": "s", "sources": ["s"]}"#,
        r#"{"kind": "state_profile", "state": "RU", "risk": "low", "summary": "s", "sources": ["s"]}"#,
        r#"{"kind": "finding", "id": "F-1", "about": "C-7", "type": "recognised_political_prisoner", "state": "kz", "summary": "s", "source": "s"}"#,
        r#"{"kind": "finding", "id": "F-1", "about": "C-7", "type": "recognised_political_prisoner", "state": "kz", "summary": "s", "source": "s"}"#,
        r#"{"kind": "person", "id": "C-9", "names": ["Y"], "relations": [{"kind": "child", "to": "Q-1"}]}"#,
        // About a person of this file: refused in skip mode only once C-9 is dropped.
        r#"{"kind": "finding", "id": "F-4", "about": "C-9", "type": "recognised_political_prisoner", "state": "kz", "summary": "s", "source": "s"}"#,
    ]
    .map(String::from)
    .to_vec();
    let refused = same("bad context file", pg, sqlite, |db| {
        outcome(context(db, &bad_context, ImportMode::AllOrNothing))
    });
    assert!(refused.starts_with("refused"), "{refused}");
    let read_error = same("a read error", pg, sqlite, |db| {
        let mut items: Vec<ImportItem<_>> =
            items(&[registry_line("R-8", &[], "Eight")], parse_registry_line);
        items.push(Err(std::io::Error::other("disk gone")));
        outcome(db.import_registry(
            &mut items.into_iter(),
            ImportMode::SkipInvalid,
            &meta("r.jsonl"),
        ))
    });
    assert_eq!(read_error, "failed: reading the input: disk gone");
    let after_refusals = same("reads after the refusals", pg, sqlite, |db| {
        everything(db, IDS)
    });
    assert_eq!(
        after_refusals, after_imports,
        "a refused import stored something"
    );

    // Skip mode: the rest is imported, dangling chains followed.
    let skipping = same("skip-invalid registry import", pg, sqlite, |db| {
        outcome(registry(db, &bad_registry, ImportMode::SkipInvalid))
    });
    assert!(skipping.contains("inserted: 0"), "{skipping}");
    let skipping = same("skip-invalid context import", pg, sqlite, |db| {
        outcome(context(db, &bad_context, ImportMode::SkipInvalid))
    });
    assert!(skipping.contains("inserted: 1"), "{skipping}");
    assert!(skipping.contains("line: 8"), "{skipping}");

    // A second import: R-1 unchanged, R-2 renamed, R-5 new; then the same again changes nothing.
    let at = pg.data_version().expect("version");
    let second = vec![
        registry_line("R-1", &[("child", "R-2")], "One"),
        registry_line("R-2", &[("parent", "R-1")], "Two renamed"),
        registry_line("R-5", &[("sibling", "R-4")], "Five"),
    ];
    let report = same("second registry import", pg, sqlite, |db| {
        outcome(registry(db, &second, ImportMode::AllOrNothing))
    });
    assert!(report.contains("updated: 1"), "{report}");
    let changed = same("persons changed since", pg, sqlite, |db| {
        let (persons, now) = db.persons_changed_since(at).expect("changes");
        let ids: Vec<String> = persons.iter().map(person_id).collect();
        format!("{ids:?} now {now}: {persons:#?}")
    });
    assert!(
        changed.starts_with(r#"["registry R-2", "registry R-5"]"#),
        "{changed}"
    );
    let again = same("an import that changes nothing", pg, sqlite, |db| {
        outcome(registry(db, &second, ImportMode::AllOrNothing))
    });
    assert!(again.contains("changed_persons: [],"), "{again}");
    same("reads at the end", pg, sqlite, |db| everything(db, IDS));
    same("nothing changed since now", pg, sqlite, |db| {
        let (persons, now) = db
            .persons_changed_since(db.data_version().expect("version"))
            .expect("changes");
        format!("{} now {now}", persons.len())
    });
}

/// Two servers importing at once: both imports commit, numbered one after the other.
#[test]
fn concurrent_imports_through_two_handles_are_numbered_one_after_the_other() {
    let test_pg = Backend::postgres("pg_data_concurrent");
    let other = test_pg.open_again().expect("a second handle");
    let batch = |prefix: &str| -> Vec<String> {
        (0..2000)
            .map(|i| registry_line(&format!("{prefix}-{i}"), &[], "Someone"))
            .collect()
    };
    let (a, b) = (batch("A"), batch("B"));
    let (first, second) = std::thread::scope(|s| {
        let one = s.spawn(|| registry(test_pg.db(), &a, ImportMode::AllOrNothing));
        let two = s.spawn(|| registry(other.as_ref(), &b, ImportMode::AllOrNothing));
        (
            one.join().expect("no panic").expect("imports"),
            two.join().expect("no panic").expect("imports"),
        )
    });
    let mut versions = [first.data_version, second.data_version];
    versions.sort_unstable();
    assert_eq!(versions, [1, 2]);
    assert_ne!(first.ledger_index, second.ledger_index);
    assert_eq!(test_pg.db().data_version().expect("version"), 2);
    assert_eq!(
        test_pg.db().data_counts().expect("counts").registry_persons,
        4000
    );
}
