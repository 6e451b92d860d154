//! `haven assess REQUEST.json [--format json|text] [--dry-run]` (DESIGN §5.1): parses a request,
//! screens every party, decides, prints the decision (§5.3) or the decision memo; unless it is a
//! dry run, stores the case and its ledger entry in one transaction. The decision is shown as
//! the officer who submits a request may see it: a protected person is flagged for referral,
//! the protection details stay with the asylum authority.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};
use haven_app::Role;
use haven_domain::parse_request;

use super::service::{self, Location};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The decision as JSON (DESIGN §5.3).
    Json,
    /// The decision memo a judge reads.
    Text,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// The request, as JSON (DESIGN §5.2).
    request: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Decide without storing a case or writing to the ledger.
    #[arg(long)]
    dry_run: bool,
    /// The state that received the request (ISO 3166-1 alpha-2): protection granted by any other
    /// state is reported as such.
    #[arg(long, env = "HAVEN_RECEIVING_STATE", default_value = service::DEFAULT_RECEIVING_STATE)]
    receiving_state: String,
}

pub fn run(args: AssessArgs, location: &Location) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.request)
        .with_context(|| format!("cannot read {}", args.request.display()))?;
    let request = parse_request(&text).with_context(|| format!("{}", args.request.display()))?;
    let service = service::open_with_data(location, &args.receiving_state)?;
    let assessed = service
        .assess(&service::operator(Role::Officer), &request, !args.dry_run)
        .with_context(|| format!("assessing {}", request.reference))?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&assessed)?),
        Format::Text => {
            if let Some(case) = &assessed.case {
                println!("Case {case}");
            }
            print!("{}", haven_assess::memo(&request, &assessed.decision));
        }
    }
    Ok(())
}
