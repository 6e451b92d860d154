//! The snapshot: the whole index in one file, so a fresh process screens in seconds instead of
//! rebuilding for minutes.
//!
//! Layout (little-endian):
//!
//! ```text
//! offset  size  field
//! 0       8     magic "HAVENIDX"
//! 8       4     format version (FORMAT_VERSION)
//! 12      4     key schema (keys::KEY_SCHEMA): keys derived differently need a rebuild
//! 16      8     data version, supplied by the caller at build time
//! 24      8     slots (records, including tombstoned ones)
//! 32      8     live records
//! 40      4     section count (16)
//! 44      4     reserved (0)
//! 48      …     sections, each: u64 byte length, the bytes, zero padding to a multiple of 8
//! ```
//!
//! Sections, in order: id offsets (u64), id bytes, name offsets (u64), name bytes, record →
//! names (u32), birth dates (u32 packed), nationality offsets (u32), nationalities (u16 packed
//! alpha-2), genders (u8), sources (u8), name shapes (u8: bit i = a name of i keyed parts), tombstones (u64 bitset), id order (u32 slots sorted by
//! id), keys (u64 sorted), key offsets (u64), postings (u32). That is 16; the count field says
//! so. Each section is read straight into its typed vector (`bytemuck`: no parsing, no unsafe
//! code), so loading runs at the speed of the disk or page cache. A memory map would start
//! faster still, but it needs `unsafe`, which the workspace forbids.
//!
//! The file is written to `PATH.tmp` and renamed, so a crash never leaves half a snapshot under
//! the real name.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use bytemuck::Pod;

use crate::IndexError;
use crate::index::Index;
use crate::keys::KEY_SCHEMA;
use crate::record::Source;

const MAGIC: &[u8; 8] = b"HAVENIDX";
pub const FORMAT_VERSION: u32 = 2;
const SECTIONS: u32 = 16;

/// What a snapshot's header says, read without loading the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotHeader {
    pub format_version: u32,
    pub key_schema: u32,
    pub data_version: u64,
    pub slots: u64,
    pub live: u64,
}

impl Index {
    /// Writes the index to `path` (atomically: a temporary file, then a rename). Records added
    /// since the build are folded in; `compact` first avoids the temporary copy that needs.
    pub fn save(&self, path: &Path) -> Result<(), IndexError> {
        let tmp = path.with_extension("tmp");
        {
            let mut out = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
            out.write_all(MAGIC)?;
            out.write_all(&FORMAT_VERSION.to_le_bytes())?;
            out.write_all(&KEY_SCHEMA.to_le_bytes())?;
            out.write_all(&self.data_version.to_le_bytes())?;
            out.write_all(&(self.slots() as u64).to_le_bytes())?;
            out.write_all(&self.live.to_le_bytes())?;
            out.write_all(&SECTIONS.to_le_bytes())?;
            out.write_all(&0u32.to_le_bytes())?;
            write_section(&mut out, &self.id_offsets)?;
            write_section(&mut out, self.id_bytes.as_bytes())?;
            write_section(&mut out, &self.name_offsets)?;
            write_section(&mut out, self.name_bytes.as_bytes())?;
            write_section(&mut out, &self.record_names)?;
            write_section(&mut out, &self.births)?;
            write_section(&mut out, &self.nat_offsets)?;
            write_section(&mut out, &self.nats)?;
            write_section(&mut out, &self.genders)?;
            write_section(&mut out, &self.sources)?;
            write_section(&mut out, &self.shapes)?;
            let mut removed = self.removed.clone();
            removed.resize(self.slots().div_ceil(64), 0);
            write_section(&mut out, &removed)?;
            if self.delta.is_empty() && self.delta_ids.is_empty() {
                write_section(&mut out, &self.id_order)?;
                write_section(&mut out, &self.keys)?;
                write_section(&mut out, &self.key_offsets)?;
                write_section(&mut out, &self.postings)?;
            } else {
                let mut order: Vec<u32> = (0..self.slots() as u32).collect();
                order.sort_by(|&a, &b| self.id(a).cmp(self.id(b)).then(a.cmp(&b)));
                let (keys, offsets, postings) = self.merged_table();
                write_section(&mut out, &order)?;
                write_section(&mut out, &keys)?;
                write_section(&mut out, &offsets)?;
                write_section(&mut out, &postings)?;
            }
            out.flush()?;
            out.into_inner()
                .map_err(std::io::IntoInnerError::into_error)?
                .sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// Reads only the header: is the snapshot current?
    pub fn read_header(path: &Path) -> Result<SnapshotHeader, IndexError> {
        read_header(&mut File::open(path)?)
    }

    /// Loads a snapshot, whatever its data version.
    pub fn load(path: &Path) -> Result<Index, IndexError> {
        let mut file = File::open(path)?;
        let header = read_header(&mut file)?;
        let mut index = Index {
            data_version: header.data_version,
            live: header.live,
            ..Index::default()
        };
        index.id_offsets = read_section(&mut file)?;
        index.id_bytes = read_text(&mut file, "ids")?;
        index.name_offsets = read_section(&mut file)?;
        index.name_bytes = read_text(&mut file, "names")?;
        index.record_names = read_section(&mut file)?;
        index.births = read_section(&mut file)?;
        index.nat_offsets = read_section(&mut file)?;
        index.nats = read_section(&mut file)?;
        index.genders = read_section(&mut file)?;
        index.sources = read_section(&mut file)?;
        index.has_context = index.sources.contains(&Source::Context.to_byte());
        index.shapes = read_section(&mut file)?;
        index.removed = read_section(&mut file)?;
        index.id_order = read_section(&mut file)?;
        index.keys = read_section(&mut file)?;
        index.key_offsets = read_section(&mut file)?;
        index.postings = read_section(&mut file)?;
        index.table_slots = index.slots() as u32;
        check(&index, &header)?;
        index.build_key_dir();
        Ok(index)
    }

    /// Loads a snapshot if it was built from `data_version`; `IndexError::Stale` otherwise, in
    /// which case the caller rebuilds (`Index::build`, parallel) and saves.
    pub fn load_current(path: &Path, data_version: u64) -> Result<Index, IndexError> {
        let header = Index::read_header(path)?;
        if header.data_version != data_version {
            return Err(IndexError::Stale {
                found: header.data_version,
                expected: data_version,
            });
        }
        Index::load(path)
    }
}

fn read_header(file: &mut File) -> Result<SnapshotHeader, IndexError> {
    let mut header = [0u8; 48];
    file.read_exact(&mut header).map_err(|e| {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            IndexError::NotASnapshot
        } else {
            IndexError::Io(e)
        }
    })?;
    if &header[..8] != MAGIC {
        return Err(IndexError::NotASnapshot);
    }
    let u32_at =
        |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
    let u64_at = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&header[i..i + 8]);
        u64::from_le_bytes(b)
    };
    let format_version = u32_at(8);
    if format_version != FORMAT_VERSION {
        return Err(IndexError::UnsupportedFormat {
            found: format_version,
            expected: FORMAT_VERSION,
        });
    }
    let key_schema = u32_at(12);
    if key_schema != KEY_SCHEMA {
        return Err(IndexError::KeySchema {
            found: key_schema,
            expected: KEY_SCHEMA,
        });
    }
    if u32_at(40) != SECTIONS {
        return Err(IndexError::Corrupt(format!(
            "{} sections, expected {SECTIONS}",
            u32_at(40)
        )));
    }
    Ok(SnapshotHeader {
        format_version,
        key_schema,
        data_version: u64_at(16),
        slots: u64_at(24),
        live: u64_at(32),
    })
}

fn write_section<T: Pod>(out: &mut impl Write, data: &[T]) -> std::io::Result<()> {
    let bytes: &[u8] = bytemuck::cast_slice(data);
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(bytes)?;
    let pad = bytes.len().next_multiple_of(8) - bytes.len();
    out.write_all(&[0u8; 8][..pad])
}

/// A text arena: bytes validated as UTF-8 once, here.
fn read_text(file: &mut File, what: &str) -> Result<String, IndexError> {
    String::from_utf8(read_section(file)?)
        .map_err(|_| IndexError::Corrupt(format!("the {what} are not UTF-8")))
}

fn read_section<T: Pod>(file: &mut File) -> Result<Vec<T>, IndexError> {
    let mut len = [0u8; 8];
    file.read_exact(&mut len)?;
    let len = u64::from_le_bytes(len) as usize;
    let size = size_of::<T>();
    if !len.is_multiple_of(size) {
        return Err(IndexError::Corrupt(format!(
            "section of {len} bytes is not a whole number of {size}-byte values"
        )));
    }
    let mut data: Vec<T> = vec![T::zeroed(); len / size];
    file.read_exact(bytemuck::cast_slice_mut(&mut data))?;
    let pad = len.next_multiple_of(8) - len;
    let mut skip = [0u8; 8];
    file.read_exact(&mut skip[..pad])?;
    Ok(data)
}

/// The arrays must agree with each other and the header, or queries would index out of bounds.
fn check(index: &Index, header: &SnapshotHeader) -> Result<(), IndexError> {
    let slots = header.slots as usize;
    let corrupt = |what: &str| Err(IndexError::Corrupt(what.to_owned()));
    if index.id_offsets.len() != slots + 1
        || index.record_names.len() != slots + 1
        || index.nat_offsets.len() != slots + 1
        || index.births.len() != slots
        || index.genders.len() != slots
        || index.sources.len() != slots
        || index.shapes.len() != slots
        || index.removed.len() != slots.div_ceil(64)
        || index.id_order.len() != slots
    {
        return corrupt("record arrays disagree with the record count");
    }
    if index.id_offsets.last().copied() != Some(index.id_bytes.len() as u64)
        || index.name_offsets.last().copied() != Some(index.name_bytes.len() as u64)
        || index.record_names.last().map(|&n| n as usize + 1) != Some(index.name_offsets.len())
        || index.nat_offsets.last().map(|&n| n as usize) != Some(index.nats.len())
    {
        return corrupt("arena offsets do not end at the arena's length");
    }
    if index.key_offsets.len() != index.keys.len() + 1
        || index.key_offsets.last().copied() != Some(index.postings.len() as u64)
    {
        return corrupt("posting offsets disagree with the postings");
    }
    if index.postings.iter().any(|&s| s as usize >= slots)
        || index.id_order.iter().any(|&s| s as usize >= slots)
    {
        return corrupt("a posting names a record that does not exist");
    }
    if index.id_offsets.windows(2).any(|w| w[0] > w[1])
        || index.name_offsets.windows(2).any(|w| w[0] > w[1])
        || index.record_names.windows(2).any(|w| w[0] > w[1])
        || index.nat_offsets.windows(2).any(|w| w[0] > w[1])
        || index.key_offsets.windows(2).any(|w| w[0] > w[1])
    {
        return corrupt("offsets are not ascending");
    }
    if index
        .id_offsets
        .iter()
        .any(|&o| !index.id_bytes.is_char_boundary(o as usize))
        || index
            .name_offsets
            .iter()
            .any(|&o| !index.name_bytes.is_char_boundary(o as usize))
    {
        return corrupt("a text offset falls inside a character");
    }
    if index.keys.windows(2).any(|w| w[0] >= w[1]) {
        return corrupt("keys are not sorted");
    }
    Ok(())
}
