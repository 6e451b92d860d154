//! The motivating case (DESIGN §1) walked through the API of DESIGN §5.5: every failure of the
//! real case is refused with its status and error code — the judge who would not freeze, no
//! reason given, the same judge approving twice, no warrant shown, counsel kept out, the
//! requesting state's agents present, a vague inventory, the son recorded under his cousin's
//! surname, a seized account accessed, a lawyer questioned by the police, privileged files and
//! the family's banking data handed over — and then the case is completed correctly, and the
//! ledger verifies.

use haven_app::{AccountName, NewUser, Role};
use reqwest::Method;
use serde_json::{Value, json};

use crate::application::{
    ApiApp, example_request, expect_error, principal, spawn_api, status_and_json,
};

/// A second judge's account: four-eyes steps need two different judges.
fn second_judge(app: &ApiApp) -> String {
    app.service
        .add_user(
            &principal(Role::Admin),
            &NewUser {
                name: AccountName::parse("judge-b").expect("valid name"),
                role: Role::Judge,
            },
            None,
        )
        .expect("account created")
}

/// Sends `body` with `token`; the status and the JSON answer.
async fn send(app: &ApiApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if !body.is_null() {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("send");
    status_and_json(response).await
}

/// The `details` of an error answer.
fn details(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts an error answer and that some detail line starts with each of `codes`.
fn expect_refusal(status: u16, body: &Value, expected: u16, code: &str, codes: &[&str]) {
    expect_error(status, body, expected, code);
    let details = details(body);
    for wanted in codes {
        assert!(
            details
                .iter()
                .any(|d| d.starts_with(wanted) || d.contains(wanted)),
            "no detail for {wanted}: {details:#?}"
        );
    }
}

/// The execution record of the home search as it should have been.
fn search_record(son_as: &str) -> Value {
    json!({
        "warrant": {"reference": "JI/2019/771", "shown_to": "the subject's husband, at the door"},
        "counsel": {"notified_at": "2019-10-02T07:05:00Z", "present": true},
        "observer": {"name": "Me A. Janssens", "qualification": "delegate of the bâtonnier, Brussels bar"},
        "inventory": [
            {"id": "I-1", "description": "three binders of client files (asylum and criminal defence)",
             "owner_party": 0, "owner_name": "Жаксыбекова Алия Сериковна", "privileged": "possible", "sealed": true},
            {"id": "I-2", "description": "the son's mobile phone, Samsung A50",
             "owner_party": 1, "owner_name": son_as, "privileged": "no", "sealed": true}
        ],
        "custody": [
            {"item": "I-1", "at": "2019-10-02T09:40:00Z", "from": "search team", "to": "court registry, sealed"},
            {"item": "I-2", "at": "2019-10-02T09:41:00Z", "from": "search team", "to": "court registry, sealed"}
        ],
        "remedy_information": {"given_to": "the subject's husband, with the form to challenge the search", "at": "2019-10-02T10:00:00Z"}
    })
}

#[tokio::test]
async fn the_motivating_case_is_refused_at_every_failure_and_then_completed_correctly() {
    let app = spawn_api().await;
    let judge_b = second_judge(&app);
    let officer = app.token(Role::Officer).to_owned();
    let judge_a = app.token(Role::Judge).to_owned();
    let police = app.token(Role::Police).to_owned();
    let liaison = app.token(Role::AsylumLiaison).to_owned();
    let auditor = app.token(Role::Auditor).to_owned();

    // The request arrives; Haven says: freeze and refer.
    let (status, assessed) = app
        .post_json(
            Role::Officer,
            "/api/v1/requests",
            &example_request("01-mla-kz-refugee-lawyer-home-search.json"),
        )
        .await;
    assert_eq!(status, 201, "{assessed}");
    assert_eq!(assessed["outcome"], "freeze_and_refer");
    let case = assessed["case"].as_str().expect("case id").to_owned();
    let events = format!("/api/v1/cases/{case}/events");
    let event = |token: &str, event: &str, reason: &str| {
        let body = json!({"event": event, "reason": reason});
        let (app, token, events) = (&app, token.to_owned(), events.clone());
        async move { send(app, &token, Method::POST, &events, body).await }
    };

    // The judge would not freeze: authorising without freezing or referring is refused.
    let (status, body) = event(&judge_a, "authorise", "the request is in order").await;
    let message = expect_error(status, &body, 409, "freeze_required");
    assert!(message.contains("freeze_and_refer"), "{message}");
    // The police may not authorise at all.
    let (status, body) = event(&police, "authorise", "we are ready").await;
    expect_error(status, &body, 403, "forbidden");
    // Every step needs a reason.
    let (status, body) = send(
        &app,
        &judge_a,
        Method::POST,
        &events,
        json!({"event": "freeze"}),
    )
    .await;
    expect_error(status, &body, 400, "reason_required");
    let (status, body) = event(&judge_a, "freeze", "   ").await;
    expect_error(status, &body, 400, "reason_required");

    // Frozen, then referred: the referrals are open, with due dates.
    let (status, body) = event(
        &judge_a,
        "freeze",
        "the subject is a refugee from the requesting state",
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("frozen")),
        "{body}"
    );
    let (status, body) = event(
        &officer,
        "refer",
        "asylum authority, bar and DPO to be consulted",
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("frozen")),
        "{body}"
    );
    let (_, case_view) = send(
        &app,
        &judge_a,
        Method::GET,
        &format!("/api/v1/cases/{case}"),
        Value::Null,
    )
    .await;
    let referrals: Vec<&str> = case_view["file"]["referrals"]
        .as_array()
        .expect("referrals")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert_eq!(
        referrals,
        [
            "asylum_authority",
            "investigating_judge",
            "bar_association",
            "data_protection_officer"
        ]
    );
    let (status, body) = event(&judge_a, "authorise", "the referrals will agree").await;
    expect_error(status, &body, 409, "referral_open");

    // Nobody answers for a fortnight: the referrals are overdue, and listed as such.
    let (_, overdue) = send(
        &app,
        &officer,
        Method::GET,
        "/api/v1/referrals?overdue=true",
        Value::Null,
    )
    .await;
    assert_eq!(
        overdue["referrals"].as_array().map(Vec::len),
        Some(0),
        "{overdue}"
    );
    app.service
        .clock()
        .advance(jiff::SignedDuration::from_hours(15 * 24));
    let (_, overdue) = send(
        &app,
        &auditor,
        Method::GET,
        "/api/v1/referrals?overdue=true",
        Value::Null,
    )
    .await;
    assert_eq!(
        overdue["referrals"].as_array().map(Vec::len),
        Some(4),
        "{overdue}"
    );

    // Each authority answers; the asylum authority only through the liaison.
    let answer = |token: &str, code: &str, answer: &str| {
        let path = format!("/api/v1/cases/{case}/referrals/{code}/answer");
        let body =
            json!({"answer": answer, "reason": "answer recorded from the authority's letter"});
        let (app, token) = (&app, token.to_owned());
        async move { send(app, &token, Method::POST, &path, body).await }
    };
    let (status, body) = answer(&officer, "asylum_authority", "not_protected").await;
    expect_error(status, &body, 403, "forbidden");
    for (token, code, reply) in [
        (&liaison, "asylum_authority", "protected"),
        (&judge_a, "investigating_judge", "acknowledged"),
        (&officer, "bar_association", "acknowledged"),
        (&officer, "data_protection_officer", "acknowledged"),
    ] {
        let (status, body) = answer(token, code, reply).await;
        assert_eq!(status, 200, "{code}: {body}");
        assert_eq!(body["answer"]["answer"], reply, "{body}");
    }
    let (_, overdue) = send(
        &app,
        &auditor,
        Method::GET,
        "/api/v1/referrals?overdue=true",
        Value::Null,
    )
    .await;
    assert_eq!(
        overdue["referrals"].as_array().map(Vec::len),
        Some(0),
        "{overdue}"
    );

    // Authorising a frozen case takes two different judges.
    let (status, body) = event(
        &judge_a,
        "authorise",
        "executed only under the decision's safeguards; no foreign officials",
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (202, Some("awaiting_second_approval")),
        "{body}"
    );
    assert_eq!(body["state"], "frozen");
    let (status, body) = event(&judge_a, "authorise", "again").await;
    expect_error(status, &body, 409, "four_eyes");
    let (status, body) = event(&judge_b, "authorise", "agreed, under the same conditions").await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("authorised")),
        "{body}"
    );
    assert_eq!(body["event"]["first_approval"]["actor"], "judge", "{body}");
    assert_eq!(body["event"]["actor"], "judge-b", "{body}");

    let (status, body) = event(&police, "start_execution", "search on 2 October at 07:00").await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("executing")),
        "{body}"
    );

    // The home search as it went: no warrant shown, counsel kept out, the requesting state's
    // agents present without consent, a vague inventory.
    let execution = |n: usize| format!("/api/v1/cases/{case}/measures/{n}/execution");
    let complete = |n: usize| format!("/api/v1/cases/{case}/measures/{n}/execution/complete");
    let as_it_went = json!({
        "counsel": {"notified_at": "2019-10-02T09:00:00Z", "present": false},
        "foreign_officials": [{"name": "two officers of the requesting state"}],
        "inventory": [{"id": "I-1", "description": "", "privileged": "possible", "sealed": false}]
    });
    let (status, body) = send(&app, &police, Method::PUT, &execution(0), as_it_went).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(&app, &police, Method::POST, &complete(0), Value::Null).await;
    expect_refusal(
        status,
        &body,
        409,
        "safeguard_missing",
        &[
            "warrant_presented",
            "counsel_present",
            "independent_legal_observer",
            "no_foreign_officials",
            "itemised_inventory",
            "privilege_sealing",
        ],
    );
    // An officer may not write the execution record.
    let (status, body) = send(
        &app,
        &officer,
        Method::PUT,
        &execution(0),
        search_record("x"),
    )
    .await;
    expect_error(status, &body, 403, "forbidden");
    // A field the record does not have is named.
    let (status, body) = send(
        &app,
        &police,
        Method::PUT,
        &execution(0),
        json!({"warrant": {"reference": "x"}}),
    )
    .await;
    let message = expect_error(status, &body, 400, "invalid_request");
    assert!(message.contains("warrant"), "{message}");

    // Everything recorded, but the son under his cousin's surname.
    let (status, body) = send(
        &app,
        &police,
        Method::PUT,
        &execution(0),
        search_record("KASSYMOV Timur"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(&app, &police, Method::POST, &complete(0), Value::Null).await;
    expect_refusal(status, &body, 409, "owner_name_mismatch", &["I-2"]);
    // Recorded as the request names him (passport spelling): complete.
    let (status, body) = send(
        &app,
        &police,
        Method::PUT,
        &execution(0),
        search_record("ZHAKSYBEKOV Timur"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(
        &app,
        &police,
        Method::POST,
        &complete(0),
        json!({"reason": "search completed under the safeguards"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["completed"]["actor"].is_string(), "{body}");
    // A completed record is closed.
    let (status, body) = send(
        &app,
        &police,
        Method::PUT,
        &execution(0),
        search_record("ZHAKSYBEKOV Timur"),
    )
    .await;
    expect_error(status, &body, 409, "invalid_transition");

    // Devices: her mail accounts were accessed from a seized phone — refused.
    let common = json!({
        "warrant": {"reference": "JI/2019/771", "shown_to": "the subject's husband"},
        "counsel": {"notified_at": "2019-10-02T07:05:00Z", "present": true},
        "observer": {"name": "Me A. Janssens", "qualification": "delegate of the bâtonnier"},
        "remedy_information": {"given_to": "the subject, by registered letter"}
    });
    let with = |extra: Value| {
        let mut record = common.clone();
        for (key, value) in extra.as_object().expect("object") {
            record[key] = value.clone();
        }
        record
    };
    let devices = |live: bool| {
        with(json!({
            "inventory": [{"id": "I-3", "description": "laptop, Lenovo T480", "owner_party": 0,
                           "owner_name": "Aliya Zhaksybekova", "privileged": "possible", "sealed": true}],
            "custody": [{"item": "I-3", "at": "2019-10-02T09:45:00Z", "from": "search team", "to": "forensic lab, sealed"}],
            "devices": {"sealed": true, "live_account_access": live}
        }))
    };
    send(&app, &police, Method::PUT, &execution(1), devices(true)).await;
    let (status, body) = send(&app, &police, Method::POST, &complete(1), Value::Null).await;
    expect_refusal(
        status,
        &body,
        409,
        "safeguard_missing",
        &["live_account_access"],
    );
    send(&app, &police, Method::PUT, &execution(1), devices(false)).await;
    let (status, body) = send(&app, &police, Method::POST, &complete(1), Value::Null).await;
    assert_eq!(status, 200, "{body}");

    // Documents, banking records: recorded properly.
    let records = [
        (
            2,
            with(json!({
                "inventory": [{"id": "I-4", "description": "ledger of Alatau Trading LLP, 2016-2018",
                               "owner_name": "Alatau Trading LLP", "privileged": "no", "sealed": false}],
                "custody": [{"item": "I-4", "at": "2019-10-02T09:50:00Z", "from": "search team", "to": "court registry"}]
            })),
        ),
        (
            3,
            with(json!({
                "inventory": [{"id": "I-5", "description": "the subject's bank statements 2012-2019",
                               "owner_party": 0, "owner_name": "Zhaksybekova Aliya", "privileged": "possible", "sealed": true}],
                "custody": [{"item": "I-5", "at": "2019-10-03T12:00:00Z", "from": "bank", "to": "court registry, sealed"}]
            })),
        ),
        (
            4,
            with(json!({
                "inventory": [{"id": "I-6", "description": "the son's bank statements 2012-2019",
                               "owner_party": 1, "owner_name": "Zhaksybekov Timur", "privileged": "no", "sealed": false}],
                "custody": [{"item": "I-6", "at": "2019-10-03T12:05:00Z", "from": "bank", "to": "court registry"}]
            })),
        ),
    ];
    for (n, record) in records {
        let (status, body) = send(&app, &police, Method::PUT, &execution(n), record).await;
        assert_eq!(status, 200, "measure {n}: {body}");
        let (status, body) = send(&app, &police, Method::POST, &complete(n), Value::Null).await;
        assert_eq!(status, 200, "measure {n}: {body}");
    }

    // She was called to answer the requesting state's questions before the police.
    let questioning = |by: &str| with(json!({"questioned_by": by}));
    send(
        &app,
        &police,
        Method::PUT,
        &execution(5),
        questioning("police"),
    )
    .await;
    let (status, body) = send(&app, &police, Method::POST, &complete(5), Value::Null).await;
    expect_refusal(
        status,
        &body,
        409,
        "safeguard_missing",
        &["judge_led_questioning"],
    );
    send(
        &app,
        &police,
        Method::PUT,
        &execution(5),
        questioning("judge"),
    )
    .await;
    let (status, body) = send(&app, &police, Method::POST, &complete(5), Value::Null).await;
    assert_eq!(status, 200, "{body}");

    // The requesting state's officials: consent withheld, none present.
    send(&app, &police, Method::PUT, &execution(6), json!({"foreign_officials": [{"name": "officer of the requesting state", "consent_reference": "none", "supervisor": "insp. Peeters"}]})).await;
    let (status, body) = send(&app, &police, Method::POST, &complete(6), Value::Null).await;
    expect_refusal(
        status,
        &body,
        409,
        "safeguard_missing",
        &["no_foreign_officials"],
    );
    send(
        &app,
        &police,
        Method::PUT,
        &execution(6),
        json!({"foreign_officials": []}),
    )
    .await;
    let (status, body) = send(&app, &police, Method::POST, &complete(6), Value::Null).await;
    assert_eq!(status, 200, "{body}");
    let (_, case_view) = send(
        &app,
        &judge_a,
        Method::GET,
        &format!("/api/v1/cases/{case}"),
        Value::Null,
    )
    .await;
    assert_eq!(case_view["state"], "executed", "every record complete");

    // Privileged files and the family's banking data handed over: blocked item by item.
    let transfers = format!("/api/v1/cases/{case}/transfers");
    let (status, proposed) = send(
        &app,
        &officer,
        Method::POST,
        &transfers,
        json!({
            "recipient": "kz: Prosecutor General's Office",
            "legal_basis": "be-law-2004",
            "items": ["I-1", "I-5", "I-6"],
            "text": "Material on the refugee and her family, as requested."
        }),
    )
    .await;
    assert_eq!(status, 201, "{proposed}");
    assert_eq!(proposed["blocked"], true);
    let block_reasons = |transfer: &Value, item: &str| -> Vec<String> {
        transfer["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["item"] == item)
            .and_then(|i| i["blocks"].as_array())
            .map(|b| {
                b.iter()
                    .filter_map(|b| b["reason"].as_str())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(
        block_reasons(&proposed, "I-1").contains(&"privilege_unsorted".to_owned()),
        "{proposed}"
    );
    assert!(
        block_reasons(&proposed, "I-6").contains(&"protected_person".to_owned()),
        "{proposed}"
    );
    let whole: Vec<&str> = proposed["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .filter_map(|b| b["reason"].as_str())
        .collect();
    assert_eq!(
        whole,
        ["covering_text"],
        "the text says refugee: {proposed}"
    );
    let tid = proposed["id"].as_str().expect("transfer id").to_owned();
    let (status, body) = send(
        &app,
        &judge_a,
        Method::POST,
        &format!("/api/v1/transfers/{tid}/approve"),
        json!({"reason": "send it"}),
    )
    .await;
    expect_refusal(status, &body, 409, "transfer_blocked", &["I-1", "I-6"]);
    // A judge sorts the client files: privileged. Proposed again, they are blocked for good:
    // no override lets privileged material leave.
    let (status, body) = send(
        &app,
        &judge_a,
        Method::POST,
        &format!("/api/v1/cases/{case}/items/I-1/sorting"),
        json!({"privileged": true, "reason": "client files of a lawyer: professional secrecy"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, proposed) = send(
        &app,
        &officer,
        Method::POST,
        &transfers,
        json!({
            "recipient": "kz: Prosecutor General's Office",
            "legal_basis": "be-law-2004",
            "items": ["I-1", "I-4"],
            "text": "Documents seized in execution of request MLA/2019/0412-DEMO."
        }),
    )
    .await;
    assert_eq!(status, 201, "{proposed}");
    assert!(
        block_reasons(&proposed, "I-1").contains(&"privileged".to_owned()),
        "{proposed}"
    );
    let tid = proposed["id"].as_str().expect("transfer id").to_owned();
    let (status, body) = send(
        &app,
        &judge_a,
        Method::POST,
        &format!("/api/v1/transfers/{tid}/items/I-1/override"),
        json!({"reason": "needed for the prosecution"}),
    )
    .await;
    expect_error(status, &body, 409, "transfer_blocked");

    // The correct transfer: the company ledger only, a text that discloses nothing.
    let (status, proposed) = send(
        &app,
        &officer,
        Method::POST,
        &transfers,
        json!({
            "recipient": "kz: Prosecutor General's Office",
            "legal_basis": "be-law-2004",
            "items": ["I-4"],
            "text": "Documents seized in execution of request MLA/2019/0412-DEMO."
        }),
    )
    .await;
    assert_eq!(status, 201, "{proposed}");
    assert_eq!(proposed["blocked"], false, "{proposed}");
    assert!(
        !proposed["use_conditions"]
            .as_array()
            .expect("use conditions")
            .is_empty()
    );
    let tid = proposed["id"].as_str().expect("transfer id").to_owned();
    let approve = format!("/api/v1/transfers/{tid}/approve");
    let (status, body) = send(&app, &judge_a, Method::POST, &approve, json!({})).await;
    expect_error(status, &body, 400, "reason_required");
    let (status, body) = send(
        &app,
        &judge_a,
        Method::POST,
        &approve,
        json!({"reason": "within the request's scope"}),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (202, Some("proposed")),
        "{body}"
    );
    let (status, body) = send(
        &app,
        &judge_a,
        Method::POST,
        &approve,
        json!({"reason": "again"}),
    )
    .await;
    expect_error(status, &body, 409, "four_eyes");
    let (status, body) = send(
        &app,
        &judge_b,
        Method::POST,
        &approve,
        json!({"reason": "agreed"}),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("sent")),
        "{body}"
    );

    let (status, body) = event(&officer, "close", "material sent; nothing more to execute").await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("closed")),
        "{body}"
    );

    // The transfer is documented in the ledger: recipient, basis, items, approvers.
    let store = haven_store::Store::open(app.dir.path()).expect("store opens");
    let export = store.export_ledger().expect("exports");
    let sent: Vec<Value> = export
        .entries
        .iter()
        .map(|e| serde_json::from_str::<Value>(&e.canonical_json).expect("JSON entry"))
        .filter(|e| e["action"] == "transfer")
        .collect();
    assert_eq!(sent.len(), 1, "one transfer sent");
    assert_eq!(sent[0]["recipient"], "kz: Prosecutor General's Office");
    let justification = sent[0]["justification"].as_str().expect("justification");
    for part in ["be-law-2004", "I-4", "judge", "judge-b"] {
        assert!(justification.contains(part), "{justification}");
    }

    // Statistics and the ledger.
    let (status, stats) = send(&app, &auditor, Method::GET, "/api/v1/stats", Value::Null).await;
    assert_eq!(status, 200, "{stats}");
    let row = &stats["rows"][0];
    assert_eq!(
        (row["requesting_state"].as_str(), row["outcome"].as_str()),
        (Some("kz"), Some("freeze_and_refer"))
    );
    assert_eq!(
        (
            row["frozen"].as_u64(),
            row["transfers_proposed"].as_u64(),
            row["transfers_blocked"].as_u64(),
            row["transfers_sent"].as_u64()
        ),
        (Some(1), Some(3), Some(2), Some(1)),
        "{stats}"
    );
    let csv = app
        .as_role(Role::Auditor, Method::GET, "/api/v1/stats.csv")
        .send()
        .await
        .expect("send");
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    let csv = csv.text().await.expect("text");
    assert!(
        csv.starts_with("requesting_state,outcome,requests,"),
        "{csv}"
    );
    assert!(
        csv.contains("\nkz,freeze_and_refer,1,1,0,0,3,2,1\n"),
        "{csv}"
    );
    let (status, body) = send(&app, &officer, Method::GET, "/api/v1/stats", Value::Null).await;
    expect_error(status, &body, 403, "forbidden");

    let (status, verified) = send(
        &app,
        &auditor,
        Method::POST,
        "/api/v1/ledger/verify",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{verified}");
    let (_, case_view) = send(
        &app,
        &judge_a,
        Method::GET,
        &format!("/api/v1/cases/{case}"),
        Value::Null,
    )
    .await;
    let history: Vec<&str> = case_view["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["event"].as_str())
        .collect();
    assert_eq!(
        history,
        [
            "assessed",
            "freeze",
            "refer",
            "authorise",
            "start_execution",
            "complete_execution",
            "propose_transfer",
            "propose_transfer",
            "propose_transfer",
            "send_transfer",
            "close"
        ]
    );
}

/// A client that knows only DESIGN §5.5: it fills the record's documented parts for every
/// measure, names the recipient in words and the basis as the decision states it, overrides
/// whatever the gate blocks and has two judges approve. Haven's additions (the `devices` part,
/// remedy information, sorting) must not stand in its way.
#[tokio::test]
async fn a_client_that_knows_only_the_design_contract_completes_the_case() {
    let app = spawn_api().await;
    let judge_b = second_judge(&app);
    let officer = app.token(Role::Officer).to_owned();
    let judge_a = app.token(Role::Judge).to_owned();
    let police = app.token(Role::Police).to_owned();
    let liaison = app.token(Role::AsylumLiaison).to_owned();
    let request_text = example_request("01-mla-kz-refugee-lawyer-home-search.json");
    let request: Value = serde_json::from_str(&request_text).expect("JSON");
    let (status, decision) = app
        .post_json(Role::Officer, "/api/v1/requests", &request_text)
        .await;
    assert_eq!(status, 201, "{decision}");
    let case = decision["case"].as_str().expect("case id").to_owned();
    let events = format!("/api/v1/cases/{case}/events");
    let step = |token: &str, event: &str| {
        let body = json!({"event": event, "reason": format!("{event}: reasons on file")});
        let (app, token, events) = (&app, token.to_owned(), events.clone());
        async move { send(app, &token, Method::POST, &events, body).await }
    };
    assert_eq!(step(&judge_a, "freeze").await.0, 200);
    assert_eq!(step(&officer, "refer").await.0, 200);
    let (status, body) = send(
        &app,
        &liaison,
        Method::POST,
        &format!("/api/v1/cases/{case}/referrals/asylum_authority/answer"),
        json!({"answer": "protected", "reason": "refugee status confirmed"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(step(&judge_a, "authorise").await.0, 202);
    let (status, body) = step(&judge_b, "authorise").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(step(&police, "start_execution").await.0, 200);

    // Every measure, every documented part, one item per seizing measure.
    let parties = request["parties"].as_array().expect("parties");
    let mut items = Vec::new();
    for (n, measure) in request["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .enumerate()
    {
        let party = measure["party"].as_u64();
        let seizes = matches!(
            measure["kind"].as_str(),
            Some("search_premises" | "seize_devices" | "seize_documents" | "banking_records")
        );
        let inventory: Vec<Value> = if seizes {
            let id = format!("I-{n}");
            items.push(id.clone());
            let owner = party.map(|p| parties[p as usize]["names"][0].clone());
            vec![
                json!({"id": id, "description": format!("seized under measure {n}"),
                        "owner_party": party, "owner_name": owner,
                        "privileged": "possible", "sealed": true}),
            ]
        } else {
            Vec::new()
        };
        let custody: Vec<Value> = inventory
            .iter()
            .map(|i| json!({"item": i["id"], "at": "2019-10-02T10:00:00Z", "from": "team", "to": "registry"}))
            .collect();
        let record = json!({
            "warrant": {"reference": "JI/2019/771", "shown_to": "the occupant"},
            "counsel": {"notified_at": "2019-10-02T07:00:00Z", "present": true, "absent_reason": null},
            "observer": {"name": "Me Janssens", "qualification": "delegate of the bâtonnier"},
            "foreign_officials": [],
            "inventory": inventory,
            "custody": custody,
            "questioned_by": "judge"
        });
        let path = format!("/api/v1/cases/{case}/measures/{n}/execution");
        let (status, body) = send(&app, &police, Method::PUT, &path, record).await;
        assert_eq!(status, 200, "measure {n}: {body}");
        let (status, body) = send(
            &app,
            &police,
            Method::POST,
            &format!("{path}/complete"),
            Value::Null,
        )
        .await;
        assert_eq!(status, 200, "measure {n}: {body}");
    }

    let basis = decision["legal_basis"]["instruments"][0]["id"].clone();
    let (status, transfer) = send(
        &app,
        &officer,
        Method::POST,
        &format!("/api/v1/cases/{case}/transfers"),
        json!({"recipient": "Prosecutor General's Office of the Republic of Kazakhstan",
               "legal_basis": basis, "items": items,
               "text": "Material gathered in execution of your request."}),
    )
    .await;
    assert_eq!(status, 201, "{transfer}");
    let tid = transfer["id"].as_str().expect("id").to_owned();
    let approve = format!("/api/v1/transfers/{tid}/approve");
    let (status, body) = send(
        &app,
        &judge_a,
        Method::POST,
        &approve,
        json!({"reason": "send"}),
    )
    .await;
    expect_error(status, &body, 409, "transfer_blocked");
    for item in transfer["items"].as_array().expect("items") {
        if item["blocks"].as_array().is_some_and(|b| !b.is_empty()) {
            let path = format!(
                "/api/v1/transfers/{tid}/items/{}/override",
                item["item"].as_str().expect("id")
            );
            let (status, body) = send(
                &app,
                &judge_a,
                Method::POST,
                &path,
                json!({"reason": "read and weighed by the judge"}),
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
    }
    let (status, _) = send(
        &app,
        &judge_a,
        Method::POST,
        &approve,
        json!({"reason": "send"}),
    )
    .await;
    assert_eq!(status, 202);
    let (status, body) = send(
        &app,
        &judge_b,
        Method::POST,
        &approve,
        json!({"reason": "agreed"}),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("sent")),
        "{body}"
    );
    let (status, body) = step(&officer, "close").await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("closed")),
        "{body}"
    );
    let (status, body) = send(
        &app,
        app.token(Role::Auditor),
        Method::POST,
        "/api/v1/ledger/verify",
        Value::Null,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}
