//! Integration tests of the index: screening across scripts, evidence, own-name property,
//! snapshots and staleness, updates. Table-driven: one `check` per area.

use haven_index::{BirthDate, Gender, Index, IndexError, IndexRecord, Query, Source};
use proptest::prelude::*;

fn rec(
    id: &str,
    names: &[&str],
    birth: Option<&str>,
    nats: &[&str],
    gender: Option<Gender>,
) -> IndexRecord {
    IndexRecord {
        id: id.to_owned(),
        source: if id.starts_with('C') {
            Source::Context
        } else {
            Source::Registry
        },
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        birth_date: birth.and_then(BirthDate::parse),
        nationalities: nats.iter().map(|n| (*n).to_owned()).collect(),
        gender,
    }
}

/// A small registry with namesakes and near-namesakes around each target.
fn registry() -> Vec<IndexRecord> {
    use Gender::*;
    vec![
        rec(
            "R-1",
            &["Aigerim Bekova", "Бекова Айгерим"],
            Some("1971-03-02"),
            &["kz"],
            Some(Female),
        ),
        rec(
            "R-2",
            &["Yerlan Jumabayev"],
            Some("1980"),
            &["kz"],
            Some(Male),
        ),
        rec(
            "R-3",
            &["Жумабаев Ерлан Серикович"],
            Some("1966-07-01"),
            &["kz"],
            Some(Male),
        ),
        rec(
            "R-4",
            &["Sergey Viktorovich Lavrov"],
            Some("1950-03-21"),
            &["ru"],
            Some(Male),
        ),
        rec(
            "R-5",
            &["Mohammed Abdullah al-Hassan"],
            Some("1975-05-04"),
            &["iq"],
            Some(Male),
        ),
        rec(
            "R-6",
            &["Γεώργιος Παπαδόπουλος"],
            Some("1962"),
            &["gr"],
            Some(Male),
        ),
        rec(
            "R-7",
            &["Anna Ivanova"],
            Some("1990-12-01"),
            &["ru"],
            Some(Female),
        ),
        rec(
            "R-8",
            &["Ivan Ivanov"],
            Some("1988-01-01"),
            &["ru"],
            Some(Male),
        ),
        rec(
            "R-9",
            &["Olena Kovalenko", "Олена Коваленко"],
            Some("1985-02-10"),
            &["ua"],
            Some(Female),
        ),
        rec(
            "R-10",
            &["Jürgen Müller"],
            Some("1955-06-06"),
            &["de"],
            Some(Male),
        ),
        rec("R-11", &["Maria Kowalska"], None, &["pl"], Some(Female)),
        rec(
            "C-12",
            &["Timur Bekmambetov"],
            Some("1961-06-25"),
            &["kz"],
            None,
        ),
        rec(
            "R-13",
            &["Aigerim Bekova"],
            Some("1993-08-08"),
            &["kz"],
            Some(Female),
        ),
        rec(
            "R-14",
            &["Mohammed Abdullah al-Hassan"],
            Some("1981-11-30"),
            &["sy"],
            Some(Male),
        ),
    ]
}

fn index() -> Index {
    Index::build(registry(), 7)
}

/// Screens `query` (names, birth date) and checks the top match.
fn check(index: &Index, names: &[&str], birth: Option<&str>, expected_top: &str) {
    let query = Query {
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        birth_date: birth.and_then(BirthDate::parse),
        ..Query::default()
    };
    let matches = index.screen(&query, 5);
    let top = matches.first().map(|m| m.id.as_str());
    assert_eq!(
        top,
        Some(expected_top),
        "{names:?} {birth:?}: {:#?}",
        matches
            .iter()
            .map(|m| (&m.id, m.score, &m.explanation))
            .collect::<Vec<_>>()
    );
}

#[test]
fn screening_across_scripts_and_spellings() {
    let index = index();
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        // Cyrillic query, Latin record and vice versa.
        (&["Бекова Айгерим"], Some("1971"), "R-1"),
        (&["Жумабаев Ерлан"], Some("1980"), "R-2"),
        (&["Yerlan Serikovich Zhumabaev"], Some("1966-07-01"), "R-3"),
        (&["Сергей Лавров"], None, "R-4"),
        // Patronymic absent on one side, word order, SURNAME, Given.
        (&["LAVROV, Sergey"], None, "R-4"),
        (&["Lavrov Sergei Viktorovich"], None, "R-4"),
        // Arabic script against Latin; Latin spelling variants.
        (&["محمد عبد الله الحسن"], Some("1975-05-04"), "R-5"),
        (&["Muhammad Abdallah Al Hasan"], Some("1981"), "R-14"),
        // Greek.
        (&["Georgios Papadopoulos"], None, "R-6"),
        (&["Papadopoulos Georgios"], Some("1962"), "R-6"),
        // Gendered surname: Ivanova found by her masculine form only if nothing better.
        (&["Анна Иванова"], None, "R-7"),
        (&["Maria Kowalski"], None, "R-11"),
        // Typos.
        (&["Jurgen Muller"], None, "R-10"),
        (&["Juergen Mueller"], None, "R-10"),
        (&["Olena Kovalenkko"], None, "R-9"),
        (&["Timur Bekmambetow"], None, "C-12"),
        // Ukrainian Cyrillic against Latin.
        (&["Олена Коваленко"], Some("1985-02-10"), "R-9"),
    ];
    for (names, birth, expected) in cases {
        check(&index, names, *birth, expected);
    }
}

#[test]
fn birth_date_evidence_decides_between_namesakes() {
    let index = index();
    let cases: &[(&str, &str)] = &[
        ("1971-03-02", "R-1"), // exact
        ("1971", "R-1"),       // partial
        ("1971-02-03", "R-1"), // day and month swapped
        ("1972-03-02", "R-1"), // year one off
        ("1993-08", "R-13"),   // partial, the other namesake
        ("1993-08-08", "R-13"),
    ];
    for (date, expected) in cases {
        check(&index, &["Aigerim Bekova"], Some(date), expected);
    }
}

#[test]
fn evidence_is_explained_and_ordered() {
    let index = index();
    let query = Query {
        names: vec!["Бекова Айгерим".into()],
        birth_date: BirthDate::parse("1971"),
        nationalities: vec!["kz".into()],
        gender: Some(Gender::Male),
    };
    let matches = index.screen(&query, 5);
    assert_eq!(matches[0].id, "R-1");
    let text = &matches[0].explanation;
    assert!(
        text.contains("birth date 1971 agrees with 1971-03-02"),
        "{text}"
    );
    assert!(text.contains("nationality kz agrees"), "{text}");
    assert!(text.contains("gender differs (m/f)"), "{text}");
    // The namesake with a conflicting date comes second, lower.
    assert_eq!(matches[1].id, "R-13");
    assert!(matches[1].explanation.contains("conflicts with"));
    assert!(matches[0].score > matches[1].score);
    // Scores descend; each names its source.
    assert!(matches.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(matches[0].source, Source::Registry);
}

#[test]
fn date_evidence_table() {
    use haven_index::evidence::{DateEvidence::*, compare_dates};
    let d = |s: &str| BirthDate::parse(s);
    let cases = [
        ("1971-03-02", "1971-03-02", Identical),
        ("1971", "1971-03-02", Compatible),
        ("1971-03", "1971-03-02", Compatible),
        ("1971-02-03", "1971-03-02", SwappedDayMonth),
        ("1972-03-02", "1971-03-02", YearOff),
        ("1972", "1971", YearOff),
        ("1975", "1971-03-02", Conflicting),
        ("1971-04-02", "1971-03-02", Conflicting),
    ];
    for (q, r, expected) in cases {
        assert_eq!(compare_dates(d(q), d(r)), expected, "{q} vs {r}");
    }
    assert_eq!(compare_dates(None, d("1971")), Unknown);
    assert_eq!(BirthDate::parse("1971-13-01"), None);
    assert_eq!(BirthDate::parse("71"), BirthDate::parse("0071"));
}

#[test]
fn ties_are_ordered_by_id() {
    let records = vec![
        rec("R-b", &["Ivan Petrov"], None, &[], None),
        rec("R-a", &["Ivan Petrov"], None, &[], None),
        rec("R-c", &["Ivan Petrov"], None, &[], None),
    ];
    let index = Index::build(records, 1);
    let ids: Vec<String> = index
        .screen(&Query::name("Ivan Petrov"), 10)
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, ["R-a", "R-b", "R-c"]);
}

#[test]
fn strangers_find_nothing_close() {
    let index = index();
    let matches = index.screen(&Query::name("Xiang Wu"), 5);
    assert!(matches.iter().all(|m| m.name_score < 0.7), "{matches:?}");
}

#[test]
fn insert_update_remove() {
    let mut index = index();
    assert_eq!(index.len(), 14);
    index.insert(&rec("R-20", &["Dauren Abaev"], Some("1977"), &["kz"], None));
    check(&index, &["Даурен Абаев"], None, "R-20");
    // Update: the new name is found, the old one no longer.
    assert!(index.update(&rec("R-4", &["Sergei Shoigu"], None, &["ru"], None)));
    check(&index, &["Sergei Shoigu"], None, "R-4");
    assert!(
        index
            .screen(&Query::name("Lavrov Sergey Viktorovich"), 5)
            .iter()
            .all(|m| m.id != "R-4")
    );
    assert!(index.remove("R-20"));
    assert!(!index.remove("R-20"));
    assert!(
        index
            .screen(&Query::name("Dauren Abaev"), 5)
            .iter()
            .all(|m| m.id != "R-20")
    );
    assert_eq!(index.len(), 14);
    // Compaction keeps the answers.
    index.compact();
    check(&index, &["Sergei Shoigu"], None, "R-4");
    assert!(index.get("R-20").is_none());
    assert_eq!(
        index.get("R-4").map(|r| r.names),
        Some(vec!["Sergei Shoigu".to_owned()])
    );
}

#[test]
fn duplicate_ids_keep_the_last() {
    let records = vec![
        rec("R-1", &["Old Name"], None, &[], None),
        rec("R-1", &["Aliya Nurova"], None, &[], None),
    ];
    let index = Index::build(records, 1);
    assert_eq!(index.len(), 1);
    assert_eq!(
        index.get("R-1").map(|r| r.names),
        Some(vec!["Aliya Nurova".to_owned()])
    );
    assert!(index.screen(&Query::name("Old Name"), 5).is_empty());
}

#[test]
fn snapshot_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("index.snap");
    let mut index = index();
    index.insert(&rec(
        "R-30",
        &["Ainur Sadykova"],
        Some("1999-09-09"),
        &["kz"],
        None,
    ));
    index.remove("R-8");
    index.save(&path).expect("saved");
    let loaded = Index::load(&path).expect("loaded");
    assert_eq!(loaded.data_version(), 7);
    assert_eq!(loaded.len(), index.len());
    let queries = [
        Query::name("Бекова Айгерим"),
        Query::name("Ainur Sadykova"),
        Query::name("Ivan Ivanov"),
        Query::name("محمد عبد الله الحسن"),
    ];
    for q in &queries {
        assert_eq!(loaded.screen(q, 5), index.screen(q, 5), "{q:?}");
    }
    assert!(loaded.get("R-8").is_none());
    assert!(loaded.get("R-30").is_some());
}

#[test]
fn staleness_is_detected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("index.snap");
    index().save(&path).expect("saved");
    assert_eq!(Index::read_header(&path).expect("header").data_version, 7);
    assert!(Index::load_current(&path, 7).is_ok());
    match Index::load_current(&path, 8) {
        Err(IndexError::Stale {
            found: 7,
            expected: 8,
        }) => {}
        other => panic!("expected Stale, got {other:?}"),
    }
    // Not a snapshot, truncated snapshot.
    std::fs::write(&path, b"hello").expect("written");
    assert!(matches!(Index::load(&path), Err(IndexError::NotASnapshot)));
    let good = dir.path().join("good.snap");
    index().save(&good).expect("saved");
    let bytes = std::fs::read(&good).expect("read");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("written");
    assert!(Index::load(&path).is_err());
}

#[test]
fn batch_matches_single() {
    let index = index();
    let queries: Vec<Query> = ["Aigerim Bekova", "Ivan Ivanov", "Jürgen Müller"]
        .iter()
        .map(|n| Query::name(n))
        .collect();
    let batch = index.screen_batch(&queries, 3);
    for (q, b) in queries.iter().zip(&batch) {
        assert_eq!(&index.screen(q, 3), b);
    }
}

fn name_part() -> impl Strategy<Value = String> {
    prop_oneof!["[A-Z][a-z]{2,9}", "[А-Я][а-я]{2,9}", "[Α-Ω][α-ω]{2,8}",]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Indexing then querying a record's own name finds it at rank 1, or tied with it at the
    /// same score (a namesake whose name analyses the same).
    #[test]
    fn own_name_is_found(parts in proptest::collection::vec(proptest::collection::vec(name_part(), 1..4), 1..12), pick in 0usize..12) {
        let records: Vec<IndexRecord> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| IndexRecord {
                id: format!("R-{i}"),
                source: Source::Registry,
                names: vec![p.join(" ")],
                birth_date: None,
                nationalities: vec![],
                gender: None,
            })
            .collect();
        let index = Index::build(records.clone(), 1);
        let target = &records[pick % records.len()];
        let matches = index.screen(&Query::name(&target.names[0]), 10);
        prop_assert!(!matches.is_empty(), "nothing found for {:?}", target.names);
        let top = matches[0].score;
        let own = matches.iter().find(|m| m.id == target.id);
        prop_assert!(own.is_some_and(|m| m.score == top), "{:?} not at the top: {:?}", target, matches);
    }
}

/// Distinct made-up surnames for crowds: syllables that spell none of the test names.
fn crowd_surnames(n: usize) -> Vec<String> {
    const SYLLABLES: [&str; 8] = ["bo", "du", "fe", "gi", "mo", "nu", "pe", "ro"];
    (0..n)
        .map(|i| {
            let mut s = String::new();
            let mut i = i + 9;
            while i > 0 {
                s.push_str(SYLLABLES[i % 8]);
                i /= 8;
            }
            s.push_str("vic");
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn context_hits_never_hide_registry_hits() {
    // A crowd of context records carrying the query's exact spelling, filed before the registry
    // person, who is written in another romanisation: more of them than are rescored and than
    // `k`. The registry person must come back all the same.
    let mut records: Vec<IndexRecord> = (0..40)
        .map(|i| rec(&format!("C-{i:02}"), &["Ahmed Lakhal"], None, &[], None))
        .collect();
    records.push(rec("R-1", &["Akhmad Lakhaal"], Some("1980"), &[], None));
    records.push(rec("R-2", &["Ахмед Лахал"], None, &[], None));
    let index = Index::build(records, 1);
    let k = 5;
    let matches = index.screen(&Query::name("AHMED LAKHAL"), k);
    let of = |source: Source| matches.iter().filter(|m| m.source == source).count();
    assert_eq!(
        (of(Source::Registry), of(Source::Context)),
        (2, k),
        "{matches:#?}"
    );
    // One list, best first: the context hits with the exact spelling lead.
    assert!(matches.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(matches[0].source, Source::Context);
    // The batch returns the same.
    assert_eq!(
        index.screen_batch(&[Query::name("AHMED LAKHAL")], k),
        vec![matches]
    );
}

/// Query → expected top id, against a crowd sharing the given names so that only a key of the
/// swapped part can single the record out.
#[test]
fn transposed_letters_are_found() {
    let targets = [
        ("R-lakhal", "Ahmed Lakhal"),
        ("R-myong", "Kim Myong-chin"),
        ("R-ivanova", "Svetlana Ivanova"),
        ("R-petrova", "Olga Petrova"),
        ("R-lakhal-only", "Lakhal"),
    ];
    let mut records = Vec::new();
    for (i, surname) in crowd_surnames(60).iter().enumerate() {
        for given in ["Ahmed", "Kim Myong", "Svetlana", "Olga"] {
            records.push(rec(
                &format!("A-{given}-{i:02}"),
                &[&format!("{given} {surname}")],
                None,
                &[],
                None,
            ));
        }
    }
    for (id, name) in targets {
        records.push(rec(id, &[name], None, &[], None));
    }
    let index = Index::build(records, 1);
    let cases = [
        // Two letters swapped inside a part: kh → hk changes the skeleton and the frame.
        ("Ahmed Lakahl", "R-lakhal"),
        ("LAKAHL", "R-lakhal-only"),
        // A swap across the hyphen: no part is spelled as on record.
        ("Kim Myongc-hin", "R-myong"),
        ("Svetlana Ivnaova", "R-ivanova"),
        ("Olga Petrvoa", "R-petrova"),
        ("Olga Eptrova", "R-petrova"),
    ];
    for (query, expected) in cases {
        check(&index, &[query], None, expected);
    }
}

#[test]
fn duplicate_records_are_ordered_by_evidence_then_id() {
    // (query birth date, query nationality, expected order)
    let cases: &[(Option<&str>, &[&str], &[&str])] = &[
        // No evidence in the query: nothing to tell them apart but the id.
        (None, &[], &["R-a", "R-b", "R-c", "R-d"]),
        // The record with the birth date on file first, although all four names score 1.0.
        (Some("1971-03-02"), &[], &["R-d", "R-b", "R-a", "R-c"]),
        // A year alone agrees as well with 1971 as with 1971-03-02: equal evidence, so by id.
        (Some("1971"), &["ru"], &["R-b", "R-d", "R-a", "R-c"]),
        // A conflicting date goes last, the records without a date between.
        (Some("1990"), &[], &["R-a", "R-c", "R-b", "R-d"]),
    ];
    let records = vec![
        rec("R-d", &["Ivan Petrov"], Some("1971-03-02"), &["ru"], None),
        rec("R-c", &["Ivan Petrov"], None, &[], None),
        rec("R-b", &["Ivan Petrov"], Some("1971"), &["ru"], None),
        rec("R-a", &["Ivan Petrov"], None, &[], None),
    ];
    for reversed in [false, true] {
        let mut records = records.clone();
        if reversed {
            records.reverse();
        }
        let index = Index::build(records, 1);
        for (birth, nats, expected) in cases {
            let query = Query {
                names: vec!["Ivan Petrov".into()],
                birth_date: birth.and_then(BirthDate::parse),
                nationalities: nats.iter().map(|n| (*n).to_owned()).collect(),
                gender: None,
            };
            let ids: Vec<String> = index.screen(&query, 10).into_iter().map(|m| m.id).collect();
            assert_eq!(
                ids, *expected,
                "{birth:?} {nats:?}, input reversed: {reversed}"
            );
        }
    }
}

#[test]
fn missing_evidence_leaves_the_name_score_alone() {
    let index = index();
    for name in [
        "Aigerim Bekova",
        "Jurgen Muler",
        "Olena Kovalenkko",
        "Lavrov Sergei",
    ] {
        let matches = index.screen(&Query::name(name), 5);
        assert!(!matches.is_empty(), "{name}");
        for m in &matches {
            assert_eq!(m.score, m.name_score, "{name}: {m:#?}");
        }
    }
}

#[test]
fn odd_input_does_not_panic() {
    let long = "Ab".repeat(5_000);
    let many_parts = "Ivan ".repeat(2_000);
    let odd = [
        String::new(),
        long.clone(),
        many_parts.clone(),
        "\u{0}\u{7}Ivan\tPetrov\u{1b}[0m\r\n".to_owned(),
        "\u{202e}vortep navi\u{200b}".to_owned(),
        "---  ,,, ..".to_owned(),
    ];
    let mut records: Vec<IndexRecord> = odd
        .iter()
        .enumerate()
        .map(|(i, n)| rec(&format!("R-odd-{i}"), &[n], None, &[], None))
        .collect();
    records.push(rec("R-empty", &[], None, &[], None));
    records.extend(registry());
    let index = Index::build(records, 1);
    let mut queries: Vec<Query> = odd.iter().map(|n| Query::name(n)).collect();
    queries.push(Query::default());
    queries.push(Query {
        names: vec![String::new(), "Ivan Ivanov".into()],
        ..Query::default()
    });
    for query in &queries {
        let matches = index.screen(query, 5);
        assert!(matches.iter().all(|m| (0.0..=1.0).contains(&m.score)));
    }
    assert!(index.screen(&Query::default(), 5).is_empty());
    // Control characters are not letters: the name underneath is still found.
    let found = index.screen(&Query::name("\u{7}Ivan\u{0} Ivanov\u{1b}"), 5);
    assert_eq!(found.first().map(|m| m.id.as_str()), Some("R-8"));
}

mod live;
