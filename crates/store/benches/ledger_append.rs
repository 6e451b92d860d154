//! Ledger append throughput into SQLite (the bar: ≥ 10,000 entries/s), as callers will append:
//! one transaction per entry (each with its signed checkpoint), and in batches. Also times a full
//! `verify` and one inclusion proof at the resulting size, since both read the whole log.
//!
//! A plain harness that prints figures: `cargo bench -p haven-store --bench ledger_append`.

use std::time::Instant;

use haven_ledger::{Action, Actor, Entry, Justification, ObjectId, Recipient, Role};
use haven_store::{Store, StoreError};

fn entry(n: u64) -> Entry {
    // A realistic entry: a transfer with a recipient and a few object ids (~300 bytes of JSON).
    Entry::new(
        Actor::parse("officer.jane.doe").expect("valid"),
        Role::parse("judge").expect("valid"),
        Action::Transfer,
        Justification::parse(
            "ETS 182 Art 26: transfer limited to proceedings MLA/2019/0412, use conditions attached",
        )
        .expect("valid"),
    )
    .with_objects([
        ObjectId::parse(format!("case:{n}")).expect("valid"),
        ObjectId::parse(format!("item:{n}-1")).expect("valid"),
        ObjectId::parse("request:MLA/2019/0412").expect("valid"),
    ])
    .with_recipient(Recipient::parse("kz: General Prosecutor's Office").expect("valid"))
}

fn rate(n: u64, secs: f64) -> String {
    format!(
        "{n} entries in {secs:.3} s = {:.0} entries/s",
        n as f64 / secs
    )
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut store = Store::open(dir.path()).expect("store opens");

    const SINGLE: u64 = 20_000;
    let start = Instant::now();
    for i in 0..SINGLE {
        store
            .transaction(|tx| tx.append_ledger(&entry(i)).map(|_| ()))
            .expect("append commits");
    }
    println!(
        "one transaction per entry:   {}",
        rate(SINGLE, start.elapsed().as_secs_f64())
    );

    const BATCHES: u64 = 200;
    const BATCH: u64 = 1_000;
    let start = Instant::now();
    for b in 0..BATCHES {
        store
            .transaction(|tx| {
                for i in 0..BATCH {
                    tx.append_ledger(&entry(b * BATCH + i))?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("batch commits");
    }
    println!(
        "batches of {BATCH}:            {}",
        rate(BATCHES * BATCH, start.elapsed().as_secs_f64())
    );

    let size = store.ledger_size().expect("size");
    let start = Instant::now();
    let log = store.verify_ledger().expect("verifies");
    println!(
        "verify ({} checkpoints):   {}",
        log.checkpoints,
        rate(log.size, start.elapsed().as_secs_f64())
    );

    let start = Instant::now();
    store.ledger_inclusion_proof(size / 2).expect("proof");
    println!(
        "one inclusion proof at size {size}: {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
}
