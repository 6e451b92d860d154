-- Cases: one per assessed request, with the request as received and the decision as made.
-- The decision JSON carries the index and root of its ledger entry; the entry names the case.
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    requesting_state TEXT NOT NULL,
    outcome TEXT NOT NULL,
    request_json TEXT NOT NULL,
    decision_json TEXT NOT NULL,
    ledger_index INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX cases_reference ON cases (reference);
