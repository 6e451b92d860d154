//! The web UI in a real browser: headless Chromium driven over WebDriver (chromedriver, through
//! fantoccini) against the whole application on port 0. What the reqwest tests cannot show: that
//! a person can sign in, follow the pages and post the forms as a browser really does (cookies,
//! redirects, form encoding, the security headers), that a form stripped of its CSRF token in the
//! page itself is refused, and that the pages work with JavaScript switched off.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`; `.ci/run` installs them). Without them these tests fail, saying so: a
//! browser test that skips itself would pass on a machine where nothing was tested.
//!
//! One chromedriver and one browser per test, and one test in the browser at a time (a lock):
//! the machines running this have few cores, and parallel Chromiums slow each other into
//! timeouts.

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use haven_app::Role;
use serde_json::{Value, json};

use crate::application::{ApiApp, principal, spawn_api};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long a page may take to arrive where a step leads (generous: CI machines are slow).
const PAGE_WAIT: Duration = Duration::from_secs(20);

/// One browser test at a time, across the test binary's threads.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// JavaScript in the browser: on (the default) or off through Chromium's content settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scripts {
    On,
    Off,
}

/// A running chromedriver in its own process group, and the browser profile's directory; both
/// go when this is dropped (a test that panics must not leave a browser behind).
struct Chromedriver {
    child: Child,
    port: u16,
    /// The browser profile and chromedriver's log.
    dir: tempfile::TempDir,
}

impl Chromedriver {
    /// Starts chromedriver on a free loopback port and waits until it answers.
    async fn start() -> Chromedriver {
        for program in [CHROMEDRIVER, CHROMIUM] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: the browser tests need Debian's chromium and \
                 chromium-driver packages (apt-get install chromium chromium-driver; .ci/run \
                 installs them)"
            );
        }
        let port = free_port();
        let dir = tempfile::tempdir().expect("temporary directory");
        let log = dir.path().join("chromedriver.log");
        let child = {
            use std::os::unix::process::CommandExt;
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                // Its own group, so that Drop can end chromedriver and every browser it started.
                .process_group(0)
                .spawn()
                .expect("chromedriver starts")
        };
        let mut driver = Chromedriver { child, port, dir };
        driver.wait_until_ready(&log).await;
        driver
    }

    async fn wait_until_ready(&mut self, log: &Path) {
        let status = format!("http://127.0.0.1:{}/status", self.port);
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Some(exit) = self.child.try_wait().expect("chromedriver status") {
                panic!(
                    "chromedriver exited at start ({exit}); its log:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            if let Ok(response) = http.get(&status).send().await
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == true
            {
                return;
            }
            assert!(
                started.elapsed() < PAGE_WAIT,
                "chromedriver did not answer on port {} within {PAGE_WAIT:?}",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A browser session: headless Chromium with a fresh profile, scripts on or off.
    async fn browser(&self, scripts: Scripts) -> Client {
        let profile = self.dir.path().join("profile");
        let mut options = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1280,1600",
                format!("--user-data-dir={}", profile.display()),
            ],
        });
        if scripts == Scripts::Off {
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".into(), options);
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no browser session from chromedriver: {e}; its log:\n{}",
                    std::fs::read_to_string(self.dir.path().join("chromedriver.log"))
                        .unwrap_or_default()
                )
            })
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and any Chromium it started that a failed test did not
        // close. The group id is chromedriver's pid (`process_group(0)`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now (the OS's choice; released at once for chromedriver to take).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Runs `test` in a fresh browser, then ends the browser session whether the test passed or
/// not, and only then reports a failure.
async fn in_browser<F, Fut>(scripts: Scripts, test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let _one = ONE_BROWSER.lock().await;
    let driver = Chromedriver::start().await;
    let client = driver.browser(scripts).await;
    let outcome = tokio::spawn(test(client.clone())).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

/// The web account of `role` (the web tests' `web-ROLE`, with a password) as a sign-in form
/// takes it: the name and the password.
fn web_account(app: &ApiApp, role: Role) -> (String, String) {
    (
        crate::web::web_account(&app.service, role),
        crate::web::PASSWORD.to_owned(),
    )
}

/// A case from example request 01 (the motivating case: a protected lawyer's home search),
/// recorded through the service as an officer would submit it.
fn case_from_request_01(app: &ApiApp) -> String {
    crate::web::lawyer_case(&app.service)
}

/// The number of entries in the case's history, read through the service.
fn history_length(app: &ApiApp, case: &str) -> usize {
    app.service
        .case(&principal(Role::Officer), case)
        .expect("case readable")
        .history
        .len()
}

/// The visible text of the page (not its source: hidden CSRF tokens must not reach test
/// output).
async fn page_text(client: &Client) -> String {
    match client.find(Locator::Css("body")).await {
        Ok(body) => body.text().await.unwrap_or_default(),
        Err(e) => format!("(no page body: {e})"),
    }
}

/// Waits until the browser is at a path (with its query, if any) that `wanted` accepts.
async fn wait_for_path(client: &Client, what: &str, wanted: impl Fn(&str) -> bool) {
    let started = Instant::now();
    loop {
        let url = client.current_url().await.expect("current URL");
        let at = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        if wanted(&at) {
            return;
        }
        if started.elapsed() > PAGE_WAIT {
            panic!(
                "not at {what} after {PAGE_WAIT:?} but at {url}; the page says:\n{}",
                page_text(client).await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the page has an element matching `css` (a page can be at its new address before
/// its body has arrived).
async fn wait_for_element(client: &Client, css: &str) -> fantoccini::elements::Element {
    match client
        .wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Css(css))
        .await
    {
        Ok(element) => element,
        Err(e) => panic!(
            "no {css} after {PAGE_WAIT:?} ({e}); the page says:\n{}",
            page_text(client).await
        ),
    }
}

/// Opens `url` and waits for its element `ready`: the page is read only once it is there (the
/// browser reports the new address while the document may still be arriving).
async fn open(client: &Client, url: &str, ready: &str) {
    client
        .goto(url)
        .await
        .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    wait_for_element(client, ready).await;
}

/// Clicks the submit button of the form matching `form` (a CSS selector).
async fn submit(client: &Client, form: &str) {
    client
        .find(Locator::Css(form))
        .await
        .unwrap_or_else(|e| panic!("no form {form}: {e}"))
        .find(Locator::Css("button[type='submit']"))
        .await
        .expect("the form has a submit button")
        .click()
        .await
        .expect("submit clicked");
}

/// Types `text` into the field with id `id`.
async fn fill(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no field #{id}: {e}"))
        .send_keys(text)
        .await
        .expect("typed");
}

/// Signs in through the sign-in page, as a person does: `/` sends a stranger to `/login`, the
/// labelled fields are filled, and the case list follows.
async fn sign_in(client: &Client, base: &str, (name, password): &(String, String)) {
    client.goto(&format!("{base}/")).await.expect("open /");
    wait_for_path(client, "/login", |path| path == "/login").await;
    wait_for_element(client, "#password").await;
    for (field, label) in [("username", "Account name"), ("password", "Password")] {
        let label_text = client
            .find(Locator::Css(&format!("label[for='{field}']")))
            .await
            .unwrap_or_else(|e| panic!("no label for {field}: {e}"))
            .text()
            .await
            .expect("label text");
        assert_eq!(label_text, label, "the label of {field}");
    }
    fill(client, "username", name).await;
    fill(client, "password", password).await;
    submit(client, "form[action='/login']").await;
    wait_for_path(client, "/cases", |path| path == "/cases").await;
    wait_for_element(client, "form[action='/logout']").await;
}

/// The base URL of the application.
fn base(app: &ApiApp) -> String {
    app.url("")
}

/// Where the browser tests leave what a person should look at: `target/browser/`, under the
/// build's target directory.
fn artefacts() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(|| workspace.join("target"), |dir| workspace.join(dir));
    target.join("browser")
}

#[tokio::test]
async fn an_officer_signs_in_and_reads_the_decision_memo_of_a_case() {
    let app = spawn_api().await;
    let account = web_account(&app, Role::Officer);
    let case = case_from_request_01(&app);
    let base = base(&app);
    in_browser(Scripts::On, move |client| async move {
        sign_in(&client, &base, &account).await;
        let list = page_text(&client).await;
        assert!(list.contains(&case), "the case list shows {case}:\n{list}");
        client
            .find(Locator::Css(&format!("a[href='/cases/{case}']")))
            .await
            .expect("a link to the case")
            .click()
            .await
            .expect("followed");
        wait_for_path(&client, "the case page", |path| {
            path == format!("/cases/{case}")
        })
        .await;
        let outcome = wait_for_element(&client, "#h-decision + dl .outcome").await;
        let text = page_text(&client).await;
        let outcome = outcome.text().await.expect("outcome text");
        assert_eq!(
            outcome, "freeze and refer",
            "the outcome; the page:\n{text}"
        );
        let findings = client
            .find_all(Locator::Css("ol.findings > li"))
            .await
            .expect("findings");
        assert!(
            findings.len() >= 2,
            "the findings (protected subject, family): {text}"
        );
        assert!(
            text.contains("MLA/2019/0412-DEMO"),
            "the request reference: {text}"
        );
        drop(app);
    })
    .await;
}

// Written against DESIGN §5.6: a textarea `request` and a submit button in its form.
#[tokio::test]
async fn an_officer_signs_in_pastes_a_request_and_lands_on_its_decision() {
    let app = spawn_api().await;
    let account = web_account(&app, Role::Officer);
    let request = crate::application::example_request("01-mla-kz-refugee-lawyer-home-search.json");
    let base = base(&app);
    in_browser(Scripts::On, move |client| async move {
        sign_in(&client, &base, &account).await;
        open(
            &client,
            &format!("{base}/requests/new"),
            "textarea[name='request']",
        )
        .await;
        client
            .find(Locator::Css("textarea[name='request']"))
            .await
            .expect("the request field")
            .send_keys(&request)
            .await
            .expect("request typed");
        submit(&client, "form:has(textarea[name='request'])").await;
        wait_for_path(&client, "the new case's page", |path| {
            path.starts_with("/cases/") && path.len() > "/cases/".len()
        })
        .await;
        let outcome = wait_for_element(&client, "#h-decision + dl .outcome")
            .await
            .text()
            .await
            .expect("outcome text");
        assert_eq!(outcome, "freeze and refer");
        let findings = client
            .find_all(Locator::Css("ol.findings > li"))
            .await
            .expect("findings");
        assert!(
            findings.len() >= 2,
            "the findings (protected subject, family): {}",
            page_text(&client).await
        );
        assert_eq!(
            app.service
                .cases(&principal(Role::Officer))
                .expect("cases")
                .len(),
            1,
            "one case stored"
        );
        drop(app);
    })
    .await;
}

#[tokio::test]
async fn the_officer_page_holds_no_protection_details_the_asylum_liaison_page_does() {
    let app = spawn_api().await;
    let officer = web_account(&app, Role::Officer);
    let liaison = web_account(&app, Role::AsylumLiaison);
    let case = case_from_request_01(&app);
    let base = base(&app);
    in_browser(Scripts::On, move |client| async move {
        let case_url = format!("{base}/cases/{case}");
        // What the template prints of registry record R-1001's protection: the block's title,
        // "refugee granted by BE on 2013-06-20, against KZ".
        let details = ["Protection details", "granted by BE", "2013-06-20"];

        sign_in(&client, &base, &officer).await;
        open(&client, &case_url, "#h-decision").await;
        let source = client.source().await.expect("page source");
        assert!(
            source.contains("freeze and refer"),
            "the officer sees the memo; at {:?} the page says:\n{}",
            client.current_url().await.map(|url| url.to_string()),
            page_text(&client).await
        );
        for detail in details {
            assert!(
                !source.contains(detail),
                "the officer's page source holds {detail:?}"
            );
        }
        // The match itself is no secret: the officer learns the person is protected.
        assert!(source.contains("R-1001"), "the officer sees the match");

        submit(&client, "form[action='/logout']").await;
        wait_for_path(&client, "/login", |path| path == "/login").await;
        sign_in(&client, &base, &liaison).await;
        open(&client, &case_url, "#h-decision").await;
        let source = client.source().await.expect("page source");
        for detail in details {
            assert!(
                source.contains(detail),
                "the asylum liaison's page source lacks {detail:?}"
            );
        }
        drop(app);
    })
    .await;
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused_and_stores_nothing() {
    let app = spawn_api().await;
    let officer = web_account(&app, Role::Officer);
    let case = case_from_request_01(&app);
    let base = base(&app);
    in_browser(Scripts::On, move |client| async move {
        sign_in(&client, &base, &officer).await;
        open(&client, &format!("{base}/cases/{case}"), "#h-decision").await;
        let step_form = format!("form[action='/cases/{case}/events']");
        let removed = client
            .execute(
                "const field = document.querySelector(arguments[0] + \" input[name='csrf']\"); \
                 if (!field) { return false; } field.remove(); return true;",
                vec![json!(step_form)],
            )
            .await
            .expect("script ran");
        assert_eq!(removed, json!(true), "the step form had a csrf field");
        let history_before = history_length(&app, &case);
        let ledger_before = app.ledger_size();

        fill(&client, "step-reason", "posted without the form's token").await;
        submit(&client, &step_form).await;
        wait_for_path(&client, "the step's answer", |path| {
            path.ends_with("/events")
        })
        .await;
        let heading = wait_for_element(&client, "main h1")
            .await
            .text()
            .await
            .expect("heading text");
        assert_eq!(heading, "Form refused");
        assert!(
            page_text(&client).await.contains("Nothing was saved"),
            "the refusal says nothing was saved"
        );
        assert_eq!(history_length(&app, &case), history_before, "case history");
        assert_eq!(app.ledger_size(), ledger_before, "ledger entries");
        drop(app);
    })
    .await;
}

#[tokio::test]
async fn the_case_page_and_its_step_form_work_without_javascript() {
    let app = spawn_api().await;
    let officer = web_account(&app, Role::Officer);
    let case = case_from_request_01(&app);
    let base = base(&app);
    in_browser(Scripts::Off, move |client| async move {
        // The capability took: a page's own script does not run.
        client
            .goto("data:text/html,<title>before</title><script>document.title='ran'</script>")
            .await
            .expect("data page");
        assert_eq!(
            client.title().await.expect("title"),
            "before",
            "JavaScript is off"
        );

        sign_in(&client, &base, &officer).await;
        open(&client, &format!("{base}/cases/{case}"), "#h-decision").await;
        let text = page_text(&client).await;
        assert!(text.contains("freeze and refer"), "the memo: {text}");
        assert!(
            text.contains("Reply to the requesting state"),
            "the memo's reply: {text}"
        );
        let history_before = history_length(&app, &case);

        // The step the page offers first (the select's default), with a reason.
        let step = client
            .find(Locator::Css("#step-event option"))
            .await
            .expect("the officer has a step to take")
            .attr("value")
            .await
            .expect("option value")
            .expect("a value");
        fill(
            &client,
            "step-reason",
            "recorded from a browser without scripts",
        )
        .await;
        submit(&client, &format!("form[action='/cases/{case}/events']")).await;
        // The answer is the same page again, with `done=event` for its notice.
        wait_for_path(&client, &format!("the case page after {step}"), |path| {
            path == format!("/cases/{case}?done=event")
        })
        .await;
        let notice = wait_for_element(&client, "main .notice")
            .await
            .text()
            .await
            .expect("notice text");
        assert_eq!(notice, "The step was recorded.");
        assert_eq!(
            history_length(&app, &case),
            history_before + 1,
            "one step in the case history"
        );
        drop(app);
    })
    .await;
}

#[tokio::test]
async fn a_screenshot_of_the_case_page_is_saved() {
    let app = spawn_api().await;
    let liaison = web_account(&app, Role::AsylumLiaison);
    let case = case_from_request_01(&app);
    let base = base(&app);
    in_browser(Scripts::On, move |client| async move {
        sign_in(&client, &base, &liaison).await;
        open(&client, &format!("{base}/cases/{case}"), "#h-decision").await;
        client
            .find(Locator::Css("ol.findings"))
            .await
            .expect("the page has rendered its findings");
        let png = client.screenshot().await.expect("screenshot");
        let dir = artefacts();
        std::fs::create_dir_all(&dir).expect("artefact directory");
        let path = dir.join("case-page.png");
        std::fs::write(&path, &png).expect("screenshot written");

        let written = std::fs::read(&path).expect("screenshot read back");
        assert!(
            written.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{} is not a PNG",
            path.display()
        );
        // A blank 1280×1600 page compresses to a few kilobytes; a rendered memo does not.
        assert!(
            written.len() > 20_000,
            "{} is only {} bytes",
            path.display(),
            written.len()
        );
        drop(app);
    })
    .await;
}
