-- What happened to a case after its decision (DESIGN §5.5): its state, for lists and statistics,
-- and its whole file (events, approvals, referrals, execution records, transfers) as one JSON
-- document, replaced in the same transaction as the ledger entry for each change. NULL: nothing
-- has happened since the decision (the case is `assessed`).
ALTER TABLE cases ADD COLUMN state TEXT NOT NULL DEFAULT 'assessed';
ALTER TABLE cases ADD COLUMN file_json TEXT;
CREATE INDEX cases_state ON cases (state);
