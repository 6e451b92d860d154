//! `haven stats [--csv]` (DESIGN §5.5): the oversight statistics — requests per requesting state
//! and outcome, freezes, refusals, overdue referrals, transfers proposed, blocked and sent — as
//! pretty JSON, or as CSV for a spreadsheet (the same columns as the API's `stats.csv`).

use std::io::Write;

use clap::Args;

use super::service::{self, ActingUser, Location, step_error};

#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    actor: ActingUser,
    /// CSV: a header, one line per requesting state and outcome, then the total.
    #[arg(long)]
    csv: bool,
}

pub fn run(args: StatsArgs, location: &Location) -> anyhow::Result<()> {
    let service = service::open_existing(location)?;
    let who = args.actor.principal(&service)?;
    let statistics = service.statistics(&who).map_err(step_error)?;
    let mut out = std::io::stdout().lock();
    if args.csv {
        write!(out, "{}", statistics.to_csv())?;
    } else {
        writeln!(out, "{}", serde_json::to_string_pretty(&statistics)?)?;
    }
    Ok(())
}
