//! `haven backup FILE` and `haven restore FILE`: a consistent copy of the database while servers
//! run, and its restore into an empty data directory or database. Thin: the copying, checking
//! and verifying are `haven-store`'s; this module picks the store and words the outcome.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use haven_store::{BackupCounts, BackupReport, RestoreReport, RestoredKey, SIGNING_KEY_FILE};

use super::service::Location;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write (replaced if it exists, only once the new backup is complete).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file (written by `haven backup`).
    pub file: PathBuf,
}

/// Runs `haven backup`: of the PostgreSQL database if a URL is given, else of the data
/// directory's SQLite database.
pub fn run_backup(args: BackupArgs, location: &Location) -> anyhow::Result<()> {
    let data_dir = &location.data_dir;
    let report = match &location.database_url {
        Some(url) => haven_store::backup_postgres(url, &args.file)?,
        None => haven_store::backup_sqlite(data_dir, &args.file)?,
    };
    let mut out = std::io::stdout().lock();
    print_backup(&mut out, &report, &data_dir.join(SIGNING_KEY_FILE))?;
    Ok(())
}

/// Runs `haven restore` into the PostgreSQL database if a URL is given, else into the data
/// directory.
pub fn run_restore(args: RestoreArgs, location: &Location) -> anyhow::Result<()> {
    let data_dir = &location.data_dir;
    let key_path = data_dir.join(SIGNING_KEY_FILE);
    let report = match &location.database_url {
        Some(url) => haven_store::restore_postgres(&args.file, url, &key_path)?,
        None => haven_store::restore_sqlite(&args.file, data_dir)?,
    };
    let mut out = std::io::stdout().lock();
    print_restore(&mut out, &args.file, &report)?;
    Ok(())
}

/// What a backup holds, in words (the same for a backup and a restore).
fn held(counts: &BackupCounts) -> String {
    format!(
        "{} ledger entries, {} persons, {} cases",
        counts.entries, counts.persons, counts.cases
    )
}

fn print_backup(
    out: &mut impl Write,
    report: &BackupReport,
    key_path: &Path,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "backup of {} written to {}: {}",
        report.kind.describe(),
        report.file.display(),
        held(&report.counts)
    )?;
    writeln!(
        out,
        "the ledger signing key is not in the backup: back up the key file {} separately, and \
         keep it apart from the backup (it is a secret)",
        key_path.display()
    )?;
    Ok(())
}

fn print_restore(out: &mut impl Write, file: &Path, report: &RestoreReport) -> anyhow::Result<()> {
    writeln!(
        out,
        "restored {} into {}: {}",
        file.display(),
        report.location,
        held(&report.counts)
    )?;
    writeln!(
        out,
        "ledger verified: {} entries, root {}",
        report.verified_entries, report.root
    )?;
    match &report.key {
        RestoredKey::Ready => writeln!(out, "the ledger signing key file holds the key in force")?,
        RestoredKey::Missing { path, in_force } => writeln!(
            out,
            "the ledger signing key file {} is missing: the ledger needs the key in force, {}. \
             Put the backed-up key file there before anything is recorded, or record a new key \
             with `haven ledger rotate-key`",
            path.display(),
            in_force
        )?,
        RestoredKey::Mismatch {
            path,
            found,
            in_force,
        } => writeln!(
            out,
            "the ledger signing key file {} holds {}, not the key in force, {}. Put the \
             backed-up key file there before anything is recorded, or record a new key with \
             `haven ledger rotate-key`",
            path.display(),
            found,
            in_force
        )?,
        RestoredKey::Unusable(why) => writeln!(
            out,
            "the ledger signing key cannot be used ({why}): put the backed-up key file in place \
             before anything is recorded"
        )?,
    }
    Ok(())
}
