//! `haven import registry|context FILE [--skip-invalid]` (DESIGN §5.1): Haven JSON lines or
//! FollowTheMoney entities, imported by the service (`haven-app`) in one transaction with a
//! ledger entry. Thin: this module draws the progress bar, prints the summary and the invalid
//! lines, and writes `FILE.rejects.jsonl`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use haven_app::{AppError, FileSource, ImportKind, ImportOutcome, ImportProgress, Role};
use haven_domain::Lines;
use haven_store::{ImportMode, Reject, distinct_lines};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::service::{self, Location};

/// How many invalid lines are printed before the rest are only counted.
const MAX_PRINTED: usize = 50;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import protection registry persons (Haven JSON lines, DESIGN §5.2).
    Registry(ImportArgs),
    /// Import the context knowledge base (Haven JSON lines or FollowTheMoney entities).
    Context(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import.
    file: PathBuf,
    /// Import the valid lines and write the invalid ones to FILE.rejects.jsonl, instead of
    /// refusing the whole file.
    #[arg(long)]
    skip_invalid: bool,
}

/// Runs one `haven import` subcommand.
pub fn run(cmd: ImportCommand, location: &Location) -> anyhow::Result<()> {
    let (kind, args) = match cmd {
        ImportCommand::Registry(args) => (ImportKind::Registry, args),
        ImportCommand::Context(args) => (ImportKind::Context, args),
    };
    let file = &args.file;
    let mode = if args.skip_invalid {
        ImportMode::SkipInvalid
    } else {
        ImportMode::AllOrNothing
    };
    let service = service::open(location, service::DEFAULT_RECEIVING_STATE)?;
    let progress = Progress(progress_bar(file)?);
    let result = service.import(
        &service::operator(Role::Admin),
        kind,
        &FileSource::new(file),
        mode,
        &progress,
    );
    progress.0.finish_and_clear();

    match result {
        Ok(outcome) => summary(kind.as_str(), file, &outcome),
        Err(AppError::InvalidImport { rejects }) => {
            let mut err = std::io::stderr().lock();
            for reject in rejects.iter().take(MAX_PRINTED) {
                writeln!(
                    err,
                    "{}:{}: {}",
                    file.display(),
                    reject.line,
                    reject.message
                )?;
            }
            if rejects.len() > MAX_PRINTED {
                writeln!(err, "… and {} more", rejects.len() - MAX_PRINTED)?;
            }
            let lines = distinct_lines(&rejects);
            bail!(
                "{}: {lines} invalid line(s); nothing was imported (--skip-invalid imports the \
                 valid lines and writes the rest to {})",
                file.display(),
                rejects_path(file).display()
            )
        }
        Err(err) => Err(err).with_context(|| format!("importing {}", file.display())),
    }
}

/// The progress bar, told by the service how far reading has come.
struct Progress(ProgressBar);

impl ImportProgress for Progress {
    fn read(&self, bytes: u64) {
        self.0.set_position(bytes);
    }

    fn storing(&self) {
        self.0.set_message("checking and storing");
    }
}

/// A bar over the file's bytes with rate and ETA, drawn only when stderr is a terminal.
fn progress_bar(file: &Path) -> anyhow::Result<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return Ok(ProgressBar::hidden());
    }
    let len = std::fs::metadata(file)
        .with_context(|| format!("reading {}", file.display()))?
        .len();
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
        )?,
    );
    bar.set_message("reading");
    Ok(bar)
}

fn rejects_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".rejects.jsonl");
    PathBuf::from(name)
}

/// Writes one JSON object per rejected line: its number, why (several reasons joined by "; "),
/// and the original text.
fn write_rejects(file: &Path, rejects: &[Reject]) -> anyhow::Result<PathBuf> {
    let mut reasons: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for r in rejects {
        reasons.entry(r.line).or_default().push(&r.message);
    }
    let path = rejects_path(file);
    let mut out = std::io::BufWriter::new(
        File::create(&path).with_context(|| format!("creating {}", path.display()))?,
    );
    let input = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    for line in Lines::new(BufReader::new(input)) {
        let line = line.with_context(|| format!("reading {}", file.display()))?;
        if let Some(why) = reasons.get(&line.number) {
            let record = serde_json::json!({
                "line": line.number,
                "error": why.join("; "),
                "original": line.lossy(),
            });
            serde_json::to_writer(&mut out, &record)?;
            writeln!(out)?;
        }
    }
    out.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

fn summary(kind: &str, file: &Path, outcome: &ImportOutcome) -> anyhow::Result<()> {
    let (report, skipped) = (&outcome.report, &outcome.skipped);
    let rejected = distinct_lines(&report.rejects);
    let mut line = format!(
        "imported {kind} {}: {} inserted, {} updated, {} unchanged, {rejected} rejected",
        file.display(),
        report.inserted,
        report.updated,
        report.unchanged
    );
    if rejected > 0 {
        let path = write_rejects(file, &report.rejects)?;
        line.push_str(&format!(" (see {})", path.display()));
    }
    if !skipped.is_empty() {
        let list: Vec<String> = skipped.iter().map(|(s, n)| format!("{n} {s}")).collect();
        line.push_str(&format!("; skipped {}", list.join(", ")));
    }
    line.push_str(&format!(
        "; data version {}, ledger entry {}",
        report.data_version, report.ledger_index
    ));
    writeln!(std::io::stdout().lock(), "{line}")?;
    Ok(())
}
