-- Web UI sessions. The cookie carries a random secret; only its SHA-256 is stored, so a copy of
-- the database does not let anyone sign in. Each session has its own CSRF token for its forms.
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    account TEXT NOT NULL REFERENCES accounts (name),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions (account);

-- Repeated wrong passwords lock an account's web sign-in for a while (the lock is a ledger entry).
ALTER TABLE accounts ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN locked_until TEXT;
