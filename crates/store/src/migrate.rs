//! Versioned schema migrations: SQL files under `migrations/`, embedded in the binary and applied
//! in order, each in its own transaction, recorded in `schema_migrations`.

use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;

/// Every migration, in order. Append only: an applied migration is never edited, because the
/// databases that ran it would silently differ from new ones.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "ledger", include_str!("../migrations/0001_ledger.sql")),
    (
        2,
        "registry_context",
        include_str!("../migrations/0002_registry_context.sql"),
    ),
    (3, "cases", include_str!("../migrations/0003_cases.sql")),
    (
        4,
        "accounts_case_numbers",
        include_str!("../migrations/0004_accounts_case_numbers.sql"),
    ),
    (
        5,
        "case_files",
        include_str!("../migrations/0005_case_files.sql"),
    ),
    (
        6,
        "web_sessions",
        include_str!("../migrations/0006_web_sessions.sql"),
    ),
];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = 6;

/// Brings the schema up to date.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    for &(version, name, sql) in MIGRATIONS {
        // IMMEDIATE takes the write lock before reading, so two processes opening the same fresh
        // database cannot both decide to apply the same migration.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied: i64 = tx.query_row(
            "SELECT COUNT(*) FROM schema_migrations WHERE version = ?1",
            [version],
            |row| row.get(0),
        )?;
        if applied == 0 {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)
                 VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                rusqlite::params![version, name],
            )?;
        }
        tx.commit()?;
    }
    let newest: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?;
    if newest > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: newest,
            known: SCHEMA_VERSION,
        });
    }
    Ok(())
}
