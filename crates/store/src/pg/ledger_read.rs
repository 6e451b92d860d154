//! Reading and checking the ledger on PostgreSQL: checkpoints, keys, proofs, verification and
//! export (the algorithms are haven-ledger's, the checks around them `crate::ledger`'s). Each
//! operation reads one REPEATABLE READ snapshot, so what it combines is of one moment even while
//! other servers append.

use std::cell::RefCell;
use std::ops::Range;

use haven_ledger::{
    EXPORT_FORMAT, Export, ExportEntry, Hash, LeafStore, StoredCheckpoint, StoredEntry,
    VerifiedLog, Verifier,
};
use postgres::Transaction;
use postgres::fallible_iterator::FallibleIterator;

use super::ledger::{count_entries, key_in_force, load_head};
use super::{PgDatabase, lock, to_i64};
use crate::ledger::{
    check_bookkeeping, checkpoint_from_row, entry_from_row, hash_from_blob, proof_checkpoint,
    require_key,
};
use crate::{InclusionBundle, StoreError};

/// Leaf hashes read from a PostgreSQL snapshot, for proof generation. `LeafStore` reads through
/// `&self`; a query needs the transaction mutably, hence the cell (one thread, one query at a
/// time).
struct PgLeaves<'a, 'c>(RefCell<&'a mut Transaction<'c>>);

impl LeafStore for PgLeaves<'_, '_> {
    type Error = StoreError;

    fn size(&self) -> Result<u64, StoreError> {
        count_entries(*self.0.borrow_mut())
    }

    fn leaf_hashes(&self, range: Range<u64>) -> Result<Vec<Hash>, StoreError> {
        let rows = self.0.borrow_mut().query(
            "SELECT leaf_hash FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
            &[&to_i64(range.start), &to_i64(range.end)],
        )?;
        Ok(rows
            .iter()
            .map(|row| hash_from_blob(row.get::<_, &[u8]>(0)))
            .collect())
    }
}

fn read_checkpoints(tx: &mut Transaction<'_>) -> Result<Vec<StoredCheckpoint>, StoreError> {
    let rows = tx.query(
        "SELECT size, root, note FROM ledger_checkpoints ORDER BY size",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|row| checkpoint_from_row(row.get(0), row.get(1), row.get(2)))
        .collect())
}

fn latest_checkpoint(tx: &mut Transaction<'_>) -> Result<Option<StoredCheckpoint>, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT size, root, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
            &[],
        )?
        .map(|row| checkpoint_from_row(row.get(0), row.get(1), row.get(2))))
}

/// The key history as stored: `(from_size, public_key)`, oldest first.
fn stored_keys(tx: &mut Transaction<'_>) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = tx.query(
        "SELECT from_size, public_key FROM ledger_keys ORDER BY from_size",
        &[],
    )?;
    Ok(rows.iter().map(|row| (row.get(0), row.get(1))).collect())
}

/// Streams every entry, in index order, into `f` (row by row: a ledger may be large).
fn for_each_entry(
    tx: &mut Transaction<'_>,
    mut f: impl FnMut(StoredEntry) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut rows = tx.query_raw(
        "SELECT idx, json, leaf_hash FROM ledger_entries ORDER BY idx",
        std::iter::empty::<i64>(),
    )?;
    while let Some(row) = rows.next()? {
        f(entry_from_row(row.get(0), row.get(1), row.get(2)))?;
    }
    Ok(())
}

pub(crate) fn ledger_checkpoint(db: &PgDatabase) -> Result<Option<StoredCheckpoint>, StoreError> {
    db.read(latest_checkpoint)
}

pub(crate) fn ledger_keys(db: &PgDatabase) -> Result<Vec<(u64, String)>, StoreError> {
    db.read(|tx| {
        Ok(stored_keys(tx)?
            .into_iter()
            .map(|(from, key)| (u64::try_from(from).unwrap_or(u64::MAX), key))
            .collect())
    })
}

pub(crate) fn ledger_inclusion_proof(
    db: &PgDatabase,
    index: u64,
) -> Result<InclusionBundle, StoreError> {
    db.read(|tx| {
        let checkpoint = proof_checkpoint(latest_checkpoint(tx)?, index)?;
        let entry: String = tx
            .query_one(
                "SELECT json FROM ledger_entries WHERE idx = $1",
                &[&to_i64(index)],
            )?
            .get(0);
        let proof =
            haven_ledger::prove_inclusion(&PgLeaves(RefCell::new(tx)), index, checkpoint.size)
                .map_err(|err| StoreError::Inconsistent(err.to_string()))?;
        Ok(InclusionBundle {
            entry,
            proof,
            checkpoint,
        })
    })
}

pub(crate) fn verify_ledger(db: &PgDatabase) -> Result<VerifiedLog, StoreError> {
    let origin = lock(&db.ledger).origin.clone();
    db.read(|tx| {
        let mut verifier = Verifier::new(origin, read_checkpoints(tx)?);
        for_each_entry(tx, |entry| Ok(verifier.push(&entry)?))?;
        let log = verifier.finish(true)?;
        let keys = stored_keys(tx)?;
        let head = load_head(tx, false)?.map(|(_, head)| head);
        check_bookkeeping(&log, &keys, head)?;
        Ok(log)
    })
}

pub(crate) fn ledger_public_key(db: &PgDatabase) -> Result<String, StoreError> {
    db.read(|tx| require_key(key_in_force(tx)?))
}

pub(crate) fn export_ledger(db: &PgDatabase) -> Result<Export, StoreError> {
    let origin = lock(&db.ledger).origin.clone();
    db.read(|tx| {
        let mut entries = Vec::new();
        for_each_entry(tx, |e| {
            entries.push(ExportEntry {
                index: e.index,
                leaf_hash: e.leaf_hash,
                canonical_json: e.json,
            });
            Ok(())
        })?;
        let public_keys = stored_keys(tx)?.into_iter().map(|(_, key)| key).collect();
        Ok(Export {
            format: EXPORT_FORMAT.into(),
            origin,
            public_keys,
            checkpoint: latest_checkpoint(tx)?.map(|c| c.note),
            entries,
        })
    })
}
