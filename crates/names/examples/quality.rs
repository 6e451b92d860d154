//! The name-matching quality benchmark on data nobody on this project wrote (`../shared/bench/`):
//! for each set, the two tiers (DESIGN §5.1) against the labels — `match` precision, recall and
//! F1, `match` + `possible` recall and precision, and how both would move with `MATCH_SCORE` and
//! `POSSIBLE_SCORE` — then precision, recall and F1 of the score alone at `DEFAULT_THRESHOLD`,
//! broken down by phenomenon.
//!
//! Run: `cargo run --release -p haven-names --example quality [-- BENCH_DIR]`
//! (BENCH_DIR defaults to `../shared/bench`). `--errors` also lists every pair whose tier
//! disagrees with its label (a namesake in `match`, a true pair outside it), with the explanation.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::PathBuf;

use haven_names::{DEFAULT_THRESHOLD, Matcher, Script, Tier};

mod common;
use common::{Counts, TierCounts};

struct Case {
    name1: String,
    name2: String,
    label: bool,
    groups: Vec<String>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show_errors = args.iter().any(|a| a == "--errors");
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map_or_else(|| PathBuf::from("../shared/bench"), PathBuf::from);
    let matcher = Matcher::bundled();

    let nomenklatura = read_nomenklatura(&dir.join("nomenklatura_name_bench_cases.csv"))?;
    report(
        "nomenklatura person pairs",
        &nomenklatura,
        &matcher,
        show_errors,
    );
    let watchman = read_watchman(&dir.join("watchman_cross_script_pairs.csv"))?;
    report(
        "watchman cross-script pairs (all positive)",
        &watchman,
        &matcher,
        show_errors,
    );
    Ok(())
}

fn read_nomenklatura(path: &std::path::Path) -> Result<Vec<Case>, Box<dyn Error>> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no {name}"))
    };
    let (schema, n1, n2, label, category, group) = (
        column("schema")?,
        column("name1")?,
        column("name2")?,
        column("is_match")?,
        column("category")?,
        column("case_group")?,
    );
    let mut cases = Vec::new();
    for record in reader.records() {
        let record = record?;
        if &record[schema] != "Person" {
            continue;
        }
        let mut groups = vec![format!("group: {}", &record[group])];
        if !record[category].is_empty() {
            groups.push(format!("category: {}", &record[category]));
        }
        cases.push(Case {
            name1: record[n1].to_owned(),
            name2: record[n2].to_owned(),
            label: &record[label] == "true",
            groups,
        });
    }
    Ok(cases)
}

fn read_watchman(path: &std::path::Path) -> Result<Vec<Case>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut cases = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() < 2 {
            continue;
        }
        cases.push(Case {
            name1: fields[0].to_owned(),
            name2: fields[1].to_owned(),
            label: true,
            groups: vec![],
        });
    }
    Ok(cases)
}

fn script_of(matcher: &Matcher<'_>, name: &str) -> Script {
    matcher.analyse(name).script
}

fn report(title: &str, cases: &[Case], matcher: &Matcher<'_>, show_errors: bool) {
    let scored: Vec<(f32, &Case)> = cases
        .iter()
        .map(|c| (matcher.score(&c.name1, &c.name2), c))
        .collect();
    let tiers: Vec<Tier> = cases
        .iter()
        .map(|c| matcher.compare(&c.name1, &c.name2).tier)
        .collect();
    let mut tier_counts = TierCounts::default();
    for (tier, case) in tiers.iter().zip(cases) {
        tier_counts.add(*tier, case.label);
    }

    let mut overall = Counts::default();
    let mut by_group: BTreeMap<String, Counts> = BTreeMap::new();
    for (score, case) in &scored {
        let predicted = *score >= DEFAULT_THRESHOLD;
        overall.add(predicted, case.label);
        let (s1, s2) = (
            script_of(matcher, &case.name1),
            script_of(matcher, &case.name2),
        );
        let mut groups = case.groups.clone();
        groups.push(if s1 == s2 {
            format!("script: both {}", s1.label())
        } else {
            let pair = if s1 == Script::Latin { s2 } else { s1 };
            format!("script: {} ↔ Latin", pair.label())
        });
        for group in groups {
            by_group
                .entry(group)
                .or_default()
                .add(predicted, case.label);
        }
    }

    println!(
        "\n== {title}: {} pairs, threshold {DEFAULT_THRESHOLD}",
        overall.total()
    );
    println!(
        "precision {:.3}  recall {:.3}  F1 {:.3}   (tp {} fp {} tn {} fn {})",
        overall.precision(),
        overall.recall(),
        overall.f1(),
        overall.tp,
        overall.fp,
        overall.tn,
        overall.fn_
    );
    println!("{}", tier_counts.line());
    let judged: Vec<(f32, bool, bool)> = cases
        .iter()
        .map(|c| {
            let comparison =
                haven_names::compare(&matcher.analyse(&c.name1), &matcher.analyse(&c.name2));
            (comparison.score, comparison.doubts.is_empty(), c.label)
        })
        .collect();
    println!("{}", common::threshold_table(&judged));
    let (best_threshold, best) = (50..=99)
        .map(|t| {
            let threshold = t as f32 / 100.0;
            let mut counts = Counts::default();
            for (score, case) in &scored {
                counts.add(*score >= threshold, case.label);
            }
            (threshold, counts)
        })
        .max_by(|a, b| a.1.f1().total_cmp(&b.1.f1()))
        .expect("thresholds");
    println!(
        "best F1 over thresholds: {:.3} at {:.2} (precision {:.3}, recall {:.3})",
        best.f1(),
        best_threshold,
        best.precision(),
        best.recall()
    );
    let sweep: Vec<String> = (60..=90)
        .step_by(5)
        .map(|t| {
            let threshold = t as f32 / 100.0;
            let mut counts = Counts::default();
            for (score, case) in &scored {
                counts.add(*score >= threshold, case.label);
            }
            format!(
                "{threshold:.2}: P {:.3} R {:.3} F1 {:.3}",
                counts.precision(),
                counts.recall(),
                counts.f1()
            )
        })
        .collect();
    println!("by threshold: {}", sweep.join(" | "));
    println!(
        "{:<48} {:>5} {:>6} {:>6} {:>6}",
        "phenomenon", "pairs", "prec", "recall", "F1"
    );
    for (group, counts) in &by_group {
        println!(
            "{:<48} {:>5} {:>6.3} {:>6.3} {:>6.3}",
            truncate(group, 48),
            counts.total(),
            counts.precision(),
            counts.recall(),
            counts.f1()
        );
    }
    if show_errors {
        // Misjudged by tier: a namesake in `match`, or a true match outside `match`.
        println!("\nmisjudged pairs (tier against label):");
        for (case, tier) in cases.iter().zip(&tiers) {
            if (*tier == Tier::Match) != case.label {
                let verdict = matcher.compare(&case.name1, &case.name2);
                println!(
                    "  {:.3} {:<8} label={} | {} | {}\n      {}",
                    verdict.score,
                    tier.as_str(),
                    case.label,
                    case.name1,
                    case.name2,
                    verdict.explanation
                );
            }
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}
