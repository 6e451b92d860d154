//! The ledger's tables: appending entries inside a transaction, signing a checkpoint at commit,
//! the signing key's life cycle, proofs, verification and export. The algorithms are
//! `haven-ledger`'s; this module only moves rows.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use haven_ledger::{
    Action, Actor, Checkpoint, EXPORT_FORMAT, Entry, Export, ExportEntry, Frontier, Hash,
    InclusionProof, Justification, KeyRotation, LeafStore, Role, Signer, SigningKey,
    StoredCheckpoint, StoredEntry, VerifiedLog, Verifier, leaf_hash, sign_checkpoint,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::{LedgerState, SIGNING_KEY_FILE, Store, StoreError, Transaction, keyfile};

/// What an append returns: where the entry landed and the root of the tree ending with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// The entry's index.
    pub index: u64,
    /// Its leaf hash.
    pub leaf_hash: Hash,
    /// The root of the tree of entries `0..=index`.
    pub root: Hash,
}

/// An inclusion proof with everything needed to check it: the entry, the proof and the signed
/// checkpoint it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionBundle {
    /// The entry's canonical JSON.
    pub entry: String,
    /// The audit path.
    pub proof: InclusionProof,
    /// The signed checkpoint of size `proof.size`.
    pub checkpoint: StoredCheckpoint,
}

/// The first key's name and the log's origin are the same string: unique per data directory,
/// so checkpoints of two Haven installations can never be confused.
pub(crate) fn new_origin() -> Result<String, StoreError> {
    let mut id = [0u8; 8];
    getrandom::fill(&mut id).map_err(|err| StoreError::Random(err.to_string()))?;
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("haven.local/ledger/{hex}"))
}

pub(crate) fn hash_from_blob(blob: &[u8]) -> Hash {
    // A blob of the wrong length cannot be the hash of anything; the all-zero value makes
    // verification report it as a leaf-hash mismatch at its index instead of failing to read.
    Hash::try_from(blob).unwrap_or(Hash([0; 32]))
}

fn to_i64(n: u64) -> i64 {
    // Ledger sizes stay far below 2^63; saturate rather than wrap if a caller passes nonsense.
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn load_head(conn: &Connection) -> Result<Option<(String, Frontier)>, StoreError> {
    let row: Option<(String, i64, Vec<u8>)> = conn
        .query_row(
            "SELECT origin, size, frontier FROM ledger_head WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((origin, size, blob)) = row else {
        return Ok(None);
    };
    let hashes = blob.chunks(32).map(hash_from_blob).collect();
    let frontier = u64::try_from(size)
        .ok()
        .and_then(|size| Frontier::from_parts(size, hashes).ok())
        .ok_or_else(|| {
            StoreError::Inconsistent(format!(
                "ledger head: a frontier of {} bytes does not fit size {size}",
                blob.len()
            ))
        })?;
    Ok(Some((origin, frontier)))
}

fn count_entries(conn: &Connection) -> Result<u64, StoreError> {
    let next: i64 = conn.query_row(
        "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(next).unwrap_or(0))
}

fn key_in_force(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT public_key FROM ledger_keys ORDER BY from_size DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

pub(crate) fn system_entry(justification: &str) -> Result<Entry, StoreError> {
    Ok(Entry::new(
        Actor::parse("haven")?,
        Role::parse("system")?,
        Action::KeyRotation,
        Justification::parse(justification)?,
    ))
}

/// The `key_rotation` entry that puts `new` in force after `old` (none: the first key), made from
/// `base` (who, in which role, why).
pub(crate) fn rotation_entry(old: Option<String>, new: String, base: Entry) -> Entry {
    Entry {
        key_rotation: Some(KeyRotation { old, new }),
        ..base
    }
}

/// A cheap guard against appending after a gap or over a tampered head (the full check is
/// `verify`): the head must record as many entries as are stored.
pub(crate) fn check_head_size(head: &Frontier, stored: u64) -> Result<(), StoreError> {
    if stored == head.size() {
        return Ok(());
    }
    Err(StoreError::Inconsistent(format!(
        "ledger head records {} entries but {stored} are stored; run `haven ledger verify`",
        head.size()
    )))
}

/// What the key file and the log say about the signing key when a store opens.
pub(crate) enum KeyOnOpen {
    /// The file holds the key in force.
    Ready(Arc<dyn Signer>),
    /// The file is missing or holds another key than the one in force: reads work, appends fail
    /// with this error.
    Unusable(StoreError),
    /// The log names no key yet (first use): the key in the file, if there is one.
    FirstUse(Option<SigningKey>),
}

/// Decides [`KeyOnOpen`] from the key file's content and the log's key in force; the same rule
/// for every backend.
pub(crate) fn key_on_open(
    file: Option<SigningKey>,
    in_force: Option<String>,
    path: &Path,
) -> KeyOnOpen {
    match (file, in_force) {
        (Some(key), Some(in_force)) if key.verifier().to_string() == in_force => {
            KeyOnOpen::Ready(Arc::new(key))
        }
        (Some(key), Some(in_force)) => KeyOnOpen::Unusable(StoreError::KeyMismatch {
            path: path.to_owned(),
            found: key.verifier().to_string(),
            in_force,
        }),
        (None, Some(in_force)) => KeyOnOpen::Unusable(StoreError::KeyMissing {
            path: path.to_owned(),
            in_force,
        }),
        (existing, None) => KeyOnOpen::FirstUse(existing),
    }
}

/// Loads the ledger's identity and signing key at open; on first use creates both and records
/// the key as the log's first entry.
pub(crate) fn init(conn: &mut Connection, data_dir: &Path) -> Result<LedgerState, StoreError> {
    let key_path = data_dir.join(SIGNING_KEY_FILE);
    let origin = match load_head(conn)? {
        Some((origin, _)) => origin,
        None => {
            let origin = new_origin()?;
            // OR IGNORE: another process may have created the head meanwhile; theirs stands.
            conn.execute(
                "INSERT OR IGNORE INTO ledger_head (id, origin, size, frontier) VALUES (1, ?1, 0, x'')",
                [&origin],
            )?;
            load_head(conn)?.map(|(o, _)| o).unwrap_or(origin)
        }
    };
    let mut state = LedgerState {
        origin,
        key_path,
        // A placeholder, replaced just below once the key file and the log have been read.
        key: Err(StoreError::ReservedAction),
    };
    let in_force = key_in_force(conn)?;
    state.key = match key_on_open(keyfile::read(&state.key_path)?, in_force, &state.key_path) {
        KeyOnOpen::Ready(key) => Ok(key),
        KeyOnOpen::Unusable(err) => Err(err),
        KeyOnOpen::FirstUse(existing) => {
            // First use: create the key (unless a file is already there), then announce it.
            let key = match existing {
                Some(key) => key,
                None => keyfile::create(&state.key_path, keyfile::generate(&state.origin)?)?,
            };
            let public = key.verifier().to_string();
            state.key = Ok(Arc::new(key));
            let announced = {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let mut tx = Transaction {
                    tx,
                    ledger: &mut state,
                    head: None,
                    rotation: None,
                };
                // Re-check under the write lock: another process may have announced first.
                match key_in_force(&tx.tx)? {
                    None => {
                        let entry = rotation_entry(
                            None,
                            public.clone(),
                            system_entry("ledger signing key generated on first use")?,
                        );
                        tx.append_key_rotation(entry, None)?;
                        tx.commit()?;
                        None
                    }
                    Some(theirs) if theirs == public => None,
                    Some(theirs) => Some(theirs),
                }
            };
            if let Some(in_force) = announced {
                return Err(StoreError::KeyMismatch {
                    path: state.key_path.clone(),
                    found: public,
                    in_force,
                });
            }
            return Ok(state);
        }
    };
    Ok(state)
}

impl Transaction<'_> {
    fn head(&mut self) -> Result<&mut Frontier, StoreError> {
        if self.head.is_none() {
            let (_, frontier) = load_head(&self.tx)?
                .ok_or_else(|| StoreError::Inconsistent("ledger head is missing".into()))?;
            let stored = count_entries(&self.tx)?;
            check_head_size(&frontier, stored)?;
            self.head = Some(frontier);
        }
        // Just set above if it was empty.
        self.head
            .as_mut()
            .ok_or_else(|| StoreError::Inconsistent("ledger head".into()))
    }

    /// Appends `entry` to the ledger in this transaction. It becomes durable, under a signed
    /// checkpoint, exactly when the transaction commits.
    pub fn append_ledger(&mut self, entry: &Entry) -> Result<Receipt, StoreError> {
        if entry.action == Action::KeyRotation {
            return Err(StoreError::ReservedAction);
        }
        // Fail before writing anything if no checkpoint could be signed at commit.
        if let Err(err) = &self.ledger.key {
            return Err(clone_key_error(err));
        }
        self.append_json(&entry.to_canonical_json()?)
    }

    fn append_json(&mut self, json: &str) -> Result<Receipt, StoreError> {
        let head = self.head()?;
        let index = head.size();
        let hash = leaf_hash(json.as_bytes());
        head.push(hash);
        let root = head.root();
        self.tx
            .prepare_cached(
                "INSERT INTO ledger_entries (idx, json, leaf_hash) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![to_i64(index), json, &hash.0[..]])?;
        Ok(Receipt {
            index,
            leaf_hash: hash,
            root,
        })
    }

    /// Appends a key rotation entry and schedules the new key file's installation at commit.
    fn append_key_rotation(
        &mut self,
        entry: Entry,
        staged: Option<(SigningKey, tempfile::NamedTempFile)>,
    ) -> Result<Receipt, StoreError> {
        let Some(rotation) = &entry.key_rotation else {
            return Err(StoreError::ReservedAction);
        };
        let public = rotation.new.clone();
        let receipt = self.append_json(&entry.to_canonical_json()?)?;
        self.tx.execute(
            "INSERT INTO ledger_keys (from_size, public_key) VALUES (?1, ?2)",
            params![to_i64(receipt.index + 1), public],
        )?;
        if staged.is_some() {
            self.rotation = staged;
        }
        Ok(receipt)
    }

    /// Writes the head and a signed checkpoint if entries were appended, then commits.
    pub(crate) fn commit(mut self) -> Result<(), StoreError> {
        if let Some(head) = self.head.take() {
            let frontier: Vec<u8> = head.hashes().iter().flat_map(|h| h.0).collect();
            self.tx.execute(
                "UPDATE ledger_head SET size = ?1, frontier = ?2 WHERE id = 1",
                params![to_i64(head.size()), frontier],
            )?;
            let checkpoint = Checkpoint {
                origin: self.ledger.origin.clone(),
                size: head.size(),
                root: head.root(),
            };
            let key: &dyn Signer = match &self.rotation {
                Some((key, _)) => key,
                None => self.ledger.key.as_deref().map_err(clone_key_error)?,
            };
            let note = sign_checkpoint(&checkpoint, key)?;
            self.tx.execute(
                "INSERT INTO ledger_checkpoints (size, root, note) VALUES (?1, ?2, ?3)",
                params![to_i64(checkpoint.size), &checkpoint.root.0[..], note],
            )?;
        }
        if let Some((key, staged)) = self.rotation.take() {
            // Install the new key before COMMIT: if installing fails, the rotation rolls back and
            // the old key stays valid. (If COMMIT then failed, `Store::open` would report the
            // mismatch rather than sign with a key the log does not name.)
            keyfile::install(&self.ledger.key_path, staged)?;
            self.tx.commit()?;
            self.ledger.key = Ok(Arc::new(key));
        } else {
            self.tx.commit()?;
        }
        Ok(())
    }
}

/// Key errors are kept in the store's state and reported on every attempt to sign; they hold
/// `io::Error`s, which do not clone, so rebuild the ones that can occur there.
pub(crate) fn clone_key_error(err: &StoreError) -> StoreError {
    match err {
        StoreError::KeyMissing { path, in_force } => StoreError::KeyMissing {
            path: path.clone(),
            in_force: in_force.clone(),
        },
        StoreError::KeyMismatch {
            path,
            found,
            in_force,
        } => StoreError::KeyMismatch {
            path: path.clone(),
            found: found.clone(),
            in_force: in_force.clone(),
        },
        other => StoreError::Inconsistent(format!("ledger signing key unusable: {other}")),
    }
}

/// Leaf hashes read from SQLite, for proof generation.
struct SqliteLeaves<'c>(&'c Connection);

impl LeafStore for SqliteLeaves<'_> {
    type Error = rusqlite::Error;

    fn size(&self) -> Result<u64, rusqlite::Error> {
        let next: i64 = self.0.query_row(
            "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(next).unwrap_or(0))
    }

    fn leaf_hashes(&self, range: Range<u64>) -> Result<Vec<Hash>, rusqlite::Error> {
        let mut stmt = self.0.prepare_cached(
            "SELECT leaf_hash FROM ledger_entries WHERE idx >= ?1 AND idx < ?2 ORDER BY idx",
        )?;
        let rows = stmt.query_map(params![to_i64(range.start), to_i64(range.end)], |r| {
            r.get::<_, Vec<u8>>(0)
        })?;
        rows.map(|blob| blob.map(|b| hash_from_blob(&b))).collect()
    }
}

fn read_checkpoints(conn: &Connection) -> Result<Vec<StoredCheckpoint>, StoreError> {
    let mut stmt = conn.prepare("SELECT size, root, note FROM ledger_checkpoints ORDER BY size")?;
    let rows = stmt.query_map([], |r| {
        Ok(checkpoint_from_row(
            r.get(0)?,
            &r.get::<_, Vec<u8>>(1)?,
            r.get(2)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn latest_checkpoint(conn: &Connection) -> Result<Option<StoredCheckpoint>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT size, root, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
            [],
            |r| {
                Ok(checkpoint_from_row(
                    r.get(0)?,
                    &r.get::<_, Vec<u8>>(1)?,
                    r.get(2)?,
                ))
            },
        )
        .optional()?)
}

/// A checkpoint from its stored columns. A size that is no ledger size (negative) reads as the
/// largest one, so verification reports it instead of failing to read.
pub(crate) fn checkpoint_from_row(size: i64, root: &[u8], note: String) -> StoredCheckpoint {
    StoredCheckpoint {
        size: u64::try_from(size).unwrap_or(u64::MAX),
        root: hash_from_blob(root),
        note,
    }
}

/// An entry from its stored columns (a negative index reads as the largest, as above).
pub(crate) fn entry_from_row(index: i64, json: String, leaf_hash: &[u8]) -> StoredEntry {
    StoredEntry {
        index: u64::try_from(index).unwrap_or(u64::MAX),
        json,
        leaf_hash: hash_from_blob(leaf_hash),
    }
}

/// The public key in force, or the error every backend gives when the log names none.
pub(crate) fn require_key(in_force: Option<String>) -> Result<String, StoreError> {
    in_force.ok_or_else(|| StoreError::Inconsistent("the ledger has no signing key".into()))
}

/// The checkpoint an inclusion proof of `index` leads to: the latest, if it covers the entry.
pub(crate) fn proof_checkpoint(
    latest: Option<StoredCheckpoint>,
    index: u64,
) -> Result<StoredCheckpoint, StoreError> {
    let checkpoint = latest.ok_or(StoreError::NoSuchEntry { index, size: 0 })?;
    if index >= checkpoint.size {
        return Err(StoreError::NoSuchEntry {
            index,
            size: checkpoint.size,
        });
    }
    Ok(checkpoint)
}

/// The checks of a verified log against the ledger's bookkeeping: the stored key history
/// (`(from_size, public_key)`, oldest first) must be the one the log's key rotations derive, and
/// the stored head must be the log's frontier.
pub(crate) fn check_bookkeeping(
    log: &VerifiedLog,
    stored_keys: &[(i64, String)],
    head: Option<Frontier>,
) -> Result<(), StoreError> {
    let derived: Vec<(i64, String)> = log
        .keys
        .keys()
        .iter()
        .map(|(from, key)| (to_i64(*from), key.to_string()))
        .collect();
    if stored_keys != derived.as_slice() {
        return Err(StoreError::Inconsistent(
            "ledger_keys differs from the key_rotation entries of the log".into(),
        ));
    }
    match head {
        Some(head) if head == log.frontier => Ok(()),
        _ => Err(StoreError::Inconsistent(format!(
            "entry {}: the ledger head does not match the entries (the next append would \
             build on a wrong tree)",
            log.size
        ))),
    }
}

/// Streams every entry, in index order, into `f`.
fn for_each_entry(
    conn: &Connection,
    mut f: impl FnMut(StoredEntry) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("SELECT idx, json, leaf_hash FROM ledger_entries ORDER BY idx")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        f(entry_from_row(
            row.get(0)?,
            row.get(1)?,
            &row.get::<_, Vec<u8>>(2)?,
        ))?;
    }
    Ok(())
}

impl Store {
    /// The log's origin line.
    pub fn ledger_origin(&self) -> &str {
        &self.ledger.origin
    }

    /// The number of entries in the ledger.
    pub fn ledger_size(&self) -> Result<u64, StoreError> {
        count_entries(&self.conn)
    }

    /// The public key in force (a C2SP verifier key), the one that signs new checkpoints.
    pub fn ledger_public_key(&self) -> Result<String, StoreError> {
        require_key(key_in_force(&self.conn)?)
    }

    /// Every signing key the log has named (C2SP verifier key texts), each with the first tree
    /// size it signs, oldest first. Keys are only ever added, so a checkpoint read before this
    /// list always finds the key that signed it here.
    pub fn ledger_keys(&self) -> Result<Vec<(u64, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT from_size, public_key FROM ledger_keys ORDER BY from_size")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                u64::try_from(r.get::<_, i64>(0)?).unwrap_or(u64::MAX),
                r.get(1)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest signed checkpoint.
    pub fn ledger_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        latest_checkpoint(&self.conn)
    }

    /// An inclusion proof of entry `index` against the newest checkpoint.
    pub fn ledger_inclusion_proof(&self, index: u64) -> Result<InclusionBundle, StoreError> {
        // One read transaction, so the checkpoint and the entries are of the same moment.
        let tx = self.conn.unchecked_transaction()?;
        let checkpoint = proof_checkpoint(latest_checkpoint(&tx)?, index)?;
        let entry: String = tx.query_row(
            "SELECT json FROM ledger_entries WHERE idx = ?1",
            [to_i64(index)],
            |r| r.get(0),
        )?;
        let proof = haven_ledger::prove_inclusion(&SqliteLeaves(&tx), index, checkpoint.size)
            .map_err(|err| StoreError::Inconsistent(err.to_string()))?;
        Ok(InclusionBundle {
            entry,
            proof,
            checkpoint,
        })
    }

    /// A consistency proof between two tree sizes.
    pub fn ledger_consistency_proof(
        &self,
        old_size: u64,
        new_size: u64,
    ) -> Result<haven_ledger::ConsistencyProof, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        haven_ledger::prove_consistency(&SqliteLeaves(&tx), old_size, new_size)
            .map_err(|err| StoreError::Inconsistent(err.to_string()))
    }

    /// Verifies the whole ledger: recomputes every leaf hash from the stored JSON, rebuilds the
    /// tree, checks every checkpoint's root and signature with the key in force at its size, and
    /// checks that the key history and head tables agree with the log. The error names the
    /// first bad index.
    pub fn verify_ledger(&self) -> Result<VerifiedLog, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let mut verifier = Verifier::new(self.ledger.origin.clone(), read_checkpoints(&tx)?);
        for_each_entry(&tx, |entry| Ok(verifier.push(&entry)?))?;
        let log = verifier.finish(true)?;

        let mut stmt =
            tx.prepare("SELECT from_size, public_key FROM ledger_keys ORDER BY from_size")?;
        let stored: Vec<(i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        check_bookkeeping(&log, &stored, load_head(&tx)?.map(|(_, head)| head))?;
        Ok(log)
    }

    /// A self-contained export for an auditor: every entry, the newest checkpoint and the keys.
    pub fn export_ledger(&self) -> Result<Export, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let mut entries = Vec::new();
        for_each_entry(&tx, |e| {
            entries.push(ExportEntry {
                index: e.index,
                leaf_hash: e.leaf_hash,
                canonical_json: e.json,
            });
            Ok(())
        })?;
        let mut stmt = tx.prepare("SELECT public_key FROM ledger_keys ORDER BY from_size")?;
        let public_keys = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Export {
            format: EXPORT_FORMAT.into(),
            origin: self.ledger.origin.clone(),
            public_keys,
            checkpoint: latest_checkpoint(&tx)?.map(|c| c.note),
            entries,
        })
    }

    /// Replaces the signing key: generates a new one, records a `key_rotation` entry naming the
    /// old and new public keys, signs the covering checkpoint with the new key and installs the
    /// new key file, all or nothing. Works even if the old key file is lost. Returns the old and
    /// new public keys.
    pub fn rotate_ledger_key(
        &mut self,
        actor: Actor,
        role: Role,
        justification: Justification,
    ) -> Result<(String, String), StoreError> {
        let new_key = keyfile::generate(&self.ledger.origin)?;
        let new_public = new_key.verifier().to_string();
        let staged = keyfile::stage(&self.ledger.key_path, &new_key)?;
        self.transaction(|tx| {
            let old = key_in_force(&tx.tx)?
                .ok_or_else(|| StoreError::Inconsistent("the ledger has no signing key".into()))?;
            let entry = rotation_entry(
                Some(old.clone()),
                new_public.clone(),
                Entry::new(actor, role, Action::KeyRotation, justification),
            );
            tx.append_key_rotation(entry, Some((new_key, staged)))?;
            Ok((old, new_public.clone()))
        })
    }
}
