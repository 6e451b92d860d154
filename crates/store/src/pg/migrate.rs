//! PostgreSQL's schema migrations: SQL files under `migrations/postgres/`, applied in order, each
//! in its own transaction, recorded in `schema_migrations`, all under one advisory lock so that
//! several servers starting together apply each migration exactly once.

use postgres::Client;

use crate::StoreError;

/// Every migration, in order. Append only, as for SQLite.
const MIGRATIONS: &[(i64, &str, &str)] = &[(
    1,
    "schema",
    include_str!("../../migrations/postgres/0001_schema.sql"),
)];

/// The newest PostgreSQL schema version this build knows.
pub const PG_SCHEMA_VERSION: i64 = 1;

/// The advisory lock key that serialises migrations and the ledger's first key between
/// processes ("haven" + "mig" in ASCII; any constant no other application uses).
pub(crate) const MIGRATION_LOCK: i64 = 0x6861_7665_6e6d_6967;

/// Brings the schema up to date.
pub(crate) fn migrate(client: &mut Client) -> Result<(), StoreError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])?;
    let result = apply(client);
    // Released also if the connection drops: advisory locks belong to the session.
    client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])?;
    result
}

fn apply(client: &mut Client) -> Result<(), StoreError> {
    client.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version BIGINT PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    for &(version, name, sql) in MIGRATIONS {
        let mut tx = client.transaction()?;
        let applied: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
                &[&version],
            )?
            .get(0);
        if applied == 0 {
            tx.batch_execute(sql)?;
            tx.execute(
                &format!(
                    "INSERT INTO schema_migrations (version, name, applied_at)
                     VALUES ($1, $2, {})",
                    super::NOW_UTC
                ),
                &[&version, &name],
            )?;
        }
        tx.commit()?;
    }
    let newest: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )?
        .get(0);
    if newest > PG_SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: newest,
            known: PG_SCHEMA_VERSION,
        });
    }
    Ok(())
}
