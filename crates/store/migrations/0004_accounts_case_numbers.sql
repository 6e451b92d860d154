-- Accounts of the people who use Haven through its API and web UI. Only Argon2id hashes of their
-- API token and (optional) password are stored; the token itself is shown once, at creation.
-- An account is never deleted (the ledger names it); it is disabled.
CREATE TABLE accounts (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    password_hash TEXT,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

-- Case numbers come from a counter that concurrent writers cannot both read the same value of
-- (AUTOINCREMENT here, a sequence in PostgreSQL), not from COUNT(*) + 1. Seeded past the cases
-- already stored, whose ids were numbered from 1.
CREATE TABLE case_numbers (
    n INTEGER PRIMARY KEY AUTOINCREMENT
);
INSERT INTO case_numbers (n) SELECT COUNT(*) FROM cases WHERE (SELECT COUNT(*) FROM cases) > 0;

-- A running screening index catches up on the persons changed since its data version
-- (`WHERE version > ?`): without these, each catch-up would scan every person.
CREATE INDEX registry_persons_version ON registry_persons (version);
CREATE INDEX context_persons_version ON context_persons (version);
