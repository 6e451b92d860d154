//! Need-to-know over real HTTP (DESIGN §5.4): what leaves the server for each role. An officer,
//! judge, police officer or auditor learns that a person is protected and must be referred,
//! never the protection details; the asylum liaison sees them, and each of the liaison's reads
//! that showed details is a `read_protected` ledger entry naming the record.

use haven_app::Role;
use serde_json::{Value, json};

use crate::application::{ApiApp, example_request, examples, keys_at_any_depth, spawn_api};

/// The keys of the protection details: none may reach a role without need to know.
const DETAIL_KEYS: [&str; 5] = [
    "status",
    "granted_by",
    "granted_on",
    "applied_on",
    "details",
];

/// The protection registry's person R-1001, as a party to screen.
const ALIYA: &str = r#"{"names": ["Жаксыбекова Алия"], "birth_date": "1968"}"#;

/// The request whose subject is R-1001 (and whose account holder is her son, R-1002).
const KZ_REQUEST: &str = "01-mla-kz-refugee-lawyer-home-search.json";

/// Every grant and application date in the example registry.
fn registry_dates() -> Vec<String> {
    let text = std::fs::read_to_string(examples().join("registry.jsonl")).expect("readable");
    let mut dates: Vec<String> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .flat_map(|line| {
            let person: Value = serde_json::from_str(line).expect("a JSON line");
            ["granted_on", "applied_on"]
                .into_iter()
                .filter_map(|key| person["protection"][key].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect();
    dates.sort();
    dates.dedup();
    assert!(dates.len() > 20, "the examples have their dates: {dates:?}");
    dates
}

/// Asserts that `answer` carries no protection detail: no detail key at any depth, and no
/// registry grant or application date anywhere in its text.
fn assert_no_details(what: &str, answer: &Value) {
    let keys = keys_at_any_depth(answer);
    for key in DETAIL_KEYS {
        assert!(
            !keys.iter().any(|k| k == key),
            "{what}: key {key:?} in {answer}"
        );
    }
    let text = answer.to_string();
    for date in registry_dates() {
        assert!(!text.contains(&date), "{what}: date {date} in {text}");
    }
}

/// Asserts that `answer` carries the protection details of the liaison's view.
fn assert_details(what: &str, answer: &Value) {
    let keys = keys_at_any_depth(answer);
    for key in ["status", "granted_by", "granted_on"] {
        assert!(
            keys.iter().any(|k| k == key),
            "{what}: no {key:?} in {answer}"
        );
    }
    assert!(
        answer.to_string().contains("2013-06-20"),
        "{what}: R-1001's grant date missing from {answer}"
    );
}

/// The `read_protected` entries among the ledger entries since `from`.
fn disclosures_since(app: &ApiApp, from: u64) -> Vec<String> {
    app.entries_since(from)
        .into_iter()
        .filter(|entry| entry.starts_with("read_protected "))
        .collect()
}

/// Asserts that a decision still tells its reader that the subject, registry record R-1001, is
/// protected (and so must be referred): what is hidden is why, not that.
fn assert_protected_subject_found(what: &str, decision: &Value) {
    let found = decision["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no findings in {decision}"))
        .iter()
        .any(|finding| {
            finding["code"] == "protected_against_requesting_state"
                && finding["match"]["id"] == "R-1001"
                && finding["match"]["source"] == "registry"
        });
    assert!(
        found,
        "{what}: the protected subject is not reported: {decision}"
    );
    assert_eq!(decision["outcome"], "freeze_and_refer", "{what}");
}

/// The registry match R-1001 of a screening answer.
fn registry_match(answer: &Value) -> &Value {
    answer["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .find(|m| m["id"] == "R-1001")
        .unwrap_or_else(|| panic!("R-1001 not matched: {answer}"))
}

#[tokio::test]
async fn an_officers_screening_says_protected_and_refer_and_nothing_more() {
    let app = spawn_api().await;
    let before = app.ledger_size();
    let (status, answer) = app.post_json(Role::Officer, "/api/v1/screen", ALIYA).await;
    assert_eq!(status, 200, "{answer}");
    let top = registry_match(&answer);
    assert_eq!(top["source"], "registry");
    assert_eq!(top["tier"], "match");
    assert_eq!(
        top["protection"],
        json!({"protected": true, "refer_to": "asylum_authority"})
    );
    assert_no_details("officer /screen", &answer);
    let entries = app.entries_since(before);
    assert_eq!(entries.len(), 1, "the screening alone: {entries:?}");
    assert!(
        entries[0].starts_with("screen by officer (officer):"),
        "{entries:?}"
    );
    assert!(entries[0].contains("registry:R-1001"), "{entries:?}");

    // Roles that may not screen learn nothing at all.
    for role in [Role::Judge, Role::Police, Role::Auditor] {
        let (status, answer) = app.post_json(role, "/api/v1/screen", ALIYA).await;
        assert_eq!(status, 403, "{role:?}: {answer}");
        assert_no_details(&format!("{role:?} /screen"), &answer);
    }
}

#[tokio::test]
async fn the_liaisons_screening_shows_the_details_and_is_logged() {
    let app = spawn_api().await;
    let before = app.ledger_size();
    let (status, answer) = app
        .post_json(
            Role::AsylumLiaison,
            "/api/v1/screen?purpose=referral%20of%20MLA%2F2019%2F0412",
            ALIYA,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let top = registry_match(&answer);
    assert_eq!(top["protection"]["protected"], true);
    assert_eq!(top["protection"]["refer_to"], "asylum_authority");
    assert_eq!(
        top["protection"]["details"]["granted_on"], "2013-06-20",
        "{answer}"
    );
    assert_details("liaison /screen", &answer);
    let disclosures = disclosures_since(&app, before);
    assert_eq!(disclosures.len(), 1, "{disclosures:?}");
    assert!(
        disclosures[0].starts_with("read_protected by asylum-liaison (asylum_liaison):"),
        "{disclosures:?}"
    );
    assert!(
        disclosures[0].contains("registry:R-1001"),
        "{disclosures:?}"
    );
}

#[tokio::test]
async fn a_case_shows_the_details_to_the_liaison_alone_and_only_that_read_is_logged() {
    let app = spawn_api().await;

    let before = app.ledger_size();
    let (status, submitted) = app
        .post_json(
            Role::Officer,
            "/api/v1/requests",
            &example_request(KZ_REQUEST),
        )
        .await;
    assert_eq!(status, 201, "{submitted}");
    assert_no_details("officer POST /requests", &submitted);
    assert_eq!(disclosures_since(&app, before), Vec::<String>::new());
    let case_id = submitted["case"].as_str().expect("a case id").to_owned();
    assert_protected_subject_found("officer POST /requests", &submitted);
    let path = format!("/api/v1/cases/{case_id}");

    for role in [Role::Officer, Role::Judge, Role::Police, Role::Auditor] {
        let before = app.ledger_size();
        let (status, case) = app.get_json(role, &path).await;
        assert_eq!(status, 200, "{role:?}: {case}");
        assert_eq!(case["id"], case_id.as_str());
        assert_protected_subject_found(&format!("{role:?} GET {path}"), &case["decision"]);
        assert_no_details(&format!("{role:?} GET {path}"), &case);
        assert_eq!(
            app.entries_since(before),
            Vec::<String>::new(),
            "{role:?}: nothing disclosed, nothing logged"
        );
    }

    let before = app.ledger_size();
    let (status, case) = app.get_json(Role::AsylumLiaison, &path).await;
    assert_eq!(status, 200, "{case}");
    assert_details("liaison GET case", &case);
    let disclosures = disclosures_since(&app, before);
    assert_eq!(disclosures.len(), 1, "{disclosures:?}");
    assert!(
        disclosures[0].starts_with(&format!(
            "read_protected by asylum-liaison (asylum_liaison): case:{case_id} registry:R-1001"
        )),
        "{disclosures:?}"
    );
}

#[tokio::test]
async fn the_liaisons_registry_consultation_is_logged_and_others_are_refused() {
    let app = spawn_api().await;
    let before = app.ledger_size();
    let (status, record) = app
        .get_json(
            Role::AsylumLiaison,
            "/api/v1/registry/R-1001?purpose=referral%20of%20case-000001",
        )
        .await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["protection"]["granted_on"], "2013-06-20");
    assert_eq!(
        disclosures_since(&app, before),
        ["read_protected by asylum-liaison (asylum_liaison): registry:R-1001"]
    );

    // Without a purpose there is no consultation, and nothing to log.
    let before = app.ledger_size();
    let (status, answer) = app
        .get_json(Role::AsylumLiaison, "/api/v1/registry/R-1001?purpose=%20")
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(app.ledger_size(), before);
    for role in [Role::Officer, Role::Judge, Role::Police, Role::Auditor] {
        let (status, answer) = app
            .get_json(role, "/api/v1/registry/R-1001?purpose=curious")
            .await;
        assert_eq!(status, 403, "{role:?}: {answer}");
        assert_no_details(&format!("{role:?} GET registry"), &answer);
    }
    assert_eq!(app.ledger_size(), before);
}
