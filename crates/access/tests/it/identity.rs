//! Wire names of roles and actions, and the account-name rule.

use haven_access::{AccountName, AccountNameError, Action, Principal, Role};

#[test]
fn role_wire_names_round_trip() {
    let names: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
    assert_eq!(
        names,
        [
            "officer",
            "asylum_liaison",
            "judge",
            "police",
            "auditor",
            "admin"
        ]
    );
    for &role in Role::ALL {
        assert_eq!(Role::parse(role.as_str()), Some(role));
        let json = serde_json::to_string(&role).expect("serialise");
        assert_eq!(json, format!("\"{}\"", role.as_str()));
        assert_eq!(serde_json::from_str::<Role>(&json).expect("parse"), role);
    }
    assert_eq!(Role::parse("Officer"), None);
    assert_eq!(Role::parse("asylum-liaison"), None);
    assert_eq!(Role::parse(""), None);
}

#[test]
fn action_wire_names_are_snake_case_and_match_serde() {
    let names: Vec<&str> = Action::ALL.iter().map(|action| action.as_str()).collect();
    assert_eq!(
        names,
        [
            "screen",
            "submit_request",
            "list_cases",
            "read_case",
            "read_checkpoint",
            "read_proof",
            "verify_ledger",
            "import",
            "view_protection_details",
            "record_case_event",
            "answer_referral",
            "list_referrals",
            "record_execution",
            "propose_transfer",
            "decide_transfer",
            "read_statistics",
        ]
    );
    for &action in Action::ALL {
        let json = serde_json::to_string(&action).expect("serialise");
        assert_eq!(json, format!("\"{}\"", action.as_str()));
    }
}

#[test]
fn account_names_follow_the_rule() {
    for good in ["a", "alice", "j-smith_2", &"x".repeat(64)] {
        assert_eq!(AccountName::parse(good).expect(good).as_str(), good);
    }
    let cases: [(&str, AccountNameError); 7] = [
        ("", AccountNameError::Length { length: 0 }),
        (&"x".repeat(65), AccountNameError::Length { length: 65 }),
        ("1alice", AccountNameError::FirstCharacter),
        ("_alice", AccountNameError::FirstCharacter),
        ("Alice", AccountNameError::FirstCharacter),
        ("al.ice", AccountNameError::Character { found: '.' }),
        ("alicé", AccountNameError::Character { found: 'é' }),
    ];
    for (text, expected) in cases {
        assert_eq!(AccountName::parse(text), Err(expected), "{text:?}");
    }
    assert_eq!(
        AccountName::parse("a b").expect_err("space").to_string(),
        "an account name may hold only a-z, 0-9, '_' and '-', not ' '"
    );
}

#[test]
fn principals_deserialise_through_the_name_rule() {
    let principal: Principal =
        serde_json::from_str(r#"{"actor": "alice", "role": "judge"}"#).expect("parse");
    assert_eq!(principal.role, Role::Judge);
    assert_eq!(principal.actor.as_str(), "alice");
    assert!(serde_json::from_str::<Principal>(r#"{"actor": "Alice", "role": "judge"}"#).is_err());
}
