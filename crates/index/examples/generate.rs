//! Writes a synthetic registry as JSON lines (DESIGN §5.2 registry shape) and a ground-truth file
//! of query variants with the id each should find.
//!
//! ```text
//! cargo run --release -p haven-index --example generate -- COUNT SEED registry.jsonl truth.jsonl [QUERIES]
//! ```

use std::io::{BufWriter, Write};

#[path = "common/synth.rs"]
mod synth;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: generate COUNT SEED REGISTRY.jsonl TRUTH.jsonl [QUERIES]");
        std::process::exit(2);
    }
    let count: u64 = args[1].parse().expect("COUNT is a number");
    let seed: u64 = args[2].parse().expect("SEED is a number");
    let queries: u64 = args
        .get(5)
        .map_or(1000, |q| q.parse().expect("QUERIES is a number"));
    let lists = synth::Lists::new();
    let mut registry = BufWriter::new(std::fs::File::create(&args[3])?);
    for n in 0..count {
        let person = synth::person(&lists, n, seed);
        serde_json::to_writer(&mut registry, &synth::record_json(&synth::record(&person)))?;
        registry.write_all(b"\n")?;
    }
    registry.flush()?;
    let mut truth = BufWriter::new(std::fs::File::create(&args[4])?);
    let mut rng = synth::Rng::new(seed ^ 0x7275_7468);
    for _ in 0..queries {
        let n = rng.below(count as usize) as u64;
        let v = synth::variant(&synth::person(&lists, n, seed), &mut rng);
        let line = serde_json::json!({"expected": v.expected, "variant": v.kind, "party": synth::query_json(&v.query)});
        serde_json::to_writer(&mut truth, &line)?;
        truth.write_all(b"\n")?;
    }
    truth.flush()
}
