//! Reading the registry and the context knowledge base on PostgreSQL: persons, relations,
//! findings, state profiles, the data version and counts.
//!
//! Every `ORDER BY id` says `COLLATE "C"`: SQLite orders text by its bytes, and a PostgreSQL
//! database created with a language collation would otherwise order ids differently ("R-10"
//! against "r-2"), so callers would see a different order depending on the backend. The id
//! columns are `COLLATE "C"` in the schema too, so that order walks the primary key.

use haven_domain::{ContextPerson, CountryCode, Finding, PersonId, RegistryPerson, StateProfile};
use postgres::Transaction;
use postgres::types::ToSql;
use serde::de::DeserializeOwned;

use super::{PgDatabase, to_i64, to_u64};
use crate::records::{link, link_id, parse, sorted_links};
use crate::{DataCounts, Link, StoreError, StoredPerson};

/// Rows fetched per round trip while walking a whole table, so a million persons are neither
/// loaded at once nor fetched one by one.
const BATCH_ROWS: i32 = 1000;

/// The data version in a transaction (0 before the first import).
pub(crate) fn version_in(tx: &mut Transaction<'_>) -> Result<u64, StoreError> {
    let row = tx.query_opt("SELECT version FROM data_version WHERE id = 1", &[])?;
    Ok(row.map(|r| to_u64(r.get(0))).unwrap_or(0))
}

pub(crate) fn data_version(db: &PgDatabase) -> Result<u64, StoreError> {
    db.read(version_in)
}

pub(crate) fn data_counts(db: &PgDatabase) -> Result<DataCounts, StoreError> {
    db.read(|tx| {
        let row = tx.query_one(
            "SELECT (SELECT COUNT(*) FROM registry_persons),
                    (SELECT COUNT(*) FROM context_persons),
                    (SELECT COUNT(*) FROM findings),
                    (SELECT COUNT(*) FROM state_profiles),
                    (SELECT COUNT(*) FROM relations)",
            &[],
        )?;
        Ok(DataCounts {
            registry_persons: to_u64(row.get(0)),
            context_persons: to_u64(row.get(1)),
            findings: to_u64(row.get(2)),
            state_profiles: to_u64(row.get(3)),
            relations: to_u64(row.get(4)),
        })
    })
}

/// Calls `f` with each (id, json) row of `sql`, fetched in batches through a portal.
fn for_each_row(
    tx: &mut Transaction<'_>,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
    mut f: impl FnMut(String, String) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let portal = tx.bind(sql, params)?;
    loop {
        let rows = tx.query_portal(&portal, BATCH_ROWS)?;
        let last_batch = rows.len() < usize::try_from(BATCH_ROWS).unwrap_or(usize::MAX);
        for row in rows {
            f(row.get(0), row.get(1))?;
        }
        if last_batch {
            return Ok(());
        }
    }
}

/// The persons of both tables matching `condition` (with `params`), registry first, each by id.
fn persons_where(
    tx: &mut Transaction<'_>,
    condition: &str,
    params: &[&(dyn ToSql + Sync)],
    f: &mut dyn FnMut(StoredPerson),
) -> Result<(), StoreError> {
    for table in ["registry_persons", "context_persons"] {
        let sql =
            format!("SELECT id, json FROM {table} WHERE {condition} ORDER BY id COLLATE \"C\"");
        for_each_row(tx, &sql, params, |id, json| {
            f(if table == "registry_persons" {
                StoredPerson::Registry(parse(table, &id, &json)?)
            } else {
                StoredPerson::Context(parse(table, &id, &json)?)
            });
            Ok(())
        })?;
    }
    Ok(())
}

pub(crate) fn for_each_person(
    db: &PgDatabase,
    f: &mut dyn FnMut(StoredPerson),
) -> Result<u64, StoreError> {
    // One snapshot: both tables and the version are of the same moment.
    db.read(|tx| {
        let version = version_in(tx)?;
        persons_where(tx, "true", &[], f)?;
        Ok(version)
    })
}

pub(crate) fn persons_changed_since(
    db: &PgDatabase,
    version: u64,
) -> Result<(Vec<StoredPerson>, u64), StoreError> {
    db.read(|tx| {
        let now = version_in(tx)?;
        let mut out = Vec::new();
        persons_where(tx, "version > $1", &[&to_i64(version)], &mut |p| {
            out.push(p)
        })?;
        Ok((out, now))
    })
}

/// The record of `table` whose `key` column is `value`.
fn get<T: DeserializeOwned>(
    db: &PgDatabase,
    table: &str,
    key: &str,
    value: &str,
) -> Result<Option<T>, StoreError> {
    db.read(|tx| {
        let row = tx.query_opt(
            &format!("SELECT json FROM {table} WHERE {key} = $1"),
            &[&value],
        )?;
        row.map(|r| parse(table, value, r.get(0))).transpose()
    })
}

pub(crate) fn registry_person(
    db: &PgDatabase,
    id: &PersonId,
) -> Result<Option<RegistryPerson>, StoreError> {
    get(db, "registry_persons", "id", id.as_str())
}

pub(crate) fn context_person(
    db: &PgDatabase,
    id: &PersonId,
) -> Result<Option<ContextPerson>, StoreError> {
    get(db, "context_persons", "id", id.as_str())
}

pub(crate) fn links_of(db: &PgDatabase, id: &PersonId) -> Result<Vec<Link>, StoreError> {
    db.read(|tx| {
        let rows = tx.query(
            "SELECT l.other, l.kind, l.implied,
                    EXISTS (SELECT 1 FROM registry_persons r WHERE r.id = l.other)
             FROM (SELECT to_id AS other, kind, false AS implied FROM relations WHERE from_id = $1
                   UNION
                   SELECT from_id, kind, true FROM relations WHERE to_id = $1) l",
            &[&id.as_str()],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let other = link_id(row.get(0))?;
            out.push(link(other, row.get(1), row.get(2), row.get(3))?);
        }
        Ok(sorted_links(out))
    })
}

pub(crate) fn findings_about(db: &PgDatabase, id: &PersonId) -> Result<Vec<Finding>, StoreError> {
    db.read(|tx| {
        let rows = tx.query(
            "SELECT id, json FROM findings WHERE about = $1 ORDER BY id COLLATE \"C\"",
            &[&id.as_str()],
        )?;
        rows.iter()
            .map(|row| parse("findings", row.get(0), row.get(1)))
            .collect()
    })
}

pub(crate) fn state_profile(
    db: &PgDatabase,
    state: CountryCode,
) -> Result<Option<StateProfile>, StoreError> {
    get(db, "state_profiles", "state", state.as_str())
}
