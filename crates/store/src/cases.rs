//! Cases: an assessed request, its decision and the ledger entry that records it, written in one
//! transaction so that there is never a case without its entry or an entry without its case; and
//! the case's file (DESIGN §5.5), changed only through [`Store::update_case_file`], which reads
//! it, lets the caller's rules decide, and writes the new file with its ledger entries in one
//! transaction.

use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::{Decision, LedgerRef, Request};
use haven_ledger::{Entry, ObjectId};
use rusqlite::{OptionalExtension, params};

use crate::{Receipt, Store, StoreError};

/// A stored case.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: String,
    pub created_at: String,
    pub request: Request,
    pub decision: Decision,
    /// What happened since the decision.
    pub file: CaseFile,
}

/// What the caller's rules decided for a case: its new file and the ledger entries that record
/// the change (the store adds the case's id to each entry's objects).
#[derive(Debug, Clone)]
pub struct FileChange {
    pub file: CaseFile,
    pub entries: Vec<Entry>,
}

/// A change stored: the new file and where its entries landed in the ledger.
#[derive(Debug, Clone)]
pub struct CaseUpdate {
    pub file: CaseFile,
    pub receipts: Vec<Receipt>,
}

/// Why a case's file was not changed.
#[derive(Debug, thiserror::Error)]
pub enum CaseUpdateError {
    #[error("case {0} not found")]
    NotFound(String),
    /// The rules refused the change; nothing was written.
    #[error(transparent)]
    Refused(Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A case in a list: enough to find it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseSummary {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub requesting_state: String,
    pub outcome: String,
    /// The workflow state (`assessed`, `frozen`, …).
    pub state: String,
    pub created_at: String,
}

/// A case as a case list needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedCase {
    pub summary: CaseSummary,
    pub file: CaseFile,
    /// The distinct finding codes of its decision (`protected_person`, …).
    pub finding_codes: Vec<String>,
}

impl Store {
    /// Stores an assessed request as a new case, with its ledger entry: the entry names the case
    /// and the request, and the stored decision names the entry's index and the tree root it
    /// produced (set on `decision`). Returns the new case's id.
    pub fn record_case(
        &mut self,
        request: &Request,
        decision: &mut Decision,
        entry: Entry,
    ) -> Result<String, StoreError> {
        let request_json = to_json("request", request)?;
        self.transaction(|tx| {
            // A number no other writer can have drawn (see migration 0004), not COUNT(*) + 1.
            tx.sqlite()
                .execute("INSERT INTO case_numbers DEFAULT VALUES", [])?;
            let id = case_id(tx.sqlite().last_insert_rowid());
            let receipt = tx.append_ledger(&case_entry(entry, &id, request)?)?;
            decision.ledger = Some(ledger_ref(&receipt));
            let decision_json = to_json("decision", &*decision)?;
            tx.sqlite().execute(
                "INSERT INTO cases (id, reference, kind, requesting_state, outcome, request_json,
                                    decision_json, ledger_index, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                params![
                    id,
                    request.reference.as_str(),
                    kind_name(request),
                    request.requesting_state.as_str(),
                    decision.outcome.as_str(),
                    request_json,
                    decision_json,
                    receipt.index as i64,
                ],
            )?;
            Ok(id)
        })
    }

    /// Every case, oldest first.
    pub fn list_cases(&self) -> Result<Vec<CaseSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, reference, kind, requesting_state, outcome, state, created_at
             FROM cases ORDER BY id",
        )?;
        let rows = stmt.query_map([], summary_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every case with its file, oldest first (for statistics and the referral list).
    pub fn case_files(&self) -> Result<Vec<(CaseSummary, CaseFile)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, reference, kind, requesting_state, outcome, state, created_at, file_json
             FROM cases ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((summary_row(r)?, r.get::<_, Option<String>>(7)?))
        })?;
        let mut files = Vec::new();
        for row in rows {
            let (summary, json) = row?;
            let file = parse_file(&summary.id, json.as_deref())?;
            files.push((summary, file));
        }
        Ok(files)
    }

    /// Every case with its file and the distinct codes of its decision's findings, oldest first:
    /// what a case list filters on, without parsing every decision.
    pub fn case_listing(&self) -> Result<Vec<ListedCase>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, reference, kind, requesting_state, outcome, state, created_at, file_json,
                    (SELECT group_concat(DISTINCT json_extract(f.value, '$.code'))
                     FROM json_each(decision_json, '$.findings') AS f)
             FROM cases ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                summary_row(r)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut listed = Vec::new();
        for row in rows {
            let (summary, json, codes) = row?;
            let file = parse_file(&summary.id, json.as_deref())?;
            let finding_codes = codes
                .as_deref()
                .map(|codes| codes.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            listed.push(ListedCase {
                summary,
                file,
                finding_codes,
            });
        }
        Ok(listed)
    }

    /// One case with its request and decision.
    pub fn get_case(&self, id: &str) -> Result<Option<Case>, StoreError> {
        read_case(&self.conn, id)
    }

    /// Changes a case's file: reads the case inside a write transaction (so no other writer
    /// changes it in between), asks `change` for the new file and its ledger entries, and
    /// writes both. A refusal writes nothing.
    pub fn update_case_file(
        &mut self,
        id: &str,
        change: &mut dyn FnMut(&Case) -> Result<FileChange, Refusal>,
    ) -> Result<CaseUpdate, CaseUpdateError> {
        self.transaction(|tx| {
            let case = read_case(tx.sqlite(), id)?
                .ok_or_else(|| CaseUpdateError::NotFound(id.to_owned()))?;
            let FileChange { file, entries } = change(&case).map_err(CaseUpdateError::Refused)?;
            let mut receipts = Vec::with_capacity(entries.len());
            for entry in file_entries(&case.id, entries)? {
                receipts.push(tx.append_ledger(&entry)?);
            }
            let json = to_json("case file", &file)?;
            tx.sqlite()
                .execute(
                    "UPDATE cases SET state = ?2, file_json = ?3 WHERE id = ?1",
                    params![case.id, file.state.as_str(), json],
                )
                .map_err(StoreError::from)?;
            Ok(CaseUpdate { file, receipts })
        })
    }
}

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseSummary> {
    Ok(CaseSummary {
        id: r.get(0)?,
        reference: r.get(1)?,
        kind: r.get(2)?,
        requesting_state: r.get(3)?,
        outcome: r.get(4)?,
        state: r.get(5)?,
        created_at: r.get(6)?,
    })
}

/// A stored file; none stored yet means nothing happened since the decision.
pub(crate) fn parse_file(id: &str, json: Option<&str>) -> Result<CaseFile, StoreError> {
    match json {
        None => Ok(CaseFile::assessed()),
        Some(json) => serde_json::from_str(json)
            .map_err(|e| StoreError::Inconsistent(format!("case {id}: stored file: {e}"))),
    }
}

/// A value as the JSON text a case row stores; `what` names it if it cannot be written.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(
    what: &str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Inconsistent(format!("{what}: {e}")))
}

/// The id of the case drawn as number `number`.
pub(crate) fn case_id(number: i64) -> String {
    format!("case-{number:06}")
}

/// The request kind's wire name (`mla`, …), as the `kind` column holds it.
pub(crate) fn kind_name(request: &Request) -> String {
    serde_json::to_value(request.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The entry that records new case `id`: it names the case and the request.
pub(crate) fn case_entry(entry: Entry, id: &str, request: &Request) -> Result<Entry, StoreError> {
    Ok(entry.with_objects([
        ObjectId::tagged("case", id)?,
        ObjectId::tagged("request", request.reference.as_str())?,
    ]))
}

/// Where a case's decision was recorded.
pub(crate) fn ledger_ref(receipt: &Receipt) -> LedgerRef {
    LedgerRef {
        index: receipt.index,
        root: receipt.root.to_hex(),
    }
}

/// The entries of a file change, each naming the case (added where the rules did not).
pub(crate) fn file_entries(case_id: &str, entries: Vec<Entry>) -> Result<Vec<Entry>, StoreError> {
    let case_object = ObjectId::tagged("case", case_id)?;
    Ok(entries
        .into_iter()
        .map(|entry| {
            if entry.objects.contains(&case_object) {
                entry
            } else {
                entry.with_objects([case_object.clone()])
            }
        })
        .collect())
}

/// A case from its stored columns.
pub(crate) fn case_from_stored(
    id: String,
    created_at: String,
    request: &str,
    decision: &str,
    file: Option<&str>,
) -> Result<Case, StoreError> {
    let bad = |what: &str, e: serde_json::Error| {
        StoreError::Inconsistent(format!("case {id}: stored {what}: {e}"))
    };
    Ok(Case {
        request: serde_json::from_str(request).map_err(|e| bad("request", e))?,
        decision: serde_json::from_str(decision).map_err(|e| bad("decision", e))?,
        file: parse_file(&id, file)?,
        id,
        created_at,
    })
}

fn read_case(conn: &rusqlite::Connection, id: &str) -> Result<Option<Case>, StoreError> {
    let row: Option<(String, String, String, String, Option<String>)> = conn
        .query_row(
            "SELECT id, created_at, request_json, decision_json, file_json
             FROM cases WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((id, created_at, request, decision, file)) = row else {
        return Ok(None);
    };
    case_from_stored(id, created_at, &request, &decision, file.as_deref()).map(Some)
}
