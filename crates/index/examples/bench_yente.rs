//! The yente candidate-generation benchmark: registry = the UN persons (untreated) plus 50,000
//! synthetic negatives; queries = the same UN persons perturbed (treated). Row i of the treated
//! file is row i of the untreated file (checked below). Prints top-1/top-10 recall and latency.
//! `--queries untreated` turns it round: the perturbed persons are filed and the originals asked
//! for. `names-only` drops birth date, nationality and gender from the queries.
//!
//! ```text
//! cargo run --release -p haven-index --example bench_yente -- ../shared/bench
//! cargo run --release -p haven-index --example bench_yente -- ../shared/bench --queries untreated
//! ```

use std::time::{Duration, Instant};

use haven_index::{BirthDate, Gender, Index, IndexRecord, Query, Source};

struct Row {
    full_name: String,
    gender: Option<Gender>,
    birth: Option<BirthDate>,
    nationality: Vec<String>,
}

fn read(path: &std::path::Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(path).expect("CSV opens");
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let (name, gender, dob, nat) = (
        col("full_name"),
        col("gender"),
        col("date_of_birth"),
        col("nationality"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.expect("CSV row");
            Row {
                full_name: r[name].to_owned(),
                gender: Gender::parse(&r[gender]),
                birth: BirthDate::parse(&r[dob]),
                // Codes ("af") are kept; country names ("Iraq") are not codes and are ignored.
                nationality: r[nat]
                    .split([';', ','])
                    .map(|n| n.trim().to_ascii_lowercase())
                    .filter(|n| n.len() == 2)
                    .collect(),
            }
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let swap = match flag("--queries").map(String::as_str) {
        None | Some("treated") => false,
        Some("untreated") => true,
        Some(other) => panic!("--queries treated|untreated, not {other:?}"),
    };
    let with_evidence = !args.iter().any(|a| a == "names-only");
    let dir = std::path::PathBuf::from(
        args.iter()
            .find(|a| !a.starts_with("--") && *a != "names-only" && Some(*a) != flag("--queries"))
            .map_or("../shared/bench", String::as_str),
    );
    // `untreated` is what is filed, `treated` what is asked.
    let (untreated, treated) = {
        let u = read(&dir.join("yente_positives_un_untreated.csv"));
        let t = read(&dir.join("yente_positives_un_treated.csv"));
        if swap { (t, u) } else { (u, t) }
    };
    println!(
        "filed: {} positives; queries: {} positives",
        if swap { "treated" } else { "untreated" },
        if swap { "untreated" } else { "treated" }
    );
    let negatives = read(&dir.join("yente_negatives_global.csv"));
    assert_eq!(untreated.len(), treated.len());
    // Pairing check: same row, same person? Nationality and birth year mostly survive the
    // perturbation; names are compared by the engine.
    let matcher = haven_names::Matcher::bundled();
    let same_nat = untreated
        .iter()
        .zip(&treated)
        .filter(|(a, b)| a.nationality == b.nationality)
        .count();
    let same_year = untreated
        .iter()
        .zip(&treated)
        .filter(|(a, b)| a.birth.map(|d| d.year) == b.birth.map(|d| d.year))
        .count();
    let name_close = untreated
        .iter()
        .zip(&treated)
        .filter(|(a, b)| matcher.score(&a.full_name, &b.full_name) >= 0.7)
        .count();
    println!(
        "pairing row i ↔ row i over {} rows: same nationality {same_nat}, same birth year {same_year}, names scoring ≥ 0.7 {name_close}",
        untreated.len()
    );

    let records: Vec<IndexRecord> = untreated
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("P-{i:04}"), r))
        .chain(
            negatives
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("N-{i:05}"), r)),
        )
        .map(|(id, r)| IndexRecord {
            id,
            source: Source::Registry,
            names: vec![r.full_name.clone()],
            birth_date: r.birth,
            nationalities: r.nationality.clone(),
            gender: r.gender,
        })
        .collect();
    let start = Instant::now();
    let index = Index::build(records, 1);
    println!(
        "registry: {} records, built in {:.2} s",
        index.len(),
        start.elapsed().as_secs_f64()
    );

    let queries: Vec<Query> = treated
        .iter()
        .map(|r| Query {
            names: vec![r.full_name.clone()],
            birth_date: r.birth,
            nationalities: r.nationality.clone(),
            gender: r.gender,
        })
        .collect();
    index.screen(&queries[0], 10);
    let (mut top1, mut top10) = (0, 0);
    let mut times: Vec<Duration> = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let q = if with_evidence {
            q.clone()
        } else {
            Query::name(&q.names[0])
        };
        let t = Instant::now();
        let matches = index.screen(&q, 10);
        times.push(t.elapsed());
        let expected = format!("P-{i:04}");
        match matches.iter().position(|m| m.id == expected) {
            Some(0) => {
                top1 += 1;
                top10 += 1;
            }
            Some(rank) => {
                top10 += 1;
                println!(
                    "  rank {}: {:?} → expected {:?}, top {:?} {:.3}",
                    rank + 1,
                    q.names[0],
                    untreated[i].full_name,
                    matches[0].names,
                    matches[0].score
                );
            }
            None => println!(
                "  missed: {:?} → expected {:?}; got {:?}",
                q.names[0],
                untreated[i].full_name,
                matches.first().map(|m| (&m.names, m.score))
            ),
        }
    }
    times.sort();
    let n = queries.len();
    println!(
        "yente ({}): top-1 {:.2}% ({top1}/{n}), top-10 {:.2}% ({top10}/{n}); latency median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        if with_evidence {
            "names + birth date + nationality + gender"
        } else {
            "names only"
        },
        100.0 * top1 as f64 / n as f64,
        100.0 * top10 as f64 / n as f64,
        times[n / 2].as_secs_f64() * 1e3,
        times[(n as f64 * 0.99) as usize].as_secs_f64() * 1e3,
        times[n - 1].as_secs_f64() * 1e3,
    );
}
