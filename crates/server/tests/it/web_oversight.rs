//! The ledger, referral and statistics pages of the web UI over real HTTP, signed in through the
//! sign-in form as a browser would be (the session cookie carried by hand: the test client has
//! no cookie store, so every cookie the test sends is one it chose to send).

use haven_app::{AccountName, NewUser, Role};
use haven_domain::ReferralCode;
use haven_domain::workflow::CaseEvent;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response};

use crate::application::{ApiApp, account_name, example_request, principal, spawn_api};

/// A web password for the test accounts (long enough for the password rule).
const PASSWORD: &str = "correct-horse-battery-staple";

/// A browser without a cookie store that does not follow redirects (a sign-in answers with a
/// redirect whose `Set-Cookie` the test must see).
fn browser() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client builds")
}

/// The value of cookie `name` set by `response`.
fn set_cookie(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim().to_owned())
}

/// The value of the hidden `csrf` field of a page.
fn csrf_field(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    let end = html[start..].find('"').expect("closing quote") + start;
    html[start..end].to_owned()
}

/// `application/x-www-form-urlencoded` of `fields` (reqwest is built without its form feature).
fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A signed-in browser session of a new account `web-ROLE`.
struct Session<'a> {
    app: &'a ApiApp,
    client: Client,
    cookie: String,
}

/// Creates the account `web-ROLE` with a web password and signs it in through the form.
async fn sign_in_as(app: &ApiApp, role: Role) -> Session<'_> {
    let name = format!("web-{}", account_name(role));
    let user = NewUser {
        name: AccountName::parse(&name).expect("valid name"),
        role,
    };
    app.service
        .add_user(&principal(Role::Admin), &user, Some(PASSWORD))
        .expect("account created");
    let client = browser();
    let form = client
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page");
    assert_eq!(form.status(), 200);
    let sign_in_cookie = set_cookie(&form, "haven_sign_in").expect("a sign-in cookie");
    let csrf = csrf_field(&form.text().await.expect("login page body"));
    let response = client
        .post(app.url("/login"))
        .header(COOKIE, format!("haven_sign_in={sign_in_cookie}"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form_body(&[
            ("username", &name),
            ("password", PASSWORD),
            ("csrf", &csrf),
            ("next", ""),
        ]))
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), 303, "sign-in of {name} redirects");
    let session = set_cookie(&response, "haven_session").expect("a session cookie");
    Session {
        app,
        client,
        cookie: format!("haven_session={session}"),
    }
}

impl Session<'_> {
    async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.app.url(path))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .expect("send")
    }

    /// GET `path`: the status and the body.
    async fn page(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("body"))
    }
}

/// The text of an HTML page: tags dropped, the entities askama writes decoded, white space
/// collapsed, so a test can look for a sentence that spans inline markup.
fn text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_ledger_page_needs_a_session() {
    let app = spawn_api().await;
    let response = browser()
        .get(app.url("/ledger"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 303);
    let location = response.headers()[LOCATION].to_str().expect("ascii");
    assert!(location.starts_with("/login"), "{location}");
}

#[tokio::test]
async fn the_auditor_sees_the_checkpoint_its_signature_and_the_full_verification() {
    let app = spawn_api().await;
    let auditor = sign_in_as(&app, Role::Auditor).await;
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
    let officer = sign_in_as(&app, Role::Officer).await;
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
    let admin = sign_in_as(&app, Role::Admin).await;
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
    let officer = sign_in_as(&app, Role::Officer).await;
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
    let officer = sign_in_as(&app, Role::Officer).await;
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
    let officer = sign_in_as(&app, Role::Officer).await;

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
    let officer = sign_in_as(&app, Role::Officer).await;
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

    let auditor = sign_in_as(&app, Role::Auditor).await;
    let csv = auditor.get("/stats.csv").await.text().await.expect("body");
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

    let officer = sign_in_as(&app, Role::Officer).await;
    let (status, html) = officer.page("/stats").await;
    assert_eq!(status, 403, "{html}");
    assert!(!html.contains("<table"), "{html}");
    assert!(
        !html.contains("href=\"/stats\""),
        "no navigation link: {html}"
    );
    let response = officer.get("/stats.csv").await;
    assert_eq!(response.status(), 403);

    let auditor = sign_in_as(&app, Role::Auditor).await;
    let (status, html) = auditor.page("/stats").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<th scope=\"col\">Requests</th>"), "{html}");
    assert!(html.contains("<th scope=\"row\">KZ</th>"), "{html}");
    let page = text(&html);
    assert!(page.contains("KZ freeze and refer 1 "), "{page}");
    assert!(page.contains("All states and outcomes 1 "), "{page}");

    let response = auditor.get("/stats.csv").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()[CONTENT_TYPE].to_str().expect("ascii");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    let disposition = response.headers()[CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains(".csv\""), "{disposition}");
    let csv = response.text().await.expect("body");
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
