//! `haven demo` (DESIGN §5.1): loads the bundled example data (`examples/data/`, embedded in the
//! binary) into a fresh temporary data directory, assesses every bundled request, prints each
//! decision memo as the officer who submitted the request sees it (protected persons flagged for
//! referral; the protection details are the asylum authority's), and ends by verifying the
//! ledger. Nothing outside the temporary directory is
//! touched.

use std::path::Path;

use anyhow::Context;
use haven_app::{Assessed, ImportKind, ImportOutcome, MemorySource, Role, Service};
use haven_domain::{Request, parse_request};
use haven_store::ImportMode;

use super::service;

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/examples.rs"));
}

/// The receiving state of the example data: the examples are written from Belgium's side.
const DEMO_RECEIVING_STATE: &str = "be";

pub fn run() -> anyhow::Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("haven-demo-")
        .tempdir()
        .context("creating a temporary data directory")?;
    let data_dir = dir.path().join("data");
    println!(
        "Haven demo: a fresh data directory in {}",
        data_dir.display()
    );

    let service = service::open(&service::Location::sqlite(&data_dir), DEMO_RECEIVING_STATE)?;
    for (kind, name, outcome) in import_bundled(&service)? {
        println!(
            "imported {} {name}: {} inserted; data version {}, ledger entry {}",
            kind.as_str(),
            outcome.report.inserted,
            outcome.report.data_version,
            outcome.report.ledger_index
        );
    }

    for (name, request, assessed) in assess_bundled(&service)? {
        println!("\n{}", "=".repeat(100));
        println!("{name} → case {}", assessed.case.as_deref().unwrap_or("-"));
        println!("{}", "=".repeat(100));
        print!("{}", haven_assess::memo(&request, &assessed.decision));
    }

    let verified = service
        .verify_ledger(&service::operator(Role::Auditor))
        .context("verifying the ledger")?;
    println!(
        "\nLedger verified: {} entries, {} signed checkpoints, root {}.",
        verified.size, verified.checkpoints, verified.root
    );
    demo_footer(&data_dir);
    Ok(())
}

/// Assesses every bundled example request as the operator in the officer's role, each stored as
/// a case (`haven demo` and `haven serve --demo`).
pub(super) fn assess_bundled(
    service: &Service,
) -> anyhow::Result<Vec<(&'static str, Request, Assessed)>> {
    let officer = service::operator(Role::Officer);
    let mut assessed = Vec::new();
    for (name, text) in bundled::REQUESTS {
        let request =
            parse_request(text).with_context(|| format!("examples/data/requests/{name}"))?;
        let decision = service
            .assess(&officer, &request, true)
            .with_context(|| format!("assessing {name}"))?;
        assessed.push((*name, request, decision));
    }
    Ok(assessed)
}

/// Imports the bundled example registry and context through the service, as the operator in the
/// administrator's role (`haven demo` and `haven serve --demo`).
pub(super) fn import_bundled(
    service: &Service,
) -> anyhow::Result<Vec<(ImportKind, &'static str, ImportOutcome)>> {
    let admin = service::operator(Role::Admin);
    let mut outcomes = Vec::new();
    for (kind, name, text) in [
        (ImportKind::Registry, "registry.jsonl", bundled::REGISTRY),
        (ImportKind::Context, "context.jsonl", bundled::CONTEXT),
    ] {
        let source = MemorySource {
            name: name.into(),
            bytes: text.as_bytes().to_vec(),
        };
        let outcome = service
            .import(&admin, kind, &source, ImportMode::AllOrNothing, &())
            .with_context(|| format!("importing the bundled {name}"))?;
        outcomes.push((kind, name, outcome));
    }
    Ok(outcomes)
}

fn demo_footer(data_dir: &Path) {
    println!(
        "The temporary data directory {} is removed now; run `haven import` and `haven assess` \
         with --data-dir to keep one.",
        data_dir.display()
    );
}
