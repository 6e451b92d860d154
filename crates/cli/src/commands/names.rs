//! `haven names …`: the name-matching engine on its own, for case officers and benchmarks.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use haven_names::Matcher;
use serde::Serialize;

#[derive(Debug, Subcommand)]
pub enum NamesCommand {
    /// Compare the name pairs of a CSV file whose header has `name1,name2` (other columns are
    /// ignored); writes one JSON line per row, in order: {"score", "tier", "match", "explanation"}.
    Compare {
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Debug, Serialize)]
struct CompareLine<'a> {
    score: f64,
    tier: &'static str,
    #[serde(rename = "match")]
    is_match: bool,
    explanation: &'a str,
}

pub fn run(command: NamesCommand) -> anyhow::Result<()> {
    match command {
        NamesCommand::Compare { file } => compare_file(&file),
    }
}

fn compare_file(path: &Path) -> anyhow::Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: line 1: cannot read the header", path.display()))?
        .clone();
    let column = |name: &str| -> anyhow::Result<usize> {
        match headers.iter().position(|h| h.trim() == name) {
            Some(index) => Ok(index),
            None => bail!(
                "{}: line 1: the header has no `{name}` column (it has: {})",
                path.display(),
                headers.iter().collect::<Vec<_>>().join(",")
            ),
        }
    };
    let (first, second) = (column("name1")?, column("name2")?);

    // Validate the whole file before writing anything, so that a bad row never leaves half an
    // answer on standard output.
    let mut pairs = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{}: malformed CSV", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let field = |index: usize, name: &str| -> anyhow::Result<String> {
            record.get(index).map(str::to_owned).with_context(|| {
                format!(
                    "{}: line {line}: the row has no `{name}` field",
                    path.display()
                )
            })
        };
        pairs.push((field(first, "name1")?, field(second, "name2")?));
    }

    let matcher = Matcher::bundled();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (name1, name2) in &pairs {
        let verdict = matcher.compare(name1, name2);
        let line = CompareLine {
            // Four decimals: a stable, readable figure (f32 noise would show otherwise).
            score: (f64::from(verdict.score) * 10_000.0).round() / 10_000.0,
            tier: verdict.tier.as_str(),
            is_match: verdict.is_match,
            explanation: &verdict.explanation,
        };
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
