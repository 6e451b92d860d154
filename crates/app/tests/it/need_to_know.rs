//! Need-to-know (DESIGN §5.4): a registry match tells an officer the person is protected and must
//! be referred, never the protection details; the asylum liaison sees them, and every such read
//! is a ledger entry. Roles the policy does not allow are refused before any data is touched.

use haven_app::{AppError, Role, ScreenOptions};
use haven_domain::{PersonId, parse_party};

use crate::{entries_since, example_request, ledger_size, principal, with_examples};

fn aliya() -> haven_domain::Party {
    parse_party(r#"{"names": ["Жаксыбекова Алия"], "birth_date": "1968"}"#).expect("valid party")
}

#[test]
fn an_officer_learns_protected_and_refer_never_the_details() {
    let (dir, service) = with_examples();
    let before = ledger_size(dir.path());
    let results = service
        .screen(
            &principal(Role::Officer),
            &[aliya()],
            &ScreenOptions {
                justification: "request MLA/2019/0412".into(),
                ..ScreenOptions::default()
            },
        )
        .expect("an officer may screen");
    let top = &results[0][0];
    assert_eq!((top.id.as_str(), top.source), ("R-1001", "registry"));
    let json = serde_json::to_string(&results).expect("serialises");
    assert!(
        json.contains(r#""protection":{"protected":true,"refer_to":"asylum_authority"}"#),
        "{json}"
    );
    for detail in ["details", "refugee", "granted", "2013-06-20", "against"] {
        assert!(!json.contains(detail), "{detail:?} in {json}");
    }
    // One entry: the screening, naming who, why and what came back; no disclosure.
    let entries = entries_since(dir.path(), before);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(
        entries[0].starts_with("screen by officer (officer): queries:1"),
        "{entries:?}"
    );
    assert!(entries[0].contains("registry:R-1001"), "{entries:?}");
}

#[test]
fn the_asylum_liaison_sees_the_details_and_the_read_is_logged() {
    let (dir, service) = with_examples();
    let before = ledger_size(dir.path());
    let results = service
        .screen(
            &principal(Role::AsylumLiaison),
            &[aliya()],
            &ScreenOptions::default(),
        )
        .expect("the liaison may screen");
    let json = serde_json::to_string(&results[0][0]).expect("serialises");
    assert!(json.contains(r#""status":"refugee""#), "{json}");
    assert!(json.contains(r#""granted_on":"2013-06-20""#), "{json}");
    let entries = entries_since(dir.path(), before);
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(
        entries[1].starts_with("read_protected by asylum-liaison (asylum_liaison):"),
        "{entries:?}"
    );
    assert!(entries[1].contains("registry:R-1001"), "{entries:?}");
}

#[test]
fn a_case_reads_per_role_and_only_the_liaisons_read_is_a_disclosure() {
    let (dir, service) = with_examples();
    let request = example_request("01-mla-kz-refugee-lawyer-home-search.json");
    let assessed = service
        .assess(&principal(Role::Officer), &request, true)
        .expect("an officer may submit a request");
    let case = assessed.case.expect("stored");
    let officer_view = serde_json::to_string(&assessed.decision).expect("serialises");
    assert!(!officer_view.contains("\"protection\""), "{officer_view}");
    assert!(!officer_view.contains("2013-06-20"), "{officer_view}");

    for role in [Role::Judge, Role::Police, Role::Auditor, Role::Officer] {
        let before = ledger_size(dir.path());
        let view = service
            .case(&principal(role), &case)
            .expect("may read cases");
        let json = serde_json::to_string(&view).expect("serialises");
        assert!(!json.contains("\"protection\""), "{role:?}: {json}");
        assert!(!json.contains("granted_on"), "{role:?}: {json}");
        assert_eq!(
            ledger_size(dir.path()),
            before,
            "{role:?}: nothing disclosed, nothing logged"
        );
    }

    let before = ledger_size(dir.path());
    let view = service
        .case(&principal(Role::AsylumLiaison), &case)
        .expect("the liaison may read cases");
    let json = serde_json::to_string(&view).expect("serialises");
    assert!(json.contains(r#""granted_on":"2013-06-20""#), "{json}");
    let entries = entries_since(dir.path(), before);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(
        entries[0].starts_with(&format!(
            "read_protected by asylum-liaison (asylum_liaison): case:{case} registry:R-1001"
        )),
        "{entries:?}"
    );
    // The stored decision is whole: the liaison's view equals what the policy decided.
    assert_eq!(view.decision.outcome, assessed.decision.outcome);
}

#[test]
fn roles_outside_the_policy_are_refused_before_anything_is_read() {
    let (dir, service) = with_examples();
    let before = ledger_size(dir.path());
    let refused = |result: Result<_, AppError>| match result {
        Err(AppError::Forbidden { role, action }) => format!("{role} {action}"),
        Err(other) => panic!("expected forbidden, got {other}"),
        Ok(_) => panic!("expected forbidden, got a result"),
    };
    assert_eq!(
        refused(
            service
                .screen(
                    &principal(Role::Police),
                    &[aliya()],
                    &ScreenOptions::default()
                )
                .map(|_| ())
        ),
        "police screen"
    );
    let request = example_request("06-eio-nl-investment-fraud-search.json");
    assert_eq!(
        refused(
            service
                .assess(&principal(Role::Judge), &request, true)
                .map(|_| ())
        ),
        "judge submit_request"
    );
    let id = PersonId::parse("R-1001").expect("valid");
    assert_eq!(
        refused(
            service
                .consult_protected(&principal(Role::Officer), &id, "curious")
                .map(|_| ())
        ),
        "officer view_protection_details"
    );
    assert_eq!(
        refused(service.cases(&principal(Role::Admin)).map(|_| ())),
        "admin list_cases"
    );
    assert_eq!(ledger_size(dir.path()), before);

    // The liaison's consultation is logged with its reason.
    let person = service
        .consult_protected(
            &principal(Role::AsylumLiaison),
            &id,
            "referral of case-000001",
        )
        .expect("the liaison may consult");
    assert_eq!(person.id.as_str(), "R-1001");
    let entries = entries_since(dir.path(), before);
    assert_eq!(
        entries,
        ["read_protected by asylum-liaison (asylum_liaison): registry:R-1001"]
    );
}
