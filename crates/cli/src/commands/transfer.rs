//! `haven transfer propose|show|approve|override` (DESIGN §5.5): seized material leaves the
//! country only through the gate. A proposal gets the gate's verdict on every item and on the
//! whole; a judge overrides an overridable block with reasons; two different judges approve, and
//! the second approval sends it and documents it in the ledger. Each command prints the
//! transfer with its verdicts, so whoever acts sees at once what still stops it.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use haven_app::{TransferRequest, TransferView};
use haven_domain::workflow::{Block, Signed, Transfer, TransferState};

use super::service::{self, ActingUser, Format, Location, step_error};

#[derive(Debug, Args)]
pub struct TransferArgs {
    #[command(flatten)]
    actor: ActingUser,
    #[command(subcommand)]
    command: TransferCommand,
}

#[derive(Debug, Subcommand)]
pub enum TransferCommand {
    /// Propose a transfer of a case's seized items (an officer): prints the gate's verdicts.
    Propose {
        /// The case id.
        case: String,
        /// The proposal as JSON (`-`: standard input): {"recipient": "kz: Prosecutor General",
        /// "legal_basis": "…", "items": ["I-1"], "text": "…", "reason": "…"}.
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Show a transfer with the gate's verdicts, overrides and approvals.
    Show {
        /// The transfer id, e.g. case-000001-t1.
        transfer: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Approve a transfer (a judge); a second judge's approval sends it.
    Approve {
        /// The transfer id.
        transfer: String,
        /// Why: required.
        #[arg(long)]
        reason: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Override the overridable blocks of one item, with reasons (a judge).
    Override {
        /// The transfer id.
        transfer: String,
        /// The inventory item id.
        item: String,
        /// Why: required.
        #[arg(long)]
        reason: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

pub fn run(args: TransferArgs, location: &Location) -> anyhow::Result<()> {
    let service = service::open_existing(location)?;
    let who = args.actor.principal(&service)?;
    let (view, format, headline) = match args.command {
        TransferCommand::Propose { case, file, format } => {
            let proposal: TransferRequest = service::read_json(&file)?;
            let view = service
                .propose_transfer(&who, &case, proposal)
                .map_err(step_error)?;
            (view, format, None)
        }
        TransferCommand::Show { transfer, format } => (
            service.transfer(&who, &transfer).map_err(step_error)?,
            format,
            None,
        ),
        TransferCommand::Approve {
            transfer,
            reason,
            format,
        } => {
            let view = service
                .approve_transfer(&who, &transfer, reason.as_deref().unwrap_or_default())
                .map_err(step_error)?;
            // Like a case event: say whether it went or waits for another judge.
            let headline = if view.transfer.state == TransferState::Sent {
                format!("{transfer}: sent to {}", view.transfer.recipient)
            } else {
                format!("{transfer}: first approval recorded; another judge must approve")
            };
            (view, format, Some(headline))
        }
        TransferCommand::Override {
            transfer,
            item,
            reason,
            format,
        } => {
            let view = service
                .override_transfer_item(
                    &who,
                    &transfer,
                    &item,
                    reason.as_deref().unwrap_or_default(),
                )
                .map_err(step_error)?;
            (view, format, None)
        }
    };
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&view)?)?,
        Format::Text => {
            if let Some(headline) = headline {
                writeln!(out, "{headline}")?;
            }
            write_view(&mut out, &view)?;
        }
    }
    Ok(())
}

fn write_view(out: &mut impl Write, view: &TransferView) -> std::io::Result<()> {
    writeln!(out, "case {}", view.case)?;
    write_transfer(out, &view.transfer, "")
}

/// A transfer as lines: where it goes and under what, what blocks the whole, each item's
/// verdict, the use conditions and the approvals. Indented by `indent` (a case shows its
/// transfers inside its own text).
pub fn write_transfer(
    out: &mut impl Write,
    transfer: &Transfer,
    indent: &str,
) -> std::io::Result<()> {
    let standing = if transfer.is_blocked() {
        "blocked"
    } else {
        "clear"
    };
    writeln!(
        out,
        "{indent}transfer {}: {} ({standing})",
        transfer.id, transfer.state
    )?;
    writeln!(out, "{indent}  to: {}", transfer.recipient)?;
    writeln!(out, "{indent}  under: {}", transfer.legal_basis)?;
    writeln!(out, "{indent}  proposed {}", signed(&transfer.proposed))?;
    for block in &transfer.blocks {
        writeln!(
            out,
            "{indent}  whole transfer: blocked: {}",
            block_text(block)
        )?;
    }
    for item in &transfer.items {
        if item.blocks.is_empty() {
            writeln!(out, "{indent}  item {}: may go", item.item)?;
            continue;
        }
        let verdict = if item.is_blocked() {
            "blocked"
        } else {
            "overridden"
        };
        writeln!(out, "{indent}  item {}: {verdict}", item.item)?;
        for block in &item.blocks {
            writeln!(out, "{indent}    {}", block_text(block))?;
        }
        if let Some(by) = &item.override_by {
            writeln!(out, "{indent}    override {}", signed(by))?;
        }
    }
    for condition in &transfer.use_conditions {
        writeln!(out, "{indent}  use condition: {condition}")?;
    }
    if transfer.approvals.is_empty() {
        writeln!(
            out,
            "{indent}  approvals: none yet (two judges must approve)"
        )?;
    }
    for approval in &transfer.approvals {
        writeln!(out, "{indent}  approved {}", signed(approval))?;
    }
    Ok(())
}

/// `privilege_unsorted (overridable): explanation`.
fn block_text(block: &Block) -> String {
    let overridable = if block.overridable {
        "overridable"
    } else {
        "not overridable"
    };
    format!("{} ({overridable}): {}", block.reason, block.explanation)
}

/// `by judge-a (judge) at 2026-…: reason`.
pub fn signed(by: &Signed) -> String {
    format!(
        "by {} ({}) at {}: {}",
        by.actor,
        by.role,
        by.at,
        by.reason.as_str()
    )
}
