//! Pairwise scoring speed: both names analysed from scratch (the DESIGN §8 bar: about 5 µs a
//! pair), with the explanation, and pre-analysed (as inside the index).
//!
//! Run: `cargo bench -p haven-names --bench pairwise`. Pairs come from
//! `../shared/bench/` (nomenklatura person pairs, watchman cross-script pairs); a small built-in
//! set of Cyrillic/Latin pairs is used as well so the bench runs without that folder.

use std::hint::black_box;

// The `haven` binary's allocator: the analysis makes many small short-lived allocations.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use haven_names::{Matcher, compare};

const BUILT_IN: &[(&str, &str)] = &[
    ("Жумабаев Ерлан", "Yerlan Jumabayev"),
    ("Бекова Айгерим", "Aigerim Bekova"),
    ("Юрий Тюрин", "Iouri Tiourine"),
    ("Хрущёв Никита Сергеевич", "Nikita Khrushchev"),
    ("Володимир Зеленський", "Volodymyr Oleksandrovych Zelenskyy"),
    ("Нұрсұлтан Назарбаев", "Nursultan Nazarbayev"),
    ("Щербаков Дмитрий", "Dmitri Chtcherbakov"),
    ("محمد علي", "Mohamed Ali"),
];

/// Two names to compare.
type Pair = (String, String);

/// The cross-script pairs, and every pair (cross-script plus nomenklatura).
fn bench_pairs() -> (Vec<Pair>, Vec<Pair>) {
    let cross: Vec<Pair> = BUILT_IN
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    let mut all = cross.clone();
    if let Ok(mut reader) = csv::Reader::from_path(
        "../../../shared/bench/nomenklatura_name_bench_cases.csv",
    )
    .or_else(|_| csv::Reader::from_path("../shared/bench/nomenklatura_name_bench_cases.csv"))
    {
        for record in reader.records().flatten() {
            if record.get(1) == Some("Person") {
                all.push((record[2].to_owned(), record[3].to_owned()));
            }
        }
    }
    (cross, all)
}

fn pairwise(c: &mut Criterion) {
    let matcher = Matcher::bundled();
    let (cross, all) = bench_pairs();
    let mut group = c.benchmark_group("pairwise");
    for (label, pairs) in [("cross_script", &cross), ("nomenklatura_persons", &all)] {
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_function(format!("{label}/score_from_scratch"), |b| {
            b.iter(|| {
                for (x, y) in pairs {
                    black_box(matcher.score(black_box(x), black_box(y)));
                }
            });
        });
        group.bench_function(format!("{label}/score_and_explain_from_scratch"), |b| {
            b.iter(|| {
                for (x, y) in pairs {
                    black_box(matcher.compare(black_box(x), black_box(y)));
                }
            });
        });
        let analysed: Vec<_> = pairs
            .iter()
            .map(|(x, y)| (matcher.analyse(x), matcher.analyse(y)))
            .collect();
        group.bench_function(format!("{label}/score_pre_analysed"), |b| {
            b.iter(|| {
                for (x, y) in &analysed {
                    black_box(compare(black_box(x), black_box(y)).score);
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, pairwise);
criterion_main!(benches);
