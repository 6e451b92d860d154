//! Prints the index figures of BENCHMARKS.md: build time and peak memory, single-query
//! latency and recall on ground-truth variants, bulk throughput, snapshot size and load time.
//!
//! ```text
//! cargo run --release -p haven-index --example bench_index -- build COUNT [SNAPSHOT] [QUERIES] [BULK]
//! cargo run --release -p haven-index --example bench_index -- load SNAPSHOT COUNT
//! cargo run --release -p haven-index --example bench_index -- queries SNAPSHOT COUNT [QUERIES] [BULK]
//! ```
//!
//! `build` generates COUNT persons (seed 42) straight into the builder, then screens QUERIES
//! ground-truth variants and QUERIES strangers one at a time on one thread, then BULK queries with
//! `screen_batch` on all cores, then writes the snapshot. `load` is run as a fresh process: it
//! loads the snapshot and answers one query. `build` ends with the live index (`LiveIndex`):
//! the time to apply 1,000 and 10,000 changed records, and the screening median with a
//! 10,000-record recent layer against none.

use std::time::{Duration, Instant};

use haven_index::{Index, IndexBuilder, IndexRecord, LiveIndex, Query};

#[path = "common/synth.rs"]
mod synth;

const SEED: u64 = 42;

fn vm(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("build") => build(&args[2..]),
        Some("load") => load(&args[2..]),
        Some("queries") => queries(&args[2..]),
        _ => {
            eprintln!(
                "usage: bench_index build COUNT [SNAPSHOT] [QUERIES] [BULK] | load SNAPSHOT COUNT"
            );
            std::process::exit(2);
        }
    }
}

fn build(args: &[String]) {
    let count: u64 = args[0].parse().expect("COUNT");
    let snapshot = args.get(1).filter(|s| *s != "-").cloned();
    let queries: usize = args.get(2).map_or(2000, |q| q.parse().expect("QUERIES"));
    let bulk: usize = args.get(3).map_or(0, |q| q.parse().expect("BULK"));
    println!("threads: {}", rayon::current_num_threads());
    let lists = synth::Lists::new();

    let start = Instant::now();
    let mut builder = IndexBuilder::new(1);
    for n in 0..count {
        builder.push(&synth::record(&synth::person(&lists, n, SEED)));
    }
    let generated = start.elapsed();
    let start = Instant::now();
    let mut index = builder.finish();
    let built = start.elapsed();
    tune(&mut index);
    report(&index, count, generated, built);
    measure(&index, count, queries, bulk);
    if let Some(path) = snapshot {
        let t = Instant::now();
        index
            .save(std::path::Path::new(&path))
            .expect("snapshot written");
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        println!(
            "snapshot: written in {:.1} s, {:.2} GB",
            t.elapsed().as_secs_f64(),
            size as f64 / 1e9
        );
    }
    live(index, count, queries);
    println!("final VmHWM {}", vm("VmHWM"));
}

/// `changes` records as an import would bring them: half replace existing persons (same id,
/// another person's names and dates), half are new persons.
fn changed_records(
    lists: &synth::Lists,
    count: u64,
    changes: usize,
    round: u64,
) -> Vec<IndexRecord> {
    let mut rng = synth::Rng::new(SEED ^ round);
    (0..changes as u64)
        .map(|i| {
            if i % 2 == 0 {
                let n = rng.below(count as usize) as u64;
                let mut record = synth::record(&synth::person(lists, n, SEED ^ round));
                record.id = format!("R-{n:08}");
                record
            } else {
                synth::record(&synth::person(lists, count + round * 1_000_000 + i, SEED))
            }
        })
        .collect()
}

/// Screening median over the ground-truth variants, one thread.
fn live_median(live: &LiveIndex, queries: &[Query]) -> Duration {
    for q in queries.iter().take(50) {
        live.screen(q, 10);
    }
    let mut times: Vec<Duration> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            std::hint::black_box(live.screen(q, 10));
            t.elapsed()
        })
        .collect();
    times.sort();
    percentile(&times, 0.5)
}

/// The live index over the built one: applying changes, and screening with a recent layer.
fn live(index: Index, count: u64, queries: usize) {
    let lists = synth::Lists::new();
    let mut rng = synth::Rng::new(SEED ^ 0x6c69_7665);
    let truth: Vec<Query> = (0..queries.max(200))
        .map(|_| {
            let n = rng.below(count as usize) as u64;
            synth::variant(&synth::person(&lists, n, SEED), &mut rng).query
        })
        .collect();
    let live = LiveIndex::new(index);
    for (round, changes) in [(1, 1_000), (2, 10_000)] {
        let records = changed_records(&lists, count, changes, round);
        let t = Instant::now();
        let changed = live.with_changes(&records, &[], round + 1);
        println!(
            "live: with_changes of {changes} records on an empty recent layer: {:.0} ms ({} live, {} recent)",
            t.elapsed().as_secs_f64() * 1e3,
            changed.len(),
            changed.recent_len()
        );
    }
    let layered = live.with_changes(&changed_records(&lists, count, 10_000, 2), &[], 3);
    let records = changed_records(&lists, count, 1_000, 4);
    let t = Instant::now();
    let more = layered.with_changes(&records, &[], 4);
    println!(
        "live: with_changes of 1000 records on a {}-record recent layer: {:.0} ms ({} recent)",
        layered.recent_len(),
        t.elapsed().as_secs_f64() * 1e3,
        more.recent_len()
    );
    drop(more);
    let plain = live_median(&live, &truth);
    let with_recent = live_median(&layered, &truth);
    println!(
        "live: screening median, {} ground-truth variants, one thread: no recent layer {:.3} ms, {}-record recent layer {:.3} ms",
        truth.len(),
        plain.as_secs_f64() * 1e3,
        layered.recent_len(),
        with_recent.as_secs_f64() * 1e3
    );
    drop(live);
    let t = Instant::now();
    let compacted = layered.compacted();
    println!(
        "live: compacted() into one index of {} records in {:.1} s",
        compacted.len(),
        t.elapsed().as_secs_f64()
    );
}

/// Settings from the environment (RESCORE, MARGIN, SCAN_LIMIT, SCAN_BUDGET, VERIFY), for tuning
/// runs.
fn tune(index: &mut Index) {
    let mut settings = index.settings();
    if let Some(v) = std::env::var("RESCORE").ok().and_then(|v| v.parse().ok()) {
        settings.rescore = v;
    }
    if let Some(v) = std::env::var("SCAN_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        settings.scan_limit = v;
    }
    if let Some(v) = std::env::var("SCAN_BUDGET")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        settings.scan_budget = v;
    }
    if let Some(v) = std::env::var("MARGIN").ok().and_then(|v| v.parse().ok()) {
        settings.rescore_margin = v;
    }
    if let Some(v) = std::env::var("VERIFY").ok().and_then(|v| v.parse().ok()) {
        settings.verify = v;
    }
    index.set_settings(settings);
    println!("settings: {settings:?}");
}

fn report(index: &Index, count: u64, generated: Duration, built: Duration) {
    let (keys, postings) = index.table_size();
    println!(
        "records {count}: generate+push {:.1} s, build (analyse + posting table) {:.1} s; {keys} keys, {postings} postings, {:.2} GB in arrays; VmHWM {} (peak RSS so far), VmRSS {}",
        generated.as_secs_f64(),
        built.as_secs_f64(),
        index.heap_bytes() as f64 / 1e9,
        vm("VmHWM"),
        vm("VmRSS"),
    );
}

/// Single-thread latency and recall on ground truth and strangers, then bulk throughput.
fn measure(index: &Index, count: u64, queries: usize, bulk: usize) {
    let lists = synth::Lists::new();
    // Ground truth and strangers.
    let mut rng = synth::Rng::new(SEED ^ 0x7275_7468);
    let truth: Vec<synth::Variant> = (0..queries)
        .map(|_| {
            let n = rng.below(count as usize) as u64;
            synth::variant(&synth::person(&lists, n, SEED), &mut rng)
        })
        .collect();
    let strangers: Vec<Query> = (0..queries as u64)
        .map(|n| synth::stranger(&lists, n, SEED))
        .collect();

    if let Some(repeat) = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
    {
        // Profiling aid: screen the ground truth again and again, nothing else.
        let t = Instant::now();
        for _ in 0..repeat {
            for v in &truth {
                std::hint::black_box(index.screen(&v.query, 10));
            }
        }
        println!(
            "repeat: {:.3} ms/query",
            t.elapsed().as_secs_f64() * 1e3 / (repeat * truth.len()) as f64
        );
        return;
    }
    // Warm up the lexicon and caches.
    for v in truth.iter().take(50) {
        index.screen(&v.query, 10);
    }
    let mut times = Vec::with_capacity(2 * queries);
    let (mut top1, mut top10) = (0, 0);
    let (mut tied1, mut tied10) = (0, 0);
    let mut misses: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for v in &truth {
        let t = Instant::now();
        let matches = index.screen(&v.query, 10);
        times.push(t.elapsed());
        let rank = matches.iter().position(|m| m.id == v.expected);
        // Namesakes: the expected record scored on its own. If it scores no higher than what
        // was returned at rank 1 (or 10), nothing could have put it there: an ambiguity of the
        // data, not a miss of the index.
        let own = index
            .score_record(&v.query, &v.expected)
            .map_or(0.0, |m| m.score);
        if rank == Some(0) || matches.first().is_some_and(|m| m.score >= own) {
            tied1 += 1;
        }

        let entry = misses.entry(v.kind).or_default();
        entry.0 += 1;
        match rank {
            Some(0) => {
                top1 += 1;
                top10 += 1;
            }
            Some(_) => {
                top10 += 1;
                entry.1 += 1;
            }
            None => entry.1 += 1,
        }
        let legit10 = rank.is_some() || matches.iter().filter(|m| m.score >= own).count() >= 10;
        if legit10 {
            tied10 += 1;
        }
        if !legit10 && std::env::var("SHOW_MISSES").is_ok() {
            println!(
                "  miss ({}, own score {own:.3}): {:?} {:?} expected {} {:?}; got {:?}",
                v.kind,
                v.query.names,
                v.query.birth_date.map(|d| d.to_string()),
                v.expected,
                index
                    .get(&v.expected)
                    .map(|r| (r.names, r.birth_date.map(|d| d.to_string()))),
                matches.first().map(|m| (&m.id, &m.names, m.score))
            );
        }
    }
    let mut truth_times = times.clone();
    truth_times.sort();
    for q in &strangers {
        let t = Instant::now();
        std::hint::black_box(index.screen(q, 10));
        times.push(t.elapsed());
    }
    times.sort();
    let total: Duration = times.iter().sum();
    println!(
        "single thread, {} queries ({} ground-truth variants + {} strangers): median {:.3} ms, p99 {:.3} ms, max {:.3} ms, mean {:.3} ms",
        times.len(),
        queries,
        queries,
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        total.as_secs_f64() * 1e3 / times.len() as f64,
    );
    println!(
        "  ground-truth only: median {:.3} ms, p99 {:.3} ms",
        percentile(&truth_times, 0.5).as_secs_f64() * 1e3,
        percentile(&truth_times, 0.99).as_secs_f64() * 1e3,
    );
    println!(
        "recall: @1 {:.2}% ({top1}/{queries}), @10 {:.2}% ({top10}/{queries})",
        100.0 * top1 as f64 / queries as f64,
        100.0 * top10 as f64 / queries as f64
    );
    println!(
        "recall counting equal-scoring namesakes as hits: @1 {:.2}% ({tied1}/{queries}), @10 {:.2}% ({tied10}/{queries})",
        100.0 * tied1 as f64 / queries as f64,
        100.0 * tied10 as f64 / queries as f64
    );
    for (kind, (n, not_first)) in &misses {
        println!("  {kind}: {n} queries, {not_first} not at rank 1");
    }

    if bulk > 0 {
        let qs: Vec<Query> = (0..bulk)
            .map(|i| {
                if i % 2 == 0 {
                    truth[i / 2 % truth.len()].query.clone()
                } else {
                    synth::stranger(&lists, (i / 2) as u64 + 1_000_000, SEED)
                }
            })
            .collect();
        // In chunks, as a bulk job would stream its output: a million result lists with their
        // explanations do not belong in memory at once.
        let t = Instant::now();
        let mut found = 0usize;
        for chunk in qs.chunks(10_000) {
            found += index
                .screen_batch(chunk, 10)
                .iter()
                .map(Vec::len)
                .sum::<usize>();
        }
        let took = t.elapsed();
        println!(
            "bulk: {bulk} queries on {} threads in {:.1} s = {:.0} queries/s ({found} matches); 1M names would take {:.1} min",
            rayon::current_num_threads(),
            took.as_secs_f64(),
            bulk as f64 / took.as_secs_f64(),
            1e6 / (bulk as f64 / took.as_secs_f64()) / 60.0
        );
    }
}

fn queries(args: &[String]) {
    let start = Instant::now();
    let mut index = Index::load(std::path::Path::new(&args[0])).expect("snapshot loads");
    println!("loaded in {:.1} s", start.elapsed().as_secs_f64());
    let count: u64 = args[1].parse().expect("COUNT");
    let queries: usize = args.get(2).map_or(2000, |q| q.parse().expect("QUERIES"));
    let bulk: usize = args.get(3).map_or(0, |q| q.parse().expect("BULK"));
    tune(&mut index);
    measure(&index, count, queries, bulk);
}

fn load(args: &[String]) {
    let start = Instant::now();
    let path = std::path::Path::new(&args[0]);
    let count: u64 = args.get(1).map_or(1000, |c| c.parse().expect("COUNT"));
    let index = Index::load(path).expect("snapshot loads");
    let loaded = start.elapsed();
    let lists = synth::Lists::new();
    let mut rng = synth::Rng::new(7);
    let v = synth::variant(
        &synth::person(&lists, rng.below(count as usize) as u64, SEED),
        &mut rng,
    );
    let t = Instant::now();
    let matches = index.screen(&v.query, 10);
    let first = t.elapsed();
    println!(
        "fresh process: load {:.2} s ({} records, data version {}), first query {:.1} ms (lexicon load included), total {:.2} s since start; found expected at rank {:?}; VmHWM {}",
        loaded.as_secs_f64(),
        index.len(),
        index.data_version(),
        first.as_secs_f64() * 1e3,
        start.elapsed().as_secs_f64(),
        matches.iter().position(|m| m.id == v.expected),
        vm("VmHWM"),
    );
}
