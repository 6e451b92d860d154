-- The protection registry and the context knowledge base (haven-domain records). Each record is
-- stored as its canonical JSON (haven-domain's serialisation; the store never edits it) plus the
-- columns that queries need. Plain SQL that PostgreSQL also accepts.

-- Registry persons. `version` is the data version of the import that last changed the row.
CREATE TABLE registry_persons (
    id TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    version INTEGER NOT NULL
);

-- Context persons. Their ids never collide with registry ids (checked on import), so a
-- relation's `to` names exactly one person.
CREATE TABLE context_persons (
    id TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    version INTEGER NOT NULL
);

-- Sourced findings about a person (registry or context id).
CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    about TEXT NOT NULL,
    finding_type TEXT NOT NULL,
    state TEXT NOT NULL,
    json TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE INDEX findings_about ON findings (about);

-- One risk profile per state.
CREATE TABLE state_profiles (
    state TEXT PRIMARY KEY,
    risk TEXT NOT NULL,
    json TEXT NOT NULL,
    version INTEGER NOT NULL
);

-- Every relation as stated in a record (`from_id`'s record says `to_id` is its `kind`); the
-- inverse is implied, found through the index on `to_id`. A copy of what the records' JSON
-- says, replaced whenever a record is imported.
CREATE TABLE relations (
    source TEXT NOT NULL CHECK (source IN ('registry', 'context')),
    from_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    to_id TEXT NOT NULL,
    PRIMARY KEY (source, from_id, kind, to_id)
);
CREATE INDEX relations_to ON relations (to_id);

-- A counter raised by every import that changes registry or context data, so an index snapshot
-- can tell it is stale by comparing one number. A single row.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
