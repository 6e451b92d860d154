//! Scores every `name1,name2` row of a CSV from scratch, score and explanation as
//! `haven names compare` does, `ROUNDS` times over, and prints the time a pair. The scoring loop
//! is one function, `score_rounds`, so that an instruction count can be taken of it alone:
//! timings on a shared machine swing by a third between runs, instruction counts do not.
//!
//! Run: `cargo run --release -p haven-names --example score_pairs -- FILE.csv [ROUNDS [SET]]`
//! where SET keeps the rows whose `file` column says so: the pairs of the logic-v2 comparison are
//! written by `python3 scripts/compare_logic_v2.py --no-logic-v2 --pairs-out pairs.csv`, sets
//! `nomenklatura_person` and `watchman_cross_script`. Instructions a pair:
//! `valgrind --tool=callgrind --toggle-collect='score_pairs::score_rounds'
//! --callgrind-out-file=/dev/null target/release/examples/score_pairs pairs.csv 3 SET`, the
//! "Collected" figure divided by ROUNDS times the pairs.

use std::hint::black_box;
use std::time::Instant;

use anyhow::{Context as _, bail};
use haven_names::Matcher;

// The `haven` binary's allocator, so that the figures are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        bail!("usage: score_pairs FILE.csv [ROUNDS [SET]]");
    };
    let rounds: usize = match args.next() {
        Some(text) => text.parse().context("ROUNDS is a number")?,
        None => 100,
    };
    let set = args.next();
    let mut reader =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {path}"))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{path}: no `{name}` column"))
    };
    let (first, second) = (column("name1")?, column("name2")?);
    let set_column = set.as_ref().map(|_| column("file")).transpose()?;
    let mut pairs = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{path}: malformed CSV"))?;
        if let (Some(index), Some(set)) = (set_column, &set)
            && &record[index] != set
        {
            continue;
        }
        pairs.push((record[first].to_owned(), record[second].to_owned()));
    }
    if pairs.is_empty() {
        bail!("{path}: no pairs to score");
    }
    let matcher = Matcher::bundled();
    let started = Instant::now();
    let written = score_rounds(&matcher, &pairs, rounds);
    let elapsed = started.elapsed();
    println!(
        "{} pairs x {rounds} rounds: {:.3} µs a pair ({written} bytes of explanation)",
        pairs.len(),
        elapsed.as_secs_f64() * 1e6 / (pairs.len() * rounds).max(1) as f64
    );
    Ok(())
}

/// Both names analysed from scratch for every pair, as `haven names compare` does.
#[inline(never)]
fn score_rounds(matcher: &Matcher<'_>, pairs: &[(String, String)], rounds: usize) -> usize {
    let mut written = 0;
    for _ in 0..rounds {
        for (a, b) in pairs {
            written += matcher
                .compare(black_box(a), black_box(b))
                .explanation
                .len();
        }
    }
    written
}
