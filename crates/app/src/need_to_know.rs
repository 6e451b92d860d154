//! Need-to-know, in one place (DESIGN §5.4): what a role sees of the protection registry.
//!
//! A registry match tells every role that may screen or read cases that the person is protected
//! and must be referred to the asylum authority — never why. The protection details (status,
//! granting state, dates, the states protected against) reach only a role the cedar policy
//! allows `view_protection_details` (the asylum liaison), and the caller records each such read
//! in the ledger: the functions here return which records' details they disclosed.
//!
//! Decisions carry the details as structured data (`Finding.protection`), never in their texts,
//! so hiding them is removing one field: [`haven_domain::Decision::restricted`].

use haven_access::{Action, Authorizer, Principal};
use haven_domain::{Decision, PersonId, Protection};
use haven_index::{Match, Source};
use haven_store::Database;
use serde::Serialize;

use crate::AppError;

/// The referral every registry match calls for.
pub const REFER_TO: &str = "asylum_authority";

/// One screening match as a role may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenedMatch {
    /// The record's id.
    pub id: String,
    /// `registry` or `context`.
    pub source: &'static str,
    /// The score, rounded to four decimals.
    pub score: f64,
    /// `match`, `possible` or `none`.
    pub tier: &'static str,
    /// The record's names.
    pub names: Vec<String>,
    /// Why the record matched, in words.
    pub explanation: String,
    /// For a registry record: that the person is protected (and, for a role entitled to them,
    /// the details).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection: Option<ProtectionView>,
}

/// What a role learns of a registry person's protection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProtectionView {
    /// Always true: the record is in the protection registry.
    pub protected: bool,
    /// Whom to refer the person to.
    pub refer_to: &'static str,
    /// Status, granting state, dates and the states protected against: only for a role allowed
    /// `view_protection_details`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Protection>,
}

/// Whether the principal's role may see protection details.
pub fn may_see_details(who: &Principal) -> bool {
    Authorizer::bundled().is_allowed(who, Action::ViewProtectionDetails)
}

/// The matches as `who` may see them, and the registry records whose details were disclosed
/// (to be logged by the caller).
pub(crate) fn screened_matches(
    who: &Principal,
    matches: &[Match],
    db: &dyn Database,
) -> Result<(Vec<ScreenedMatch>, Vec<String>), AppError> {
    let details = may_see_details(who);
    let mut disclosed = Vec::new();
    let mut out = Vec::with_capacity(matches.len());
    for m in matches {
        let protection = match m.source {
            Source::Context => None,
            Source::Registry => Some(ProtectionView {
                protected: true,
                refer_to: REFER_TO,
                details: if details {
                    let id = PersonId::parse(m.id.clone())
                        .map_err(|e| AppError::Index(format!("match id {:?}: {e}", m.id)))?;
                    let person = db
                        .registry_person(&id)
                        .map_err(AppError::from_store)?
                        .ok_or_else(|| {
                            AppError::Index(format!(
                                "registry record {} is in the index but not in the store",
                                m.id
                            ))
                        })?;
                    disclosed.push(m.id.clone());
                    Some(person.protection)
                } else {
                    None
                },
            }),
        };
        out.push(ScreenedMatch {
            id: m.id.clone(),
            source: m.source.label(),
            score: (f64::from(m.score) * 10_000.0).round() / 10_000.0,
            tier: m.tier.as_str(),
            names: m.names.clone(),
            explanation: m.explanation.clone(),
            protection,
        });
    }
    Ok((out, disclosed))
}

/// The decision as `who` may see it, and the registry records whose details it discloses.
pub fn decision_for(who: &Principal, decision: &Decision) -> (Decision, Vec<String>) {
    if may_see_details(who) {
        let mut disclosed: Vec<String> = decision
            .findings
            .iter()
            .filter_map(|f| f.protection.as_ref().map(|p| p.record.as_str().to_owned()))
            .collect();
        disclosed.sort();
        disclosed.dedup();
        (decision.clone(), disclosed)
    } else {
        (decision.restricted(), Vec::new())
    }
}
