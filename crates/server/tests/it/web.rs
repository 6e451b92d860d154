//! The web UI over real HTTP, as a browser without JavaScript uses it: a client that keeps the
//! session cookie and reads each form's CSRF token from the page; and the tests of signing in and
//! out, the session cookie, the lock after repeated wrong passwords, CSRF refusals, and what each
//! role's case page holds.

use std::sync::Arc;

use haven_app::{AccountName, NewUser, Role, Service};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

use crate::application::{ApiApp, example_request, principal, spawn_api};

/// The password every web test account has.
pub const PASSWORD: &str = "correct horse battery staple";

/// The web account of `role` (`web-ROLE`), created with [`PASSWORD`] if it does not exist.
pub fn web_account(service: &Service, role: Role) -> String {
    let name = format!("web-{}", role.as_str().replace('_', "-"));
    named_web_account(service, &name, role);
    name
}

/// The web account `name` of `role`, created with [`PASSWORD`] if it does not exist.
pub fn named_web_account(service: &Service, name: &str, role: Role) {
    let exists = service
        .database()
        .account(name)
        .expect("accounts readable")
        .is_some();
    if !exists {
        service
            .add_user(
                &principal(Role::Admin),
                &NewUser {
                    name: AccountName::parse(name).expect("valid name"),
                    role,
                },
                Some(PASSWORD),
            )
            .expect("account created");
    }
}

/// A browser without JavaScript: no redirects followed (tests look at them), cookies kept by hand.
pub struct WebClient {
    base: String,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
}

/// A page as answered: status, `Location`, headers, body.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    pub set_cookies: Vec<String>,
}

impl WebClient {
    pub fn new(app: &ApiApp) -> WebClient {
        WebClient {
            base: app.url(""),
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            cookies: Vec::new(),
        }
    }

    /// Signed in as `role`'s web account.
    pub async fn signed_in(app: &ApiApp, role: Role) -> WebClient {
        let name = web_account(&app.service, role);
        WebClient::signed_in_as(app, &name, role).await
    }

    /// Signed in as the web account `name` of `role` (created if need be).
    pub async fn signed_in_as(app: &ApiApp, name: &str, role: Role) -> WebClient {
        named_web_account(&app.service, name, role);
        let mut client = WebClient::new(app);
        let page = client.sign_in(name, PASSWORD).await;
        assert_eq!(page.status, 303, "sign-in: {}", page.body);
        assert_eq!(page.location.as_deref(), Some("/cases"));
        client
    }

    /// The value of the cookie `name` this client holds.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    /// Opens /login and posts the form with `name` and `password`.
    pub async fn sign_in(&mut self, name: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = hidden(&form.body, "csrf");
        self.post(
            "/login",
            &[("username", name), ("password", password), ("csrf", &csrf)],
        )
        .await
    }

    /// GET `path`: the status and the body.
    pub async fn page(&mut self, path: &str) -> (u16, String) {
        let page = self.get(path).await;
        (page.status, page.body)
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    /// Posts a urlencoded form.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields);
        self.send(request).await
    }

    /// The session's CSRF token, as the page at `path` carries it in its forms.
    /// Posts a step (`event`, `reason`) through the case page's form of `case_path`, with the
    /// session's CSRF token read from that page.
    pub async fn step(&mut self, case_path: &str, event: &str, reason: &str) -> Page {
        let csrf = self.csrf(case_path).await;
        self.post(
            &format!("{case_path}/events"),
            &[("event", event), ("reason", reason), ("csrf", &csrf)],
        )
        .await
    }

    pub async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        hidden(&page.body, "csrf")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let request = if self.cookies.is_empty() {
            request
        } else {
            let header = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ");
            request.header(COOKIE, header)
        };
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().expect("ascii").to_owned());
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("ascii").to_owned())
            .collect();
        for set in &set_cookies {
            let pair = set.split(';').next().unwrap_or_default();
            let (name, value) = pair.split_once('=').expect("name=value");
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Page {
            status,
            location,
            headers,
            body,
            set_cookies,
        }
    }
}

/// The value of the first hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in {html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .expect("closing quote")
        .to_owned()
}

/// The text of an HTML page: tags dropped, the entities askama writes decoded, white space
/// collapsed, so a test can look for a sentence that spans inline markup.
pub fn text(html: &str) -> String {
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

/// A case assessed from example request 01 (a protected lawyer, her son and a household member).
pub fn lawyer_case(service: &Arc<Service>) -> String {
    let request = haven_domain::parse_request(&example_request(
        "01-mla-kz-refugee-lawyer-home-search.json",
    ))
    .expect("example parses");
    service
        .assess(&principal(Role::Officer), &request, true)
        .expect("assessed")
        .case
        .expect("recorded")
}

#[tokio::test]
async fn the_root_sends_a_stranger_to_a_labelled_sign_in_form() {
    let app = spawn_api().await;
    let mut client = WebClient::new(&app);
    let root = client.get("/").await;
    assert_eq!(root.status, 303);
    assert_eq!(root.location.as_deref(), Some("/login"));
    let cases = client.get("/cases").await;
    assert_eq!(cases.location.as_deref(), Some("/login?next=%2Fcases"));
    let login = client.get("/login").await;
    assert_eq!(login.status, 200);
    for field in ["username", "password"] {
        assert!(
            login.body.contains(&format!("<label for=\"{field}\""))
                && login
                    .body
                    .contains(&format!("id=\"{field}\" name=\"{field}\"")),
            "{field} is a labelled input: {}",
            login.body
        );
    }
}

#[tokio::test]
async fn signing_in_opens_a_strict_http_only_session_and_signing_out_ends_it() {
    let app = spawn_api().await;
    let name = web_account(&app.service, Role::Officer);
    let mut client = WebClient::new(&app);
    let signed = client.sign_in(&name, PASSWORD).await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let session = signed
        .set_cookies
        .iter()
        .find(|c| c.starts_with("haven_session="))
        .expect("session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Strict"), "{session}");
    assert!(!session.contains("Secure"), "plain HTTP: {session}");

    let cases = client.get("/cases").await;
    assert_eq!(cases.status, 200);
    assert!(
        cases
            .body
            .contains(&format!("Signed in as <strong>{name}</strong>"))
    );

    // Signing out is a form like any other: without the token it is refused.
    let refused = client.post("/logout", &[]).await;
    assert_eq!(refused.status, 403);
    let csrf = client.csrf("/cases").await;
    let out = client.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert_eq!(
        client.get("/cases").await.status,
        303,
        "the session has ended"
    );
}

#[tokio::test]
async fn behind_tls_the_session_cookie_is_secure() {
    let app = spawn_api().await;
    let name = web_account(&app.service, Role::Officer);
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client");
    let form = client
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("send");
    let sign_in_cookie = form
        .headers()
        .get(SET_COOKIE)
        .expect("sign-in cookie")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(sign_in_cookie.contains("Secure"), "{sign_in_cookie}");
    let token = sign_in_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .expect("pair")
        .1
        .to_owned();
    let signed = client
        .post(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .header(COOKIE, format!("haven_sign_in={token}"))
        .form(&[
            ("username", name.as_str()),
            ("password", PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(signed.status(), 303);
    let session = signed
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .find(|c| c.starts_with("haven_session="))
        .expect("session cookie");
    assert!(session.contains("Secure"), "{session}");
}

#[tokio::test]
async fn a_sign_in_posted_from_elsewhere_is_refused() {
    let app = spawn_api().await;
    let name = web_account(&app.service, Role::Officer);
    // A form on another site cannot read or set the sign-in cookie: no cookie, no sign-in, even
    // with the right password.
    let mut client = WebClient::new(&app);
    let page = client
        .post(
            "/login",
            &[
                ("username", &name),
                ("password", PASSWORD),
                ("csrf", "forged"),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.set_cookies
            .iter()
            .all(|c| !c.starts_with("haven_session="))
    );
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_account_and_the_ledger_says_so() {
    let app = spawn_api().await;
    let name = web_account(&app.service, Role::Judge);
    let mut client = WebClient::new(&app);
    for attempt in 1..haven_app::MAX_FAILED_SIGN_INS {
        let page = client.sign_in(&name, "wrong password, once more").await;
        assert_eq!(page.status, 401, "attempt {attempt}");
        assert!(page.body.contains("wrong account name or password"));
    }
    let locked = client.sign_in(&name, "wrong password, once more").await;
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert!(locked.body.contains("locked until"), "{}", locked.body);
    // Now even the right password is refused until the lock ends.
    let still = client.sign_in(&name, PASSWORD).await;
    assert_eq!(still.status, 429);
    // An unknown account name reads like a wrong password.
    let unknown = client.sign_in("nobody-here", PASSWORD).await;
    assert_eq!(unknown.status, 401);

    let ledger: Vec<String> = haven_store::Store::open(app.dir.path())
        .expect("store opens")
        .export_ledger()
        .expect("exports")
        .entries
        .into_iter()
        .map(|e| e.canonical_json)
        .collect();
    let lock = ledger
        .iter()
        .find(|entry| entry.contains("web sign-in of account") && entry.contains(&name))
        .unwrap_or_else(|| panic!("no lock entry in {ledger:?}"));
    assert!(lock.contains("locked until"), "{lock}");

    // When the lock has passed, the right password works again.
    app.service
        .clock()
        .advance(haven_app::LOCKED_FOR + jiff::SignedDuration::from_secs(1));
    let again = client.sign_in(&name, PASSWORD).await;
    assert_eq!(again.status, 303, "{}", again.body);
}

#[tokio::test]
async fn a_case_event_without_its_csrf_token_is_refused_and_stores_nothing() {
    let app = spawn_api().await;
    let case = lawyer_case(&app.service);
    let mut client = WebClient::signed_in(&app, Role::Judge).await;
    let path = format!("/cases/{case}");
    let before = app
        .service
        .case(&principal(Role::Judge), &case)
        .expect("case")
        .history
        .len();
    for token in ["", "not-the-token"] {
        let page = client
            .post(
                &format!("{path}/events"),
                &[
                    ("event", "freeze"),
                    ("reason", "risk to the lawyer"),
                    ("csrf", token),
                ],
            )
            .await;
        assert_eq!(page.status, 403, "{}", page.body);
        assert!(page.body.contains("Form refused"));
    }
    let after = app
        .service
        .case(&principal(Role::Judge), &case)
        .expect("case")
        .history
        .len();
    assert_eq!(before, after, "nothing was recorded");

    // With its token the same form is recorded, and the page says so.
    let done = client.step(&path, "freeze", "risk to the lawyer").await;
    assert_eq!(done.status, 303, "{}", done.body);
    let shown = client
        .get(done.location.as_deref().expect("redirect"))
        .await;
    assert!(shown.body.contains("The step was recorded."));
    assert!(shown.body.contains("risk to the lawyer"), "in the history");
}

#[tokio::test]
async fn a_refused_step_is_explained_beside_the_form() {
    let app = spawn_api().await;
    let case = lawyer_case(&app.service);
    let mut client = WebClient::signed_in(&app, Role::Judge).await;
    let path = format!("/cases/{case}");
    // The decision is freeze and refer: authorising an unfrozen case is refused by the rules.
    let page = client.step(&path, "authorise", "looks fine").await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(page.body.contains("id=\"step-error\""), "{}", page.body);
    // No reason: refused, nothing recorded.
    let page = client.step(&path, "freeze", "  ").await;
    assert_eq!(page.status, 400, "{}", page.body);
}

#[tokio::test]
async fn only_the_asylum_liaison_s_case_page_holds_protection_details() {
    let app = spawn_api().await;
    let case = lawyer_case(&app.service);
    let path = format!("/cases/{case}");
    // What the registry says of R-1001's protection, as the example data has it.
    let details = ["Protection details", "granted by BE", "refugee granted"];
    for role in [Role::Officer, Role::Judge, Role::Police] {
        let mut client = WebClient::signed_in(&app, role).await;
        let page = client.get(&path).await;
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("protected person"),
            "{role:?} sees the flag"
        );
        for detail in details {
            assert!(
                !page.body.contains(detail),
                "{role:?} page holds {detail:?}"
            );
        }
    }
    let mut liaison = WebClient::signed_in(&app, Role::AsylumLiaison).await;
    let page = liaison.get(&path).await;
    for detail in details {
        assert!(
            page.body.contains(detail),
            "asylum liaison page lacks {detail:?}"
        );
    }
}

#[tokio::test]
async fn the_navigation_offers_each_role_only_what_it_may_use() {
    let app = spawn_api().await;
    let cases = [
        (
            Role::Officer,
            &["/cases", "/requests/new"][..],
            &["/imports", "/stats"][..],
        ),
        (
            Role::Admin,
            &["/imports", "/ledger"],
            &["/cases\"", "/requests/new"],
        ),
        (
            Role::Auditor,
            &["/stats", "/ledger"],
            &["/requests/new", "/imports"],
        ),
    ];
    for (role, shown, absent) in cases {
        let mut client = WebClient::signed_in(&app, role).await;
        let page = client.get("/login").await;
        // The sign-in page has no navigation; any page of the session does.
        assert!(!page.body.contains("<nav"));
        let page = client.get("/cases").await;
        let nav = page.body.split("</nav>").next().expect("nav");
        for href in shown {
            assert!(
                nav.contains(&format!("href=\"{href}")),
                "{role:?} nav lacks {href}"
            );
        }
        for href in absent {
            assert!(
                !nav.contains(&format!("href=\"{href}")),
                "{role:?} nav has {href}"
            );
        }
    }
}

#[tokio::test]
async fn the_case_list_filters_by_state_outcome_flag_and_overdue_referrals() {
    let app = spawn_api().await;
    let protected = lawyer_case(&app.service);
    let request = haven_domain::parse_request(&example_request("08-mla-ch-assault-witness.json"))
        .expect("example parses");
    let plain = app
        .service
        .assess(&principal(Role::Officer), &request, true)
        .expect("assessed")
        .case
        .expect("recorded");
    let mut client = WebClient::signed_in(&app, Role::Officer).await;
    let link = |id: &str| format!("href=\"/cases/{id}\"");

    let all = client.get("/cases").await.body;
    assert!(all.contains(&link(&protected)) && all.contains(&link(&plain)));
    let flagged = client.get("/cases?flag=protected").await.body;
    assert!(flagged.contains(&link(&protected)) && !flagged.contains(&link(&plain)));
    let refer = client.get("/cases?outcome=freeze_and_refer").await.body;
    assert!(refer.contains(&link(&protected)) && !refer.contains(&link(&plain)));
    let assessed = client.get("/cases?state=assessed").await.body;
    assert!(assessed.contains(&link(&protected)));
    let frozen = client.get("/cases?state=frozen").await.body;
    assert!(!frozen.contains(&link(&protected)));
    assert!(client.get("/cases?state=nonsense").await.status == 400);

    // Referrals fall due after 14 days: the lawyer's case has open referrals once referred.
    let judge = principal(Role::Judge);
    app.service
        .case_event(
            &judge,
            &protected,
            haven_domain::workflow::CaseEvent::Refer,
            "to the asylum authority",
        )
        .expect("referred");
    let overdue = client.get("/cases?overdue=1").await.body;
    assert!(!overdue.contains(&link(&protected)), "not yet overdue");
    app.service
        .clock()
        .advance(jiff::SignedDuration::from_hours(24 * 15));
    // Fifteen days on, the session has long ended: sign in again.
    assert_eq!(client.get("/cases").await.status, 303);
    let mut client = WebClient::signed_in(&app, Role::Officer).await;
    let overdue = client.get("/cases?overdue=1").await.body;
    assert!(overdue.contains(&link(&protected)) && !overdue.contains(&link(&plain)));
    // The case page reads the same clock: its referrals are marked overdue too.
    let page = client.get(&format!("/cases/{protected}")).await.body;
    assert!(page.contains("(overdue)"), "{page}");
}

/// Request 01 reaches the lawyer's brother's political imprisonment from all three parties: the
/// case page states it once and links back to it, as the text memo says "as finding 6".
#[tokio::test]
async fn the_case_page_states_a_context_fact_once_and_links_back_to_it() {
    let app = spawn_api().await;
    let case = lawyer_case(&app.service);
    let mut officer = WebClient::signed_in(&app, Role::Officer).await;
    let page = officer.get(&format!("/cases/{case}")).await.body;
    let fact = "sentenced to seven years after a trial on embezzlement charges";
    assert_eq!(text(&page).matches(fact).count(), 1, "{page}");
    assert_eq!(
        page.matches("as <a href=\"#finding-6\">finding 6</a>")
            .count(),
        2,
        "{page}"
    );
}

#[tokio::test]
async fn the_case_page_lists_each_measure_with_its_execution_record() {
    let app = spawn_api().await;
    let case = lawyer_case(&app.service);
    let mut police = WebClient::signed_in(&app, Role::Police).await;
    let page = text(&police.get(&format!("/cases/{case}")).await.body);
    // Request 01 asks for seven measures, none executed yet, and nothing was proposed abroad.
    for (number, kind, party) in [
        (0, "search premises", 0),
        (1, "seize devices", 0),
        (4, "banking records", 1),
    ] {
        assert!(
            page.contains(&format!("{number} {kind} {party} no record yet")),
            "measure {number}: {page}"
        );
    }
    assert_eq!(page.matches("no record yet").count(), 7, "{page}");
    assert!(page.contains("No transfer proposed."), "{page}");
}
