//! `haven ledger …`: verify the tamper-evident ledger, print its checkpoint, proofs and public
//! key, export it for an auditor, verify such an export without the database, rotate the key.
//! Thin: every check is `haven-ledger`'s, every row `haven-store`'s.

use super::service::Location;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Subcommand;
use haven_ledger::{Actor, Checkpoint, Export, Justification, Role, VerifierKey};
use haven_store::{DATABASE_FILE, Database};

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute every hash, rebuild the tree, check every checkpoint's root and signature;
    /// exit non-zero naming the first bad entry.
    Verify,
    /// Print the newest signed checkpoint (C2SP signed note).
    Checkpoint,
    /// Print an inclusion proof (JSON) of entry INDEX against the newest checkpoint.
    Proof {
        /// The entry's index (0 is the first).
        index: u64,
    },
    /// Write a self-contained export (entries, newest checkpoint, public keys) for an auditor.
    Export {
        /// Write to FILE instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Verify an export on its own, without the database.
    VerifyExport {
        /// The export file.
        file: PathBuf,
        /// Also require that this public key (obtained out of band) is among the export's keys.
        #[arg(long, value_name = "KEY")]
        public_key: Option<String>,
    },
    /// Print the public key that signs new checkpoints (generated on first use).
    PublicKey,
    /// Replace the signing key, recording the rotation in the ledger.
    RotateKey {
        /// Why the key is rotated (recorded in the ledger).
        #[arg(
            long,
            default_value = "signing key rotation requested with `haven ledger rotate-key`"
        )]
        reason: String,
    },
}

/// Runs one `haven ledger` subcommand.
pub fn run(cmd: LedgerCommand, location: &Location) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        LedgerCommand::Verify => {
            let store = open_existing(location)?;
            // No context wrapper: the first line of the error is the one naming the bad entry.
            let log = store.verify_ledger()?;
            writeln!(
                out,
                "ledger verified: {} entries, {} signed checkpoints, root {}, key in force {}",
                log.size,
                log.checkpoints,
                log.root,
                log.keys
                    .current()
                    .map(|k| k.to_string())
                    .unwrap_or_default()
            )?;
        }
        LedgerCommand::Checkpoint => {
            let store = open(location)?;
            let checkpoint = store
                .ledger_checkpoint()?
                .context("the ledger has no checkpoint")?;
            write!(out, "{}", checkpoint.note)?;
        }
        LedgerCommand::Proof { index } => {
            let store = open_existing(location)?;
            let bundle = store.ledger_inclusion_proof(index)?;
            // Check before printing: a proof Haven cannot verify itself is a bug, not an answer.
            let key = VerifierKey::parse(&store.ledger_public_key()?)?;
            let checkpoint = Checkpoint::open(&bundle.checkpoint.note, &key)?;
            haven_ledger::verify_inclusion(
                bundle.entry.as_bytes(),
                &checkpoint.root,
                &bundle.proof,
            )
            .context("the generated proof does not verify")?;
            let json = serde_json::json!({
                "index": index,
                "tree_size": bundle.proof.size,
                "leaf_hash": haven_ledger::leaf_hash(bundle.entry.as_bytes()),
                "entry": bundle.entry,
                "path": bundle.proof.path,
                "root": checkpoint.root,
                "checkpoint": bundle.checkpoint.note,
            });
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
        LedgerCommand::Export { out: file } => {
            let store = open_existing(location)?;
            let export = store.export_ledger()?;
            match file {
                Some(path) => write_atomically(&path, &export)?,
                None => {
                    serde_json::to_writer_pretty(&mut out, &export)?;
                    writeln!(out)?;
                }
            }
        }
        LedgerCommand::VerifyExport { file, public_key } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let export: Export = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a ledger export", file.display()))?;
            let log = export.verify()?;
            if let Some(key) = public_key
                && !export.public_keys.contains(&key)
            {
                bail!("the export is not signed under the public key {key}");
            }
            writeln!(
                out,
                "export verified: {} entries, root {}, signed by {}",
                log.size,
                log.root,
                log.keys
                    .current()
                    .map(|k| k.to_string())
                    .unwrap_or_default()
            )?;
        }
        LedgerCommand::PublicKey => {
            let store = open(location)?;
            writeln!(out, "{}", store.ledger_public_key()?)?;
        }
        LedgerCommand::RotateKey { reason } => {
            let store = open(location)?;
            let user = std::env::var("USER").ok().filter(|u| !u.is_empty());
            let actor = Actor::parse(user.unwrap_or_else(|| "unknown".into()))?;
            let (old, new) = store.rotate_ledger_key(
                actor,
                Role::parse("admin")?,
                Justification::parse(reason)?,
            )?;
            writeln!(out, "old key: {old}\nnew key: {new}")?;
        }
    }
    Ok(())
}

fn open(location: &Location) -> anyhow::Result<Arc<dyn Database>> {
    location.open_database()
}

/// Auditing commands refuse to create a database: verifying a fresh, empty one in a mistyped
/// directory would report success about the wrong thing.
fn open_existing(location: &Location) -> anyhow::Result<Arc<dyn Database>> {
    if !location.has_database() {
        bail!(
            "no Haven database in {} (expected {DATABASE_FILE})",
            location.data_dir.display()
        );
    }
    open(location)
}

/// Writes the export beside its destination and renames it into place, so a reader never sees
/// half a file.
fn write_atomically(path: &Path, export: &Export) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("creating a file in {}", dir.display()))?;
    serde_json::to_writer_pretty(&mut file, export)?;
    writeln!(file)?;
    file.as_file().sync_all()?;
    file.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
