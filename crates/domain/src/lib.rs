//! Haven's domain types for the protection registry and the context knowledge base, requests and
//! decisions, who acts (roles, principals) and the case after its decision ([`workflow`]), and
//! the parsers of their interchange formats (DESIGN §5.2 JSON lines, FollowTheMoney entities).
//!
//! Architecture invariant: pure. No files, no database, no clock. Readers take a `BufRead` the
//! caller opened. Every type is "parse, don't validate": a [`PersonId`], [`CountryCode`] or
//! [`PartialDate`] that exists is valid, and the records built from them reject unknown fields,
//! so a value that reaches the store or the index needs no further checks. Every parse error
//! names the field it is about (`relations[0].to: …`).
//!
//! ```
//! use haven_domain::{parse_registry_line, RelationKind};
//!
//! let person = parse_registry_line(r#"{"id": "R-1001", "names": ["Aigerim Bekova"],
//!     "birth_date": "1971-03-02", "nationalities": ["KZ"], "gender": "f",
//!     "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2013-10-01", "against": ["kz"]},
//!     "roles": ["lawyer"], "relations": [{"kind": "child", "to": "R-1002"}]}"#).unwrap();
//! assert_eq!(person.nationalities[0].as_str(), "kz");
//! assert_eq!(person.relations[0].kind.inverse(), RelationKind::Parent);
//!
//! let err = parse_registry_line(r#"{"id": "R-1", "names": ["A"], "birth_date": "1971-13-02",
//!     "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2013", "against": ["kz"]}}"#)
//!     .unwrap_err();
//! assert_eq!(err.to_string(),
//!     r#"birth_date: "1971-13-02" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"#);
//! ```

#[macro_use]
mod codes;
#[macro_use]
mod newtype;
mod context;
mod country;
mod date;
mod decision;
mod error;
pub mod ftm;
mod id;
mod identity;
mod jsonl;
mod party;
mod person;
mod request;
pub mod workflow;

pub use context::{
    ContextPerson, ContextRecord, Finding, FindingType, RiskLevel, StateProfile, Text,
};
pub use country::CountryCode;
pub use date::{DateMatch, PartialDate, Precision};
pub use decision::{
    BasisKind, Decision, Finding as DecisionFinding, FindingCode, Ground, InstrumentRef, LedgerRef,
    LegalBasis, MatchEvidence, Outcome, ProtectionFacts, ReferralCode, Safeguard, SafeguardCode,
};
pub use error::RecordError;
pub use id::{FindingId, PersonId};
pub use identity::{AccountName, AccountNameError, Principal, Role};
pub use jsonl::{
    Format, Line, Lines, Numbered, detect_format, parse_context_line, parse_document,
    parse_registry_line,
};
pub use party::{Party, PartyRole, parse_party};
pub use person::{
    Gender, PersonName, PersonRole, Protection, ProtectionStatus, RegistryPerson, Relation,
    RelationKind,
};
pub use request::{
    EioDetails, Measure, MeasureKind, Offence, OffenceCategory, Request, RequestKind, parse_request,
};
