//! Web sessions and failed sign-ins on PostgreSQL.

use haven_ledger::Entry;

use super::PgDatabase;
use crate::accounts::naming_account;
use crate::{FailedSignIn, NewSession, StoreError, StoredSession};

pub(crate) fn create_session(db: &PgDatabase, session: &NewSession) -> Result<(), StoreError> {
    db.write(|tx| {
        tx.tx.execute(
            "INSERT INTO web_sessions (id_hash, account, csrf_token, created_at, last_seen_at,
                                       expires_at)
             VALUES ($1, $2, $3, $4, $4, $5)",
            &[
                &session.id_hash,
                &session.account,
                &session.csrf_token,
                &session.created_at,
                &session.expires_at,
            ],
        )?;
        Ok(())
    })
}

pub(crate) fn session(db: &PgDatabase, id_hash: &str) -> Result<Option<StoredSession>, StoreError> {
    db.read(|tx| {
        Ok(tx
            .query_opt(
                "SELECT account, csrf_token, created_at, last_seen_at, expires_at
                 FROM web_sessions WHERE id_hash = $1",
                &[&id_hash],
            )?
            .map(|row| StoredSession {
                account: row.get(0),
                csrf_token: row.get(1),
                created_at: row.get(2),
                last_seen_at: row.get(3),
                expires_at: row.get(4),
            }))
    })
}

pub(crate) fn touch_session(db: &PgDatabase, id_hash: &str, at: &str) -> Result<(), StoreError> {
    db.write(|tx| {
        tx.tx.execute(
            "UPDATE web_sessions SET last_seen_at = $2 WHERE id_hash = $1",
            &[&id_hash, &at],
        )?;
        Ok(())
    })
}

pub(crate) fn end_session(db: &PgDatabase, id_hash: &str) -> Result<(), StoreError> {
    db.write(|tx| {
        tx.tx
            .execute("DELETE FROM web_sessions WHERE id_hash = $1", &[&id_hash])?;
        Ok(())
    })
}

pub(crate) fn record_failed_sign_in(
    db: &PgDatabase,
    name: &str,
    limit: u32,
    lock_until: &str,
    lock_entry: Entry,
) -> Result<FailedSignIn, StoreError> {
    db.write(|tx| {
        // The row stays locked until commit: a failure counted by another server at the same
        // moment waits and then counts on top of this one, so no count is lost and only one of
        // them reaches the limit.
        let locked = tx.tx.query_opt(
            "SELECT failed_sign_ins FROM accounts WHERE name = $1 FOR UPDATE",
            &[&name],
        )?;
        if locked.is_none() {
            return Ok(FailedSignIn::UnknownAccount);
        }
        let failures: i32 = tx
            .tx
            .query_one(
                "UPDATE accounts SET failed_sign_ins = failed_sign_ins + 1 WHERE name = $1
                 RETURNING failed_sign_ins",
                &[&name],
            )?
            .get(0);
        let failures = u32::try_from(failures).map_err(|_| {
            StoreError::Inconsistent(format!(
                "account {name:?}: a failed sign-in count of {failures}"
            ))
        })?;
        if failures < limit {
            return Ok(FailedSignIn::Counted(failures));
        }
        tx.tx.execute(
            "UPDATE accounts SET failed_sign_ins = 0, locked_until = $2 WHERE name = $1",
            &[&name, &lock_until],
        )?;
        tx.append_ledger(&naming_account(lock_entry, name)?)?;
        Ok(FailedSignIn::Locked {
            until: lock_until.to_owned(),
        })
    })
}

pub(crate) fn clear_failed_sign_ins(db: &PgDatabase, name: &str) -> Result<(), StoreError> {
    db.write(|tx| {
        tx.tx.execute(
            "UPDATE accounts SET failed_sign_ins = 0, locked_until = NULL WHERE name = $1",
            &[&name],
        )?;
        Ok(())
    })
}
