//! Cases: an assessed request, its decision and the ledger entry that records it, written in one
//! transaction so that there is never a case without its entry or an entry without its case.

use haven_domain::{Decision, LedgerRef, Request};
use haven_ledger::{Entry, ObjectId};
use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

/// A stored case.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: String,
    pub created_at: String,
    pub request: Request,
    pub decision: Decision,
}

/// A case in a list: enough to find it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseSummary {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub requesting_state: String,
    pub outcome: String,
    pub created_at: String,
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
        let request_json = serde_json::to_string(request)
            .map_err(|e| StoreError::Inconsistent(format!("request: {e}")))?;
        self.transaction(|tx| {
            // A number no other writer can have drawn (see migration 0004), not COUNT(*) + 1.
            tx.sqlite()
                .execute("INSERT INTO case_numbers DEFAULT VALUES", [])?;
            let number = tx.sqlite().last_insert_rowid();
            let id = format!("case-{number:06}");
            let entry = entry.with_objects([
                ObjectId::tagged("case", &id)?,
                ObjectId::tagged("request", request.reference.as_str())?,
            ]);
            let receipt = tx.append_ledger(&entry)?;
            decision.ledger = Some(LedgerRef {
                index: receipt.index,
                root: receipt.root.to_hex(),
            });
            let decision_json = serde_json::to_string(&*decision)
                .map_err(|e| StoreError::Inconsistent(format!("decision: {e}")))?;
            tx.sqlite().execute(
                "INSERT INTO cases (id, reference, kind, requesting_state, outcome, request_json,
                                    decision_json, ledger_index, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                params![
                    id,
                    request.reference.as_str(),
                    serde_json::to_value(request.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
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
            "SELECT id, reference, kind, requesting_state, outcome, created_at
             FROM cases ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CaseSummary {
                id: r.get(0)?,
                reference: r.get(1)?,
                kind: r.get(2)?,
                requesting_state: r.get(3)?,
                outcome: r.get(4)?,
                created_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One case with its request and decision.
    pub fn get_case(&self, id: &str) -> Result<Option<Case>, StoreError> {
        let row: Option<(String, String, String, String)> = self
            .conn
            .query_row(
                "SELECT id, created_at, request_json, decision_json FROM cases WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((id, created_at, request, decision)) = row else {
            return Ok(None);
        };
        let bad = |what: &str, e: serde_json::Error| {
            StoreError::Inconsistent(format!("case {id}: stored {what}: {e}"))
        };
        Ok(Some(Case {
            request: serde_json::from_str(&request).map_err(|e| bad("request", e))?,
            decision: serde_json::from_str(&decision).map_err(|e| bad("decision", e))?,
            id,
            created_at,
        }))
    }
}
