//! Times the name engine's analysis and comparison on generated names (to budget rescoring).

use std::time::Instant;

use haven_names::{Matcher, compare};

#[path = "common/synth.rs"]
mod synth;

fn main() {
    let lists = synth::Lists::new();
    let m = Matcher::bundled();
    let names: Vec<String> = (0..20000u64)
        .flat_map(|n| synth::record_names(&synth::person(&lists, n, 42)))
        .collect();
    let _ = m.analyse("warm up");
    let t = Instant::now();
    let analysed: Vec<_> = names.iter().map(|n| m.analyse(n)).collect();
    let per = t.elapsed().as_secs_f64() * 1e6 / names.len() as f64;
    let t = Instant::now();
    let mut acc = 0f32;
    for w in analysed.windows(2) {
        acc += compare(&w[0], &w[1]).score;
    }
    let per_cmp = t.elapsed().as_secs_f64() * 1e6 / (analysed.len() - 1) as f64;
    let t = Instant::now();
    let mut len = 0;
    for w in analysed.windows(2).take(20000) {
        let c = compare(&w[0], &w[1]);
        len += haven_names::explain(&w[0], &w[1], &c).len();
    }
    let per_explain = t.elapsed().as_secs_f64() * 1e6 / 20000.0 - per_cmp;
    println!(
        "{} names: analyse {per:.2} µs/name, compare {per_cmp:.2} µs/pair, explain {per_explain:.2} µs/pair ({acc} {len})",
        names.len()
    );
}
