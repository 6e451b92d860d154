//! The live index: a base shared between views, a recent layer and hidden base records must
//! screen exactly as one index built over the same final records, and applying changes must
//! leave the view it started from untouched.

use std::collections::BTreeMap;

use haven_index::{
    BirthDate, Gender, Index, IndexRecord, LiveIndex, Match, Query, Settings, Source,
};
use proptest::prelude::*;

use super::{rec, registry};

const K: usize = 5;

/// What the comparisons look at: ids and scores, in order.
fn ranked(matches: &[Match]) -> Vec<(String, f32)> {
    matches.iter().map(|m| (m.id.clone(), m.score)).collect()
}

fn named(name: &str, birth: Option<BirthDate>) -> Query {
    Query {
        names: vec![name.to_owned()],
        birth_date: birth,
        ..Query::default()
    }
}

#[test]
fn changes_screen_as_a_fresh_build() {
    let base = Index::build(registry(), 7);
    let live = LiveIndex::new(base);
    assert_eq!(
        (live.data_version(), live.len(), live.recent_len()),
        (7, 14, 0)
    );
    let before: Vec<Vec<Match>> = ["Aigerim Bekova", "Ivan Ivanov", "Anna Ivanova"]
        .iter()
        .map(|n| live.screen(&Query::name(n), K))
        .collect();

    // R-1 is renamed, R-8 removed, R-20 new (a namesake of R-7), C-12 changed in place.
    let upserts = vec![
        rec(
            "R-1",
            &["Dilnoza Rakhimova"],
            Some("1971-03-02"),
            &["uz"],
            Some(Gender::Female),
        ),
        rec(
            "R-20",
            &["Anna Ivanova"],
            Some("1990-12-01"),
            &["ru"],
            Some(Gender::Female),
        ),
        rec("C-12", &["Timur Bekmambetov"], Some("1962"), &["kz"], None),
    ];
    let changed = live.with_changes(&upserts, &["R-8".to_owned()], 8);
    assert_eq!(
        (changed.data_version(), changed.len(), changed.recent_len()),
        (8, 14, 3)
    );

    // The old view is unchanged: same answers, same records.
    let after: Vec<Vec<Match>> = ["Aigerim Bekova", "Ivan Ivanov", "Anna Ivanova"]
        .iter()
        .map(|n| live.screen(&Query::name(n), K))
        .collect();
    assert_eq!(before, after);
    assert_eq!(
        (live.data_version(), live.len(), live.recent_len()),
        (7, 14, 0)
    );
    assert_eq!(
        live.get("R-1").map(|r| r.names),
        Some(vec![
            "Aigerim Bekova".to_owned(),
            "Бекова Айгерим".to_owned()
        ])
    );
    assert!(live.get("R-8").is_some() && live.get("R-20").is_none());

    // The new view: the renamed record under its new name only, the removed one gone.
    let renamed = changed.screen(&Query::name("Dilnoza Rakhimova"), K);
    assert_eq!(
        renamed.first().map(|m| m.id.as_str()),
        Some("R-1"),
        "{renamed:#?}"
    );
    let old_name = changed.screen(&Query::name("Aigerim Bekova"), K);
    assert!(old_name.iter().all(|m| m.id != "R-1"), "{old_name:#?}");
    assert_eq!(old_name.first().map(|m| m.id.as_str()), Some("R-13"));
    let removed = changed.screen(&Query::name("Ivan Ivanov"), K);
    assert!(removed.iter().all(|m| m.id != "R-8"), "{removed:#?}");
    assert_eq!(
        changed.get("R-1").map(|r| r.names),
        Some(vec!["Dilnoza Rakhimova".to_owned()])
    );
    assert_eq!(changed.get("R-8"), None);
    assert_eq!(
        changed.get("C-12").and_then(|r| r.birth_date),
        BirthDate::parse("1962")
    );
    // Namesakes across the layers merge by the ranking: R-7 (base) and R-20 (recent) score
    // alike and come back in id order, as from one index.
    let namesakes = changed.screen(&named("Anna Ivanova", BirthDate::parse("1990-12-01")), K);
    let ids: Vec<&str> = namesakes.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids[..2], ["R-20", "R-7"], "{namesakes:#?}");

    // Against a fresh build of the same records, and the compacted index likewise.
    let mut records: BTreeMap<String, IndexRecord> =
        registry().into_iter().map(|r| (r.id.clone(), r)).collect();
    records.remove("R-8");
    for r in &upserts {
        records.insert(r.id.clone(), r.clone());
    }
    let fresh = Index::build(records.into_values(), 8);
    let compacted = changed.compacted();
    assert_eq!((compacted.data_version(), compacted.len()), (8, 14));
    for name in [
        "Dilnoza Rakhimova",
        "Aigerim Bekova",
        "Ivan Ivanov",
        "Anna Ivanova",
        "Timur Bekmambetov",
        "Бекова",
    ] {
        let query = named(name, BirthDate::parse("1971"));
        assert_eq!(
            ranked(&changed.screen(&query, K)),
            ranked(&fresh.screen(&query, K)),
            "{name}"
        );
        assert_eq!(
            compacted.screen(&query, K),
            fresh.screen(&query, K),
            "{name}"
        );
    }
    let queries: Vec<Query> = ["Anna Ivanova", "Dilnoza Rakhimova"]
        .iter()
        .map(|n| Query::name(n))
        .collect();
    assert_eq!(
        changed.screen_batch(&queries, K),
        queries
            .iter()
            .map(|q| changed.screen(q, K))
            .collect::<Vec<_>>()
    );
}

#[test]
fn hidden_records_do_not_crowd_out_live_ones() {
    // More replaced namesakes in the base than `k`: were they cut to `k` before being dropped,
    // the one live namesake left in the base would be lost.
    let mut base: Vec<IndexRecord> = (0..12)
        .map(|i| {
            rec(
                &format!("R-{i:02}"),
                &["Ahmed Lakhal"],
                Some("1980"),
                &[],
                None,
            )
        })
        .collect();
    base.push(rec("R-99", &["Ahmed Lakhal"], None, &[], None));
    let live = LiveIndex::new(Index::build(base, 1));
    let renamed: Vec<IndexRecord> = (0..12)
        .map(|i| rec(&format!("R-{i:02}"), &["Pavel Sokolov"], None, &[], None))
        .collect();
    let changed = live.with_changes(&renamed, &[], 2);
    let matches = changed.screen(&Query::name("Ahmed Lakhal"), 3);
    assert_eq!(
        ranked(&matches).first().map(|m| m.0.as_str()),
        Some("R-99"),
        "{matches:#?}"
    );
    assert!(matches.iter().all(|m| m.id == "R-99"), "{matches:#?}");
    assert_eq!(changed.screen(&Query::name("Pavel Sokolov"), 3).len(), 3);
    // Removing everything leaves nothing to find.
    let all: Vec<String> = (0..12)
        .map(|i| format!("R-{i:02}"))
        .chain(["R-99".to_owned()])
        .collect();
    let empty = changed.with_changes(&[], &all, 3);
    assert!(empty.is_empty() && empty.recent_len() == 0);
    assert!(empty.screen(&Query::name("Ahmed Lakhal"), 3).is_empty());
    assert!(empty.screen(&Query::name("Pavel Sokolov"), 3).is_empty());
    assert_eq!(empty.compacted().len(), 0);
}

/// Name parts shared between records, so that namesakes and partial namesakes straddle the
/// layers: the cases where the merge order and the hidden filter matter.
const PARTS: [&str; 18] = [
    "Ivan",
    "Ivanov",
    "Petrova",
    "Anna",
    "Sergei",
    "Kovalenko",
    "Olena",
    "Bekova",
    "Aigerim",
    "Yerlan",
    "Jumabayev",
    "Giorgos",
    "Papadopoulos",
    "Maria",
    "Kowalska",
    "Ahmed",
    "Lakhal",
    "Timur",
];

fn person_name() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop::sample::select(&PARTS[..]), 2..4).prop_map(|p| p.join(" "))
}

fn person(id: usize) -> impl Strategy<Value = IndexRecord> {
    (person_name(), proptest::option::of(1960u16..1966)).prop_map(move |(name, year)| IndexRecord {
        // Every fifth id a context record: the two sources are ranked apart.
        id: if id % 5 == 4 {
            format!("C-{id:02}")
        } else {
            format!("R-{id:02}")
        },
        source: if id % 5 == 4 {
            Source::Context
        } else {
            Source::Registry
        },
        names: vec![name],
        birth_date: year.map(|year| BirthDate {
            year,
            month: None,
            day: None,
        }),
        nationalities: vec![],
        gender: None,
    })
}

/// One change: a new or replacing record under id `0..IDS`, or the removal of one.
#[derive(Debug, Clone)]
enum Change {
    Upsert(IndexRecord),
    Remove(usize),
}

const IDS: usize = 45;

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        3 => (0..IDS).prop_flat_map(person).prop_map(Change::Upsert),
        1 => (0..IDS).prop_map(Change::Remove),
    ]
}

fn id_of(n: usize) -> String {
    if n % 5 == 4 {
        format!("C-{n:02}")
    } else {
        format!("R-{n:02}")
    }
}

/// Candidate generation without its cuts: every posting list read, every candidate rescored.
fn exhaustive(mut index: Index) -> Index {
    index.set_settings(Settings {
        rescore: usize::MAX,
        rescore_margin: f32::INFINITY,
        ..index.settings()
    });
    index
}

/// Checks a view against a fresh build of the model's records with the same settings.
///
/// With `exact`, the ids and scores of the top `k` of each source must be equal, in order. That
/// holds only when candidate generation keeps every candidate (`exhaustive`): with the default
/// settings the rescore cut and its margin are taken relative to the best candidate *within one
/// index*, and the weights behind them are idfs of that index. Each layer has its own leader
/// and its own idfs, so a weak partial namesake alone in the recent layer is rescored there,
/// while a fresh build drops it because a strong namesake in the same index set the bar (seen:
/// "Ivan Ivanov" with "Ivan Ivan" namesakes in the base, a 0.60 match found only by the layers).
/// Without `exact` the checks are what holds regardless: every match is the current version of
/// a live record, a record common to both answers scores the same (the score depends on query
/// and record alone), and a record queried by its own name comes back with the best score (in
/// its layer it has the whole query's key weight, so no cut relative to a leader drops it).
/// Not even the best score is the same in general: a layer's leader by key weight can push a
/// record with a better final score below the margin (seen: "Giorgos Jumabayev Giorgos").
fn check_against_fresh(
    screen: impl Fn(&Query) -> Vec<Match>,
    fresh: &Index,
    model: &BTreeMap<String, IndexRecord>,
    names: &[String],
    exact: bool,
) -> Result<(), TestCaseError> {
    for record in model.values() {
        let own = screen(&Query::name(&record.names[0]));
        let top = own.first().map(|m| m.score);
        prop_assert!(
            own.iter()
                .any(|m| m.id == record.id && Some(m.score) == top),
            "{:?} not at the top: {:?}",
            record,
            ranked(&own)
        );
    }
    for name in names {
        for birth in [None, BirthDate::parse("1962")] {
            let query = named(name, birth);
            let got = screen(&query);
            let want = fresh.screen(&query, K);
            for m in &got {
                prop_assert_eq!(model.get(&m.id).map(|r| &r.names), Some(&m.names));
            }
            if exact {
                prop_assert_eq!(ranked(&got), ranked(&want), "{:?}", query);
                continue;
            }
            for m in &got {
                if let Some(w) = want.iter().find(|w| w.id == m.id) {
                    prop_assert_eq!(m.score, w.score, "{:?}", query);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// A random registry and several rounds of random changes, applied to two live views (one
    /// with default settings, one exhaustive): after every round, and at the end for their
    /// compacted indexes, they screen as fresh builds of the same records (`check_against_fresh`
    /// says how exactly), for the names of every record ever seen, with and without a birth
    /// year; and they hold exactly the model's records.
    #[test]
    fn layered_views_screen_as_a_fresh_build(
        initial in (0..30usize).prop_flat_map(|n| (0..n).map(person).collect::<Vec<_>>()),
        rounds in proptest::collection::vec(proptest::collection::vec(change(), 1..12), 1..4),
    ) {
        let mut model: BTreeMap<String, IndexRecord> =
            initial.iter().map(|r| (r.id.clone(), r.clone())).collect();
        let mut live = LiveIndex::new(Index::build(initial.clone(), 1));
        let mut live_exhaustive = LiveIndex::new(exhaustive(Index::build(initial.clone(), 1)));
        let mut names: Vec<String> = initial.iter().map(|r| r.names[0].clone()).collect();
        for (round, changes) in rounds.iter().enumerate() {
            let version = round as u64 + 2;
            let mut upserts = Vec::new();
            let mut removed = Vec::new();
            for change in changes {
                match change {
                    Change::Upsert(record) => {
                        names.push(record.names[0].clone());
                        upserts.push(record.clone());
                    }
                    Change::Remove(n) => removed.push(id_of(*n)),
                }
            }
            // The view's contract: upserts in order (the last of one id wins), then removals.
            for record in &upserts {
                model.insert(record.id.clone(), record.clone());
            }
            for id in &removed {
                model.remove(id);
            }
            let previous = live.clone();
            let probe = Query::name(&names[0]);
            let previous_answer = previous.screen(&probe, K);
            live = live.with_changes(&upserts, &removed, version);
            live_exhaustive = live_exhaustive.with_changes(&upserts, &removed, version);
            // The view the changes were applied to answers as before.
            prop_assert_eq!(previous.screen(&probe, K), previous_answer);

            prop_assert_eq!(live.len(), model.len());
            prop_assert_eq!(live.data_version(), version);
            for (id, record) in &model {
                prop_assert_eq!(live.get(id), Some(record.clone()));
            }
            for n in 0..IDS {
                if !model.contains_key(&id_of(n)) {
                    prop_assert_eq!(live.get(&id_of(n)), None);
                }
            }
            let fresh = Index::build(model.values().cloned(), version);
            check_against_fresh(|q| live.screen(q, K), &fresh, &model, &names, false)?;
            check_against_fresh(
                |q| live_exhaustive.screen(q, K),
                &exhaustive(fresh),
                &model,
                &names,
                true,
            )?;
        }
        let version = live.data_version();
        let fresh = Index::build(model.values().cloned(), version);
        let compacted = live.compacted();
        prop_assert_eq!((compacted.len(), compacted.data_version()), (model.len(), version));
        check_against_fresh(|q| compacted.screen(q, K), &fresh, &model, &names, false)?;
        let compacted = live_exhaustive.compacted();
        check_against_fresh(|q| compacted.screen(q, K), &exhaustive(fresh), &model, &names, true)?;
    }
}

#[test]
fn insert_all_is_insert_in_order() {
    let batch = vec![
        rec("R-1", &["Dilnoza Rakhimova"], Some("1971"), &["uz"], None),
        rec("R-30", &["Anna Ivanova"], Some("1990"), &[], None),
        rec("C-31", &["Ivan Ivanov"], None, &[], None),
        rec("R-30", &["Anna Petrova"], Some("1990"), &[], None),
    ];
    let mut one_by_one = Index::build(registry(), 1);
    for record in &batch {
        one_by_one.insert(record);
    }
    let mut at_once = Index::build(registry(), 1);
    at_once.insert_all(&batch);
    assert_eq!((at_once.len(), at_once.delta_len()), (16, 3));
    assert_eq!(at_once.get("R-30"), Some(batch[3].clone()));
    for name in [
        "Dilnoza Rakhimova",
        "Aigerim Bekova",
        "Anna Ivanova",
        "Anna Petrova",
        "Ivan Ivanov",
    ] {
        let query = Query::name(name);
        assert_eq!(
            at_once.screen(&query, K),
            one_by_one.screen(&query, K),
            "{name}"
        );
    }
}
