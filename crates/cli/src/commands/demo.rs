//! `haven demo` (DESIGN §5.1): loads the bundled example data (`examples/data/`, embedded in the
//! binary) into a fresh temporary data directory, assesses every bundled request, prints each
//! decision memo, and ends by verifying the ledger. Nothing outside the temporary directory is
//! touched.

use std::path::Path;

use anyhow::Context;
use haven_domain::{CountryCode, parse_request};
use haven_store::Store;

use super::assess::assess_and_record;
use super::import;

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

    for (kind, text) in [
        ("registry", bundled::REGISTRY),
        ("context", bundled::CONTEXT),
    ] {
        let file = dir.path().join(format!("{kind}.jsonl"));
        std::fs::write(&file, text).with_context(|| format!("writing {}", file.display()))?;
        import::run_file(kind, &file, false, &data_dir)?;
    }

    let receiving = CountryCode::parse(DEMO_RECEIVING_STATE)
        .map_err(|e| anyhow::anyhow!("demo receiving state: {e}"))?;
    let mut store = Store::open(&data_dir)?;
    for (name, text) in bundled::REQUESTS {
        let request =
            parse_request(text).with_context(|| format!("examples/data/requests/{name}"))?;
        let (decision, case) = assess_and_record(&mut store, &data_dir, &request, receiving, true)?;
        println!("\n{}", "=".repeat(100));
        println!("{name} → case {}", case.as_deref().unwrap_or("-"));
        println!("{}", "=".repeat(100));
        print!("{}", haven_assess::memo(&request, &decision));
    }

    let verified = store.verify_ledger().context("verifying the ledger")?;
    println!(
        "\nLedger verified: {} entries, {} signed checkpoints, root {}.",
        verified.size, verified.checkpoints, verified.root
    );
    demo_footer(&data_dir);
    Ok(())
}

fn demo_footer(data_dir: &Path) {
    println!(
        "The temporary data directory {} is removed now; run `haven import` and `haven assess` \
         with --data-dir to keep one.",
        data_dir.display()
    );
}
