//! An interstate cooperation request (DESIGN §5.2): mutual legal assistance, a European
//! Investigation Order, extradition, a red notice or a diffusion — who it names, what it alleges
//! and what it asks the receiving state to do.

use serde::{Deserialize, Serialize};

use crate::context::Text;
use crate::jsonl::{from_value, object};
use crate::{CountryCode, PartialDate, Party, RecordError};

codes! {
    /// The legal instrument the request comes under.
    RequestKind {
        /// Mutual legal assistance (1959 Convention and its protocols, or a bilateral treaty).
        Mla = "mla",
        /// European Investigation Order (Directive 2014/41/EU).
        Eio = "eio",
        /// Extradition (1957 European Convention on Extradition, or a treaty).
        Extradition = "extradition",
        /// An INTERPOL red notice.
        RedNotice = "red_notice",
        /// An INTERPOL diffusion: sent by a member state directly, not reviewed by INTERPOL first.
        Diffusion = "diffusion",
    }
}

codes! {
    /// How the requesting state classes an alleged offence.
    OffenceCategory {
        Political = "political",
        Fiscal = "fiscal",
        Defamation = "defamation",
        Extremism = "extremism",
        Terrorism = "terrorism",
        Fraud = "fraud",
        Violent = "violent",
        Other = "other",
    }
}

/// One alleged offence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offence {
    pub description: Text,
    pub category: OffenceCategory,
}

codes! {
    /// A measure the requesting state asks for.
    MeasureKind {
        SearchPremises = "search_premises",
        SeizeDevices = "seize_devices",
        SeizeDocuments = "seize_documents",
        BankingRecords = "banking_records",
        AccountAccess = "account_access",
        Questioning = "questioning",
        ForeignOfficialsPresent = "foreign_officials_present",
        Interception = "interception",
        Locate = "locate",
        ProvisionalArrest = "provisional_arrest",
        Surrender = "surrender",
        TransferOfMaterial = "transfer_of_material",
    }
}

/// One requested measure, aimed at a party where it concerns one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub kind: MeasureKind,
    /// Index into the request's `parties`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<usize>,
    /// For searches: which premises ("home", "office", …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premises: Option<Text>,
    /// For foreign officials: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// The fields of an EIO form (Annex A of Directive 2014/41/EU) that screening and policy use;
/// the rest of the form is kept by the case file, not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EioDetails {
    /// Section C/K: the issuing authority.
    pub issuing_authority: Text,
    /// Section I: formalities requested, such as the presence of the issuing state's officials.
    #[serde(default)]
    pub formalities: Vec<Text>,
}

/// A request as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The requesting authority's reference.
    pub reference: Text,
    pub kind: RequestKind,
    pub requesting_state: CountryCode,
    pub received_on: PartialDate,
    #[serde(default)]
    pub offences: Vec<Offence>,
    pub parties: Vec<Party>,
    #[serde(default)]
    pub measures: Vec<Measure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eio: Option<EioDetails>,
}

impl Request {
    /// Does the request ask for this measure (for any party)?
    pub fn asks_for(&self, kind: MeasureKind) -> bool {
        self.measures.iter().any(|m| m.kind == kind)
    }

    /// The measures aimed at one party.
    pub fn measures_for(&self, party: usize) -> impl Iterator<Item = &Measure> {
        self.measures.iter().filter(move |m| m.party == Some(party))
    }
}

/// Parses a request document. Unknown fields are rejected and every error names its field;
/// a measure must point at a party the request names.
pub fn parse_request(text: &str) -> Result<Request, RecordError> {
    let request: Request = from_value(serde_json::Value::Object(object(text)?))?;
    if request.parties.is_empty() {
        return Err(RecordError::field(
            "parties",
            "at least one party is required",
        ));
    }
    for (index, measure) in request.measures.iter().enumerate() {
        if let Some(party) = measure.party
            && party >= request.parties.len()
        {
            return Err(RecordError::field(
                format!("measures[{index}].party"),
                format!(
                    "{party} names no party (the request has {} parties, numbered from 0)",
                    request.parties.len()
                ),
            ));
        }
    }
    if request.kind == RequestKind::Eio && request.eio.is_none() {
        return Err(RecordError::field(
            "eio",
            "an EIO needs its form details (issuing_authority)",
        ));
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"{"reference": "MLA/2019/0412", "kind": "mla", "requesting_state": "kz",
        "received_on": "2019-09-10",
        "offences": [{"description": "large-scale fraud", "category": "fraud"}],
        "parties": [{"role": "subject", "names": ["Бекова Айгерим"], "birth_date": "1971", "nationalities": ["kz"]},
                    {"role": "household_member", "names": ["Timur Bekov"]}],
        "measures": [{"kind": "search_premises", "party": 0, "premises": "home"},
                     {"kind": "seize_devices", "party": 0},
                     {"kind": "foreign_officials_present", "count": 2}]}"#;

    #[test]
    fn a_request_parses() {
        let request = parse_request(VALID).expect("valid request");
        assert_eq!(request.kind, RequestKind::Mla);
        assert_eq!(request.requesting_state.as_str(), "kz");
        assert!(request.asks_for(MeasureKind::ForeignOfficialsPresent));
        assert_eq!(request.measures_for(0).count(), 2);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (VALID.replace("\"mla\"", "\"letter\""), "kind"),
            (VALID.replace("\"2019-09-10\"", "\"2019-02-30\""), "received_on"),
            (VALID.replace("\"party\": 0, \"premises\"", "\"party\": 5, \"premises\""), "measures[0].party"),
            (VALID.replace("\"fraud\"}", "\"theft\"}"), "offences[0].category"),
            (VALID.replace("\"kz\",\n", "\"kzz\",\n"), "requesting_state"),
            (VALID.replace("\"reference\"", "\"ref\""), "ref"),
            (VALID.replace("\"mla\"", "\"eio\""), "eio"),
            (r#"{"reference": "X", "kind": "mla", "requesting_state": "kz", "received_on": "2020", "parties": []}"#.to_owned(), "parties"),
        ];
        for (text, field) in cases {
            let error = parse_request(&text).expect_err(field).to_string();
            assert!(error.contains(field), "{field}: {error}");
        }
    }
}
