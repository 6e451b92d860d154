//! Imports of the protection registry and the context knowledge base: Haven JSON lines or
//! FollowTheMoney entities (detected from the first non-blank line), parsed by `haven-domain`,
//! checked and stored in one transaction with its ledger entry by the store, then applied to the
//! running screening index — no restart, no full rebuild.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor};
use std::path::PathBuf;

use haven_access::{Action, Principal};
use haven_domain::ftm::{self, Converter};
use haven_domain::{
    ContextRecord, Format, Line, Lines, Numbered, RecordError, detect_format, parse_context_line,
    parse_registry_line,
};
use haven_store::{ImportError, ImportItem, ImportMeta, ImportMode, ImportReport, Reject};

use crate::{AppError, IndexUpdate, Service, entry_by};

/// Which body of data an import fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// The protection registry (Haven JSON lines only).
    Registry,
    /// The context knowledge base (Haven JSON lines or FollowTheMoney).
    Context,
}

impl ImportKind {
    /// `registry` or `context`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Registry => "registry",
            ImportKind::Context => "context",
        }
    }

    /// The kind `as_str` names, if any.
    pub fn parse(text: &str) -> Option<ImportKind> {
        [ImportKind::Registry, ImportKind::Context]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// Where an import reads from. Opened more than once (to detect the format, then to parse), so
/// a file is streamed, never held in memory whole.
pub trait ImportSource {
    /// The name recorded in the ledger and used in messages.
    fn name(&self) -> &str;
    /// A fresh reader from the start.
    fn open(&self) -> std::io::Result<Box<dyn BufRead + '_>>;
}

/// A file on disk.
#[derive(Debug, Clone)]
pub struct FileSource {
    /// The file.
    pub path: PathBuf,
    name: String,
}

impl FileSource {
    /// A file, named in the ledger by its file name.
    pub fn new(path: impl Into<PathBuf>) -> FileSource {
        let path = path.into();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        FileSource { path, name }
    }
}

impl ImportSource for FileSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn open(&self) -> std::io::Result<Box<dyn BufRead + '_>> {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            File::open(&self.path)?,
        )))
    }
}

/// Bytes already in memory (an HTTP request body).
#[derive(Debug, Clone)]
pub struct MemorySource {
    /// The name recorded in the ledger.
    pub name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl ImportSource for MemorySource {
    fn name(&self) -> &str {
        &self.name
    }

    fn open(&self) -> std::io::Result<Box<dyn BufRead + '_>> {
        Ok(Box::new(Cursor::new(&self.bytes[..])))
    }
}

/// Told how far reading has come (bytes), for a progress bar.
pub trait ImportProgress {
    /// `bytes` of the input have been read.
    fn read(&self, bytes: u64);
    /// Reading is done; the store is checking and storing.
    fn storing(&self);
}

impl ImportProgress for () {
    fn read(&self, _: u64) {}
    fn storing(&self) {}
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// The store's report: counts, rejected lines, the changed persons, the ledger entry.
    pub report: ImportReport,
    /// FollowTheMoney entities skipped (not persons or their relations), by schema.
    pub skipped: BTreeMap<String, usize>,
    /// How the running index took the change (`None` if nothing changed).
    pub index: Option<IndexUpdate>,
}

impl Service {
    /// Imports `source` as `kind`: all-or-nothing unless `mode` skips invalid lines.
    pub fn import(
        &self,
        who: &Principal,
        kind: ImportKind,
        source: &dyn ImportSource,
        mode: ImportMode,
        progress: &dyn ImportProgress,
    ) -> Result<ImportOutcome, AppError> {
        self.authorize(who, Action::Import)?;
        let input = |source_err: std::io::Error| AppError::Input {
            name: source.name().to_owned(),
            source: source_err,
        };
        let format = detect(source).map_err(input)?;
        if kind == ImportKind::Registry && format == Format::FollowTheMoney {
            return Err(AppError::Invalid(format!(
                "{}: {}",
                source.name(),
                ftm::REGISTRY_UNSUPPORTED
            )));
        }
        let entry = entry_by(
            who,
            haven_ledger::Action::Import,
            format!("haven import {} {}", kind.as_str(), source.name()),
        )?;
        let meta = ImportMeta {
            file_name: source.name().to_owned(),
            actor: entry.actor.clone(),
            role: entry.role.clone(),
            justification: entry.justification.clone(),
        };
        let mut skipped = BTreeMap::new();
        let result = match (kind, format) {
            (ImportKind::Registry, _) => {
                let reader = source.open().map_err(input)?;
                let mut items = parsed(reader, progress, parse_registry_line);
                self.db.import_registry(&mut items, mode, &meta)
            }
            (ImportKind::Context, Format::HavenJsonLines) => {
                let reader = source.open().map_err(input)?;
                let mut items = parsed(reader, progress, parse_context_line);
                self.db.import_context(&mut items, mode, &meta)
            }
            (ImportKind::Context, Format::FollowTheMoney) => {
                let reader = source.open().map_err(input)?;
                let (items, skips) = followthemoney(reader, progress).map_err(input)?;
                skipped = skips;
                progress.storing();
                self.db.import_context(&mut items.into_iter(), mode, &meta)
            }
        };
        let report = match result {
            Ok(report) => report,
            Err(ImportError::Invalid { rejects }) => {
                return Err(AppError::InvalidImport { rejects });
            }
            Err(ImportError::Read(err)) => return Err(input(err)),
            Err(ImportError::Store(err)) => return Err(AppError::from_store(err)),
            Err(other) => return Err(AppError::Invalid(other.to_string())),
        };
        let index = self.catch_up()?;
        Ok(ImportOutcome {
            report,
            skipped,
            index,
        })
    }
}

/// The format of a source, from its first non-blank line.
fn detect(source: &dyn ImportSource) -> std::io::Result<Format> {
    let first = Lines::new(source.open()?).next().transpose()?;
    Ok(match first.as_ref().map(Line::text) {
        Some(Ok(text)) => detect_format(text),
        _ => Format::HavenJsonLines,
    })
}

/// The lines of `reader`, each parsed by `parse`, as the store's import input.
fn parsed<'r, T: 'r>(
    reader: Box<dyn BufRead + 'r>,
    progress: &'r dyn ImportProgress,
    parse: fn(&str) -> Result<T, RecordError>,
) -> impl Iterator<Item = ImportItem<T>> + 'r {
    let mut lines = Lines::new(reader);
    let mut count = 0u64;
    std::iter::from_fn(move || {
        let Some(line) = lines.next() else {
            progress.read(lines.bytes_read());
            progress.storing();
            return None;
        };
        count += 1;
        if count.is_multiple_of(1024) {
            progress.read(lines.bytes_read());
        }
        Some(line.map(|line| {
            let number = line.number;
            line.text()
                .and_then(parse)
                .map(|value| Numbered {
                    line: number,
                    value,
                })
                .map_err(|err| reject(number, &err))
        }))
    })
}

fn reject(line: usize, err: &RecordError) -> Reject {
    Reject {
        line,
        message: err.to_string(),
    }
}

type FtmItems = Vec<ImportItem<ContextRecord>>;

/// Converts a whole FollowTheMoney input (relationship entities attach to persons anywhere in
/// it): context persons, rejected lines, and skipped entities counted by schema.
fn followthemoney(
    reader: Box<dyn BufRead + '_>,
    progress: &dyn ImportProgress,
) -> std::io::Result<(FtmItems, BTreeMap<String, usize>)> {
    let mut converter = Converter::new();
    let mut items: FtmItems = Vec::new();
    let mut lines = Lines::new(reader);
    while let Some(line) = lines.next() {
        let line = line?;
        if let Err(err) = line.text().and_then(|t| converter.push(line.number, t)) {
            items.push(Ok(Err(reject(line.number, &err))));
        }
        if line.number.is_multiple_of(1024) {
            progress.read(lines.bytes_read());
        }
    }
    let converted = converter.finish();
    items.extend(
        converted
            .rejects
            .iter()
            .map(|r| Ok(Err(reject(r.line, &r.value)))),
    );
    items.extend(converted.persons.into_iter().map(|p| {
        Ok(Ok(Numbered {
            line: p.line,
            value: ContextRecord::Person(p.value),
        }))
    }));
    Ok((items, converted.skipped))
}
