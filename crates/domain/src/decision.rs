//! What an assessment concludes (DESIGN §5.3): typed findings with their evidence, the outcome,
//! the safeguards and referrals the law requires, internal reasons with their sources, and a
//! reply that is safe to send to the requesting state.

use serde::{Deserialize, Serialize};

use crate::person::{RawProtection, non_empty_states};
use crate::{
    CountryCode, FindingId, PartialDate, PersonId, PersonRole, Protection, ProtectionStatus,
};

codes! {
    /// What screening and context expansion found.
    FindingCode {
        /// A party is protected (refugee, subsidiary protection, asylum seeker, temporary
        /// protection) against the very state that sends the request.
        ProtectedAgainstRequestingState = "protected_against_requesting_state",
        /// A party is protected by another state than the receiving one.
        ProtectedByOtherState = "protected_by_other_state",
        /// A party's name is a `possible` match (DESIGN §5.1) for a protected person: a person
        /// must confirm or reject the identity before anything is executed.
        PossibleMatchProtected = "possible_match_protected",
        /// A party is a relative or household member of a protected person.
        RelativeOfProtectedPerson = "relative_of_protected_person",
        /// A party is a lawyer, journalist or human-rights defender.
        ProtectedProfession = "protected_profession",
        /// A party is a minor.
        MinorInvolved = "minor_involved",
        /// Within two hops of a party: a court, UN or INTERPOL finding of political persecution.
        ContextPoliticalPersecution = "context_political_persecution",
        /// The requesting state's profile shows a high risk of political persecution.
        RequestingStateHighRisk = "requesting_state_high_risk",
        /// An offence is of a category that is often a vehicle for persecution.
        OffenceCategoryFlag = "offence_category_flag",
        /// The measures would reach material covered by professional privilege.
        PrivilegedMaterialLikely = "privileged_material_likely",
        /// The request is an INTERPOL diffusion, not reviewed by INTERPOL before dispatch.
        UnreviewedDiffusion = "unreviewed_diffusion",
        /// Officials of the requesting state are to be present at execution.
        ForeignOfficialsRequested = "foreign_officials_requested",
        /// Executing a measure would reveal to the requesting state where a person protected
        /// against it lives or works (locating them, its officials at their home, their address
        /// in what is sent back).
        WhereaboutsDisclosure = "whereabouts_disclosure",
    }
}

codes! {
    /// Conditions the execution must meet.
    SafeguardCode {
        WarrantPresented = "warrant_presented",
        CounselPresent = "counsel_present",
        IndependentLegalObserver = "independent_legal_observer",
        PrivilegeSealing = "privilege_sealing",
        JudgeLedQuestioning = "judge_led_questioning",
        ForeignOfficialsObserveOnly = "foreign_officials_observe_only",
        /// Consent to the presence of the requesting state's officials is withheld: a party is
        /// protected against that state (used instead of `foreign_officials_observe_only`).
        NoForeignOfficials = "no_foreign_officials",
        ItemisedInventory = "itemised_inventory",
        NoLiveAccountAccess = "no_live_account_access",
        TransferAfterJudicialSorting = "transfer_after_judicial_sorting",
        /// Use of transferred material limited to the proceedings named (ETS 182 Art 26).
        SpecialityOfUse = "speciality_of_use",
        /// The person is told how to challenge the measure (after execution when earlier
        /// notice would defeat it).
        RemedyInformation = "remedy_information",
        /// Seized devices and account data are kept sealed, every access is logged, and no
        /// credential found is used for live access (LED Arts 29–31).
        SealedStorage = "sealed_storage",
        /// Personal data concerning the party are not transferred unless a judge overrides with
        /// reasons (LED Art 38(2): fundamental rights override the public interest).
        TransferBlocked = "transfer_blocked",
    }
}

codes! {
    /// Who must be told or asked before anything is executed.
    ReferralCode {
        AsylumAuthority = "asylum_authority",
        InvestigatingJudge = "investigating_judge",
        BarAssociation = "bar_association",
        DataProtectionOfficer = "data_protection_officer",
    }
}

codes! {
    /// The decision, from least to most restrictive.
    Outcome {
        Proceed = "proceed",
        ProceedWithSafeguards = "proceed_with_safeguards",
        FreezeAndRefer = "freeze_and_refer",
        Refuse = "refuse",
    }
}

/// The record a finding rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchEvidence {
    /// The registry or context record.
    pub id: String,
    /// `registry` or `context`.
    pub source: String,
    pub score: f64,
    pub explanation: String,
}

/// One finding, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    pub code: FindingCode,
    /// The party (index into the request's parties) it concerns, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<usize>,
    /// The record match it rests on, if any.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub matched: Option<MatchEvidence>,
    /// What was found, in words an officer may read: a protected person and what to do, never
    /// the protection details (those are in `protection`).
    pub detail: String,
    /// For `protected_profession` and `minor_involved`: the role the record gives the person
    /// (lawyer, journalist, …). The policy needs it to tell a lawyer (bar association, judge-led
    /// questioning) from a journalist; when absent it assumes the strictest role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<PersonRole>,
    /// The catalogue rules that rest on this finding, in catalogue order (set by the policy;
    /// empty before evaluation, or when no rule takes it up).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// The protection details of the registry record the finding concerns (status, granting
    /// state, dates, the states it protects against): for the asylum liaison and the judge only,
    /// removed by [`Finding::restricted`]. Absent in decisions recorded before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection: Option<ProtectionFacts>,
    /// For `context_political_persecution`: the context knowledge base's finding the path
    /// reaches. Two parties linked to one political prisoner reach the same fact; the memo says
    /// it once and refers back to it by number. Absent in decisions recorded before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<FindingId>,
}

impl Finding {
    /// A finding with its code, the party it concerns and its words, and nothing more yet: no
    /// record match, role, rules, protection details or context fact.
    pub fn new(code: FindingCode, party: Option<usize>, detail: impl Into<String>) -> Finding {
        Finding {
            code,
            party,
            matched: None,
            detail: detail.into(),
            role: None,
            rules: Vec::new(),
            protection: None,
            fact: None,
        }
    }

    /// The finding as an officer, a judge or a police user may see it: its protection details
    /// removed. Nothing else in a finding carries them.
    pub fn restricted(&self) -> Finding {
        Finding {
            protection: None,
            ..self.clone()
        }
    }
}

/// What the protection registry says about one record, as a finding carries it (DESIGN §5.4):
/// need-to-know information, which [`Decision::restricted`] removes. In JSON the record id sits
/// beside the protection's own fields: `{"record": "R-1001", "status": "refugee", …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawProtectionFacts")]
pub struct ProtectionFacts {
    /// The registry record the protection belongs to.
    pub record: PersonId,
    #[serde(flatten)]
    pub protection: Protection,
}

/// `ProtectionFacts` as written: the protection's fields beside the record id, checked as a
/// registry record's protection is (a flattened field would let unknown fields through).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProtectionFacts {
    record: PersonId,
    status: ProtectionStatus,
    granted_by: CountryCode,
    #[serde(default)]
    granted_on: Option<PartialDate>,
    #[serde(default)]
    applied_on: Option<PartialDate>,
    #[serde(deserialize_with = "non_empty_states")]
    against: Vec<CountryCode>,
}

impl TryFrom<RawProtectionFacts> for ProtectionFacts {
    type Error = String;

    fn try_from(raw: RawProtectionFacts) -> Result<ProtectionFacts, String> {
        let protection = Protection::try_from(RawProtection {
            status: raw.status,
            granted_by: raw.granted_by,
            granted_on: raw.granted_on,
            applied_on: raw.applied_on,
            against: raw.against,
        })?;
        Ok(ProtectionFacts {
            record: raw.record,
            protection,
        })
    }
}

/// A required safeguard and its legal source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Safeguard {
    pub code: SafeguardCode,
    pub citation: String,
    /// The measure or party it attaches to, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<String>,
    /// The measure it attaches to (its index in the request); absent for a safeguard on the
    /// whole request. The execution record of that measure must show it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<usize>,
}

/// Where the assessment stands in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerRef {
    pub index: u64,
    pub root: String,
}

codes! {
    /// Where a request's legal basis comes from (DESIGN §5.3).
    BasisKind {
        /// Instruments in force between the requesting and the requested state, from the
        /// partner table.
        Instruments = "instruments_in_force",
        /// No instrument on record for this kind of request: the requested state's own law,
        /// on reciprocity.
        NationalLawAndReciprocity = "national_law_and_reciprocity",
    }
}

/// One instrument of a legal basis, as the partner table names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentRef {
    /// The partner table's id ("ets-30", "eio-directive", "be-law-2004").
    pub id: String,
    pub title: String,
    /// How far the table's entry has been checked: `P`, `S` or `M` (DESIGN §6).
    pub tag: String,
}

/// The law under which the request is examined: the instruments in force between the two
/// states for this kind of request, or the requested state's national law and reciprocity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    pub kind: BasisKind,
    pub requested_state: CountryCode,
    pub requesting_state: CountryCode,
    /// For `instruments_in_force`, the instruments; for `national_law_and_reciprocity`, the
    /// national law that governs (empty when the partner table has none for the requested
    /// state).
    pub instruments: Vec<InstrumentRef>,
}

/// One rule that fired, in the form the memo reads: which findings it rests on (by their
/// number, counting from 1) and its legal sources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ground {
    pub rule: String,
    pub title: String,
    /// Numbers of the findings it rests on, counting from 1 (the memo's numbering).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<usize>,
    /// Its citations that apply to this request, each ending with its tag (`[P]`, `[S]`, `[M]`).
    pub citations: Vec<String>,
}

/// The decision on a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub outcome: Outcome,
    /// The instruments the request is examined under (absent only in decisions recorded before
    /// the partner table existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<LegalBasis>,
    pub findings: Vec<Finding>,
    pub safeguards: Vec<Safeguard>,
    pub referrals: Vec<ReferralCode>,
    /// Internal reasons, each with its citation: for the file and the judge, never for abroad.
    pub reasons: Vec<String>,
    /// The text that may go to the requesting state: generic grounds only.
    pub reply_to_requesting_state: String,
    /// Which rules fired, by id, in catalogue order (for the memo and for audits).
    #[serde(default)]
    pub rules_applied: Vec<String>,
    /// The rules that fired with the findings and sources each rests on, in catalogue order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grounds: Vec<Ground>,
    /// The version of the rule catalogue that decided, so a decision can be traced to its rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue_version: Option<String>,
    /// Absent on a dry run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerRef>,
}

impl Decision {
    /// THE need-to-know filter (DESIGN §5.4): the decision as an officer, a judge or a police
    /// user may see it. Every finding's protection details are removed; nothing else in
    /// a decision carries them (finding details, reasons, grounds and the reply are written
    /// without them), so what remains says that a person is protected and must be referred,
    /// never the status, the granting state, the dates or the states protected against. The
    /// asylum liaison sees the decision itself.
    pub fn restricted(&self) -> Decision {
        Decision {
            findings: self.findings.iter().map(Finding::restricted).collect(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_wire_names() {
        for code in FindingCode::ALL {
            assert_eq!(FindingCode::parse(code.as_str()), Some(*code));
            let json = serde_json::to_string(code).expect("serialises");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        for code in SafeguardCode::ALL {
            assert_eq!(SafeguardCode::parse(code.as_str()), Some(*code));
        }
        assert!(Outcome::Refuse > Outcome::FreezeAndRefer);
        assert!(Outcome::FreezeAndRefer > Outcome::ProceedWithSafeguards);
    }

    const FINDING_WITH_FACTS: &str = r#"{"code": "protected_against_requesting_state", "party": 0,
        "detail": "a protected person",
        "protection": {"record": "R-1001", "status": "refugee", "granted_by": "be",
                       "granted_on": "2013-10-01", "against": ["kz"]}}"#;

    #[test]
    fn protection_facts_sit_flat_beside_the_record_id() {
        let finding: Finding = serde_json::from_str(FINDING_WITH_FACTS).expect("reads");
        let facts = finding.protection.as_ref().expect("facts");
        assert_eq!(facts.record.as_str(), "R-1001");
        assert_eq!(facts.protection.status, ProtectionStatus::Refugee);
        assert_eq!(facts.protection.against[0].as_str(), "kz");
        let json = serde_json::to_value(&finding).expect("serialises");
        assert_eq!(
            json["protection"],
            serde_json::json!({"record": "R-1001", "status": "refugee", "granted_by": "be",
                               "granted_on": "2013-10-01", "against": ["kz"]})
        );
        let again: Finding = serde_json::from_value(json).expect("reads back");
        assert_eq!(again, finding);
    }

    #[test]
    fn protection_facts_are_checked_as_a_registry_record_is() {
        let unknown = FINDING_WITH_FACTS.replace("\"against\"", "\"grounds\": \"x\", \"against\"");
        let error = serde_json::from_str::<Finding>(&unknown).expect_err("unknown field");
        assert!(
            error.to_string().contains("unknown field `grounds`"),
            "{error}"
        );
        let seeker = FINDING_WITH_FACTS.replace("refugee", "asylum_seeker");
        let error = serde_json::from_str::<Finding>(&seeker).expect_err("inconsistent");
        assert!(error.to_string().contains("granted_on"), "{error}");
        let nobody = FINDING_WITH_FACTS.replace("[\"kz\"]", "[]");
        assert!(serde_json::from_str::<Finding>(&nobody).is_err());
    }

    #[test]
    fn the_restricted_view_drops_the_facts_and_keeps_the_rest() {
        let finding: Finding = serde_json::from_str(FINDING_WITH_FACTS).expect("reads");
        let decision = Decision {
            outcome: Outcome::FreezeAndRefer,
            legal_basis: None,
            findings: vec![finding.clone()],
            safeguards: Vec::new(),
            referrals: vec![ReferralCode::AsylumAuthority],
            reasons: Vec::new(),
            reply_to_requesting_state: String::new(),
            rules_applied: Vec::new(),
            grounds: Vec::new(),
            catalogue_version: None,
            ledger: None,
        };
        let restricted = decision.restricted();
        assert_eq!(restricted.findings[0].protection, None);
        assert_eq!(
            Finding {
                protection: finding.protection.clone(),
                ..restricted.findings[0].clone()
            },
            finding
        );
        assert_eq!(restricted.referrals, decision.referrals);
        let json = serde_json::to_string(&restricted).expect("serialises");
        assert!(!json.contains("protection\""), "{json}");
        assert!(!json.contains("2013-10-01"), "{json}");
        // A finding recorded before protection facts existed still reads.
        let old: Finding = serde_json::from_str(
            r#"{"code": "minor_involved", "party": 1, "detail": "born 2008"}"#,
        )
        .expect("reads");
        assert_eq!(old.protection, None);
    }
}
