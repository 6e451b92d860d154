-- The ledger (haven-ledger): entries, signed checkpoints, the signing-key history and the
-- running head. Plain SQL that PostgreSQL also accepts (BLOB becomes BYTEA there); all ledger
-- logic lives in the haven-ledger crate, not in SQL.

-- One row per log entry. idx is the 0-based position in the Merkle log; json is the entry's
-- canonical JSON (the leaf data, hashed byte for byte) and leaf_hash = SHA-256(0x00 || json).
CREATE TABLE ledger_entries (
    idx INTEGER PRIMARY KEY,
    json TEXT NOT NULL,
    leaf_hash BLOB NOT NULL
);

-- One signed checkpoint per committed transaction that appended entries: the tree size, its
-- root, and the C2SP signed note over both.
CREATE TABLE ledger_checkpoints (
    size INTEGER PRIMARY KEY,
    root BLOB NOT NULL,
    note TEXT NOT NULL
);

-- The signing keys, each with the first tree size it signs (the index of the key_rotation entry
-- that introduced it, plus one). A copy of what the log itself says, for quick lookups;
-- `haven ledger verify` checks that the two agree.
CREATE TABLE ledger_keys (
    from_size INTEGER PRIMARY KEY,
    public_key TEXT NOT NULL
);

-- The log's identity and its right edge (the perfect-subtree roots, 32 bytes each), so that an
-- append computes the new root in O(log n) without reading old entries. A single row.
CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    origin TEXT NOT NULL,
    size INTEGER NOT NULL,
    frontier BLOB NOT NULL
);
