//! A person named in a request or a screening query (DESIGN §5.2 "parties"): the names as the
//! requesting state wrote them and whatever else it said about the person.

use serde::{Deserialize, Serialize};

use crate::jsonl::{from_value, object};
use crate::person::non_empty_names;
use crate::{CountryCode, Gender, PartialDate, PersonName, RecordError};

codes! {
    /// What a party is to the request. Screening treats every role alike; the policy does not.
    PartyRole {
        Subject = "subject",
        HouseholdMember = "household_member",
        PremisesOwner = "premises_owner",
        AccountHolder = "account_holder",
        Witness = "witness",
        Counsel = "counsel",
        Other = "other",
    }
}

/// A person to screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Absent in a bare screening query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<PartyRole>,
    /// Every form of the name given (at least one).
    #[serde(deserialize_with = "non_empty_names")]
    pub names: Vec<PersonName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<PartialDate>,
    #[serde(default)]
    pub nationalities: Vec<CountryCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

/// Parses one party (a screening query). Unknown fields are rejected; errors name the field.
pub fn parse_party(text: &str) -> Result<Party, RecordError> {
    from_value(serde_json::Value::Object(object(text)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parties_parse_and_errors_name_the_field() {
        let party = parse_party(
            r#"{"role": "subject", "names": ["Бекова Айгерим"], "birth_date": "1971", "nationalities": ["KZ"]}"#,
        )
        .expect("valid party");
        assert_eq!(party.role, Some(PartyRole::Subject));
        assert_eq!(party.nationalities[0].as_str(), "kz");

        let cases = [
            (r#"{"names": []}"#, "names"),
            (
                r#"{"names": ["A"], "birth_date": "1971-02-30"}"#,
                "birth_date",
            ),
            (r#"{"names": ["A"], "role": "judge"}"#, "role"),
            (r#"{"names": ["A"], "nickname": "B"}"#, "nickname"),
            (r#"["A"]"#, "JSON object"),
        ];
        for (text, mentioned) in cases {
            let error = parse_party(text).expect_err(text).to_string();
            assert!(error.contains(mentioned), "{text}: {error}");
        }
    }
}
