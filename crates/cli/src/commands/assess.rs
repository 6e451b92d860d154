//! `haven assess REQUEST.json [--format json|text] [--dry-run]` (DESIGN §5.1): parses a request,
//! screens every party, decides, prints the decision (§5.3) or the decision memo; unless it is a
//! dry run, stores the case and its ledger entry in one transaction.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use haven_assess::Settings;
use haven_domain::{CountryCode, Decision, Request, parse_request};
use haven_ledger::{Action, Actor, Entry, Justification, Role};
use haven_policy::Catalogue;
use haven_store::Store;

use super::knowledge::{self, StoreKnowledge};

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
    #[arg(long, env = "HAVEN_RECEIVING_STATE", default_value = "be")]
    receiving_state: String,
}

/// The decision of DESIGN §5.3, with the id of the case it was stored as (absent on a dry run).
#[derive(Debug, serde::Serialize)]
struct Output<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    case: Option<&'a str>,
    #[serde(flatten)]
    decision: &'a Decision,
}

pub fn run(args: AssessArgs, data_dir: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.request)
        .with_context(|| format!("cannot read {}", args.request.display()))?;
    let request = parse_request(&text).with_context(|| format!("{}", args.request.display()))?;
    let receiving_state = CountryCode::parse(&args.receiving_state)
        .map_err(|e| anyhow::anyhow!("--receiving-state {:?}: {e}", args.receiving_state))?;

    let mut store = knowledge::open_with_data(data_dir)?;
    let (decision, case) = assess_and_record(
        &mut store,
        data_dir,
        &request,
        receiving_state,
        !args.dry_run,
    )?;
    match args.format {
        Format::Json => {
            let output = Output {
                case: case.as_deref(),
                decision: &decision,
            };
            println!("{}", serde_json::to_string_pretty(&output)?);
        }
        Format::Text => {
            if let Some(case) = &case {
                println!("Case {case}");
            }
            print!("{}", haven_assess::memo(&request, &decision));
        }
    }
    Ok(())
}

/// Assesses a request against the store's data and, if `record`, stores it as a case with its
/// ledger entry. Returns the decision and the new case's id.
pub fn assess_and_record(
    store: &mut Store,
    data_dir: &Path,
    request: &Request,
    receiving_state: CountryCode,
    record: bool,
) -> anyhow::Result<(Decision, Option<String>)> {
    let index = knowledge::current_index(store, data_dir)?;
    let settings = Settings::new(receiving_state);
    let mut decision = haven_assess::assess(
        request,
        &StoreKnowledge {
            store,
            index: &index,
        },
        &settings,
        Catalogue::bundled(),
    )
    .with_context(|| format!("assessing {}", request.reference))?;
    if !record {
        return Ok((decision, None));
    }
    let user = std::env::var("USER").ok().filter(|u| !u.is_empty());
    let entry = Entry::new(
        Actor::parse(user.unwrap_or_else(|| "unknown".into()))?,
        Role::parse("officer")?,
        Action::Assess,
        Justification::parse(format!(
            "assessment of request {} received {}: {}",
            request.reference,
            request.received_on,
            decision.outcome.as_str()
        ))?,
    );
    let case = store
        .record_case(request, &mut decision, entry)
        .context("storing the case and its ledger entry")?;
    if decision.ledger.is_none() {
        bail!("the stored case has no ledger reference");
    }
    Ok((decision, Some(case)))
}
