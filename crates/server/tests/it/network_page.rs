//! The case page's context network over real HTTP: the picture and its table, with who is
//! protected only in the asylum liaison's page, and nothing of it in an officer's HTML.

use haven_app::{AccountName, NewUser, Role};

use crate::application::{ApiApp, example_request, principal, spawn_api};

const PASSPHRASE: &str = "a long enough passphrase";

/// A web account of `role` with a password, signed in: its session cookie.
fn signed_in(app: &ApiApp, role: Role) -> String {
    let name = format!("web-{}", role.as_str().replace('_', "-"));
    app.service
        .add_user(
            &principal(Role::Admin),
            &NewUser {
                name: AccountName::parse(name.as_str()).expect("valid name"),
                role,
            },
            Some(PASSPHRASE),
        )
        .expect("account created");
    let signed = app.service.sign_in(&name, PASSPHRASE).expect("signs in");
    format!("haven_session={}", signed.secret)
}

/// The network section of a case page (the memo above it has its own rules).
fn network_section(html: &str) -> &str {
    let start = html
        .find("<section aria-labelledby=\"h-network\"")
        .unwrap_or_else(|| panic!("a network section: {html}"));
    let end = html[start..].find("</section>").expect("the section ends") + start;
    &html[start..end]
}

async fn page(app: &ApiApp, cookie: &str, path: &str) -> (u16, String) {
    let response = app
        .client
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

/// The case of example request 01 (the protected lawyer, her son and her nephew).
fn lawyer_case(app: &ApiApp) -> String {
    let text = example_request("01-mla-kz-refugee-lawyer-home-search.json");
    let request = haven_domain::parse_request(&text).expect("example parses");
    app.service
        .assess(&principal(Role::Officer), &request, true)
        .expect("an officer may submit")
        .case
        .expect("stored")
}

#[tokio::test]
async fn an_officer_sees_the_network_without_who_is_protected() {
    let app = spawn_api().await;
    let case = lawyer_case(&app);
    let cookie = signed_in(&app, Role::Officer);
    let (status, page_html) = page(&app, &cookie, &format!("/cases/{case}")).await;
    assert_eq!(status, 200, "{page_html}");
    assert!(
        !page_html.contains("style="),
        "no inline style: the CSP forbids it"
    );
    let html = network_section(&page_html);
    assert!(
        html.contains("<h2 id=\"h-network\">Context network</h2>"),
        "{html}"
    );
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""));
    // Parties numbered from 0, as the memo numbers them.
    assert!(html.contains(">party 0</text>"), "{html}");
    // The son's wife is a registry record but no party: named, never identified or marked.
    assert!(html.contains("Madina Jaksybekova"), "{html}");
    assert!(!html.contains("R-1023"), "{html}");
    assert!(!html.contains(">protected</text>"), "{html}");
    assert!(!html.contains("<polygon"), "{html}");
    assert!(!html.contains("<th scope=\"col\">Protected</th>"), "{html}");
    // The table carries the relation in words.
    assert!(
        html.contains("<li>Aliya Zhaksybekova is Timur Jaksybekov&#39;s parent</li>"),
        "{html}"
    );
}

#[tokio::test]
async fn the_asylum_liaison_sees_who_is_protected_and_the_read_is_logged() {
    let app = spawn_api().await;
    let case = lawyer_case(&app);
    let cookie = signed_in(&app, Role::AsylumLiaison);
    let before = app.ledger_size();
    let (status, page_html) = page(&app, &cookie, &format!("/cases/{case}")).await;
    assert_eq!(status, 200, "{page_html}");
    let html = network_section(&page_html);
    assert!(html.contains(">protected</text>"), "{html}");
    assert!(html.contains("<polygon"), "{html}");
    assert!(html.contains("<th scope=\"col\">Protected</th>"), "{html}");
    assert!(html.contains("R-1023"), "{html}");
    let entries = app.entries_since(before);
    assert!(
        entries.iter().any(|e| e.starts_with("read_protected")
            && e.contains(&format!("case:{case}"))
            && e.contains("registry:R-1023")),
        "{entries:?}"
    );
}
