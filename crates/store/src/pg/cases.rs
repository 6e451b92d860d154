//! Cases on PostgreSQL: recording an assessed request with its ledger entry, reading cases, and
//! changing a case's file under the caller's rules in one transaction.

use haven_domain::workflow::{CaseFile, Refusal};
use haven_domain::{Decision, Request};
use haven_ledger::Entry;
use postgres::GenericClient;

use super::{NOW_UTC, PgDatabase, to_i64};
use crate::cases::{
    case_entry, case_from_stored, case_id, file_entries, kind_name, ledger_ref, parse_file, to_json,
};
use crate::{Case, CaseSummary, CaseUpdate, CaseUpdateError, FileChange, ListedCase, StoreError};

/// The columns a [`CaseSummary`] is read from, in its fields' order.
const SUMMARY_COLUMNS: &str = "id, reference, kind, requesting_state, outcome, state, created_at";

/// Cases oldest first: by id in byte order, as SQLite sorts, whatever the database's collation.
const BY_ID: &str = "ORDER BY id COLLATE \"C\"";

fn summary_row(row: &postgres::Row) -> CaseSummary {
    CaseSummary {
        id: row.get(0),
        reference: row.get(1),
        kind: row.get(2),
        requesting_state: row.get(3),
        outcome: row.get(4),
        state: row.get(5),
        created_at: row.get(6),
    }
}

pub(crate) fn record_case(
    db: &PgDatabase,
    request: &Request,
    decision: &mut Decision,
    entry: Entry,
) -> Result<String, StoreError> {
    let request_json = to_json("request", request)?;
    db.write(|tx| {
        // A sequence never hands the same number to two transactions, on any server.
        let number: i64 = tx
            .tx
            .query_one("SELECT nextval('case_numbers')", &[])?
            .get(0);
        let id = case_id(number);
        let receipt = tx.append_ledger(&case_entry(entry, &id, request)?)?;
        decision.ledger = Some(ledger_ref(&receipt));
        let decision_json = to_json("decision", &*decision)?;
        tx.tx.execute(
            &format!(
                "INSERT INTO cases (id, reference, kind, requesting_state, outcome, request_json,
                                    decision_json, ledger_index, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, {NOW_UTC})"
            ),
            &[
                &id,
                &request.reference.as_str(),
                &kind_name(request),
                &request.requesting_state.as_str(),
                &decision.outcome.as_str(),
                &request_json,
                &decision_json,
                &to_i64(receipt.index),
            ],
        )?;
        Ok(id)
    })
}

pub(crate) fn list_cases(db: &PgDatabase) -> Result<Vec<CaseSummary>, StoreError> {
    db.read(|tx| {
        let rows = tx.query(&format!("SELECT {SUMMARY_COLUMNS} FROM cases {BY_ID}"), &[])?;
        Ok(rows.iter().map(summary_row).collect())
    })
}

pub(crate) fn get_case(db: &PgDatabase, id: &str) -> Result<Option<Case>, StoreError> {
    db.read(|tx| read_case(tx, id, false))
}

pub(crate) fn case_files(db: &PgDatabase) -> Result<Vec<(CaseSummary, CaseFile)>, StoreError> {
    db.read(|tx| {
        let rows = tx.query(
            &format!("SELECT {SUMMARY_COLUMNS}, file_json FROM cases {BY_ID}"),
            &[],
        )?;
        rows.iter()
            .map(|row| {
                let summary = summary_row(row);
                let file = parse_file(&summary.id, row.get::<_, Option<&str>>(7))?;
                Ok((summary, file))
            })
            .collect()
    })
}

pub(crate) fn case_listing(db: &PgDatabase) -> Result<Vec<ListedCase>, StoreError> {
    db.read(|tx| {
        // The distinct codes in the order they first appear, as SQLite's
        // group_concat(DISTINCT …) over json_each gives them.
        let rows = tx.query(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, file_json,
                        (SELECT array_agg(code ORDER BY first)
                         FROM (SELECT f.value ->> 'code' AS code, MIN(f.ord) AS first
                               FROM jsonb_array_elements(decision_json::jsonb -> 'findings')
                                    WITH ORDINALITY AS f(value, ord)
                               WHERE f.value ->> 'code' IS NOT NULL
                               GROUP BY 1) AS codes)
                 FROM cases {BY_ID}"
            ),
            &[],
        )?;
        rows.iter()
            .map(|row| {
                let summary = summary_row(row);
                let file = parse_file(&summary.id, row.get::<_, Option<&str>>(7))?;
                let finding_codes = row.get::<_, Option<Vec<String>>>(8).unwrap_or_default();
                Ok(ListedCase {
                    summary,
                    file,
                    finding_codes,
                })
            })
            .collect()
    })
}

pub(crate) fn update_case_file(
    db: &PgDatabase,
    id: &str,
    change: &mut dyn FnMut(&Case) -> Result<FileChange, Refusal>,
) -> Result<CaseUpdate, CaseUpdateError> {
    db.write(|tx| {
        // Locked until the transaction ends: another server's change to this case waits, then
        // reads the file this one wrote.
        let case = read_case(&mut tx.tx, id, true)?
            .ok_or_else(|| CaseUpdateError::NotFound(id.to_owned()))?;
        let FileChange { file, entries } = change(&case).map_err(CaseUpdateError::Refused)?;
        let mut receipts = Vec::with_capacity(entries.len());
        for entry in file_entries(&case.id, entries)? {
            receipts.push(tx.append_ledger(&entry)?);
        }
        let json = to_json("case file", &file)?;
        tx.tx
            .execute(
                "UPDATE cases SET state = $2, file_json = $3 WHERE id = $1",
                &[&case.id, &file.state.as_str(), &json],
            )
            .map_err(StoreError::from)?;
        Ok(CaseUpdate { file, receipts })
    })
}

fn read_case(
    client: &mut impl GenericClient,
    id: &str,
    for_update: bool,
) -> Result<Option<Case>, StoreError> {
    let sql = if for_update {
        "SELECT id, created_at, request_json, decision_json, file_json
         FROM cases WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT id, created_at, request_json, decision_json, file_json
         FROM cases WHERE id = $1"
    };
    let Some(row) = client.query_opt(sql, &[&id])? else {
        return Ok(None);
    };
    case_from_stored(
        row.get(0),
        row.get(1),
        row.get(2),
        row.get(3),
        row.get::<_, Option<&str>>(4),
    )
    .map(Some)
}
