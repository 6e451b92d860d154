//! Reading the registry and the context knowledge base: what the candidate index, screening and
//! the decision need. Records come back as haven-domain values parsed from their stored JSON.

use haven_domain::{
    ContextPerson, CountryCode, Finding, PersonId, RegistryPerson, RelationKind, StateProfile,
};
use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;

use crate::import::{DataCounts, data_counts, data_version};
use crate::{Store, StoreError};

/// Which body of data a person record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordSource {
    /// The protection registry.
    Registry,
    /// The context knowledge base.
    Context,
}

/// A person linked to another, as seen from the other: `kind` is what `id` is to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The linked person.
    pub id: PersonId,
    /// Where that person's record is.
    pub source: RecordSource,
    /// What the linked person is to the one asked about.
    pub kind: RelationKind,
    /// True if the relation was stated on the other person's record and is implied here.
    pub implied: bool,
}

/// The persons of `table` changed after data version `?1`, by id. `+id` keeps the primary key
/// out of the plan: with a bare `ORDER BY id` SQLite walked the whole table in id order,
/// filtering on version, so the server's once-a-second catch-up read every row (0.2 s a poll at
/// 1M persons, and as much added to every import's index update) even when nothing had changed.
/// This way it searches the version index and sorts only the changed rows.
fn changed_since_query(table: &str) -> String {
    format!("SELECT id, json FROM {table} WHERE version > ?1 ORDER BY +id")
}

pub(crate) fn parse<T: DeserializeOwned>(
    table: &str,
    id: &str,
    json: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|err| {
        StoreError::Inconsistent(format!("{table} {id:?}: stored JSON does not parse: {err}"))
    })
}

fn for_each<T: DeserializeOwned>(
    conn: &Connection,
    table: &str,
    mut f: impl FnMut(T),
) -> Result<u64, StoreError> {
    // One read transaction, so the records and the version are of the same moment.
    let tx = conn.unchecked_transaction()?;
    let version = data_version(&tx)?;
    let mut stmt = tx.prepare(&format!("SELECT id, json FROM {table} ORDER BY id"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let json: String = row.get(1)?;
        f(parse(table, &id, &json)?);
    }
    Ok(version)
}

/// A stored person of either body of data, as the screening index takes them.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredPerson {
    /// A protection registry person.
    Registry(RegistryPerson),
    /// A context knowledge base person.
    Context(ContextPerson),
}

fn get<T: DeserializeOwned>(
    conn: &Connection,
    table: &str,
    key: &str,
    value: &str,
) -> Result<Option<T>, StoreError> {
    let json: Option<String> = conn
        .query_row(
            &format!("SELECT json FROM {table} WHERE {key} = ?1"),
            [value],
            |r| r.get(0),
        )
        .optional()?;
    json.map(|json| parse(table, value, &json)).transpose()
}

fn bad_relation(what: &str) -> StoreError {
    StoreError::Inconsistent(format!("relations: {what}"))
}

/// The linked person's id of a stored relation row.
pub(crate) fn link_id(other: String) -> Result<PersonId, StoreError> {
    PersonId::parse(other).map_err(|e| bad_relation(&e.to_string()))
}

/// A link from a stored relation row: `kind` as stored, `implied` if the relation was stated on
/// the other person's record (so it is seen here inverted).
pub(crate) fn link(
    other: PersonId,
    kind: &str,
    implied: bool,
    is_registry: bool,
) -> Result<Link, StoreError> {
    let kind = RelationKind::parse(kind).map_err(|e| bad_relation(&e.to_string()))?;
    Ok(Link {
        id: other,
        source: if is_registry {
            RecordSource::Registry
        } else {
            RecordSource::Context
        },
        kind: if implied { kind.inverse() } else { kind },
        implied,
    })
}

/// Links sorted, each (person, kind) once: a stated link wins over the same one implied.
pub(crate) fn sorted_links(mut links: Vec<Link>) -> Vec<Link> {
    links.sort_by(|a, b| (&a.id, a.kind, a.implied).cmp(&(&b.id, b.kind, b.implied)));
    links.dedup_by(|a, b| a.id == b.id && a.kind == b.kind);
    links
}

impl Store {
    /// The data version: raised by every import that changed registry or context data. An index
    /// built at version `v` is current while this returns `v`.
    pub fn data_version(&self) -> Result<u64, StoreError> {
        data_version(&self.conn)
    }

    /// How many records of each kind are stored.
    pub fn data_counts(&self) -> Result<DataCounts, StoreError> {
        data_counts(&self.conn)
    }

    /// Calls `f` with every registry person, by id, and returns the data version they are of.
    pub fn for_each_registry_person(
        &self,
        f: impl FnMut(RegistryPerson),
    ) -> Result<u64, StoreError> {
        for_each(&self.conn, "registry_persons", f)
    }

    /// Calls `f` with every context person, by id, and returns the data version they are of.
    pub fn for_each_context_person(&self, f: impl FnMut(ContextPerson)) -> Result<u64, StoreError> {
        for_each(&self.conn, "context_persons", f)
    }

    /// The persons of both bodies of data written by imports after data version `version` (each
    /// row carries the version of the import that last changed it), registry first, by id; and
    /// the data version they bring the caller to. What a long-lived index applies to catch up
    /// without a rebuild. (Imports never delete persons, so there are no removals to report.)
    pub fn persons_changed_since(
        &self,
        version: u64,
    ) -> Result<(Vec<StoredPerson>, u64), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let now = data_version(&tx)?;
        let since = i64::try_from(version).unwrap_or(i64::MAX);
        let mut out = Vec::new();
        for table in ["registry_persons", "context_persons"] {
            let mut stmt = tx.prepare_cached(&changed_since_query(table))?;
            let mut rows = stmt.query([since])?;
            while let Some(row) = rows.next()? {
                let id: String = row.get(0)?;
                let json: String = row.get(1)?;
                out.push(if table == "registry_persons" {
                    StoredPerson::Registry(parse(table, &id, &json)?)
                } else {
                    StoredPerson::Context(parse(table, &id, &json)?)
                });
            }
        }
        Ok((out, now))
    }

    /// One registry person. (Protection details are need-to-know: callers that show them to a
    /// user record the read in the ledger.)
    pub fn get_registry_person(&self, id: &PersonId) -> Result<Option<RegistryPerson>, StoreError> {
        get(&self.conn, "registry_persons", "id", id.as_str())
    }

    /// One context person.
    pub fn get_context_person(&self, id: &PersonId) -> Result<Option<ContextPerson>, StoreError> {
        get(&self.conn, "context_persons", "id", id.as_str())
    }

    /// The findings about a person (registry or context id), by id.
    pub fn findings_about(&self, id: &PersonId) -> Result<Vec<Finding>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, json FROM findings WHERE about = ?1 ORDER BY id")?;
        let rows = stmt.query_map([id.as_str()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (fid, json) = row?;
            out.push(parse("findings", &fid, &json)?);
        }
        Ok(out)
    }

    /// The risk profile of a state, if there is one.
    pub fn state_profile(&self, state: CountryCode) -> Result<Option<StateProfile>, StoreError> {
        get(&self.conn, "state_profiles", "state", state.as_str())
    }

    /// Everyone linked to `id` in one hop: relations stated on its record and, inverted, those
    /// stated on others' records about it. Sorted and without duplicates.
    pub fn links_of(&self, id: &PersonId) -> Result<Vec<Link>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT to_id, kind, 0 FROM relations WHERE from_id = ?1
             UNION
             SELECT from_id, kind, 1 FROM relations WHERE to_id = ?1",
        )?;
        let rows = stmt.query_map([id.as_str()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (other, kind, implied) = row?;
            let other = link_id(other)?;
            let is_registry = self.is_registry_id(&other)?;
            out.push(link(other, &kind, implied == 1, is_registry)?);
        }
        Ok(sorted_links(out))
    }

    fn is_registry_id(&self, id: &PersonId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM registry_persons WHERE id = ?1")?
            .exists([id.as_str()])?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_found_through_the_version_index_not_a_table_scan() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = Store::open(dir.path()).expect("a store");
        for table in ["registry_persons", "context_persons"] {
            let plan: Vec<String> = store
                .conn
                .prepare(&format!(
                    "EXPLAIN QUERY PLAN {}",
                    changed_since_query(table)
                ))
                .expect("the query prepares")
                .query_map([0], |row| row.get::<_, String>(3))
                .expect("the plan is readable")
                .collect::<Result<_, _>>()
                .expect("the plan rows are text");
            let first = plan.first().expect("a plan");
            assert!(
                first.starts_with(&format!("SEARCH {table} USING INDEX {table}_version")),
                "{table}: {plan:?}"
            );
        }
    }
}
