//! A long-lived index kept current while it is being read: a large immutable base shared by
//! `Arc`, a small index of the records added or changed since the base was built, and the base
//! slots those changes hide.
//!
//! A server holds one [`LiveIndex`] and swaps in the view `with_changes` returns after each
//! import; readers holding the old view keep a consistent one. Applying changes never copies the
//! base (cloning a ten-million-record `Index` would take seconds and double the memory): it
//! copies the recent layer and the hidden set, both small, and analyses only the changed
//! records. When the recent layer has grown (`needs_compaction`), `compacted` folds everything
//! into one plain `Index`, off the request path, which becomes the next base and the snapshot.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::index::{Index, IndexBuilder};
use crate::record::{IndexRecord, Match, Query};
use crate::screen::screen_layers;

/// The recent layer is due for compaction past this many slots, whatever the base's size: below
/// it, screening the recent layer costs a small fraction of a millisecond and `with_changes`
/// (which copies and re-folds the layer) stays well under the one-second budget of an import.
const RECENT_FLOOR: usize = 50_000;

/// ... or past this fraction of the base: a recent layer a tenth of the base's size adds about a
/// tenth to the cost of screening (both layers are screened for every query), and much more
/// than that would make the second lookup the slow one.
const RECENT_SHARE_OF_BASE: usize = 10;

/// An immutable view: a large base index shared by `Arc`, plus a small index of the records
/// added or changed since the base was built, plus the base slots hidden because their records
/// were changed or removed.
#[derive(Debug, Clone)]
pub struct LiveIndex {
    base: Arc<Index>,
    recent: Arc<Index>,
    /// Slots of `base` whose records were replaced (the new version is in `recent`) or removed.
    /// Slots rather than ids: the screening filter is then an integer lookup per candidate.
    hidden: Arc<FxHashSet<u32>>,
    data_version: u64,
}

impl LiveIndex {
    /// A view of `base` with nothing changed yet, at the base's data version.
    pub fn new(base: Index) -> LiveIndex {
        let mut recent = IndexBuilder::new(base.data_version()).finish();
        // The recent layer cuts its candidates as the base does.
        recent.set_settings(base.settings());
        LiveIndex {
            data_version: base.data_version(),
            base: Arc::new(base),
            recent: Arc::new(recent),
            hidden: Arc::default(),
        }
    }

    pub fn data_version(&self) -> u64 {
        self.data_version
    }

    /// Live records: the base's not hidden, and the recent layer's.
    pub fn len(&self) -> usize {
        self.base.len() - self.hidden.len() + self.recent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Live records in the recent layer.
    pub fn recent_len(&self) -> usize {
        self.recent.len()
    }

    /// Same contract as [`Index::screen`]: up to `k` registry and up to `k` context matches in
    /// one list, each source ranked best first. Base records that were changed or removed never
    /// appear (they are dropped before the base cuts its candidates); the recent layer's matches
    /// are merged in by the ranking `Index::screen` orders by, and the margin behind the leader
    /// is taken over both layers.
    pub fn screen(&self, query: &Query, k: usize) -> Vec<Match> {
        let hidden = (!self.hidden.is_empty()).then_some(&*self.hidden);
        // Ids are unique across the layers (a base record with an id of the recent layer is
        // hidden), so the merge is the order one index holding both would give.
        screen_layers(&[(&self.base, hidden), (&self.recent, None)], query, k)
            .into_iter()
            .map(|r| r.found)
            .collect()
    }

    /// Screens many queries on all cores, each exactly as [`LiveIndex::screen`]; results in
    /// query order.
    pub fn screen_batch(&self, queries: &[Query], k: usize) -> Vec<Vec<Match>> {
        queries.par_iter().map(|q| self.screen(q, k)).collect()
    }

    /// The live record stored under an id: the recent layer's, else the base's unless hidden.
    pub fn get(&self, id: &str) -> Option<IndexRecord> {
        if let Some(record) = self.recent.get(id) {
            return Some(record);
        }
        self.base
            .slot_of(id)
            .filter(|slot| !self.hidden.contains(slot))
            .map(|slot| self.base.record(slot))
    }

    /// A new view with `upserts` inserted or replacing the records with their ids, then the
    /// `removed` ids removed (an id in both ends up removed), at `data_version`. Costs the size
    /// of the recent layer plus the changes: the base is shared, never copied. `self` is left
    /// as it was, so readers holding it keep a consistent view.
    pub fn with_changes(
        &self,
        upserts: &[IndexRecord],
        removed: &[String],
        data_version: u64,
    ) -> LiveIndex {
        let mut recent = (*self.recent).clone();
        let mut hidden = (*self.hidden).clone();
        recent.insert_all(upserts);
        for record in upserts {
            // The base never changes, so a base slot found here may already be hidden (a record
            // changed twice): inserting it again is harmless.
            if let Some(slot) = self.base.slot_of(&record.id) {
                hidden.insert(slot);
            }
        }
        for id in removed {
            recent.remove(id);
            if let Some(slot) = self.base.slot_of(id) {
                hidden.insert(slot);
            }
        }
        // Fold the inserts into the layer's posting table: linear in the (small) layer, and it
        // keeps the layer's lookups binary searches rather than a growing hash map to copy.
        recent.compact();
        recent.set_data_version(data_version);
        LiveIndex {
            base: Arc::clone(&self.base),
            recent: Arc::new(recent),
            hidden: Arc::new(hidden),
            data_version,
        }
    }

    /// True when the layers have grown enough that screening slows or `with_changes` gets
    /// expensive: more than `max(50_000, base / 10)` slots in the recent layer (replaced
    /// versions included: they stay as tombstones until compaction and still cost each copy)
    /// plus hidden base records (their postings are still read, then dropped).
    pub fn needs_compaction(&self) -> bool {
        let grown = self.recent.slots() + self.hidden.len();
        grown > RECENT_FLOOR.max(self.base.len() / RECENT_SHARE_OF_BASE)
    }

    /// One plain `Index` holding exactly the live records, at this view's data version: to save
    /// as the snapshot and to serve as the next base. Copies the base, tombstones the hidden
    /// records, inserts the recent layer's (analysing them again) and folds them into the
    /// posting table: seconds at ten million records, so it belongs off the request path.
    pub fn compacted(&self) -> Index {
        let mut index = (*self.base).clone();
        for &slot in self.hidden.iter() {
            index.set_removed(slot);
        }
        let recent: Vec<IndexRecord> = (0..self.recent.slots() as u32)
            .filter(|&slot| !self.recent.is_removed(slot))
            .map(|slot| self.recent.record(slot))
            .collect();
        index.insert_all(&recent);
        index.compact();
        index.set_data_version(self.data_version);
        index
    }
}
