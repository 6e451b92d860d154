//! `haven screen --query JSON | --batch FILE` (DESIGN §5.1): screens persons against the
//! protection registry and the context knowledge base, one JSON object per query, in order.
//!
//! Screening is the service's (`haven-app`): the index snapshot in the data directory caught up
//! with the store, the matches as an officer may see them (a registry match says the person is
//! protected and must be referred, never why), and one ledger entry per run (LED Art 25: who,
//! when, why, which records came back) before anything is printed.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use haven_app::{Role, ScreenOptions, ScreenedMatch};
use haven_domain::{Party, parse_party};
use haven_ledger::Justification;
use haven_names::Tier;
use serde::Serialize;

use super::service::{self, Location};

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
    matches: &'a [ScreenedMatch],
}

pub fn run(args: ScreenArgs, location: &Location) -> anyhow::Result<()> {
    // Read and check every query before doing anything else: a bad line stops the run with its
    // place named, and nothing is printed or logged.
    let (queries, batch) = match (&args.query, &args.batch) {
        (Some(text), None) => (
            vec![parse_party(text).with_context(|| "--query: not a valid party")?],
            None,
        ),
        (None, Some(path)) => (
            read_batch(path)?,
            Some(
                path.file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            ),
        ),
        _ => bail!("give either --query or --batch"),
    };
    if args.limit == 0 {
        bail!("--limit must be at least 1");
    }
    Justification::parse(args.justification.clone())
        .context("--justification: must be one line of at most 2,000 characters")?;

    let service = service::open_with_data(location, service::DEFAULT_RECEIVING_STATE)?;
    let results = service.screen(
        &service::operator(Role::Officer),
        &queries,
        &ScreenOptions {
            limit: args.limit,
            min_tier: args.min_tier.tier(),
            justification: args.justification.clone(),
            batch,
        },
    )?;

    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for matches in &results {
        serde_json::to_writer(&mut out, &Output { matches })?;
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
