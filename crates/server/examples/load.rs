//! A load generator for the screening endpoint (or, with `--path /api/v1/requests`, for stored
//! assessments): POSTs parties (one JSON object per line of a file, cycled) to
//! `BASE_URL/api/v1/screen` with a bearer token on N concurrent keep-alive
//! connections, for S seconds after a warm-up, and prints requests, errors, rps and latency
//! percentiles. The figures of BENCHMARKS.md "HTTP API (issue 10)" come from it:
//!
//! ```text
//! cargo run --release -p haven-server --example load -- http://127.0.0.1:18181 TOKEN /tmp/lb/queries.jsonl --connections 16 --seconds 30 --warmup 5
//! ```
//!
//! Every request is timed from just before it is sent to the end of its body; a non-2xx answer or
//! a transport failure is an error. Only requests started after the warm-up and finished before
//! the end are counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Settings {
    base_url: String,
    token: String,
    queries: String,
    connections: usize,
    seconds: u64,
    warmup: u64,
    /// The endpoint: `/api/v1/screen` (each line a party) or `/api/v1/requests` (each line a
    /// request: an assessment stored as a case).
    path: String,
}

fn usage() -> ! {
    eprintln!(
        "usage: load BASE_URL TOKEN QUERIES.jsonl [--connections N] [--seconds S] [--warmup S] \
         [--path /api/v1/screen|/api/v1/requests]"
    );
    std::process::exit(2);
}

fn parse_args() -> Settings {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut positional = Vec::new();
    let mut settings = Settings {
        base_url: String::new(),
        token: String::new(),
        queries: String::new(),
        connections: 16,
        seconds: 20,
        warmup: 5,
        path: "/api/v1/screen".into(),
    };
    let mut i = 0;
    while i < args.len() {
        let value = || {
            args.get(i + 1)
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or_else(|| usage())
        };
        match args[i].as_str() {
            "--connections" => settings.connections = value() as usize,
            "--seconds" => settings.seconds = value(),
            "--warmup" => settings.warmup = value(),
            "--path" => {
                settings.path = args.get(i + 1).cloned().unwrap_or_else(|| usage());
            }
            flag if flag.starts_with("--") => usage(),
            other => {
                positional.push(other.to_owned());
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    let [base_url, token, queries] =
        <[String; 3]>::try_from(positional).unwrap_or_else(|_| usage());
    if settings.connections == 0 || settings.seconds == 0 {
        usage();
    }
    settings.base_url = base_url.trim_end_matches('/').to_owned();
    settings.token = token;
    settings.queries = queries;
    settings
}

/// What one connection saw while measuring.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
}

/// One keep-alive connection sending a request as soon as the previous answer is read.
async fn connection(
    client: reqwest::Client,
    url: Arc<str>,
    token: Arc<str>,
    queries: Arc<Vec<String>>,
    next: Arc<AtomicUsize>,
    measure_from: Instant,
    end: Instant,
) -> Tally {
    let mut tally = Tally::default();
    loop {
        let started = Instant::now();
        if started >= end {
            return tally;
        }
        let query = &queries[next.fetch_add(1, Ordering::Relaxed) % queries.len()];
        let outcome = async {
            let response = client
                .post(&*url)
                .bearer_auth(&*token)
                .header("content-type", "application/json")
                // A copy of a few hundred bytes: noise beside the request itself.
                .body(query.clone())
                .send()
                .await
                .map_err(|e| format!("transport: {e}"))?;
            let status = response.status();
            let body = response
                .bytes()
                .await
                .map_err(|e| format!("reading the body: {e}"))?;
            if !status.is_success() {
                return Err(format!("{status}: {}", String::from_utf8_lossy(&body)));
            }
            Ok(())
        }
        .await;
        let finished = Instant::now();
        if started < measure_from || finished > end {
            continue;
        }
        match outcome {
            Ok(()) => {
                let us = finished.duration_since(started).as_micros();
                tally
                    .latencies_us
                    .push(u32::try_from(us).unwrap_or(u32::MAX));
            }
            Err(message) => {
                tally.errors += 1;
                tally.first_error.get_or_insert(message);
            }
        }
    }
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile_ms(sorted_us: &[u32], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted_us.len() as f64).ceil() as usize;
    f64::from(sorted_us[rank.clamp(1, sorted_us.len()) - 1]) / 1000.0
}

fn main() {
    let settings = parse_args();
    let text = std::fs::read_to_string(&settings.queries).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", settings.queries);
        std::process::exit(1);
    });
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        eprintln!("{} holds no queries", settings.queries);
        std::process::exit(1);
    }

    // One thread: the generator shares the 2-core machine with the server it measures. A
    // multi-threaded runtime would compete with the server for its second core and the figures
    // would measure the contention; one current-thread runtime costs at most one core's worth.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");

    let queries = Arc::new(lines);
    let url: Arc<str> = format!("{}{}", settings.base_url, settings.path).into();
    let token: Arc<str> = settings.token.clone().into();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let measure_from = started + Duration::from_secs(settings.warmup);
    let end = measure_from + Duration::from_secs(settings.seconds);

    let tallies: Vec<Tally> = runtime.block_on(async {
        let mut tasks = Vec::with_capacity(settings.connections);
        for _ in 0..settings.connections {
            // A client per connection, holding at most one idle connection: N clients are
            // exactly N keep-alive connections, never a pool that grows or shrinks under load.
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .pool_idle_timeout(None)
                .build()
                .expect("an HTTP client");
            tasks.push(tokio::spawn(connection(
                client,
                Arc::clone(&url),
                Arc::clone(&token),
                Arc::clone(&queries),
                Arc::clone(&next),
                measure_from,
                end,
            )));
        }
        let mut tallies = Vec::with_capacity(tasks.len());
        for task in tasks {
            tallies.push(task.await.expect("a connection task"));
        }
        tallies
    });
    report(&settings, tallies);
}

fn report(settings: &Settings, tallies: Vec<Tally>) {
    let mut latencies: Vec<u32> = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for tally in tallies {
        latencies.extend(tally.latencies_us);
        errors += tally.errors;
        if first_error.is_none() {
            first_error = tally.first_error;
        }
    }
    latencies.sort_unstable();
    let requests = latencies.len() as u64 + errors;
    let rps = requests as f64 / settings.seconds as f64;
    println!(
        "connections {} seconds {} warmup {}: requests {requests} errors {errors} rps {rps:.0} \
         p50 {:.2} ms p90 {:.2} ms p99 {:.2} ms max {:.2} ms",
        settings.connections,
        settings.seconds,
        settings.warmup,
        percentile_ms(&latencies, 50.0),
        percentile_ms(&latencies, 90.0),
        percentile_ms(&latencies, 99.0),
        latencies
            .last()
            .map_or(f64::NAN, |&us| f64::from(us) / 1000.0),
    );
    if let Some(message) = first_error {
        println!("first error: {message}");
    }
}
