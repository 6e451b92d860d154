//! The ledger's writes on PostgreSQL: the identity and first key at open, appends inside a
//! transaction (the head row locked, so concurrent writers on any server queue), the signed
//! checkpoint at commit, and key rotation. The algorithms are `haven-ledger`'s, the key rules
//! `crate::ledger`'s; this module only moves rows.

use std::path::Path;
use std::sync::Arc;

use haven_ledger::{
    Action, Actor, Checkpoint, Entry, Frontier, Justification, Role, Signer, leaf_hash,
    sign_checkpoint,
};
use postgres::types::Type;
use postgres::{Client, GenericClient};

use super::{PgDatabase, PgLedger, PgTransaction, lock, migrate::MIGRATION_LOCK, to_i64, to_u64};
use crate::ledger::{
    KeyOnOpen, check_head_size, clone_key_error, hash_from_blob, key_on_open, new_origin,
    rotation_entry, system_entry,
};
use crate::{Receipt, StoreError, keyfile};

/// The head row: the log's origin and its right edge. `for_update` locks it until the
/// transaction ends, which is what serialises appends across processes.
pub(crate) fn load_head(
    client: &mut impl GenericClient,
    for_update: bool,
) -> Result<Option<(String, Frontier)>, StoreError> {
    let sql = if for_update {
        "SELECT origin, size, frontier FROM ledger_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT origin, size, frontier FROM ledger_head WHERE id = 1"
    };
    // Typed: one round trip, no separate prepare (it matters while the head is locked).
    let Some(row) = client.query_typed_opt(sql, &[])? else {
        return Ok(None);
    };
    let (origin, size, blob): (String, i64, Vec<u8>) = (row.get(0), row.get(1), row.get(2));
    let hashes = blob.chunks(32).map(hash_from_blob).collect();
    let frontier = Frontier::from_parts(to_u64(size), hashes).map_err(|_| {
        StoreError::Inconsistent(format!(
            "ledger head: a frontier of {} bytes does not fit size {size}",
            blob.len()
        ))
    })?;
    Ok(Some((origin, frontier)))
}

/// The number of entries stored.
pub(crate) fn count_entries(client: &mut impl GenericClient) -> Result<u64, StoreError> {
    let next: i64 = client
        .query_one("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries", &[])?
        .get(0);
    Ok(to_u64(next))
}

/// The public key that signs new checkpoints, if the log names one.
pub(crate) fn key_in_force(client: &mut impl GenericClient) -> Result<Option<String>, StoreError> {
    Ok(client
        .query_opt(
            "SELECT public_key FROM ledger_keys ORDER BY from_size DESC LIMIT 1",
            &[],
        )?
        .map(|row| row.get(0)))
}

/// Loads the ledger's identity and this process's signing key; on first use of the database
/// creates both and records the key as the log's first entry — under the migrations' advisory
/// lock, so two servers starting on a fresh database do not both announce a key.
pub(crate) fn init(client: &mut Client, key_path: &Path) -> Result<PgLedger, StoreError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let result = init_locked(client, key_path);
    client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
    result
}

fn init_locked(client: &mut Client, key_path: &Path) -> Result<PgLedger, StoreError> {
    let origin = match load_head(client, false)? {
        Some((origin, _)) => origin,
        None => {
            let origin = new_origin()?;
            client.execute(
                "INSERT INTO ledger_head (id, origin, size, frontier) VALUES (1, $1, 0, '')",
                &[&origin],
            )?;
            origin
        }
    };
    let in_force = key_in_force(client)?;
    let key = match key_on_open(keyfile::read(key_path)?, in_force, key_path) {
        KeyOnOpen::Ready(key) => Ok(key),
        KeyOnOpen::Unusable(err) => Err(err),
        KeyOnOpen::FirstUse(existing) => {
            let key = match existing {
                Some(key) => key,
                None => keyfile::create(key_path, keyfile::generate(&origin)?)?,
            };
            let public = key.verifier().to_string();
            let signer: Arc<dyn Signer> = Arc::new(key);
            let entry = rotation_entry(
                None,
                public,
                system_entry("ledger signing key generated on first use")?,
            );
            let mut tx = client.transaction()?;
            let mut head = load_head(&mut tx, true)?
                .map(|(_, head)| head)
                .ok_or_else(|| StoreError::Inconsistent("ledger head is missing".into()))?;
            insert_key_rotation(&mut tx, &mut head, &entry)?;
            write_head_and_checkpoint(&mut tx, &origin, &head, signer.as_ref())?;
            tx.commit()?;
            Ok(signer)
        }
    };
    Ok(PgLedger {
        origin,
        key_path: key_path.to_owned(),
        key,
    })
}

/// Appends one entry's JSON after `head` and advances it.
fn insert_entry(
    tx: &mut impl GenericClient,
    head: &mut Frontier,
    json: &str,
) -> Result<Receipt, StoreError> {
    let index = head.size();
    let hash = leaf_hash(json.as_bytes());
    head.push(hash);
    let root = head.root();
    tx.execute_typed(
        "INSERT INTO ledger_entries (idx, json, leaf_hash) VALUES ($1, $2, $3)",
        &[
            (&to_i64(index), Type::INT8),
            (&json, Type::TEXT),
            (&&hash.0[..], Type::BYTEA),
        ],
    )?;
    Ok(Receipt {
        index,
        leaf_hash: hash,
        root,
    })
}

/// Appends a `key_rotation` entry after `head` and records its new key as in force from the
/// next tree size.
fn insert_key_rotation(
    tx: &mut impl GenericClient,
    head: &mut Frontier,
    entry: &Entry,
) -> Result<Receipt, StoreError> {
    let Some(rotation) = &entry.key_rotation else {
        return Err(StoreError::ReservedAction);
    };
    let receipt = insert_entry(tx, head, &entry.to_canonical_json()?)?;
    tx.execute_typed(
        "INSERT INTO ledger_keys (from_size, public_key) VALUES ($1, $2)",
        &[
            (&to_i64(receipt.index + 1), Type::INT8),
            (&rotation.new, Type::TEXT),
        ],
    )?;
    Ok(receipt)
}

/// Stores the new head and a checkpoint of it signed by `key`, in one statement: the head is
/// locked meanwhile, and every round trip under the lock is one that other servers wait for.
fn write_head_and_checkpoint(
    tx: &mut impl GenericClient,
    origin: &str,
    head: &Frontier,
    key: &dyn Signer,
) -> Result<(), StoreError> {
    let frontier: Vec<u8> = head.hashes().iter().flat_map(|h| h.0).collect();
    let checkpoint = Checkpoint {
        origin: origin.to_owned(),
        size: head.size(),
        root: head.root(),
    };
    let note = sign_checkpoint(&checkpoint, key)?;
    tx.execute_typed(
        "WITH head AS (UPDATE ledger_head SET size = $1, frontier = $2 WHERE id = 1)
         INSERT INTO ledger_checkpoints (size, root, note) VALUES ($1, $3, $4)",
        &[
            (&to_i64(checkpoint.size), Type::INT8),
            (&frontier, Type::BYTEA),
            (&&checkpoint.root.0[..], Type::BYTEA),
            (&note, Type::TEXT),
        ],
    )?;
    Ok(())
}

impl<'c> PgTransaction<'c> {
    /// Loads the head and locks it for this transaction, at the first call. Another server's
    /// append waits here until this transaction ends, then reads the head this one left.
    fn lock_head(&mut self) -> Result<(), StoreError> {
        if self.head.is_some() {
            return Ok(());
        }
        let (_, frontier) = load_head(&mut self.tx, true)?
            .ok_or_else(|| StoreError::Inconsistent("ledger head is missing".into()))?;
        // Read after the lock is held (a statement of its own, so it sees what the writer this
        // one waited for committed): the stored entries and the key in force.
        let row = self.tx.query_typed_one(
            "SELECT (SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries),
                    (SELECT public_key FROM ledger_keys ORDER BY from_size DESC LIMIT 1)",
            &[],
        )?;
        check_head_size(&frontier, to_u64(row.get(0)))?;
        self.in_force = row.get(1);
        self.head = Some(frontier);
        Ok(())
    }

    /// Runs `f` (an append) with the transaction and the locked head it advances.
    fn with_head<T>(
        &mut self,
        f: impl FnOnce(&mut postgres::Transaction<'c>, &mut Frontier) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.lock_head()?;
        let head = self
            .head
            .as_mut()
            .ok_or_else(|| StoreError::Inconsistent("ledger head".into()))?;
        f(&mut self.tx, head)
    }

    /// Appends `entry` to the ledger in this transaction. It becomes durable, under a signed
    /// checkpoint, exactly when the transaction commits.
    pub(crate) fn append_ledger(&mut self, entry: &Entry) -> Result<Receipt, StoreError> {
        if entry.action == Action::KeyRotation {
            return Err(StoreError::ReservedAction);
        }
        if let Err(err) = &lock(&self.db.ledger).key {
            return Err(clone_key_error(err));
        }
        let json = entry.to_canonical_json()?;
        self.with_head(|tx, head| insert_entry(tx, head, &json))
    }

    /// Writes the head and a signed checkpoint if entries were appended, then commits.
    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        let Some(head) = self.head.take() else {
            self.tx.commit()?;
            return Ok(());
        };
        let origin = lock(&self.db.ledger).origin.clone();
        let rotation = self.rotation.take();
        match &rotation {
            Some((key, _)) => write_head_and_checkpoint(&mut self.tx, &origin, &head, key)?,
            None => {
                let signer = self.db.signer_in_force(self.in_force.take())?;
                write_head_and_checkpoint(&mut self.tx, &origin, &head, signer.as_ref())?;
            }
        }
        match rotation {
            Some((key, staged)) => {
                // Install the new key before COMMIT: if installing fails, the rotation rolls back
                // and the old key stays valid.
                let key_path = lock(&self.db.ledger).key_path.clone();
                keyfile::install(&key_path, staged)?;
                self.tx.commit()?;
                lock(&self.db.ledger).key = Ok(Arc::new(key));
            }
            None => self.tx.commit()?,
        }
        Ok(())
    }
}

impl PgDatabase {
    /// The key to sign with: this process's, if it is the one the log has in force. Another
    /// server may have rotated the key since this one loaded it, so a mismatch re-reads the
    /// (shared) key file before refusing: a checkpoint is never signed by a key the log does not
    /// name.
    fn signer_in_force(&self, in_force: Option<String>) -> Result<Arc<dyn Signer>, StoreError> {
        let mut ledger = lock(&self.ledger);
        let current = ledger.key.as_ref().ok().map(|k| k.verifier().to_string());
        if current.is_none() || current != in_force {
            let file = keyfile::read(&ledger.key_path)?;
            ledger.key = match key_on_open(file, in_force, &ledger.key_path) {
                KeyOnOpen::Ready(key) => Ok(key),
                KeyOnOpen::Unusable(err) => Err(err),
                KeyOnOpen::FirstUse(_) => Err(StoreError::Inconsistent(
                    "the ledger has no signing key".into(),
                )),
            };
        }
        ledger.key.as_ref().map(Arc::clone).map_err(clone_key_error)
    }

    /// Replaces the signing key (see `Store::rotate_ledger_key`): all or nothing. Other servers
    /// sharing the database pick the new key up from the shared key file at their next append,
    /// and refuse to sign with the old one.
    pub(crate) fn rotate_key(
        &self,
        actor: Actor,
        role: Role,
        justification: Justification,
    ) -> Result<(String, String), StoreError> {
        let (origin, key_path) = {
            let ledger = lock(&self.ledger);
            (ledger.origin.clone(), ledger.key_path.clone())
        };
        let new_key = keyfile::generate(&origin)?;
        let new_public = new_key.verifier().to_string();
        let staged = keyfile::stage(&key_path, &new_key)?;
        self.write(|tx| {
            // Lock the head first, so the key in force read next cannot change under us.
            tx.lock_head()?;
            let old = tx
                .in_force
                .clone()
                .ok_or_else(|| StoreError::Inconsistent("the ledger has no signing key".into()))?;
            let entry = rotation_entry(
                Some(old.clone()),
                new_public.clone(),
                Entry::new(actor, role, Action::KeyRotation, justification),
            );
            tx.with_head(|tx, head| insert_key_rotation(tx, head, &entry))?;
            tx.rotation = Some((new_key, staged));
            Ok((old, new_public.clone()))
        })
    }
}
