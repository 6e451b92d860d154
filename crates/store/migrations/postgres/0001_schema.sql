-- PostgreSQL schema, version 1: the same tables as the SQLite migrations 0001–0006 in their final
-- shape, written for PostgreSQL (BIGINT, BYTEA, a sequence for case numbers, timestamps as
-- RFC 3339 text like SQLite's so both stores hand the service the same strings). Ids and account
-- names are COLLATE "C": SQLite orders text by its bytes, and with the column's own collation
-- byte order too, an `ORDER BY id COLLATE "C"` walks the primary key instead of sorting, whatever
-- the database's default collation.

-- The ledger (haven-ledger): entries, signed checkpoints, the signing-key history and the running
-- head. All ledger logic lives in haven-ledger. Appends lock the head row (SELECT … FOR UPDATE),
-- so however many servers write, entries are appended one transaction at a time.
CREATE TABLE ledger_entries (
    idx BIGINT PRIMARY KEY,
    json TEXT NOT NULL,
    leaf_hash BYTEA NOT NULL
);
CREATE TABLE ledger_checkpoints (
    size BIGINT PRIMARY KEY,
    root BYTEA NOT NULL,
    note TEXT NOT NULL
);
CREATE TABLE ledger_keys (
    from_size BIGINT PRIMARY KEY,
    public_key TEXT NOT NULL
);
CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    origin TEXT NOT NULL,
    size BIGINT NOT NULL,
    frontier BYTEA NOT NULL
);

-- The protection registry and the context knowledge base: canonical JSON plus query columns.
-- `version` is the data version of the import that last changed the row.
CREATE TABLE registry_persons (
    id TEXT COLLATE "C" PRIMARY KEY,
    json TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX registry_persons_version ON registry_persons (version);
CREATE TABLE context_persons (
    id TEXT COLLATE "C" PRIMARY KEY,
    json TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX context_persons_version ON context_persons (version);
CREATE TABLE findings (
    id TEXT COLLATE "C" PRIMARY KEY,
    about TEXT NOT NULL,
    finding_type TEXT NOT NULL,
    state TEXT NOT NULL,
    json TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX findings_about ON findings (about);
CREATE TABLE state_profiles (
    state TEXT PRIMARY KEY,
    risk TEXT NOT NULL,
    json TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE TABLE relations (
    source TEXT NOT NULL CHECK (source IN ('registry', 'context')),
    from_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    to_id TEXT NOT NULL,
    PRIMARY KEY (source, from_id, kind, to_id)
);
CREATE INDEX relations_to ON relations (to_id);

-- Raised by every import that changes data (the row is locked by the import's UPDATE, so imports
-- through different servers are numbered one after the other); each raise is also announced with
-- NOTIFY haven_data so running servers catch up at once.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

-- Cases; their numbers come from a sequence, which concurrent writers never draw twice.
CREATE SEQUENCE case_numbers;
CREATE TABLE cases (
    id TEXT COLLATE "C" PRIMARY KEY,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    requesting_state TEXT NOT NULL,
    outcome TEXT NOT NULL,
    request_json TEXT NOT NULL,
    decision_json TEXT NOT NULL,
    ledger_index BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'assessed',
    file_json TEXT
);
CREATE INDEX cases_reference ON cases (reference);
CREATE INDEX cases_state ON cases (state);

-- Accounts (only Argon2id hashes of tokens and passwords).
CREATE TABLE accounts (
    name TEXT COLLATE "C" PRIMARY KEY,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    password_hash TEXT,
    created_at TEXT NOT NULL,
    disabled_at TEXT,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
);

-- Web UI sessions (only the SHA-256 of the cookie's secret).
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY,
    account TEXT COLLATE "C" NOT NULL REFERENCES accounts (name),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions (account);
