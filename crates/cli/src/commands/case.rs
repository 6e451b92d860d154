//! `haven case list|show|event|answer|referrals|execution|complete|sort` (DESIGN §5.5): a case
//! after its decision, from the console. Each command acts as an account (`--user`), whose role
//! decides what it may do; the rules answer in `haven-app` and `haven-policy`, and a refusal
//! keeps its stable code (`four_eyes`, `safeguard_missing`, …) for scripts.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use haven_app::{CaseView, EventOutcome, ReferralListing};
use haven_domain::ReferralCode;
use haven_domain::workflow::{CaseEvent, ExecutionRecord, Referral, ReferralAnswer};

use super::service::{self, ActingUser, Format, Location, step_error};
use super::transfer::{signed, write_transfer};

#[derive(Debug, Args)]
pub struct CaseArgs {
    #[command(flatten)]
    actor: ActingUser,
    #[command(subcommand)]
    command: CaseCommand,
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// List the cases: id, reference, requesting state, outcome, state.
    List {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show a case: its state, history, referrals, execution records and transfers.
    Show {
        /// The case id, e.g. case-000001.
        case: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Ask for an event: freeze, refer, lift_freeze, authorise, refuse, start_execution, close.
    Event {
        /// The case id.
        case: String,
        /// The event.
        event: String,
        /// Why: required for every step.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record an authority's answer to a referral.
    Answer {
        /// The case id.
        case: String,
        /// asylum_authority, investigating_judge, bar_association or data_protection_officer.
        code: String,
        /// protected, not_protected or no_record (asylum authority); acknowledged (others).
        answer: String,
        /// Why: required.
        #[arg(long)]
        reason: Option<String>,
    },
    /// List the referrals of every case, open first by due date.
    Referrals {
        /// Only those open past their due date.
        #[arg(long)]
        overdue: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Save the execution record of measure N (JSON; `-`: standard input). Partial records are
    /// fine until completion.
    Execution {
        /// The case id.
        case: String,
        /// The measure's index in the request, from 0.
        measure: usize,
        /// The execution record as JSON (DESIGN §5.5).
        file: PathBuf,
    },
    /// Complete the execution record of measure N: refused while a required safeguard is
    /// missing or an owner's name does not match its party.
    Complete {
        /// The case id.
        case: String,
        /// The measure's index in the request, from 0.
        measure: usize,
        /// Why (default: "execution record complete").
        #[arg(long)]
        reason: Option<String>,
    },
    /// Sort a privileged or possibly privileged seized item (a judge).
    Sort {
        /// The case id.
        case: String,
        /// The inventory item id.
        item: String,
        #[command(flatten)]
        verdict: Verdict,
        /// Why: required.
        #[arg(long)]
        reason: Option<String>,
    },
}

/// A judge's sorting: exactly one of the two.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Verdict {
    /// Privileged: the item never leaves.
    #[arg(long)]
    privileged: bool,
    /// Not privileged: the item may be proposed for transfer.
    #[arg(long)]
    not_privileged: bool,
}

pub fn run(args: CaseArgs, location: &Location) -> anyhow::Result<()> {
    let service = service::open_existing(location)?;
    let who = args.actor.principal(&service)?;
    let mut out = std::io::stdout().lock();
    match args.command {
        CaseCommand::List { format } => {
            let cases = service.cases(&who).map_err(step_error)?;
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&cases)?)?,
                Format::Text => {
                    let rows: Vec<[&str; 5]> = cases
                        .iter()
                        .map(|c| {
                            [
                                c.id.as_str(),
                                c.reference.as_str(),
                                c.requesting_state.as_str(),
                                c.outcome.as_str(),
                                c.state.as_str(),
                            ]
                        })
                        .collect();
                    let header = ["id", "reference", "requesting_state", "outcome", "state"];
                    write_table(&mut out, header, &rows)?;
                }
            }
        }
        CaseCommand::Show { case, format } => {
            let view = service.case(&who, &case).map_err(step_error)?;
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&view)?)?,
                Format::Text => write_case(&mut out, &view)?,
            }
        }
        CaseCommand::Event {
            case,
            event,
            reason,
        } => {
            let event = requestable_event(&event)?;
            let outcome = service
                .case_event(&who, &case, event, reason.as_deref().unwrap_or_default())
                .map_err(step_error)?;
            writeln!(out, "{}", event_line(&outcome, event))?;
        }
        CaseCommand::Answer {
            case,
            code,
            answer,
            reason,
        } => {
            let Some(code) = ReferralCode::parse(&code) else {
                let names: Vec<&str> = ReferralCode::ALL.iter().map(|c| c.as_str()).collect();
                bail!("CODE: {code:?} is not one of {}", names.join(", "));
            };
            let Some(answer) = ReferralAnswer::parse(&answer) else {
                let names: Vec<&str> = ReferralAnswer::ALL.iter().map(|a| a.as_str()).collect();
                bail!("ANSWER: {answer:?} is not one of {}", names.join(", "));
            };
            service
                .answer_referral(
                    &who,
                    &case,
                    code,
                    answer,
                    reason.as_deref().unwrap_or_default(),
                )
                .map_err(step_error)?;
            writeln!(out, "{case}: {code} referral answered: {answer}")?;
        }
        CaseCommand::Referrals { overdue, format } => {
            let listings = service.referrals(&who, overdue).map_err(step_error)?;
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&listings)?)?,
                Format::Text => write_referral_listings(&mut out, &listings)?,
            }
        }
        CaseCommand::Execution {
            case,
            measure,
            file,
        } => {
            let record: ExecutionRecord = service::read_json(&file)?;
            service
                .save_execution(&who, &case, measure, record)
                .map_err(step_error)?;
            writeln!(
                out,
                "{case}: execution record of measure {measure} saved (not completed)"
            )?;
        }
        CaseCommand::Complete {
            case,
            measure,
            reason,
        } => {
            service
                .complete_execution(&who, &case, measure, reason.as_deref())
                .map_err(step_error)?;
            writeln!(
                out,
                "{case}: execution record of measure {measure} completed"
            )?;
        }
        CaseCommand::Sort {
            case,
            item,
            verdict,
            reason,
        } => {
            // The group makes exactly one flag present.
            let privileged = verdict.privileged && !verdict.not_privileged;
            service
                .sort_item(
                    &who,
                    &case,
                    &item,
                    privileged,
                    reason.as_deref().unwrap_or_default(),
                )
                .map_err(step_error)?;
            let sorted = if privileged {
                "privileged"
            } else {
                "not privileged"
            };
            writeln!(out, "{case}: item {item} sorted: {sorted}")?;
        }
    }
    Ok(())
}

/// An event a user may ask for by name; the others happen through their own commands.
fn requestable_event(name: &str) -> anyhow::Result<CaseEvent> {
    match CaseEvent::parse(name) {
        Some(event) if CaseEvent::REQUESTABLE.contains(&event) => Ok(event),
        Some(event) => bail!(
            "EVENT: {event} happens through its own command (haven case complete, haven \
             transfer propose, haven transfer approve), not as an event"
        ),
        None => {
            let names: Vec<&str> = CaseEvent::REQUESTABLE.iter().map(|e| e.as_str()).collect();
            bail!("EVENT: {name:?} is not one of {}", names.join(", "))
        }
    }
}

/// `case-000001: frozen`, or the first approval of a four-eyes step.
fn event_line(outcome: &EventOutcome, event: CaseEvent) -> String {
    if outcome.awaits_second_approval() {
        format!(
            "{}: first approval of {event} recorded; another judge must approve",
            outcome.case
        )
    } else {
        format!("{}: {}", outcome.case, outcome.state)
    }
}

/// Columns padded to their widest cell, under a header.
fn write_table<const N: usize>(
    out: &mut impl Write,
    header: [&str; N],
    rows: &[[&str; N]],
) -> std::io::Result<()> {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

/// Where a referral stands: open (overdue or not), or its answer and who gave it.
fn referral_status(referral: &Referral, overdue: bool) -> String {
    match &referral.answer {
        Some(answered) => format!("answered {} {}", answered.answer, signed(&answered.by)),
        None if overdue => "open, OVERDUE".to_owned(),
        None => "open".to_owned(),
    }
}

fn write_referral_listings(
    out: &mut impl Write,
    listings: &[ReferralListing],
) -> std::io::Result<()> {
    if listings.is_empty() {
        return writeln!(out, "no referrals");
    }
    for listing in listings {
        let referral = &listing.referral;
        writeln!(
            out,
            "{}  {}  {}  due {}  {}",
            listing.case,
            listing.reference,
            referral.code,
            referral.due,
            referral_status(referral, listing.overdue)
        )?;
    }
    Ok(())
}

/// The case as a judge reads it: state, what the reader may do next, the history, referrals,
/// execution records, sortings and transfers.
fn write_case(out: &mut impl Write, view: &CaseView) -> std::io::Result<()> {
    let request = &view.request;
    writeln!(
        out,
        "{}  {}  ({}, {})",
        view.id, request.reference, request.requesting_state, request.kind
    )?;
    writeln!(out, "state: {}", view.state)?;
    writeln!(out, "outcome: {}", view.decision.outcome)?;
    let allowed: Vec<&str> = view.allowed_events.iter().map(|e| e.as_str()).collect();
    let allowed = if allowed.is_empty() {
        "none".to_owned()
    } else {
        allowed.join(", ")
    };
    writeln!(out, "you may ask for: {allowed}")?;
    if let Some(pending) = &view.file.pending {
        writeln!(
            out,
            "awaiting a second judge: {} first approved {}",
            pending.event,
            signed(&pending.by)
        )?;
    }

    writeln!(out, "\nhistory:")?;
    for entry in &view.history {
        let mut line = format!("  {}  {}", entry.at, entry.event);
        if let Some(outcome) = entry.outcome {
            line.push_str(&format!(": {outcome}"));
        }
        if let Some(to) = entry.to {
            line.push_str(&format!(" → {to}"));
        }
        if let (Some(by), Some(role)) = (&entry.by, entry.role) {
            line.push_str(&format!("  by {by} ({role})"));
        }
        if let Some(reason) = &entry.reason {
            line.push_str(&format!(": {reason}"));
        }
        if let Some(first) = &entry.first_approval_by {
            line.push_str(&format!("; first approval by {first}"));
        }
        if let Some(index) = entry.ledger_index {
            line.push_str(&format!(" (ledger entry {index})"));
        }
        writeln!(out, "{line}")?;
    }

    if !view.file.referrals.is_empty() {
        writeln!(out, "\nreferrals:")?;
        let now = haven_app::Clock::system().now();
        for referral in &view.file.referrals {
            writeln!(
                out,
                "  {}  due {}  {}",
                referral.code,
                referral.due,
                referral_status(referral, referral.is_overdue(now))
            )?;
        }
    }

    if !request.measures.is_empty() {
        writeln!(out, "\nexecution records:")?;
        for (index, measure) in request.measures.iter().enumerate() {
            let status = match view.file.executions.get(&index) {
                Some(execution) => match &execution.completed {
                    Some(by) => format!("completed {}", signed(by)),
                    None => format!(
                        "saved by {} at {}, not completed",
                        execution.saved_by, execution.saved_at
                    ),
                },
                None => "not recorded".to_owned(),
            };
            writeln!(out, "  measure {index} ({}): {status}", measure.kind)?;
        }
    }

    if !view.file.sortings.is_empty() {
        writeln!(out, "\njudicial sorting:")?;
        for (item, sorting) in &view.file.sortings {
            let verdict = if sorting.privileged {
                "privileged"
            } else {
                "not privileged"
            };
            writeln!(out, "  item {item}: {verdict} {}", signed(&sorting.by))?;
        }
    }

    if !view.file.transfers.is_empty() {
        writeln!(out, "\ntransfers:")?;
        for transfer in &view.file.transfers {
            write_transfer(out, transfer, "  ")?;
        }
    }
    Ok(())
}
