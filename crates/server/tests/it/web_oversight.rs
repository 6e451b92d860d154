//! The ledger, referral and statistics pages of the web UI over real HTTP, signed in through the
//! sign-in form as a browser would be (the session cookie carried by hand: the test client has
//! no cookie store, so every cookie the test sends is one it chose to send).

use haven_app::Role;
use haven_domain::ReferralCode;
use haven_domain::workflow::CaseEvent;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};

use crate::application::{ApiApp, example_request, principal, spawn_api};
use crate::web::{WebClient, text};

#[tokio::test]
async fn the_ledger_page_needs_a_session() {
    let app = spawn_api().await;
    let page = WebClient::new(&app).get("/ledger").await;
    assert_eq!(page.status, 303);
    let location = page.location.expect("a redirect");
    assert!(location.starts_with("/login"), "{location}");
}

#[tokio::test]
async fn the_auditor_sees_the_checkpoint_its_signature_and_the_full_verification() {
    let app = spawn_api().await;
    let mut auditor = WebClient::signed_in(&app, Role::Auditor).await;
    let (status, html) = auditor.page("/ledger").await;
    assert_eq!(status, 200, "{html}");
    let page = text(&html);
    let size = app.ledger_size();
    let checkpoint = app
        .service
        .checkpoint(&principal(Role::Auditor))
        .expect("readable")
        .expect("a checkpoint");
    assert_eq!(checkpoint.size, size);
    assert!(page.contains(&format!("Size {size} entries")), "{page}");
    assert!(
        page.contains(&format!("Root hash (SHA-256, hex) {}", checkpoint.root)),
        "{page}"
    );
    // The signed note itself, verbatim in a <pre>.
    let note_first_line = checkpoint.note.lines().next().expect("an origin line");
    assert!(
        page.contains(&format!("Origin {note_first_line}")),
        "{page}"
    );
    for line in checkpoint.note.lines().filter(|line| !line.is_empty()) {
        assert!(
            page.contains(line),
            "note line {line:?} missing from {page}"
        );
    }
    assert!(
        page.contains(&format!("Signature verified (key {note_first_line})")),
        "{page}"
    );
    assert!(page.contains("Full verification passed"), "{page}");
    assert!(
        page.contains(&format!("{size} entries re-hashed")),
        "{page}"
    );
    assert!(page.contains("Root matches yes"), "{page}");
    assert!(!page.contains("is the auditor's"), "{page}");
    // The auditor may ask for proofs: the form is there, with its label.
    assert!(html.contains("<label for=\"f-entry\">"), "{html}");
    assert!(html.contains("id=\"f-entry\" name=\"entry\""), "{html}");
}

#[tokio::test]
async fn an_officer_sees_the_signature_check_but_no_full_verification() {
    let app = spawn_api().await;
    let mut officer = WebClient::signed_in(&app, Role::Officer).await;
    let (status, html) = officer.page("/ledger").await;
    assert_eq!(status, 200, "{html}");
    let page = text(&html);
    assert!(page.contains("Signature verified (key "), "{page}");
    assert!(
        page.contains("A full verification (every entry's hash, every checkpoint's signature and root) is the auditor's"),
        "{page}"
    );
    for absent in ["Full verification passed", "re-hashed", "Recomputed root"] {
        assert!(!page.contains(absent), "{absent:?} in {page}");
    }
    assert!(
        html.contains("name=\"entry\""),
        "officers may ask for proofs"
    );
}

#[tokio::test]
async fn the_administrator_verifies_but_gets_no_proof_form() {
    let app = spawn_api().await;
    let mut admin = WebClient::signed_in(&app, Role::Admin).await;
    let (status, html) = admin.page("/ledger").await;
    assert_eq!(status, 200, "{html}");
    let page = text(&html);
    assert!(page.contains("Full verification passed"), "{page}");
    assert!(!html.contains("name=\"entry\""), "{html}");
    assert!(!page.contains("Inclusion proof"), "{page}");
}

#[tokio::test]
async fn an_inclusion_proof_is_shown_and_verified_against_the_signed_root() {
    let app = spawn_api().await;
    let mut officer = WebClient::signed_in(&app, Role::Officer).await;
    let (status, html) = officer.page("/ledger?entry=0").await;
    assert_eq!(status, 200, "{html}");
    let page = text(&html);
    let bundle = app
        .service
        .inclusion_proof(&principal(Role::Officer), 0)
        .expect("a proof");
    assert!(
        page.contains(&format!(
            "Proof verified: entry 0 is included in the signed tree of {} entries with root {}",
            bundle.checkpoint.size, bundle.checkpoint.root
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!("Tree size {}", bundle.proof.size)),
        "{page}"
    );
    // Entry 0 is the signing key's announcement, in canonical JSON.
    assert!(bundle.entry.contains("key_rotation"), "{}", bundle.entry);
    assert!(page.contains(&bundle.entry), "{page}");
    assert!(
        !bundle.proof.path.is_empty(),
        "the examples make more than one entry"
    );
    for hash in &bundle.proof.path {
        assert!(
            page.contains(&hash.to_string()),
            "{hash} missing from {page}"
        );
    }
    // The typed number stays in the field.
    assert!(html.contains("value=\"0\""), "{html}");
}

#[tokio::test]
async fn a_bad_entry_number_is_an_error_next_to_the_field() {
    let app = spawn_api().await;
    let mut officer = WebClient::signed_in(&app, Role::Officer).await;
    let size = app.ledger_size();
    let (status, html) = officer.page("/ledger?entry=99999").await;
    assert_eq!(status, 400, "{html}");
    let page = text(&html);
    assert!(
        page.contains(&format!(
            "There is no ledger entry 99999 (the ledger has {size} entries)."
        )),
        "{page}"
    );
    assert!(html.contains("aria-describedby=\"entry-error\""), "{html}");
    assert!(html.contains("id=\"entry-error\""), "{html}");
    // The rest of the page is still there.
    assert!(page.contains("Signature verified"), "{page}");
    assert!(!page.contains("Proof verified"), "{page}");

    let (status, html) = officer.page("/ledger?entry=first").await;
    assert_eq!(status, 400, "{html}");
    assert!(
        text(&html).contains("\"first\" is not an entry number"),
        "{html}"
    );
}

/// Assesses example request 01 through the service and refers the case (referrals open with
/// that step); the case id and the referral codes opened.
fn referred_case(app: &ApiApp) -> (String, String, Vec<ReferralCode>) {
    let request = haven_domain::parse_request(&example_request(
        "01-mla-kz-refugee-lawyer-home-search.json",
    ))
    .expect("example request parses");
    let assessed = app
        .service
        .assess(&principal(Role::Officer), &request, true)
        .expect("assessed");
    let case = assessed.case.expect("recorded as a case");
    assert!(
        !assessed.decision.referrals.is_empty(),
        "request 01 is referred"
    );
    app.service
        .case_event(
            &principal(Role::Officer),
            &case,
            CaseEvent::Refer,
            "refer to the asylum authority and the bar before any step",
        )
        .expect("referred");
    let mut codes = assessed.decision.referrals.clone();
    codes.dedup();
    (case, request.reference.as_str().to_owned(), codes)
}

#[tokio::test]
async fn the_officer_lists_the_referrals_of_an_assessed_case() {
    let app = spawn_api().await;
    let (case, reference, codes) = referred_case(&app);
    let mut officer = WebClient::signed_in(&app, Role::Officer).await;

    let (status, html) = officer.page("/referrals").await;
    assert_eq!(status, 200, "{html}");
    let page = text(&html);
    assert_eq!(
        html.matches(&format!("<a href=\"/cases/{case}\">{case}</a>"))
            .count(),
        codes.len(),
        "one row per referral, each linking its case: {html}"
    );
    assert!(page.contains(&reference), "{page}");
    for code in &codes {
        let in_words = code.as_str().replace('_', " ");
        assert!(page.contains(&in_words), "{in_words:?} missing from {page}");
    }
    assert_eq!(
        html.matches("<td>open</td>").count(),
        codes.len(),
        "none answered yet: {html}"
    );
    assert!(
        !html.contains("class=\"flag\">overdue"),
        "none overdue yet: {html}"
    );
    assert!(html.contains("<label for=\"f-overdue\">"), "{html}");

    // Just opened, none is overdue yet: the filter leaves nothing.
    let (status, html) = officer.page("/referrals?overdue=1").await;
    assert_eq!(status, 200, "{html}");
    assert!(text(&html).contains("No overdue referrals."), "{html}");
    assert!(!html.contains(&format!("/cases/{case}")), "{html}");
    assert!(
        html.contains(" checked>"),
        "the filter stays ticked: {html}"
    );
}

#[tokio::test]
async fn referrals_past_their_due_date_are_marked_in_words_and_filtered() {
    let app = spawn_api().await;
    let (case, _, codes) = referred_case(&app);
    // A day past the latest due date.
    let latest_due = app
        .service
        .referrals(&principal(Role::Officer), false)
        .expect("listed")
        .iter()
        .map(|listing| listing.referral.due)
        .max()
        .expect("referrals");
    let clock = app.service.clock();
    let until_due = clock.now().duration_until(latest_due);
    clock.advance(until_due + jiff::SignedDuration::from_hours(24));
    let mut officer = WebClient::signed_in(&app, Role::Officer).await;
    let (status, html) = officer.page("/referrals?overdue=1").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(
        html.matches(&format!("<a href=\"/cases/{case}\">{case}</a>"))
            .count(),
        codes.len(),
        "{html}"
    );
    assert_eq!(
        html.matches("<strong class=\"flag\">overdue</strong>")
            .count(),
        codes.len(),
        "{html}"
    );

    let mut auditor = WebClient::signed_in(&app, Role::Auditor).await;
    let csv = auditor.get("/stats.csv").await.body;
    assert!(
        csv.lines()
            .any(|line| line == format!("all,all,1,0,0,{},0,0,0", codes.len())),
        "{csv}"
    );
}

#[tokio::test]
async fn statistics_are_for_oversight_only_and_download_as_csv() {
    let app = spawn_api().await;
    let request = haven_domain::parse_request(&example_request(
        "01-mla-kz-refugee-lawyer-home-search.json",
    ))
    .expect("example request parses");
    app.service
        .assess(&principal(Role::Officer), &request, true)
        .expect("assessed");

    let mut officer = WebClient::signed_in(&app, Role::Officer).await;
    let (status, html) = officer.page("/stats").await;
    assert_eq!(status, 403, "{html}");
    assert!(!html.contains("<table"), "{html}");
    assert!(
        !html.contains("href=\"/stats\""),
        "no navigation link: {html}"
    );
    let response = officer.get("/stats.csv").await;
    assert_eq!(response.status, 403);

    let mut auditor = WebClient::signed_in(&app, Role::Auditor).await;
    let (status, html) = auditor.page("/stats").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<th scope=\"col\">Requests</th>"), "{html}");
    assert!(html.contains("<th scope=\"row\">KZ</th>"), "{html}");
    let page = text(&html);
    assert!(page.contains("KZ freeze and refer 1 "), "{page}");
    assert!(page.contains("All states and outcomes 1 "), "{page}");

    let response = auditor.get("/stats.csv").await;
    assert_eq!(response.status, 200);
    let content_type = response.headers[CONTENT_TYPE].to_str().expect("ascii");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let disposition = response.headers[CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains(".csv\""), "{disposition}");
    let csv = response.body;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some(
            "requesting_state,outcome,requests,frozen,refused,overdue_referrals,\
             transfers_proposed,transfers_blocked,transfers_sent"
        ),
        "{csv}"
    );
    assert!(
        lines.contains(&"kz,freeze_and_refer,1,0,0,0,0,0,0"),
        "{csv}"
    );
    assert_eq!(
        lines.last().copied(),
        Some("all,all,1,0,0,0,0,0,0"),
        "{csv}"
    );
}
