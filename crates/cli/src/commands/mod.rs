//! The command tree of `haven` (DESIGN §5.1): one module per top-level command.

mod assess;
mod backup;
mod case;
mod demo;
mod import;
mod ledger;
mod names;
mod screen;
mod serve;
mod service;
mod stats;
mod transfer;
mod user;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Haven screens interstate legal-cooperation requests before a state executes them.
#[derive(Debug, Parser)]
#[command(name = "haven", version, about)]
pub struct Cli {
    /// Where Haven keeps its state (SQLite by default).
    #[arg(
        long,
        global = true,
        env = "HAVEN_DATA_DIR",
        default_value = "./haven-data"
    )]
    pub data_dir: PathBuf,

    /// A PostgreSQL database to use instead of the data directory's SQLite one
    /// (`postgres://user:password@host:port/dbname`); several servers may share it. The data
    /// directory still holds the ledger signing key and the screening index snapshot.
    #[arg(
        long,
        global = true,
        env = "HAVEN_DATABASE_URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Name matching: compare names as the engine does.
    #[command(subcommand)]
    Names(names::NamesCommand),
    /// The tamper-evident ledger: verify, checkpoint, proofs, export, keys.
    #[command(subcommand)]
    Ledger(ledger::LedgerCommand),
    /// Import the protection registry or the context knowledge base from a file.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Screen persons against the protection registry and the context knowledge base.
    Screen(screen::ScreenArgs),
    /// Assess a request: screen every party, decide, store the case (unless --dry-run).
    Assess(assess::AssessArgs),
    /// Assess the bundled example requests in a fresh temporary data directory.
    Demo,
    /// Serve the HTTP API (DESIGN §5.4) until Ctrl-C or SIGTERM.
    Serve(serve::ServeArgs),
    /// Accounts of the API: add, list, disable.
    #[command(subcommand)]
    User(user::UserCommand),
    /// A case after its decision: list, show, events, referral answers, execution records,
    /// judicial sorting (acting as the account --user).
    Case(case::CaseArgs),
    /// Transfers of seized material through the gate: propose, show, approve, override
    /// (acting as the account --user).
    Transfer(transfer::TransferArgs),
    /// Oversight statistics, as JSON or CSV (acting as the account --user).
    Stats(stats::StatsArgs),
    /// Back up the database to FILE, consistently while servers run (the ledger signing key
    /// is not included: back it up separately).
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty data directory (or database), then verify its ledger.
    Restore(backup::RestoreArgs),
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let location = service::Location {
        data_dir: cli.data_dir,
        database_url: cli.database_url,
    };
    let location = &location;
    match cli.command {
        Command::Names(cmd) => names::run(cmd),
        Command::Ledger(cmd) => ledger::run(cmd, location),
        Command::Import(cmd) => import::run(cmd, location),
        Command::Screen(args) => screen::run(args, location),
        Command::Assess(args) => assess::run(args, location),
        Command::Demo => demo::run(),
        Command::Serve(args) => serve::run(args, location),
        Command::User(cmd) => user::run(cmd, location),
        Command::Case(args) => case::run(args, location),
        Command::Transfer(args) => transfer::run(args, location),
        Command::Stats(args) => stats::run(args, location),
        Command::Backup(args) => backup::run_backup(args, location),
        Command::Restore(args) => backup::run_restore(args, location),
    }
}
