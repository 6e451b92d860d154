//! How long the web UI's pages take, measured at the client on loopback (an upper bound of the
//! server's time): signs in through `/login`, fills the server up to `--cases N` cases by posting
//! example request 01 through the API, then GETs each page `--rounds R` times, one at a time, and
//! prints the median, p95 and maximum per page. The figures of BENCHMARKS.md "Web UI" come from:
//!
//! ```text
//! cargo run --release -- serve --demo --bind 127.0.0.1:18182      # prints names, passwords, tokens
//! cargo run --release -p haven-server --example bench_pages -- http://127.0.0.1:18182 \
//!     demo-officer OFFICER_PASSWORD OFFICER_TOKEN --cases 1000 --rounds 200
//! ```
//!
//! The officer's pages: the case list (all cases, and filtered), the largest case page (request
//! 01: 28 findings, 22 grounds), the intake form and the ledger page.

use std::time::{Duration, Instant};

use reqwest::header::{COOKIE, SET_COOKIE};

const REQUEST_01: &str =
    include_str!("../../../examples/data/requests/01-mla-kz-refugee-lawyer-home-search.json");

struct Settings {
    base: String,
    name: String,
    password: String,
    token: String,
    cases: usize,
    rounds: usize,
}

fn usage() -> ! {
    eprintln!("usage: bench_pages BASE_URL NAME PASSWORD API_TOKEN [--cases N] [--rounds R]");
    std::process::exit(2);
}

fn parse_args() -> Settings {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let (mut cases, mut rounds) = (1000, 200);
    let mut i = 0;
    while i < args.len() {
        let number = |i: usize| {
            args.get(i + 1)
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or_else(|| usage())
        };
        match args[i].as_str() {
            "--cases" => cases = number(i),
            "--rounds" => rounds = number(i),
            flag if flag.starts_with("--") => usage(),
            other => {
                positional.push(other.to_owned());
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    let [base, name, password, token] =
        <[String; 4]>::try_from(positional).unwrap_or_else(|_| usage());
    Settings {
        base,
        name,
        password,
        token,
        cases,
        rounds,
    }
}

/// The `name=value` of a `Set-Cookie` header named `name`.
fn cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .find(|pair| pair.starts_with(&format!("{name}=")))
}

fn hidden_csrf(html: &str) -> Option<String> {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    html[start..].split('"').next().map(str::to_owned)
}

#[tokio::main]
async fn main() {
    let settings = parse_args();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");

    // Fill up to the number of cases asked for.
    let listed: serde_json::Value = client
        .get(format!("{}/api/v1/cases", settings.base))
        .bearer_auth(&settings.token)
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON case list");
    let existing = listed["cases"].as_array().map_or(0, Vec::len);
    let started = Instant::now();
    for _ in existing..settings.cases {
        let response = client
            .post(format!("{}/api/v1/requests", settings.base))
            .bearer_auth(&settings.token)
            .header("content-type", "application/json")
            .body(REQUEST_01)
            .send()
            .await
            .expect("the server answers");
        assert!(
            response.status().is_success(),
            "assessing: {}",
            response.status()
        );
    }
    eprintln!(
        "{} cases ({} added in {:.1} s)",
        settings.cases.max(existing),
        settings.cases.saturating_sub(existing),
        started.elapsed().as_secs_f64()
    );

    // Sign in as a browser would.
    let form = client
        .get(format!("{}/login", settings.base))
        .send()
        .await
        .expect("the sign-in page");
    let sign_in_cookie = cookie(&form, "haven_sign_in").expect("a sign-in cookie");
    let csrf = hidden_csrf(&form.text().await.expect("a page")).expect("a csrf field");
    let signed = client
        .post(format!("{}/login", settings.base))
        .header(COOKIE, sign_in_cookie)
        .form(&[
            ("username", settings.name.as_str()),
            ("password", settings.password.as_str()),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .expect("signing in");
    let session = cookie(&signed, "haven_session").expect("signed in (check name and password)");

    let first_case = "case-000001";
    let pages = [
        "/cases".to_owned(),
        "/cases?flag=protected&outcome=freeze_and_refer".to_owned(),
        format!("/cases/{first_case}"),
        "/requests/new".to_owned(),
        "/ledger".to_owned(),
    ];
    println!("page\tmedian ms\tp95 ms\tmax ms\tbytes");
    for page in &pages {
        let mut times = Vec::with_capacity(settings.rounds);
        let mut bytes = 0;
        for _ in 0..settings.rounds {
            let start = Instant::now();
            let response = client
                .get(format!("{}{page}", settings.base))
                .header(COOKIE, &session)
                .send()
                .await
                .expect("the server answers");
            assert_eq!(response.status(), 200, "{page}");
            bytes = response.bytes().await.expect("a body").len();
            times.push(start.elapsed());
        }
        times.sort();
        let at = |q: f64| -> Duration { times[((times.len() - 1) as f64 * q).round() as usize] };
        println!(
            "{page}\t{:.2}\t{:.2}\t{:.2}\t{bytes}",
            at(0.5).as_secs_f64() * 1000.0,
            at(0.95).as_secs_f64() * 1000.0,
            at(1.0).as_secs_f64() * 1000.0,
        );
    }
}
