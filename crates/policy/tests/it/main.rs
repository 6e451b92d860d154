//! Integration tests of haven-policy, one binary: the catalogue and its validation, the
//! evaluator rule by rule (one table row per case), the DESIGN §1 case as a snapshot, and the
//! reply's confidentiality (a table over every kind × outcome and a property test), the case
//! state machine (its transition table, four-eyes, referrals), the execution record's rules (a
//! table of records against a lawyer's home search) and the transfer gate.

mod catalogue;
mod evaluate;
mod execution;
mod gate;
mod reply;
mod support;
mod workflow;
