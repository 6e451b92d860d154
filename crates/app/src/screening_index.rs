//! The long-lived screening index: one [`LiveIndex`] per process, swapped atomically when the
//! data changes, so readers never block and never see half an update.
//!
//! At start the persisted snapshot is loaded and caught up with the persons the store changed
//! since the snapshot's data version (a fresh process answers within seconds even at 10M); only a
//! missing or unreadable snapshot means a full build. After that, every catch-up (after an import
//! through this process, or on the server's poll for imports by other processes) applies just the
//! changed persons as a new layer; when that layer has grown large, it is folded into a new base
//! and the snapshot saved, off the readers' path.
//!
//! A snapshot belongs to one database: beside it, `<snapshot>.origin` names the ledger origin of
//! the database it was built from (unique per database, kept by a restore of its backup). A
//! snapshot of another database — the data directory pointed at another PostgreSQL database, or a
//! database replaced by a restore — could share the data version number while holding other
//! persons, and screening against it would miss people; it is rebuilt instead.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use haven_assess::records::{context_record, registry_record};
use haven_index::{Index, IndexBuilder, IndexError, IndexRecord, LiveIndex};
use haven_store::{Database, StoredPerson};

use crate::AppError;

/// The index snapshot's file name in a data directory.
pub const INDEX_FILE: &str = "screening.index";

/// What a catch-up did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexUpdate {
    /// Persons added or replaced in the index.
    pub applied: usize,
    /// The data version the index is now at.
    pub data_version: u64,
    /// How long applying them took (reading from the store included).
    pub took: Duration,
    /// Whether the recent layer was folded into a new base (and the snapshot saved).
    pub compacted: bool,
}

/// How the index came to be at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexOrigin {
    /// Loaded from the snapshot, then caught up with this many changed persons.
    Snapshot { caught_up: usize },
    /// Built from the store (no usable snapshot: the reason is given).
    Built { persons: usize, reason: String },
}

/// The process's screening index.
#[derive(Debug)]
pub struct ScreeningIndex {
    current: ArcSwap<LiveIndex>,
    /// Serialises catch-ups and compaction; readers never take it.
    updating: Mutex<()>,
    snapshot: Option<PathBuf>,
    /// The ledger origin of the database the index is of (written beside the snapshot).
    database: String,
}

/// The file beside a snapshot naming the database it is of.
fn origin_file(snapshot: &Path) -> PathBuf {
    let mut name = snapshot.as_os_str().to_owned();
    name.push(".origin");
    PathBuf::from(name)
}

/// Saves `index` as the snapshot of the database with ledger origin `origin`. The origin file is
/// removed first and written last, so a crash in between leaves a snapshot that no database
/// claims (rebuilt at the next start), never one that names the wrong database.
fn save_snapshot(index: &Index, path: &Path, origin: &str) -> Result<(), AppError> {
    let origin_path = origin_file(path);
    match std::fs::remove_file(&origin_path) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(AppError::Index(format!("{}: {err}", origin_path.display()))),
    }
    index
        .save(path)
        .map_err(|e| AppError::Index(e.to_string()))?;
    std::fs::write(&origin_path, origin)
        .map_err(|err| AppError::Index(format!("{}: {err}", origin_path.display())))
}

fn index_record(person: &StoredPerson) -> IndexRecord {
    match person {
        StoredPerson::Registry(p) => registry_record(p),
        StoredPerson::Context(p) => context_record(p),
    }
}

impl ScreeningIndex {
    /// Loads the snapshot at `snapshot` (if given and usable) and catches it up with the store,
    /// or builds the index from the store and saves it there.
    pub fn open(
        db: &dyn Database,
        snapshot: Option<&Path>,
    ) -> Result<(ScreeningIndex, IndexOrigin), AppError> {
        let loaded = match snapshot {
            None => Err("no snapshot file is kept".to_owned()),
            Some(path) => match Index::load(path) {
                Ok(index) => Ok(index),
                Err(IndexError::Io(err)) if err.kind() == std::io::ErrorKind::NotFound => {
                    Err("no snapshot yet".to_owned())
                }
                Err(err) => Err(format!("snapshot unusable: {err}")),
            },
        };
        let store_version = db.data_version().map_err(AppError::from_store)?;
        let database = db.ledger_origin();
        let loaded = loaded.and_then(|index| {
            let snapshot_origin =
                snapshot.and_then(|path| std::fs::read_to_string(origin_file(path)).ok());
            if snapshot_origin.is_none() {
                Err("the snapshot does not name its database (made by an older Haven)".to_owned())
            } else if snapshot_origin.as_deref() != Some(database.as_str()) {
                Err("snapshot of another database".to_owned())
            } else if index.data_version() > store_version {
                Err(format!(
                    "snapshot of data version {} is newer than the store's {store_version}",
                    index.data_version()
                ))
            } else {
                Ok(index)
            }
        });
        let (base, origin) = match loaded {
            Ok(index) => (index, None),
            Err(reason) => {
                let index = build(db)?;
                if let Some(path) = snapshot {
                    save_snapshot(&index, path, &database)?;
                }
                let persons = index.len();
                (index, Some(IndexOrigin::Built { persons, reason }))
            }
        };
        let screening = ScreeningIndex {
            current: ArcSwap::from_pointee(LiveIndex::new(base)),
            updating: Mutex::new(()),
            snapshot: snapshot.map(Path::to_owned),
            database,
        };
        let update = screening.catch_up(db)?;
        let origin = origin.unwrap_or(IndexOrigin::Snapshot {
            caught_up: update.map_or(0, |u| u.applied),
        });
        Ok((screening, origin))
    }

    /// The current view: cheap, never blocks; it stays consistent however long it is held.
    pub fn current(&self) -> Arc<LiveIndex> {
        self.current.load_full()
    }

    /// Applies the persons the store changed since the index's data version; `None` if it was
    /// current.
    pub fn catch_up(&self, db: &dyn Database) -> Result<Option<IndexUpdate>, AppError> {
        let _one_at_a_time = self.updating.lock().unwrap_or_else(PoisonError::into_inner);
        let started = Instant::now();
        let current = self.current.load_full();
        let (changed, version) = db
            .persons_changed_since(current.data_version())
            .map_err(AppError::from_store)?;
        if version == current.data_version() && changed.is_empty() {
            return Ok(None);
        }
        let records: Vec<IndexRecord> = changed.iter().map(index_record).collect();
        let next = current.with_changes(&records, &[], version);
        let compact = next.needs_compaction();
        self.current.store(Arc::new(next));
        if compact {
            self.compact()?;
        }
        Ok(Some(IndexUpdate {
            applied: records.len(),
            data_version: version,
            took: started.elapsed(),
            compacted: compact,
        }))
    }

    /// Folds the recent layer into a new base and saves it as the snapshot. Readers keep using
    /// the previous view meanwhile; the caller holds the update lock, so nothing is lost.
    fn compact(&self) -> Result<(), AppError> {
        let current = self.current.load_full();
        let base = current.compacted();
        if let Some(path) = &self.snapshot {
            save_snapshot(&base, path, &self.database)?;
        }
        self.current.store(Arc::new(LiveIndex::new(base)));
        Ok(())
    }
}

/// Builds the index over every stored person, at the data version they were read at.
fn build(db: &dyn Database) -> Result<Index, AppError> {
    let mut builder = IndexBuilder::new(0);
    let version = db
        .for_each_person(&mut |person| builder.push(&index_record(&person)))
        .map_err(AppError::from_store)?;
    let mut index = builder.finish();
    index.set_data_version(version);
    Ok(index)
}
