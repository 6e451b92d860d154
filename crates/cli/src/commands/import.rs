//! `haven import registry|context FILE [--skip-invalid]` (DESIGN §5.1): reads Haven JSON lines or
//! FollowTheMoney entities (detected from the first non-blank line), and hands the parsed records
//! to the store, which imports them in one transaction with a ledger entry. Thin: parsing is
//! `haven-domain`'s, every check on ids and links `haven-store`'s.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use haven_domain::ftm::{self, Converter};
use haven_domain::{
    ContextRecord, Format, Line, Lines, Numbered, RecordError, detect_format, parse_context_line,
    parse_registry_line,
};
use haven_ledger::{Actor, Justification, Role};
use haven_store::{ImportError, ImportItem, ImportMeta, ImportMode, ImportReport, Reject, Store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
pub fn run(cmd: ImportCommand, data_dir: &Path) -> anyhow::Result<()> {
    let (kind, args) = match cmd {
        ImportCommand::Registry(args) => ("registry", args),
        ImportCommand::Context(args) => ("context", args),
    };
    run_file(kind, &args.file, args.skip_invalid, data_dir)
}

/// Imports one file as `kind` ("registry" or "context").
pub fn run_file(
    kind: &str,
    file: &Path,
    skip_invalid: bool,
    data_dir: &Path,
) -> anyhow::Result<()> {
    let format = detect(file)?;
    if kind == "registry" && format == Format::FollowTheMoney {
        bail!("{}: {}", file.display(), ftm::REGISTRY_UNSUPPORTED);
    }
    let mode = if skip_invalid {
        ImportMode::SkipInvalid
    } else {
        ImportMode::AllOrNothing
    };
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let user = std::env::var("USER").ok().filter(|u| !u.is_empty());
    let meta = ImportMeta {
        actor: Actor::parse(user.unwrap_or_else(|| "unknown".into()))?,
        role: Role::parse("admin")?,
        justification: Justification::parse(format!("haven import {kind} {file_name}"))?,
        file_name,
    };
    let mut store = Store::open(data_dir)
        .with_context(|| format!("opening the store in {}", data_dir.display()))?;

    let progress = progress_bar(file)?;
    let mut skipped = BTreeMap::new();
    let result = match (kind, format) {
        ("registry", _) => {
            let items = parsed(file, &progress, parse_registry_line)?;
            store.import_registry(items, mode, &meta)
        }
        (_, Format::HavenJsonLines) => {
            let items = parsed(file, &progress, parse_context_line)?;
            store.import_context(items, mode, &meta)
        }
        (_, Format::FollowTheMoney) => {
            let (items, skips) = followthemoney(file, &progress)?;
            skipped = skips;
            progress.set_message("checking and storing");
            store.import_context(items, mode, &meta)
        }
    };
    progress.finish_and_clear();

    match result {
        Ok(report) => summary(kind, file, &report, &skipped),
        Err(ImportError::Invalid { rejects }) => {
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

/// The format of a file, from its first non-blank line.
fn detect(file: &Path) -> anyhow::Result<Format> {
    let reader = open(file)?;
    let first = Lines::new(reader)
        .next()
        .transpose()
        .with_context(|| format!("reading {}", file.display()))?;
    Ok(match first.as_ref().map(Line::text) {
        Some(Ok(text)) => detect_format(text),
        _ => Format::HavenJsonLines,
    })
}

fn open(file: &Path) -> anyhow::Result<BufReader<File>> {
    let f = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    Ok(BufReader::with_capacity(1 << 16, f))
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

/// The file's lines, each parsed by `parse`, as the store's import input.
fn parsed<T>(
    file: &Path,
    progress: &ProgressBar,
    parse: fn(&str) -> Result<T, RecordError>,
) -> anyhow::Result<impl Iterator<Item = ImportItem<T>>> {
    let mut lines = Lines::new(open(file)?);
    let progress = progress.clone();
    let mut count = 0u64;
    Ok(std::iter::from_fn(move || {
        let Some(line) = lines.next() else {
            progress.set_position(lines.bytes_read());
            progress.set_message("checking and storing");
            return None;
        };
        count += 1;
        if count.is_multiple_of(1024) {
            progress.set_position(lines.bytes_read());
        }
        Some(line.map(|line| {
            let number = line.number;
            line.text()
                .and_then(parse)
                .map(|value| Numbered {
                    line: number,
                    value,
                })
                .map_err(|err| reject(number, &err))
        }))
    }))
}

fn reject(line: usize, err: &RecordError) -> Reject {
    Reject {
        line,
        message: err.to_string(),
    }
}

type FtmItems = Vec<ImportItem<ContextRecord>>;

/// Converts a whole FollowTheMoney file (relationship entities attach to persons anywhere in
/// it): context persons, rejected lines, and skipped entities counted by schema.
fn followthemoney(
    file: &Path,
    progress: &ProgressBar,
) -> anyhow::Result<(FtmItems, BTreeMap<String, usize>)> {
    let mut converter = Converter::new();
    let mut items: FtmItems = Vec::new();
    let mut lines = Lines::new(open(file)?);
    while let Some(line) = lines.next() {
        let line = line.with_context(|| format!("reading {}", file.display()))?;
        if let Err(err) = line.text().and_then(|t| converter.push(line.number, t)) {
            items.push(Ok(Err(reject(line.number, &err))));
        }
        if line.number.is_multiple_of(1024) {
            progress.set_position(lines.bytes_read());
        }
    }
    let converted = converter.finish();
    items.extend(
        converted
            .rejects
            .iter()
            .map(|r| Ok(Err(reject(r.line, &r.value)))),
    );
    items.extend(converted.persons.into_iter().map(|p| {
        Ok(Ok(Numbered {
            line: p.line,
            value: ContextRecord::Person(p.value),
        }))
    }));
    Ok((items, converted.skipped))
}

fn rejects_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".rejects.jsonl");
    PathBuf::from(name)
}

fn distinct_lines(rejects: &[Reject]) -> usize {
    let mut lines: Vec<usize> = rejects.iter().map(|r| r.line).collect();
    lines.sort_unstable();
    lines.dedup();
    lines.len()
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
    for line in Lines::new(open(file)?) {
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

fn summary(
    kind: &str,
    file: &Path,
    report: &ImportReport,
    skipped: &BTreeMap<String, usize>,
) -> anyhow::Result<()> {
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
