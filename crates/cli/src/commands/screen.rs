//! `haven screen --query JSON | --batch FILE` (DESIGN §5.1): screens persons against the
//! protection registry and the context knowledge base, one JSON object per query, in order.
//!
//! The candidate index is a snapshot in the data directory, rebuilt from the store when the
//! store's data version has moved on. Every run is a consultation of the registry, so it appends
//! one ledger entry (LED Art 25: who, when, why, which records came back) before printing.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use haven_domain::{Party, parse_party};
use haven_index::Match;
use haven_ledger::{Action, Actor, Entry, Justification, ObjectId, Role};
use haven_names::Tier;
use haven_store::Store;
use serde::Serialize;

use super::knowledge;

/// At most this many matched ids are named in one ledger entry; the rest are counted.
const MAX_LOGGED_IDS: usize = 1000;

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("input").required(true).args(["query", "batch"]))]
pub struct ScreenArgs {
    /// One party as JSON: {"names": [...], "birth_date": ..., "nationalities": [...], "gender": ...}.
    #[arg(long)]
    query: Option<String>,
    /// A file of parties, one JSON object per line.
    #[arg(long)]
    batch: Option<PathBuf>,
    /// How many matches to return per query, best first.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Leave out matches below this tier (DESIGN §5.1): `match`, `possible`, or `none` for
    /// every candidate.
    #[arg(long, value_enum, default_value_t = MinTier::None)]
    min_tier: MinTier,
    /// Why the screening is done (a case or request reference); recorded in the ledger.
    #[arg(long, default_value = "screening from the command line")]
    justification: String,
}

/// The tiers of DESIGN §5.1 as a command-line value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MinTier {
    Match,
    Possible,
    None,
}

impl MinTier {
    fn tier(self) -> Tier {
        match self {
            MinTier::Match => Tier::Match,
            MinTier::Possible => Tier::Possible,
            MinTier::None => Tier::None,
        }
    }
}

#[derive(Debug, Serialize)]
struct Output<'a> {
    matches: Vec<OutputMatch<'a>>,
}

#[derive(Debug, Serialize)]
struct OutputMatch<'a> {
    id: &'a str,
    source: &'static str,
    score: f64,
    tier: &'static str,
    names: &'a [String],
    explanation: &'a str,
}

pub fn run(args: ScreenArgs, data_dir: &Path) -> anyhow::Result<()> {
    // Read and check every query before doing anything else: a bad line stops the run with its
    // place named, and nothing is printed or logged.
    let queries = match (&args.query, &args.batch) {
        (Some(text), None) => {
            vec![parse_party(text).with_context(|| "--query: not a valid party")?]
        }
        (None, Some(path)) => read_batch(path)?,
        _ => bail!("give either --query or --batch"),
    };
    if args.limit == 0 {
        bail!("--limit must be at least 1");
    }

    let mut store = knowledge::open_with_data(data_dir)?;
    let index = knowledge::current_index(&store, data_dir)?;

    let queries: Vec<_> = queries.iter().map(haven_assess::records::query).collect();
    let mut results = if queries.len() == 1 {
        vec![index.screen(&queries[0], args.limit)]
    } else {
        index.screen_batch(&queries, args.limit)
    };
    let min_tier = args.min_tier.tier();
    for matches in &mut results {
        matches.retain(|m| m.tier >= min_tier);
    }

    log_consultation(&mut store, &args, queries.len(), &results)?;

    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for matches in &results {
        let output = Output {
            matches: matches
                .iter()
                .map(|m| OutputMatch {
                    id: &m.id,
                    source: m.source.label(),
                    score: (f64::from(m.score) * 10_000.0).round() / 10_000.0,
                    tier: m.tier.as_str(),
                    names: &m.names,
                    explanation: &m.explanation,
                })
                .collect(),
        };
        serde_json::to_writer(&mut out, &output)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn read_batch(path: &Path) -> anyhow::Result<Vec<Party>> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut parties = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", path.display(), index + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        match parse_party(&line) {
            Ok(party) => parties.push(party),
            Err(err) => errors.push(format!("{}:{}: {err}", path.display(), index + 1)),
        }
    }
    if !errors.is_empty() {
        let shown = errors
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        let more = errors.len().saturating_sub(20);
        let tail = if more > 0 {
            format!("\n… and {more} more")
        } else {
            String::new()
        };
        bail!(
            "{} invalid line(s), nothing screened:\n{shown}{tail}",
            errors.len()
        );
    }
    Ok(parties)
}

/// One ledger entry for the run: how many queries, and which records came back.
fn log_consultation(
    store: &mut Store,
    args: &ScreenArgs,
    queries: usize,
    results: &[Vec<Match>],
) -> anyhow::Result<()> {
    let mut objects = vec![ObjectId::parse(format!("queries:{queries}"))?];
    if let Some(path) = &args.batch {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        objects.push(ObjectId::tagged("batch", &name)?);
    }
    let mut ids: Vec<String> = results
        .iter()
        .flatten()
        .map(|m| format!("{}:{}", m.source.label(), m.id))
        .collect();
    ids.sort();
    ids.dedup();
    let logged = ids.len().min(MAX_LOGGED_IDS);
    for id in &ids[..logged] {
        objects.push(ObjectId::parse(id.clone())?);
    }
    if ids.len() > logged {
        objects.push(ObjectId::parse(format!(
            "more_matches:{}",
            ids.len() - logged
        ))?);
    }
    let user = std::env::var("USER").ok().filter(|u| !u.is_empty());
    let entry = Entry::new(
        Actor::parse(user.unwrap_or_else(|| "unknown".into()))?,
        Role::parse("officer")?,
        Action::Screen,
        Justification::parse(args.justification.clone())
            .context("--justification: must be one line of at most 2,000 characters")?,
    )
    .with_objects(objects);
    store
        .transaction(|tx| tx.append_ledger(&entry).map(|_| ()))
        .context("recording the screening in the ledger")?;
    Ok(())
}
