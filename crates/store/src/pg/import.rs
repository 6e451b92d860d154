//! Imports on PostgreSQL: a whole file staged, checked as a whole and merged in one transaction
//! with its ledger entry and a NOTIFY of the new data version.
//!
//! The rules are SQLite's (`crate::import`): the same checks, reject messages, counts, ledger
//! entry and data version. What differs is how the file reaches the server: every record goes
//! through one binary `COPY … FROM STDIN` into a temporary table (not a round trip per row), which
//! is then split into typed staging tables, checked and merged with set-based SQL. The staging
//! tables are `ON COMMIT DROP`, and a failed import rolls back their creation too, so a pooled
//! connection never carries one over to the next import.

use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;

use haven_domain::{ContextRecord, Numbered, RegistryPerson, Relation};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;

use super::{PgDatabase, PgTransaction, to_u64};
use crate::import::{
    CONTEXT_MERGES, Kind, canonical, dangling_finding_message, dangling_relation_message,
    duplicate_finding_message, duplicate_person_message, duplicate_profile_message,
    id_collision_message, import_entry, serde_name, to_line,
};
use crate::{ImportError, ImportItem, ImportMeta, ImportMode, ImportReport, Reject, StoreError};

/// The one table the file is copied into: a row per person, relation, finding or profile,
/// `tab` saying which (the `STAGED_*` values), the other columns as `SPLIT` reads them.
///
/// READ COMMITTED whatever the server's default: once an import holds the data version row, its
/// checks and merge must see what the import before it committed (under REPEATABLE READ or
/// SERIALIZABLE they would see the snapshot taken before the wait, or fail to serialise).
const STAGING: &str = "
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
    CREATE TEMP TABLE import_rows (
        tab SMALLINT NOT NULL, line BIGINT NOT NULL, position BIGINT, key TEXT NOT NULL,
        a TEXT, b TEXT, c TEXT, json TEXT) ON COMMIT DROP;
";

const COPY_ROWS: &str =
    "COPY import_rows (tab, line, position, key, a, b, c, json) FROM STDIN BINARY";

// The `tab` values of `import_rows`, as `SPLIT` selects them.
const STAGED_PERSON: i16 = 0;
const STAGED_RELATION: i16 = 1;
const STAGED_FINDING: i16 = 2;
const STAGED_PROFILE: i16 = 3;

/// The copied rows as SQLite's staging tables, keyed and analysed: the planner knows nothing of
/// a temporary table's size until it is analysed (autovacuum never does), and would nest loops
/// over a hundred thousand rows.
const SPLIT: &str = "
    CREATE TEMP TABLE import_persons ON COMMIT DROP AS
        SELECT key AS id, line, json FROM import_rows WHERE tab = 0;
    ALTER TABLE import_persons ADD PRIMARY KEY (id);
    CREATE TEMP TABLE import_relations ON COMMIT DROP AS
        SELECT key AS from_id, line, position, a AS kind, b AS to_id
        FROM import_rows WHERE tab = 1;
    CREATE INDEX ON import_relations (from_id);
    CREATE TEMP TABLE import_findings ON COMMIT DROP AS
        SELECT key AS id, line, a AS about, b AS finding_type, c AS state, json
        FROM import_rows WHERE tab = 2;
    ALTER TABLE import_findings ADD PRIMARY KEY (id);
    CREATE TEMP TABLE import_profiles ON COMMIT DROP AS
        SELECT key AS state, line, a AS risk, json FROM import_rows WHERE tab = 3;
    ALTER TABLE import_profiles ADD PRIMARY KEY (state);
    DROP TABLE import_rows;
    ANALYZE import_persons, import_relations, import_findings, import_profiles;
";

/// A line number as stored (line numbers are far below 2^63).
fn line_number(line: usize) -> i64 {
    i64::try_from(line).unwrap_or(i64::MAX)
}

/// Streams records into the copy, rejecting duplicate ids (naming the first line, as SQLite's
/// staging does), so only the first record of an id is staged.
struct Stager<'w> {
    rows: BinaryCopyInWriter<'w>,
    persons: HashMap<String, i64>,
    findings: HashMap<String, i64>,
    profiles: HashMap<String, i64>,
    rejects: Vec<Reject>,
}

/// Remembers `key` at `line`; if an earlier record had it, returns that record's line.
fn first_line(seen: &mut HashMap<String, i64>, key: &str, line: i64) -> Option<i64> {
    match seen.entry(key.to_owned()) {
        Slot::Occupied(first) => Some(*first.get()),
        Slot::Vacant(slot) => {
            slot.insert(line);
            None
        }
    }
}

impl Stager<'_> {
    fn person(
        &mut self,
        line: usize,
        id: &str,
        json: &str,
        relations: &[Relation],
    ) -> Result<(), StoreError> {
        let line_no = line_number(line);
        if let Some(first) = first_line(&mut self.persons, id, line_no) {
            self.rejects.push(Reject {
                line,
                message: duplicate_person_message(id, first, line),
            });
            return Ok(());
        }
        let none: Option<&str> = None;
        self.rows.write(&[
            &STAGED_PERSON,
            &line_no,
            &None::<i64>,
            &id,
            &none,
            &none,
            &none,
            &json,
        ])?;
        for (position, relation) in relations.iter().enumerate() {
            self.rows.write(&[
                &STAGED_RELATION,
                &line_no,
                &line_number(position),
                &id,
                &relation.kind.as_str(),
                &relation.to.as_str(),
                &none,
                &none,
            ])?;
        }
        Ok(())
    }

    fn record(&mut self, line: usize, record: &ContextRecord) -> Result<(), StoreError> {
        let line_no = line_number(line);
        let none: Option<&str> = None;
        match record {
            ContextRecord::Person(p) => {
                self.person(line, p.id.as_str(), &canonical(p)?, &p.relations)
            }
            ContextRecord::Finding(f) => {
                let id = f.id.as_str();
                if let Some(first) = first_line(&mut self.findings, id, line_no) {
                    self.rejects.push(Reject {
                        line,
                        message: duplicate_finding_message(id, first, line),
                    });
                    return Ok(());
                }
                self.rows.write(&[
                    &STAGED_FINDING,
                    &line_no,
                    &None::<i64>,
                    &id,
                    &f.about.as_str(),
                    &serde_name(&f.finding_type)?,
                    &f.state.as_str(),
                    &canonical(f)?,
                ])?;
                Ok(())
            }
            ContextRecord::StateProfile(s) => {
                let state = s.state.as_str();
                if let Some(first) = first_line(&mut self.profiles, state, line_no) {
                    self.rejects.push(Reject {
                        line,
                        message: duplicate_profile_message(state, first, line),
                    });
                    return Ok(());
                }
                self.rows.write(&[
                    &STAGED_PROFILE,
                    &line_no,
                    &None::<i64>,
                    &state,
                    &serde_name(&s.risk)?,
                    &none,
                    &none,
                    &canonical(s)?,
                ])?;
                Ok(())
            }
        }
    }
}

/// Which staged record a problem drops in skip mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StagedRecord {
    Person,
    Finding,
}

/// A staged record that points at nobody, or whose id is taken by the other body of data.
struct Problem {
    line: usize,
    message: String,
    table: StagedRecord,
    key: String,
}

/// The SQL condition "`column` names no person in the file nor one a record of this kind may
/// point at" (a registry record: registry persons; a context record: either).
fn points_at_nobody(kind: Kind, column: &str) -> String {
    let mut condition = format!(
        "NOT EXISTS (SELECT 1 FROM import_persons s WHERE s.id = {column})
         AND NOT EXISTS (SELECT 1 FROM registry_persons p WHERE p.id = {column})"
    );
    if kind == Kind::Context {
        condition.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM context_persons c WHERE c.id = {column})"
        ));
    }
    condition
}

/// Finds staged records whose links point at nobody, or whose ids collide across registry and
/// context, in the order SQLite's import reports them.
fn problems(tx: &mut postgres::Transaction<'_>, kind: Kind) -> Result<Vec<Problem>, StoreError> {
    let mut out = Vec::new();
    let sql = format!(
        "SELECT r.line, r.position, r.to_id, r.from_id FROM import_relations r
         WHERE {} ORDER BY r.line, r.position",
        points_at_nobody(kind, "r.to_id")
    );
    for row in tx.query(&sql, &[])? {
        let to: String = row.get(2);
        out.push(Problem {
            line: to_line(row.get(0)),
            message: dangling_relation_message(kind, row.get(1), &to),
            table: StagedRecord::Person,
            key: row.get(3),
        });
    }
    let sql = format!(
        "SELECT s.line, s.id FROM import_persons s
         WHERE EXISTS (SELECT 1 FROM {} o WHERE o.id = s.id) ORDER BY s.line",
        kind.other_persons_table()
    );
    for row in tx.query(&sql, &[])? {
        let id: String = row.get(1);
        out.push(Problem {
            line: to_line(row.get(0)),
            message: id_collision_message(kind, &id),
            table: StagedRecord::Person,
            key: id,
        });
    }
    if kind == Kind::Context {
        let sql = format!(
            "SELECT f.line, f.about, f.id FROM import_findings f WHERE {} ORDER BY f.line",
            points_at_nobody(kind, "f.about")
        );
        for row in tx.query(&sql, &[])? {
            let about: String = row.get(1);
            out.push(Problem {
                line: to_line(row.get(0)),
                message: dangling_finding_message(kind, &about),
                table: StagedRecord::Finding,
                key: row.get(2),
            });
        }
    }
    Ok(out)
}

/// Drops the staged records of `found` (and a dropped person's relations).
fn drop_staged(tx: &mut postgres::Transaction<'_>, found: &[Problem]) -> Result<(), StoreError> {
    let keys = |table: StagedRecord| -> Vec<&str> {
        found
            .iter()
            .filter(|p| p.table == table)
            .map(|p| p.key.as_str())
            .collect()
    };
    let persons = keys(StagedRecord::Person);
    let findings = keys(StagedRecord::Finding);
    tx.execute("DELETE FROM import_persons WHERE id = ANY($1)", &[&persons])?;
    tx.execute(
        "DELETE FROM import_relations WHERE from_id = ANY($1)",
        &[&persons],
    )?;
    tx.execute(
        "DELETE FROM import_findings WHERE id = ANY($1)",
        &[&findings],
    )?;
    Ok(())
}

/// Merges one staged table into its real table and counts what changed:
/// (inserted, updated, unchanged). A row identical to the stored one keeps its version.
fn merge(
    tx: &mut postgres::Transaction<'_>,
    staged: &str,
    target: &str,
    key: &str,
    columns: &[&str],
    version: i64,
) -> Result<(u64, u64, u64), StoreError> {
    let counts = tx.query_one(
        &format!(
            "SELECT COUNT(*) FILTER (WHERE t.{key} IS NULL),
                    COUNT(*) FILTER (WHERE t.json <> s.json),
                    COUNT(*) FILTER (WHERE t.json = s.json)
             FROM {staged} s LEFT JOIN {target} t ON t.{key} = s.{key}"
        ),
        &[],
    )?;
    let cols = columns.join(", ");
    let sets: Vec<String> = columns
        .iter()
        .filter(|c| **c != key)
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    tx.execute(
        &format!(
            "INSERT INTO {target} AS t ({cols}, version) SELECT {cols}, $1 FROM {staged}
             ON CONFLICT ({key}) DO UPDATE SET {}, version = excluded.version
             WHERE t.json <> excluded.json",
            sets.join(", ")
        ),
        &[&version],
    )?;
    Ok((
        to_u64(counts.get(0)),
        to_u64(counts.get(1)),
        to_u64(counts.get(2)),
    ))
}

fn import<T>(
    tx: &mut PgTransaction<'_>,
    kind: Kind,
    items: &mut dyn Iterator<Item = ImportItem<T>>,
    mode: ImportMode,
    meta: &ImportMeta,
    mut stage: impl FnMut(&mut Stager<'_>, Numbered<T>) -> Result<(), StoreError>,
) -> Result<ImportReport, ImportError> {
    tx.tx.batch_execute(STAGING)?;
    let mut rejects = {
        let copy = tx.tx.copy_in(COPY_ROWS)?;
        let mut stager = Stager {
            rows: BinaryCopyInWriter::new(
                copy,
                &[
                    Type::INT2,
                    Type::INT8,
                    Type::INT8,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                    Type::TEXT,
                ],
            ),
            persons: HashMap::new(),
            findings: HashMap::new(),
            profiles: HashMap::new(),
            rejects: Vec::new(),
        };
        // Returning early drops the writer, which aborts the copy; the transaction rolls back.
        for item in items {
            match item.map_err(ImportError::Read)? {
                Ok(record) => stage(&mut stager, record)?,
                Err(reject) => stager.rejects.push(reject),
            }
        }
        stager.rows.finish()?;
        stager.rejects
    };
    tx.tx.batch_execute(SPLIT)?;

    // Imports through any server queue here, before their checks: each is checked against and
    // merged into what the one before it committed (this transaction reads committed data afresh
    // at each statement), and the versions they raise follow one another.
    let old: i64 = tx
        .tx
        .query_one(
            "SELECT version FROM data_version WHERE id = 1 FOR UPDATE",
            &[],
        )?
        .get(0);

    // In skip mode, dropping a record can leave another pointing at nobody: repeat until
    // nothing more is found.
    loop {
        let found = problems(&mut tx.tx, kind)?;
        if found.is_empty() {
            break;
        }
        rejects.extend(found.iter().map(|p| Reject {
            line: p.line,
            message: p.message.clone(),
        }));
        if mode == ImportMode::AllOrNothing {
            break;
        }
        drop_staged(&mut tx.tx, &found)?;
    }
    rejects.sort_by_key(|r| r.line);
    if mode == ImportMode::AllOrNothing && !rejects.is_empty() {
        return Err(ImportError::Invalid { rejects });
    }

    let new = old + 1;
    let persons_table = kind.persons_table();
    let mut totals = merge(
        &mut tx.tx,
        "import_persons",
        persons_table,
        "id",
        &["id", "json"],
        new,
    )?;
    // Relations of every imported person are replaced by what its record now says.
    tx.tx.execute(
        "DELETE FROM relations
         WHERE source = $1 AND from_id IN (SELECT id FROM import_persons)",
        &[&kind.name()],
    )?;
    tx.tx.execute(
        "INSERT INTO relations (source, from_id, kind, to_id)
         SELECT DISTINCT $1::TEXT, from_id, kind, to_id FROM import_relations",
        &[&kind.name()],
    )?;
    if kind == Kind::Context {
        for &(staged, target, key, cols) in CONTEXT_MERGES {
            let (i, u, n) = merge(&mut tx.tx, staged, target, key, cols, new)?;
            totals = (totals.0 + i, totals.1 + u, totals.2 + n);
        }
    }
    let (inserted, updated, _) = totals;
    let changed_persons: Vec<String> = tx
        .tx
        .query(
            &format!("SELECT id FROM {persons_table} WHERE version = $1 ORDER BY id COLLATE \"C\""),
            &[&new],
        )?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let data_version = if inserted + updated > 0 {
        let raised: i64 = tx
            .tx
            .query_one(
                "UPDATE data_version SET version = $1 WHERE id = 1 RETURNING version",
                &[&new],
            )?
            .get(0);
        let raised = to_u64(raised);
        tx.notify_data_changed(raised)?;
        raised
    } else {
        // Nothing changed: an index built before this import is still current.
        to_u64(old)
    };

    let entry = import_entry(kind, meta, totals, &rejects, data_version)?;
    let receipt = tx.append_ledger(&entry)?;
    Ok(ImportReport {
        changed_persons,
        inserted,
        updated,
        unchanged: totals.2,
        rejects,
        data_version,
        ledger_index: receipt.index,
    })
}

pub(crate) fn import_registry(
    db: &PgDatabase,
    records: &mut dyn Iterator<Item = ImportItem<RegistryPerson>>,
    mode: ImportMode,
    meta: &ImportMeta,
) -> Result<ImportReport, ImportError> {
    db.write(|tx| {
        import(tx, Kind::Registry, records, mode, meta, |stager, record| {
            let p = &record.value;
            stager.person(record.line, p.id.as_str(), &canonical(p)?, &p.relations)
        })
    })
}

pub(crate) fn import_context(
    db: &PgDatabase,
    records: &mut dyn Iterator<Item = ImportItem<ContextRecord>>,
    mode: ImportMode,
    meta: &ImportMeta,
) -> Result<ImportReport, ImportError> {
    db.write(|tx| {
        import(tx, Kind::Context, records, mode, meta, |stager, record| {
            stager.record(record.line, &record.value)
        })
    })
}
