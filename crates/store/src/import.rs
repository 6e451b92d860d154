//! Registry and context imports: one transaction per file, together with its ledger entry.
//!
//! Records are first written to temporary staging tables, then checked as a whole (duplicate
//! ids, relations and findings pointing at nobody, context ids colliding with registry ids), and
//! only then merged into the real tables. So the previous state stays intact on any error or
//! kill, and a record is never half-replaced. All of it is plain SQL that PostgreSQL accepts
//! (temporary tables, `INSERT … ON CONFLICT … DO UPDATE … WHERE`).

use std::collections::BTreeMap;

use haven_domain::{ContextRecord, Numbered, RegistryPerson, Relation};
use haven_ledger::{Action, Actor, Entry, Justification, ObjectId, Role};
use rusqlite::{Connection, OptionalExtension, params};

use crate::{Store, StoreError, Transaction};

/// What to do with invalid lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Any invalid line refuses the whole file; nothing is stored.
    AllOrNothing,
    /// Invalid lines are rejected and reported; the others are imported.
    SkipInvalid,
}

/// Who imports which file, for the ledger.
#[derive(Debug, Clone)]
pub struct ImportMeta {
    /// The file's name (recorded as an object id, made token-safe).
    pub file_name: String,
    /// Who runs the import.
    pub actor: Actor,
    /// In which role.
    pub role: Role,
    /// Why.
    pub justification: Justification,
}

/// One rejected line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The line number (1-based).
    pub line: usize,
    /// Why, naming the field (`relations[0].to: "R-9" is …`).
    pub message: String,
}

/// How many lines the rejects name: one line may carry several problems, each reported.
pub fn distinct_lines(rejects: &[Reject]) -> usize {
    let mut lines: Vec<usize> = rejects.iter().map(|r| r.line).collect();
    lines.sort_unstable();
    lines.dedup();
    lines.len()
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Records that were new.
    pub inserted: u64,
    /// Records that replaced a different stored version.
    pub updated: u64,
    /// Records identical to the stored version.
    pub unchanged: u64,
    /// Rejected lines, by line number (only with [`ImportMode::SkipInvalid`]).
    pub rejects: Vec<Reject>,
    /// The persons this import added or changed, by id: what a running index must apply.
    /// (Imports merge: a person missing from the file stays stored, so none are removed.)
    pub changed_persons: Vec<String>,
    /// The data version after the import.
    pub data_version: u64,
    /// The ledger entry recording the import.
    pub ledger_index: u64,
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// Lines were invalid and the mode was all-or-nothing.
    #[error("{} invalid line(s); nothing was imported", rejects.len())]
    Invalid {
        /// Every invalid line, by line number.
        rejects: Vec<Reject>,
    },
    /// The input could not be read (nothing was stored).
    #[error("reading the input: {0}")]
    Read(#[source] std::io::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for ImportError {
    fn from(err: rusqlite::Error) -> ImportError {
        ImportError::Store(StoreError::Sqlite(err))
    }
}

impl From<postgres::Error> for ImportError {
    fn from(err: postgres::Error) -> ImportError {
        ImportError::Store(StoreError::Postgres(err))
    }
}

/// The input of an import: records, or lines the caller already rejected (bad JSON, bad
/// fields), so the store can count and report them with its own findings. The outer `Result`
/// carries read errors of the input, which abort the import with nothing stored.
pub type ImportItem<T> = Result<Result<Numbered<T>, Reject>, std::io::Error>;

/// Which tables an import writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Registry,
    Context,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Registry => "registry",
            Kind::Context => "context",
        }
    }

    /// The table of the persons this kind of import writes.
    pub(crate) fn persons_table(self) -> &'static str {
        match self {
            Kind::Registry => "registry_persons",
            Kind::Context => "context_persons",
        }
    }

    /// The table of the other body of data's persons, whose ids this import may not take.
    pub(crate) fn other_persons_table(self) -> &'static str {
        match self {
            Kind::Registry => "context_persons",
            Kind::Context => "registry_persons",
        }
    }

    /// Where a relation or finding of this kind of import may point, for its reject message.
    fn known_persons(self) -> &'static str {
        match self {
            Kind::Registry => "in this file nor in the registry",
            Kind::Context => "in this file nor among stored context or registry persons",
        }
    }
}

/// The reject of a person whose id an earlier line of the file has.
pub(crate) fn duplicate_person_message(id: &str, first: i64, line: usize) -> String {
    format!("id: {id:?} appears on line {first} and line {line}; ids must be unique in a file")
}

/// The reject of a finding whose id an earlier line of the file has.
pub(crate) fn duplicate_finding_message(id: &str, first: i64, line: usize) -> String {
    format!(
        "id: finding {id:?} appears on line {first} and line {line}; ids must be unique in a file"
    )
}

/// The reject of a second state profile of one state in a file.
pub(crate) fn duplicate_profile_message(state: &str, first: i64, line: usize) -> String {
    format!(
        "state: a profile of {state:?} appears on line {first} and line {line}; one profile per \
         state"
    )
}

/// The reject of a relation (`position` on its person's record) pointing at nobody.
pub(crate) fn dangling_relation_message(kind: Kind, position: i64, to: &str) -> String {
    format!(
        "relations[{position}].to: {to:?} is neither {}",
        kind.known_persons()
    )
}

/// The reject of a person whose id the other body of data has.
pub(crate) fn id_collision_message(kind: Kind, id: &str) -> String {
    let theirs = match kind {
        Kind::Registry => "a context person",
        Kind::Context => "a registry person",
    };
    format!("id: {id:?} is already {theirs}'s id; registry and context ids must differ")
}

/// The reject of a finding about nobody.
pub(crate) fn dangling_finding_message(kind: Kind, about: &str) -> String {
    format!("about: {about:?} is neither {}", kind.known_persons())
}

const STAGING: &str = "
    DROP TABLE IF EXISTS temp.import_persons;
    DROP TABLE IF EXISTS temp.import_relations;
    DROP TABLE IF EXISTS temp.import_findings;
    DROP TABLE IF EXISTS temp.import_profiles;
    CREATE TEMP TABLE import_persons (id TEXT PRIMARY KEY, line INTEGER NOT NULL, json TEXT NOT NULL);
    CREATE TEMP TABLE import_relations (
        from_id TEXT NOT NULL, line INTEGER NOT NULL, position INTEGER NOT NULL,
        kind TEXT NOT NULL, to_id TEXT NOT NULL);
    CREATE TEMP TABLE import_findings (
        id TEXT PRIMARY KEY, line INTEGER NOT NULL, about TEXT NOT NULL,
        finding_type TEXT NOT NULL, state TEXT NOT NULL, json TEXT NOT NULL);
    CREATE TEMP TABLE import_profiles (
        state TEXT PRIMARY KEY, line INTEGER NOT NULL, risk TEXT NOT NULL, json TEXT NOT NULL);
";

const DROP_STAGING: &str = "
    DROP TABLE temp.import_persons;
    DROP TABLE temp.import_relations;
    DROP TABLE temp.import_findings;
    DROP TABLE temp.import_profiles;
";

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The context import's tables besides persons: each staging table, the table it is merged
/// into, its key and its columns (the same for both backends).
pub(crate) const CONTEXT_MERGES: &[(&str, &str, &str, &[&str])] = &[
    (
        "import_findings",
        "findings",
        "id",
        &["id", "about", "finding_type", "state", "json"],
    ),
    (
        "import_profiles",
        "state_profiles",
        "state",
        &["state", "risk", "json"],
    ),
];

pub(crate) fn to_line(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// The canonical JSON of a record: haven-domain's serialisation, the form stored and compared.
pub(crate) fn canonical<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|err| StoreError::Inconsistent(format!("a record does not serialise: {err}")))
}

/// The serde name of a unit enum variant (`"interpol_notice_deleted"`).
pub(crate) fn serde_name<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(StoreError::Inconsistent("an enum without a name".into())),
    }
}

/// Writes records into the staging tables, rejecting duplicate ids.
struct Stager<'c> {
    conn: &'c Connection,
    rejects: Vec<Reject>,
}

impl Stager<'_> {
    fn person(
        &mut self,
        line: usize,
        id: &str,
        json: &str,
        relations: &[Relation],
    ) -> Result<(), StoreError> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO import_persons (id, line, json) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![id, to_i64(line), json])?;
        if inserted == 0 {
            let first: i64 = self.conn.query_row(
                "SELECT line FROM import_persons WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?;
            self.rejects.push(Reject {
                line,
                message: duplicate_person_message(id, first, line),
            });
            return Ok(());
        }
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO import_relations (from_id, line, position, kind, to_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (i, relation) in relations.iter().enumerate() {
            stmt.execute(params![
                id,
                to_i64(line),
                to_i64(i),
                relation.kind.as_str(),
                relation.to.as_str()
            ])?;
        }
        Ok(())
    }

    fn record(&mut self, line: usize, record: &ContextRecord) -> Result<(), StoreError> {
        match record {
            ContextRecord::Person(p) => {
                self.person(line, p.id.as_str(), &canonical(p)?, &p.relations)
            }
            ContextRecord::Finding(f) => {
                let inserted = self
                    .conn
                    .prepare_cached(
                        "INSERT INTO import_findings (id, line, about, finding_type, state, json)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING",
                    )?
                    .execute(params![
                        f.id.as_str(),
                        to_i64(line),
                        f.about.as_str(),
                        serde_name(&f.finding_type)?,
                        f.state.as_str(),
                        canonical(f)?
                    ])?;
                if inserted == 0 {
                    let first: i64 = self.conn.query_row(
                        "SELECT line FROM import_findings WHERE id = ?1",
                        [f.id.as_str()],
                        |r| r.get(0),
                    )?;
                    self.rejects.push(Reject {
                        line,
                        message: duplicate_finding_message(f.id.as_str(), first, line),
                    });
                }
                Ok(())
            }
            ContextRecord::StateProfile(s) => {
                let inserted = self
                    .conn
                    .prepare_cached(
                        "INSERT INTO import_profiles (state, line, risk, json)
                         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (state) DO NOTHING",
                    )?
                    .execute(params![
                        s.state.as_str(),
                        to_i64(line),
                        serde_name(&s.risk)?,
                        canonical(s)?
                    ])?;
                if inserted == 0 {
                    let first: i64 = self.conn.query_row(
                        "SELECT line FROM import_profiles WHERE state = ?1",
                        [s.state.as_str()],
                        |r| r.get(0),
                    )?;
                    self.rejects.push(Reject {
                        line,
                        message: duplicate_profile_message(s.state.as_str(), first, line),
                    });
                }
                Ok(())
            }
        }
    }
}

/// A staged record that points at nobody, or whose id is taken by the other body of data.
struct Problem {
    line: usize,
    message: String,
    /// The staged person or finding to drop in skip mode.
    table: &'static str,
    key: String,
}

/// Finds staged records whose links point at nobody, or whose ids collide across registry and
/// context.
fn problems(conn: &Connection, kind: Kind) -> Result<Vec<Problem>, StoreError> {
    let mut out = Vec::new();
    let known = match kind {
        Kind::Registry => "SELECT id FROM registry_persons",
        Kind::Context => "SELECT id FROM context_persons UNION ALL SELECT id FROM registry_persons",
    };
    let other = kind.other_persons_table();
    let sql = format!(
        "SELECT r.line, r.position, r.to_id, r.from_id FROM import_relations r
         WHERE r.to_id NOT IN (SELECT id FROM import_persons) AND r.to_id NOT IN ({known})
         ORDER BY r.line, r.position"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let to: String = row.get(2)?;
        out.push(Problem {
            line: to_line(row.get(0)?),
            message: dangling_relation_message(kind, row.get(1)?, &to),
            table: "import_persons",
            key: row.get(3)?,
        });
    }
    let sql = format!(
        "SELECT s.line, s.id FROM import_persons s WHERE s.id IN (SELECT id FROM {other})
         ORDER BY s.line"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(1)?;
        out.push(Problem {
            line: to_line(row.get(0)?),
            message: id_collision_message(kind, &id),
            table: "import_persons",
            key: id,
        });
    }
    if kind == Kind::Context {
        let sql = format!(
            "SELECT f.line, f.about, f.id FROM import_findings f
             WHERE f.about NOT IN (SELECT id FROM import_persons) AND f.about NOT IN ({known})
             ORDER BY f.line"
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let about: String = row.get(1)?;
            out.push(Problem {
                line: to_line(row.get(0)?),
                message: dangling_finding_message(kind, &about),
                table: "import_findings",
                key: row.get(2)?,
            });
        }
    }
    Ok(out)
}

/// Merges one staged table into its real table and counts what changed:
/// (inserted, updated, unchanged).
fn merge(
    conn: &Connection,
    staged: &str,
    target: &str,
    key: &str,
    columns: &[&str],
    version: i64,
) -> Result<(u64, u64, u64), StoreError> {
    let count = |condition: &str| -> Result<u64, StoreError> {
        let n: i64 = conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM {staged} s LEFT JOIN {target} t ON t.{key} = s.{key}
                 WHERE {condition}"
            ),
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    let inserted = count(&format!("t.{key} IS NULL"))?;
    let updated = count("t.json <> s.json")?;
    let unchanged = count("t.json = s.json")?;
    let cols = columns.join(", ");
    let sets: Vec<String> = columns
        .iter()
        .filter(|c| **c != key)
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    // `WHERE true` resolves SQLite's parsing ambiguity between a join and the upsert clause.
    conn.execute(
        &format!(
            "INSERT INTO {target} ({cols}, version) SELECT {cols}, ?1 FROM {staged} WHERE true
             ON CONFLICT ({key}) DO UPDATE SET {}, version = excluded.version
             WHERE {target}.json <> excluded.json",
            sets.join(", ")
        ),
        [version],
    )?;
    Ok((inserted, updated, unchanged))
}

/// An object id naming `value`, whatever it holds (see [`ObjectId::tagged`]).
fn token(prefix: &str, value: &str) -> Result<ObjectId, StoreError> {
    Ok(ObjectId::tagged(prefix, value)?)
}

/// The ledger entry recording an import: the kind, the file, the counts (inserted, updated,
/// unchanged), the rejected lines and the data version after it.
pub(crate) fn import_entry(
    kind: Kind,
    meta: &ImportMeta,
    (inserted, updated, unchanged): (u64, u64, u64),
    rejects: &[Reject],
    data_version: u64,
) -> Result<Entry, StoreError> {
    Ok(Entry::new(
        meta.actor.clone(),
        meta.role.clone(),
        Action::Import,
        meta.justification.clone(),
    )
    .with_objects([
        token("import", kind.name())?,
        token("file", &meta.file_name)?,
        token("inserted", &inserted.to_string())?,
        token("updated", &updated.to_string())?,
        token("unchanged", &unchanged.to_string())?,
        token("rejected", &distinct_lines(rejects).to_string())?,
        token("data_version", &data_version.to_string())?,
    ]))
}

impl Transaction<'_> {
    fn import<T>(
        &mut self,
        kind: Kind,
        items: impl IntoIterator<Item = ImportItem<T>>,
        mode: ImportMode,
        meta: &ImportMeta,
        mut stage: impl FnMut(&mut Stager<'_>, Numbered<T>) -> Result<(), StoreError>,
    ) -> Result<ImportReport, ImportError> {
        let conn: &Connection = &self.tx;
        conn.execute_batch(STAGING)?;
        let mut stager = Stager {
            conn,
            rejects: Vec::new(),
        };
        for item in items {
            match item.map_err(ImportError::Read)? {
                Ok(record) => stage(&mut stager, record)?,
                Err(reject) => stager.rejects.push(reject),
            }
        }
        let mut rejects = stager.rejects;
        // In skip mode, dropping a record can leave another pointing at nobody: repeat until
        // nothing more is found.
        loop {
            let found = problems(conn, kind)?;
            if found.is_empty() {
                break;
            }
            for p in &found {
                rejects.push(Reject {
                    line: p.line,
                    message: p.message.clone(),
                });
            }
            if mode == ImportMode::AllOrNothing {
                break;
            }
            for p in found {
                if p.table == "import_persons" {
                    conn.execute("DELETE FROM import_persons WHERE id = ?1", [&p.key])?;
                    conn.execute("DELETE FROM import_relations WHERE from_id = ?1", [&p.key])?;
                } else {
                    conn.execute("DELETE FROM import_findings WHERE id = ?1", [&p.key])?;
                }
            }
        }
        rejects.sort_by_key(|r| r.line);
        // One line may carry several problems; report each, but count the line once.
        if mode == ImportMode::AllOrNothing && !rejects.is_empty() {
            return Err(ImportError::Invalid { rejects });
        }

        let old: i64 =
            conn.query_row("SELECT version FROM data_version WHERE id = 1", [], |r| {
                r.get(0)
            })?;
        let new = old + 1;
        let persons_table = kind.persons_table();
        let mut totals = merge(
            conn,
            "import_persons",
            persons_table,
            "id",
            &["id", "json"],
            new,
        )?;
        // Relations of every imported person are replaced by what its record now says.
        conn.execute(
            "DELETE FROM relations WHERE source = ?1 AND from_id IN (SELECT id FROM import_persons)",
            [kind.name()],
        )?;
        conn.execute(
            "INSERT INTO relations (source, from_id, kind, to_id)
             SELECT DISTINCT ?1, from_id, kind, to_id FROM import_relations",
            [kind.name()],
        )?;
        if kind == Kind::Context {
            for &(staged, target, key, cols) in CONTEXT_MERGES {
                let (i, u, n) = merge(conn, staged, target, key, cols, new)?;
                totals = (totals.0 + i, totals.1 + u, totals.2 + n);
            }
        }
        let (inserted, updated, unchanged) = totals;
        let changed_persons: Vec<String> = {
            let mut stmt = conn.prepare(&format!(
                "SELECT id FROM {persons_table} WHERE version = ?1 ORDER BY id"
            ))?;
            let ids = stmt.query_map([new], |r| r.get(0))?;
            ids.collect::<Result<_, _>>()?
        };
        let version = if inserted + updated > 0 {
            conn.execute("UPDATE data_version SET version = ?1 WHERE id = 1", [new])?;
            new
        } else {
            // Nothing changed: an index built before this import is still current.
            old
        };
        conn.execute_batch(DROP_STAGING)?;

        let data_version = u64::try_from(version).unwrap_or(0);
        let entry = import_entry(
            kind,
            meta,
            (inserted, updated, unchanged),
            &rejects,
            data_version,
        )?;
        let receipt = self.append_ledger(&entry)?;
        Ok(ImportReport {
            changed_persons,
            inserted,
            updated,
            unchanged,
            rejects,
            data_version,
            ledger_index: receipt.index,
        })
    }
}

impl Store {
    /// Imports registry persons from one file in one transaction with its ledger entry (action
    /// `import`; objects: the kind, the file name and the counts). Same id → update; a re-import
    /// of the same file changes no record but is still recorded. Rejects duplicate ids within the
    /// file (naming both lines) and relations to ids neither in the file nor stored. On any
    /// error, or with invalid lines in [`ImportMode::AllOrNothing`], nothing is stored.
    pub fn import_registry(
        &mut self,
        records: impl IntoIterator<Item = ImportItem<RegistryPerson>>,
        mode: ImportMode,
        meta: &ImportMeta,
    ) -> Result<ImportReport, ImportError> {
        self.transaction(|tx| {
            tx.import(Kind::Registry, records, mode, meta, |stager, record| {
                let p = &record.value;
                stager.person(record.line, p.id.as_str(), &canonical(p)?, &p.relations)
            })
        })
    }

    /// Imports context records (persons, findings, state profiles) like
    /// [`Store::import_registry`]. Context relations and findings may point at registry persons
    /// as well as context persons; a state profile replaces the stored one of its state.
    pub fn import_context(
        &mut self,
        records: impl IntoIterator<Item = ImportItem<ContextRecord>>,
        mode: ImportMode,
        meta: &ImportMeta,
    ) -> Result<ImportReport, ImportError> {
        self.transaction(|tx| {
            tx.import(Kind::Context, records, mode, meta, |stager, record| {
                stager.record(record.line, &record.value)
            })
        })
    }
}

/// Counts of stored records, for summaries and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DataCounts {
    /// Registry persons.
    pub registry_persons: u64,
    /// Context persons.
    pub context_persons: u64,
    /// Findings.
    pub findings: u64,
    /// State profiles.
    pub state_profiles: u64,
    /// Stated relations (each once, not its implied inverse).
    pub relations: u64,
}

pub(crate) fn data_counts(conn: &Connection) -> Result<DataCounts, StoreError> {
    let mut counts = BTreeMap::new();
    for table in [
        "registry_persons",
        "context_persons",
        "findings",
        "state_profiles",
        "relations",
    ] {
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
        counts.insert(table, u64::try_from(n).unwrap_or(0));
    }
    Ok(DataCounts {
        registry_persons: counts["registry_persons"],
        context_persons: counts["context_persons"],
        findings: counts["findings"],
        state_profiles: counts["state_profiles"],
        relations: counts["relations"],
    })
}

pub(crate) fn data_version(conn: &Connection) -> Result<u64, StoreError> {
    let v: Option<i64> = conn
        .query_row("SELECT version FROM data_version WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
}
