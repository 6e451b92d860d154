//! The access matrix, written out by hand so a change to the policy file must be matched here.

use haven_access::{AccountName, Action, Authorizer, Principal, Role};

/// Rows: roles. Columns, in this order: screen, submit_request, list_cases, read_case,
/// read_checkpoint, read_proof, verify_ledger, import, view_protection_details,
/// record_case_event, answer_referral, list_referrals, record_execution, propose_transfer,
/// decide_transfer, read_statistics.
const COLUMNS: [Action; 16] = [
    Action::Screen,
    Action::SubmitRequest,
    Action::ListCases,
    Action::ReadCase,
    Action::ReadCheckpoint,
    Action::ReadProof,
    Action::VerifyLedger,
    Action::Import,
    Action::ViewProtectionDetails,
    Action::RecordCaseEvent,
    Action::AnswerReferral,
    Action::ListReferrals,
    Action::RecordExecution,
    Action::ProposeTransfer,
    Action::DecideTransfer,
    Action::ReadStatistics,
];

#[rustfmt::skip]
const MATRIX: [(Role, [bool; 16]); 6] = [
    //                    scr    sub    list   case   chk    proof  verify import  prot   event  answer refs   exec   propose decide stats
    (Role::Officer,       [true,  true,  true,  true,  true,  true,  false, false, false, true,  true,  true,  false, true,  false, false]),
    (Role::AsylumLiaison, [true,  false, true,  true,  true,  true,  false, false, true,  false, true,  true,  false, false, false, false]),
    (Role::Judge,         [false, false, true,  true,  true,  true,  false, false, false, true,  true,  true,  false, false, true,  false]),
    (Role::Police,        [false, false, true,  true,  true,  true,  false, false, false, true,  false, false, true,  false, false, false]),
    (Role::Auditor,       [false, false, true,  true,  true,  true,  true,  false, false, false, false, true,  false, false, false, true ]),
    (Role::Admin,         [false, false, false, false, true,  false, true,  true,  false, false, false, false, false, false, false, true ]),
];

#[test]
fn bundled_policy_loads() {
    // Forces the LazyLock: a policy that does not parse or validate panics here.
    let _ = Authorizer::bundled();
}

#[test]
fn matrix_covers_every_role_and_action() {
    let roles: Vec<Role> = MATRIX.iter().map(|(role, _)| *role).collect();
    assert_eq!(roles, Role::ALL);
    assert_eq!(COLUMNS.as_slice(), Action::ALL);
}

#[test]
fn every_role_may_do_exactly_its_actions() {
    let authorizer = Authorizer::bundled();
    let mut wrong = Vec::new();
    for (role, row) in MATRIX {
        let principal = Principal {
            actor: AccountName::parse("someone").expect("valid name"),
            role,
        };
        for (action, expected) in COLUMNS.into_iter().zip(row) {
            if authorizer.is_allowed(&principal, action) != expected {
                wrong.push(format!("{role} {action}: expected {expected}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "policy disagrees with the matrix: {wrong:#?}"
    );
}

#[test]
fn the_account_name_does_not_change_the_answer() {
    let authorizer = Authorizer::bundled();
    for name in ["a", "officer", "admin", "x-1_y"] {
        let principal = Principal {
            actor: AccountName::parse(name).expect("valid name"),
            role: Role::Officer,
        };
        assert!(authorizer.is_allowed(&principal, Action::SubmitRequest));
        assert!(!authorizer.is_allowed(&principal, Action::Import));
    }
}

const SCHEMA: &str = include_str!("../../policy/haven.cedarschema");

#[test]
fn schema_validation_refuses_a_misspelt_action() {
    let policy = r#"permit (principal in Haven::Role::"officer", action == Haven::Action::"screem", resource);"#;
    let error = Authorizer::from_text(policy, SCHEMA).expect_err("unknown action must be refused");
    assert!(
        error.to_string().contains("does not match its schema"),
        "{error}"
    );
}

#[test]
fn schema_validation_refuses_an_unknown_entity_type() {
    let policy = r#"permit (principal in Haven::Group::"officer", action, resource);"#;
    assert!(Authorizer::from_text(policy, SCHEMA).is_err());
}

#[test]
fn a_policy_that_does_not_parse_is_refused() {
    let error = Authorizer::from_text("permit (principal, action", SCHEMA)
        .expect_err("truncated policy must be refused");
    assert!(error.to_string().contains("does not parse"), "{error}");
}

#[test]
fn with_no_permit_everything_is_denied() {
    let authorizer = Authorizer::from_text("", SCHEMA).expect("an empty policy set is valid");
    let principal = Principal {
        actor: AccountName::parse("root").expect("valid name"),
        role: Role::Admin,
    };
    for &action in Action::ALL {
        assert!(!authorizer.is_allowed(&principal, action), "{action}");
    }
}
