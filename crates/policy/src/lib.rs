//! Haven's policy: the rule catalogue of DESIGN §6 as versioned data (`rules/catalogue.toml`,
//! every rule with its legal source), the evaluator that turns the findings about a request into
//! a decision, the partner table (`rules/partners.toml`: which instruments bind which requesting
//! state, and so the decision's legal basis), and the reply to the requesting state; and the
//! rules of the case after its decision (DESIGN §5.5): the state machine ([`workflow`]), the
//! execution record's completion checks ([`execution`]) and the outbound transfer gate
//! ([`gate`]), each a pure function from a case file to the next one or a refusal.
//!
//! Architecture invariant: pure. No I/O, no clock (callers pass `now`), no randomness; the only
//! global state is the bundled catalogue, parsed once on first use. The policy does not screen: findings come in
//! already computed. Every rule cites its legal source, and the reply never discloses asylum
//! information: it is written from the request's kind and the outcome alone, and [`leaks`]
//! checks it.
//!
//! ```
//! use haven_domain::{parse_request, DecisionFinding, FindingCode, Outcome, ReferralCode};
//! use haven_policy::{evaluate, leaks, Catalogue, Facts};
//!
//! let request = parse_request(r#"{"reference": "MLA/2019/0412", "kind": "mla",
//!     "requesting_state": "kz", "received_on": "2019-09-10",
//!     "parties": [{"role": "subject", "names": ["Бекова Айгерим"]}],
//!     "measures": [{"kind": "seize_devices", "party": 0}]}"#).unwrap();
//! let finding = DecisionFinding::new(
//!     FindingCode::ProtectedAgainstRequestingState,
//!     Some(0),
//!     "a protected person; refer to the asylum authority",
//! );
//! let facts = Facts {
//!     request: &request,
//!     requested_state: haven_domain::CountryCode::parse("be").unwrap(),
//!     findings: vec![finding],
//!     state_risk: None,
//! };
//! let decision = evaluate(Catalogue::bundled(), &facts);
//! assert_eq!(decision.outcome, Outcome::FreezeAndRefer);
//! assert!(decision.referrals.contains(&ReferralCode::AsylumAuthority));
//! assert!(decision.rules_applied.iter().any(|id| id == "protected-party"));
//! assert!(leaks(&decision.reply_to_requesting_state).is_empty());
//! // Kazakhstan is party to none of the Council of Europe's criminal-cooperation conventions.
//! let basis = decision.legal_basis.unwrap();
//! assert!(basis.instruments.iter().all(|i| i.id != "ets-30"));
//! ```

mod catalogue;
mod error;
mod evaluate;
pub mod execution;
pub mod gate;
mod partners;
mod reply;
mod words;
pub mod workflow;

pub use catalogue::{
    BUNDLED_CATALOGUE, Catalogue, Citation, Conditions, Rule, SafeguardSpec, Scope, Tag, Then, When,
};
pub use error::PolicyError;
pub use evaluate::{Facts, evaluate};
pub use partners::{BUNDLED_PARTNERS, CLAUSES, Clause, Instrument, Partner, PartnerTable};
pub use reply::{CONFIDENTIALITY_RULE, leaks, reply};
