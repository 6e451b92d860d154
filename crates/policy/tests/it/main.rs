//! Integration tests of haven-policy, one binary: the catalogue and its validation, the
//! evaluator rule by rule (one table row per case), the DESIGN §1 case as a snapshot, and the
//! reply's confidentiality (a table over every kind × outcome and a property test), and the
//! outbound transfer gate (a table per block reason, the motivating case, a property test).

mod catalogue;
mod evaluate;
mod gate;
mod reply;
mod support;
