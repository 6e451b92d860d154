//! Haven's candidate index: which of ten million protected persons could the person named in a
//! request be, in about a millisecond?
//!
//! Records are analysed once by the name engine (`haven-names`) at build time and filed under
//! blocking keys (`keys`): phonetic skeletons in every romanisation, gender stems, consonant
//! frames, lexicon groups, and skeletons combined with the birth year. A query looks its own
//! keys up, reads the short posting lists and checks the long ones only against the candidates
//! found (`screen`), keeps the few best candidates, and rescores them with the full name
//! comparison plus birth date, nationality and gender (`evidence`).
//!
//! A server keeps one [`LiveIndex`] for its lifetime: the built index as a shared base, the
//! records changed since in a small recent layer, both screened as one (`live`).
//!
//! **Architecture Invariant:** pure. The index is built from [`IndexRecord`] values and never
//! reads a database; the only I/O is its own snapshot, through a path the caller gives
//! (`snapshot`). It knows nothing of the domain types or the store: the CLI maps them onto
//! [`IndexRecord`] and [`Query`].
//!
//! ```
//! use haven_index::{BirthDate, Index, IndexRecord, Query, Source};
//!
//! let records = vec![IndexRecord {
//!     id: "R-1001".into(),
//!     source: Source::Registry,
//!     names: vec!["Aigerim Bekova".into()],
//!     birth_date: BirthDate::parse("1971-03-02"),
//!     nationalities: vec!["kz".into()],
//!     gender: None,
//! }];
//! let index = Index::build(records, 1);
//! let query = Query {
//!     names: vec!["Бекова Айгерим".into()],
//!     birth_date: BirthDate::parse("1971"),
//!     ..Query::default()
//! };
//! let matches = index.screen(&query, 10);
//! assert_eq!(matches[0].id, "R-1001");
//! assert!(matches[0].explanation.contains("birth date 1971 agrees with 1971-03-02"));
//! ```

#[cfg(target_endian = "big")]
compile_error!("snapshots are written in the machine's byte order, which must be little-endian");

pub mod evidence;
mod index;
mod keys;
mod live;
mod record;
mod screen;
mod snapshot;

pub use index::{Index, IndexBuilder, Settings};
pub use keys::KEY_SCHEMA;
pub use live::LiveIndex;
pub use record::{BirthDate, Gender, IndexRecord, Match, Query, Source};
pub use snapshot::{FORMAT_VERSION, SnapshotHeader};

/// What can go wrong with a snapshot. Building and screening cannot fail.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    #[error("snapshot I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a Haven index snapshot (bad magic bytes)")]
    NotASnapshot,
    #[error("snapshot format {found} is not supported (this build reads format {expected})")]
    UnsupportedFormat { found: u32, expected: u32 },
    #[error("snapshot keys use schema {found}, this build uses {expected}: rebuild the index")]
    KeySchema { found: u32, expected: u32 },
    #[error("snapshot is stale: built from data version {found}, the data is at {expected}")]
    Stale { found: u64, expected: u64 },
    #[error("snapshot is corrupt: {0}")]
    Corrupt(String),
}
