//! The index itself: records in flat arenas, posting lists in one compressed-sparse-row table,
//! a small delta for records added after the build, and a tombstone bitset.
//!
//! Memory layout (no per-record heap objects, nothing analysed kept): ids and names are bytes in
//! two arenas with offset arrays; birth dates are packed into a `u32`, nationalities into `u16`s,
//! gender and source into a byte each. Posting lists are `u32` record slots sorted ascending,
//! grouped by key in one array (`keys` sorted, `key_offsets` into `postings`). Candidates are
//! re-analysed from the name arena at query time, which costs a few microseconds each and saves
//! gigabytes at ten million records.
//!
//! Updates (`insert`, `remove`) do not touch the table: new records get new slots and their keys
//! go to a delta map; removed and replaced records are tombstoned. `compact` folds the delta into
//! the table (linear in the postings, no re-analysis); `save` writes the folded form. A full
//! rebuild is only needed when the key schema or the name engine changes.

use haven_names::Matcher;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::keys;
use crate::record::{BirthDate, Gender, IndexRecord, Source, pack_country, unpack_country};

/// Tunable limits of candidate generation (see `screen`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Posting lists up to this length are read in full; longer ones are only checked against
    /// the candidates the short ones produced.
    pub scan_limit: usize,
    /// At most this many postings are read in full per query.
    pub scan_budget: usize,
    /// When no list is short, at most this many entries of the shortest list become candidates.
    pub enumerate_cap: usize,
    /// Candidates (best by the short lists) checked against the long lists.
    pub verify: usize,
    /// Candidates rescored with the full name comparison.
    pub rescore: usize,
    /// Candidates whose ranking score is this far below the leader's are not rescored.
    pub rescore_margin: f32,
    /// Matches whose best name score is below this are not reported.
    pub min_name_score: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            scan_limit: 6_000,
            scan_budget: 12_000,
            enumerate_cap: 12_000,
            verify: 400,
            rescore: 24,
            rescore_margin: 0.35,
            min_name_score: 0.5,
        }
    }
}

/// A candidate index over person records.
#[derive(Debug, Default, Clone)]
pub struct Index {
    pub(crate) data_version: u64,
    pub(crate) settings: Settings,
    // Records, by slot.
    pub(crate) id_offsets: Vec<u64>,
    /// All ids, end to end (text, validated once: slicing a `str` costs no UTF-8 check).
    pub(crate) id_bytes: String,
    pub(crate) name_offsets: Vec<u64>,
    pub(crate) name_bytes: String,
    /// Slot → range of names (`record_names[slot]..record_names[slot + 1]`).
    pub(crate) record_names: Vec<u32>,
    pub(crate) births: Vec<u32>,
    pub(crate) nat_offsets: Vec<u32>,
    pub(crate) nats: Vec<u16>,
    pub(crate) genders: Vec<u8>,
    /// Per slot, bit i set if one of the record's names has i keyed parts (i < 8): lets the
    /// ranking prefer "Elena Castro" to "Elena Maria Castro" for the query "Castro Elena"
    /// without analysing either.
    pub(crate) shapes: Vec<u8>,
    pub(crate) sources: Vec<u8>,
    /// Some slot (live or not) is a context record: screening then ranks the two sources
    /// apart. Derived (at build, insert and load), not stored in the snapshot.
    pub(crate) has_context: bool,
    /// One bit per slot: removed or replaced.
    pub(crate) removed: Vec<u64>,
    pub(crate) live: u64,
    /// Slots of the table part, sorted by id: id → slot by binary search.
    pub(crate) id_order: Vec<u32>,
    /// Slots added since the table was built: id → slot.
    pub(crate) delta_ids: FxHashMap<String, u32>,
    // Posting table.
    pub(crate) keys: Vec<u64>,
    /// Directory over `keys` by their top bits (keys are uniform hashes): a lookup reads one
    /// directory entry and binary-searches a handful of keys instead of 24 cache lines.
    /// Derived, not stored in the snapshot.
    pub(crate) key_dir: Vec<u32>,
    pub(crate) key_shift: u32,
    pub(crate) key_offsets: Vec<u64>,
    pub(crate) postings: Vec<u32>,
    /// Slots below this are in the table; the rest in the delta.
    pub(crate) table_slots: u32,
    pub(crate) delta: FxHashMap<u64, Vec<u32>>,
}

/// Collects records into the arenas; `finish` files them in parallel.
#[derive(Debug, Default)]
pub struct IndexBuilder {
    index: Index,
}

impl IndexBuilder {
    pub fn new(data_version: u64) -> Self {
        let mut index = Index {
            data_version,
            ..Index::default()
        };
        index.id_offsets.push(0);
        index.name_offsets.push(0);
        index.record_names.push(0);
        index.nat_offsets.push(0);
        IndexBuilder { index }
    }

    pub fn push(&mut self, record: &IndexRecord) {
        self.index.push_record(record);
    }

    pub fn len(&self) -> usize {
        self.index.slots()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Analyses every name once (in parallel on all cores) and builds the posting table.
    pub fn finish(self) -> Index {
        let mut index = self.index;
        index.live = index.slots() as u64;
        index.removed = vec![0; index.slots().div_ceil(64)];
        index.build_table();
        index.build_id_order();
        index.has_context = index.sources.contains(&Source::Context.to_byte());
        index
    }
}

/// Records per parallel work item during the build.
const CHUNK: usize = 8192;

impl Index {
    /// Builds an index from records. `data_version` is the caller's version of the data (the
    /// store's import counter, say), stored in the snapshot so that staleness can be detected.
    /// Records with the same id: the last one wins.
    pub fn build(records: impl IntoIterator<Item = IndexRecord>, data_version: u64) -> Index {
        let mut builder = IndexBuilder::new(data_version);
        for record in records {
            builder.push(&record);
        }
        builder.finish()
    }

    pub fn data_version(&self) -> u64 {
        self.data_version
    }

    /// Sets the data version, e.g. after applying an import's changes with `insert`/`remove`.
    pub fn set_data_version(&mut self, version: u64) {
        self.data_version = version;
    }

    pub fn settings(&self) -> Settings {
        self.settings
    }

    pub fn set_settings(&mut self, settings: Settings) {
        self.settings = settings;
    }

    /// Live records.
    pub fn len(&self) -> usize {
        self.live as usize
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Number of distinct keys and postings in the table (for benchmarks).
    pub fn table_size(&self) -> (usize, usize) {
        (self.keys.len(), self.postings.len())
    }

    /// Bytes held by the index's arrays (not counting allocator overhead).
    pub fn heap_bytes(&self) -> usize {
        self.id_offsets.len() * 8
            + self.id_bytes.len()
            + self.name_offsets.len() * 8
            + self.name_bytes.len()
            + self.record_names.len() * 4
            + self.births.len() * 4
            + self.nat_offsets.len() * 4
            + self.nats.len() * 2
            + self.genders.len()
            + self.shapes.len()
            + self.sources.len()
            + self.removed.len() * 8
            + self.id_order.len() * 4
            + self.keys.len() * 8
            + self.key_offsets.len() * 8
            + self.postings.len() * 4
    }

    pub(crate) fn slots(&self) -> usize {
        self.id_offsets.len().saturating_sub(1)
    }

    pub(crate) fn id(&self, slot: u32) -> &str {
        let s = slot as usize;
        self.id_bytes
            .get(self.id_offsets[s] as usize..self.id_offsets[s + 1] as usize)
            .unwrap_or("")
    }

    pub(crate) fn names(&self, slot: u32) -> impl Iterator<Item = &str> {
        let s = slot as usize;
        (self.record_names[s]..self.record_names[s + 1]).map(move |n| {
            let n = n as usize;
            self.name_bytes
                .get(self.name_offsets[n] as usize..self.name_offsets[n + 1] as usize)
                .unwrap_or("")
        })
    }

    pub(crate) fn birth(&self, slot: u32) -> Option<BirthDate> {
        BirthDate::unpack(self.births[slot as usize])
    }

    pub(crate) fn nationality_codes(&self, slot: u32) -> &[u16] {
        let s = slot as usize;
        &self.nats[self.nat_offsets[s] as usize..self.nat_offsets[s + 1] as usize]
    }

    pub(crate) fn nationalities(&self, slot: u32) -> Vec<String> {
        self.nationality_codes(slot)
            .iter()
            .map(|&c| unpack_country(c))
            .collect()
    }

    pub(crate) fn gender(&self, slot: u32) -> Option<Gender> {
        Gender::from_byte(self.genders[slot as usize])
    }

    pub(crate) fn shape(&self, slot: u32) -> u8 {
        self.shapes[slot as usize]
    }

    pub(crate) fn source(&self, slot: u32) -> Source {
        Source::from_byte(self.sources[slot as usize])
    }

    pub(crate) fn is_removed(&self, slot: u32) -> bool {
        self.removed
            .get(slot as usize / 64)
            .is_some_and(|w| w >> (slot % 64) & 1 == 1)
    }

    pub(crate) fn set_removed(&mut self, slot: u32) {
        let word = slot as usize / 64;
        if self.removed.len() <= word {
            self.removed.resize(word + 1, 0);
        }
        if self.removed[word] >> (slot % 64) & 1 == 0 {
            self.removed[word] |= 1 << (slot % 64);
            self.live -= 1;
        }
    }

    /// The record stored under an id, if live.
    pub fn get(&self, id: &str) -> Option<IndexRecord> {
        self.slot_of(id).map(|slot| self.record(slot))
    }

    pub(crate) fn record(&self, slot: u32) -> IndexRecord {
        IndexRecord {
            id: self.id(slot).to_owned(),
            source: self.source(slot),
            names: self.names(slot).map(str::to_owned).collect(),
            birth_date: self.birth(slot),
            nationalities: self.nationalities(slot),
            gender: self.gender(slot),
        }
    }

    pub(crate) fn slot_of(&self, id: &str) -> Option<u32> {
        if let Some(&slot) = self.delta_ids.get(id) {
            return (!self.is_removed(slot)).then_some(slot);
        }
        let found = self.id_order.partition_point(|&s| self.id(s) < id);
        // Replaced records keep their slot in `id_order`, tombstoned, next to the live one.
        self.id_order[found..]
            .iter()
            .take_while(|&&s| self.id(s) == id)
            .copied()
            .find(|&s| !self.is_removed(s))
    }

    /// Appends a record to the arenas; returns its slot.
    fn push_record(&mut self, record: &IndexRecord) -> u32 {
        let slot = self.slots() as u32;
        self.id_bytes.push_str(&record.id);
        self.id_offsets.push(self.id_bytes.len() as u64);
        for name in &record.names {
            self.name_bytes.push_str(name);
            self.name_offsets.push(self.name_bytes.len() as u64);
        }
        self.record_names.push((self.name_offsets.len() - 1) as u32);
        self.births.push(BirthDate::pack(record.birth_date));
        let mut codes: Vec<u16> = record
            .nationalities
            .iter()
            .filter_map(|n| pack_country(n))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        self.nats.extend_from_slice(&codes);
        self.nat_offsets.push(self.nats.len() as u32);
        self.genders.push(Gender::to_byte(record.gender));
        self.shapes.push(0);
        self.sources.push(record.source.to_byte());
        slot
    }

    /// The deduplicated keys of one slot, and its shape.
    fn slot_keys(&self, matcher: &Matcher<'_>, slot: u32, out: &mut Vec<u64>) -> u8 {
        let start = out.len();
        let birth = self.birth(slot);
        let mut shape = 0u8;
        for name in self.names(slot) {
            let analysed = matcher.analyse(name);
            shape |= keys::shape_bit(&analysed);
            keys::record_keys(&analysed, birth, out);
        }
        out[start..].sort_unstable();
        let mut unique = start;
        for i in start..out.len() {
            if i == start || out[i] != out[unique - 1] {
                out[unique] = out[i];
                unique += 1;
            }
        }
        out.truncate(unique);
        shape
    }

    /// Builds the posting table over all slots: keys per chunk in parallel, then a dense key
    /// numbering, a count, and one sequential fill (which leaves every list sorted by slot).
    fn build_table(&mut self) {
        let matcher = Matcher::bundled();
        let slots = self.slots();
        let this = &*self;
        // 1. Keys of every slot, chunk by chunk: (flat keys, key count per slot).
        let chunks: Vec<(Vec<u64>, Vec<u32>, Vec<u8>)> = (0..slots.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut flat = Vec::with_capacity(CHUNK * 24);
                let mut counts = Vec::with_capacity(CHUNK);
                let mut shapes = Vec::with_capacity(CHUNK);
                for slot in c * CHUNK..((c + 1) * CHUNK).min(slots) {
                    let before = flat.len();
                    shapes.push(this.slot_keys(&matcher, slot as u32, &mut flat));
                    counts.push((flat.len() - before) as u32);
                }
                flat.shrink_to_fit();
                (flat, counts, shapes)
            })
            .collect();
        let shapes: Vec<u8> = chunks.iter().flat_map(|c| c.2.iter().copied()).collect();
        let chunks: Vec<(Vec<u64>, Vec<u32>)> =
            chunks.into_iter().map(|(f, c, _)| (f, c)).collect();
        // 2. Distinct keys, sorted: a key's number is its rank.
        let mut distinct: Vec<u64> = chunks
            .par_iter()
            .flat_map_iter(|(flat, _)| {
                let mut keys = flat.clone();
                keys.sort_unstable();
                keys.dedup();
                keys
            })
            .collect();
        distinct.par_sort_unstable();
        distinct.dedup();
        distinct.shrink_to_fit();
        let rank: FxHashMap<u64, u32> = distinct
            .iter()
            .enumerate()
            .map(|(i, &k)| (k, i as u32))
            .collect();
        // 3. Keys → numbers, in parallel, dropping the 64-bit keys as we go.
        let numbered: Vec<(Vec<u32>, Vec<u32>)> = chunks
            .into_par_iter()
            .map(|(flat, counts)| (flat.iter().map(|k| rank[k]).collect(), counts))
            .collect();
        drop(rank);
        // 4. Count, offsets, fill.
        let mut offsets = vec![0u64; distinct.len() + 1];
        for (ids, _) in &numbered {
            for &id in ids {
                offsets[id as usize + 1] += 1;
            }
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut cursor: Vec<u64> = offsets[..distinct.len()].to_vec();
        let mut postings = vec![0u32; offsets[distinct.len()] as usize];
        let mut slot = 0u32;
        for (ids, counts) in &numbered {
            let mut at = 0;
            for &count in counts {
                for &id in &ids[at..at + count as usize] {
                    let c = &mut cursor[id as usize];
                    postings[*c as usize] = slot;
                    *c += 1;
                }
                at += count as usize;
                slot += 1;
            }
        }
        self.shapes = shapes;
        self.keys = distinct;
        self.build_key_dir();
        self.key_offsets = offsets;
        self.postings = postings;
        self.table_slots = slots as u32;
        self.delta.clear();
        self.delta_ids.clear();
    }

    /// Sorts the table's slots by id; of several records with one id, all but the last are
    /// tombstoned.
    fn build_id_order(&mut self) {
        let mut order: Vec<u32> = (0..self.table_slots).collect();
        order.par_sort_by(|&a, &b| self.id(a).cmp(self.id(b)).then(a.cmp(&b)));
        let duplicates: Vec<u32> = order
            .windows(2)
            .filter(|w| self.id(w[0]) == self.id(w[1]))
            .map(|w| w[0])
            .collect();
        for slot in duplicates {
            self.set_removed(slot);
        }
        self.id_order = order;
    }

    /// The posting list of a key: the table's part and the delta's part (slots above the
    /// table's), both sorted.
    pub(crate) fn postings_of(&self, key: u64) -> (&[u32], &[u32]) {
        let (lo, hi) = if self.key_dir.len() >= 2 {
            let bucket = (key >> self.key_shift) as usize;
            (
                self.key_dir[bucket] as usize,
                self.key_dir[bucket + 1] as usize,
            )
        } else {
            (0, self.keys.len())
        };
        let table = match self.keys[lo..hi].binary_search(&key) {
            Ok(i) => {
                let i = lo + i;
                &self.postings[self.key_offsets[i] as usize..self.key_offsets[i + 1] as usize]
            }
            Err(_) => &[][..],
        };
        let delta = self.delta.get(&key).map_or(&[][..], Vec::as_slice);
        (table, delta)
    }

    /// Builds `key_dir`: about eight keys per bucket.
    pub(crate) fn build_key_dir(&mut self) {
        let bits = (usize::BITS - (self.keys.len() / 8).max(1).leading_zeros()).clamp(1, 32);
        self.key_shift = 64 - bits;
        let buckets = 1usize << bits;
        let mut dir = Vec::with_capacity(buckets + 1);
        let mut at = 0usize;
        for bucket in 0..buckets as u64 {
            while at < self.keys.len() && (self.keys[at] >> self.key_shift) < bucket {
                at += 1;
            }
            dir.push(at as u32);
        }
        dir.push(self.keys.len() as u32);
        self.key_dir = dir;
    }

    /// Adds a record, or replaces the live record with the same id. Returns true if it
    /// replaced one.
    pub fn insert(&mut self, record: &IndexRecord) -> bool {
        let replaced = self.remove(&record.id);
        let slot = self.append_live(record);
        let mut keys = Vec::new();
        let shape = self.slot_keys(&Matcher::bundled(), slot, &mut keys);
        self.file_keys(slot, shape, keys);
        replaced
    }

    /// `insert` for many records (of several with one id, the last wins), analysing them on all
    /// cores: the analysis is nearly all of an insert's cost.
    pub fn insert_all(&mut self, records: &[IndexRecord]) {
        let first = self.slots() as u32;
        for record in records {
            self.remove(&record.id);
            self.append_live(record);
        }
        let matcher = Matcher::bundled();
        let this = &*self;
        let keyed: Vec<(u8, Vec<u64>)> = (first..this.slots() as u32)
            .into_par_iter()
            .map(|slot| {
                let mut keys = Vec::new();
                let shape = this.slot_keys(&matcher, slot, &mut keys);
                (shape, keys)
            })
            .collect();
        // In slot order, so that every delta list stays sorted.
        for (slot, (shape, keys)) in (first..).zip(keyed) {
            self.file_keys(slot, shape, keys);
        }
    }

    /// Appends a live record to the arenas and the delta's ids, not yet filed under its keys.
    fn append_live(&mut self, record: &IndexRecord) -> u32 {
        let slot = self.push_record(record);
        self.live += 1;
        self.has_context |= record.source == Source::Context;
        let word = slot as usize / 64;
        if self.removed.len() <= word {
            self.removed.resize(word + 1, 0);
        }
        self.delta_ids.insert(record.id.clone(), slot);
        slot
    }

    /// Files a slot appended by `append_live` under its keys, in the delta.
    fn file_keys(&mut self, slot: u32, shape: u8, keys: Vec<u64>) {
        self.shapes[slot as usize] = shape;
        for key in keys {
            self.delta.entry(key).or_default().push(slot);
        }
    }

    /// Same as `insert`: an update is a replacement.
    pub fn update(&mut self, record: &IndexRecord) -> bool {
        self.insert(record)
    }

    /// Removes the live record with this id. Returns false if there was none.
    pub fn remove(&mut self, id: &str) -> bool {
        match self.slot_of(id) {
            Some(slot) => {
                self.set_removed(slot);
                true
            }
            None => false,
        }
    }

    /// Records added since the last build or compaction.
    pub fn delta_len(&self) -> usize {
        self.delta_ids.len()
    }

    /// Folds the delta into the table. Linear in the number of postings; nothing is analysed
    /// again. Tombstoned slots stay (their postings are skipped at query time) until a rebuild.
    pub fn compact(&mut self) {
        if self.delta.is_empty() && self.delta_ids.is_empty() {
            return;
        }
        let (keys, offsets, postings) = self.merged_table();
        self.keys = keys;
        self.build_key_dir();
        self.key_offsets = offsets;
        self.postings = postings;
        self.delta.clear();
        self.delta_ids.clear();
        self.table_slots = self.slots() as u32;
        let mut order: Vec<u32> = (0..self.table_slots).collect();
        order.par_sort_by(|&a, &b| self.id(a).cmp(self.id(b)).then(a.cmp(&b)));
        self.id_order = order;
    }

    /// The table with the delta folded in, as new arrays.
    pub(crate) fn merged_table(&self) -> (Vec<u64>, Vec<u64>, Vec<u32>) {
        let mut delta_keys: Vec<u64> = self.delta.keys().copied().collect();
        delta_keys.sort_unstable();
        let mut keys = Vec::with_capacity(self.keys.len() + delta_keys.len());
        let mut offsets = Vec::with_capacity(keys.capacity() + 1);
        let extra: usize = self.delta.values().map(Vec::len).sum();
        let mut postings = Vec::with_capacity(self.postings.len() + extra);
        offsets.push(0u64);
        let (mut i, mut j) = (0, 0);
        while i < self.keys.len() || j < delta_keys.len() {
            let take_table =
                j >= delta_keys.len() || (i < self.keys.len() && self.keys[i] <= delta_keys[j]);
            let take_delta =
                i >= self.keys.len() || (j < delta_keys.len() && delta_keys[j] <= self.keys[i]);
            let key = if take_table {
                self.keys[i]
            } else {
                delta_keys[j]
            };
            if take_table {
                postings.extend_from_slice(
                    &self.postings[self.key_offsets[i] as usize..self.key_offsets[i + 1] as usize],
                );
                i += 1;
            }
            if take_delta {
                postings.extend_from_slice(&self.delta[&delta_keys[j]]);
                j += 1;
            }
            keys.push(key);
            offsets.push(postings.len() as u64);
        }
        (keys, offsets, postings)
    }
}
