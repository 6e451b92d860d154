//! `haven serve [--bind ADDR] [--demo]` (DESIGN §5.1): the HTTP API over the data directory, or,
//! with `--demo`, over a fresh temporary one holding the bundled example data and one account
//! per role (and a second judge, for four-eyes steps), whose tokens are printed so a newcomer can
//! try every role at once.
//!
//! The screening index is loaded before the first request is accepted, and caught up once a
//! second with imports made by other processes (`haven import` while the server runs), so they
//! become visible without a restart. Logs go to stderr and name no person: method, route
//! template, status and latency.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use haven_app::{AccountName, ChangeFollower, IndexOrigin, NewUser, Role, Service};
use haven_server::Limits;

use super::demo::{assess_bundled, import_bundled};
use super::service::{self, Location};

/// The longest the running index waits before looking for imports made by other processes (on
/// PostgreSQL it is woken at once by the import's notification).
const CATCH_UP_EVERY: Duration = Duration::from_secs(1);

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: String,
    /// Serve the bundled example data from a fresh temporary data directory, with one account
    /// per role (their tokens are printed).
    #[arg(long)]
    demo: bool,
    /// The state that receives the requests (ISO 3166-1 alpha-2).
    #[arg(long, env = "HAVEN_RECEIVING_STATE", default_value = service::DEFAULT_RECEIVING_STATE)]
    receiving_state: String,
    /// Mark the web UI's session cookie `Secure`: set this when Haven is served behind TLS.
    #[arg(long)]
    secure_cookies: bool,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = Limits::default().body_bytes)]
    max_body_bytes: usize,
}

pub fn run(args: ServeArgs, location: &Location) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    // Kept alive until the server stops; removed then.
    let demo_dir = if args.demo {
        Some(
            tempfile::Builder::new()
                .prefix("haven-serve-demo-")
                .tempdir()
                .context("creating a temporary data directory")?,
        )
    } else {
        None
    };
    // The demo's data is its own: a fresh SQLite directory, whatever the command line said.
    let demo_location = demo_dir.as_ref().map(|d| Location::sqlite(d.path()));
    if demo_location.is_some() && location.database_url.is_some() {
        eprintln!(
            "haven: --demo serves a fresh temporary SQLite directory; the database URL is not used"
        );
    }
    let location = demo_location.as_ref().unwrap_or(location);
    let service = Arc::new(service::open(location, &args.receiving_state)?);
    let accounts = if args.demo {
        demo_data(&service)?
    } else {
        Vec::new()
    };
    match service
        .load_index()
        .context("loading the screening index")?
    {
        Some(IndexOrigin::Built { persons, reason }) => {
            eprintln!("haven: built the screening index over {persons} persons ({reason})");
        }
        Some(IndexOrigin::Snapshot { caught_up }) => eprintln!(
            "haven: loaded the screening index snapshot ({caught_up} persons applied since)"
        ),
        None => {}
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.bind)
            .await
            .with_context(|| format!("binding {}", args.bind))?;
        let address = listener.local_addr()?;
        println!(
            "Haven serves the API on http://{address} (data: {})",
            location.describe()
        );
        println!("  Web UI: http://{address}/");
        println!("  OpenAPI document: http://{address}/openapi.json");
        if !accounts.is_empty() {
            println!(
                "  Demo accounts (valid for this run only): web sign-in name and password, API \
                 token"
            );
            for account in &accounts {
                println!(
                    "    {:<15} {:<20} {}  {}",
                    account.label,
                    account.name.as_str(),
                    account.password,
                    account.token
                );
            }
            if let Some(token) = accounts
                .iter()
                .find(|a| a.role == Role::Officer)
                .map(|a| &a.token)
            {
                println!(
                    "  Try: curl -s -H 'Authorization: Bearer {token}' -H 'Content-Type: \
                     application/json' -d '{{\"names\": [\"Жаксыбекова Алия\"]}}' \
                     http://{address}/api/v1/screen"
                );
            }
        }
        let follower = ChangeFollower::start(Arc::clone(&service), CATCH_UP_EVERY)
            .context("starting the change follower")?;
        let limits = Limits {
            body_bytes: args.max_body_bytes,
            ..Limits::default()
        };
        let web = haven_server::WebOptions {
            secure_cookies: args.secure_cookies,
        };
        let app = haven_server::application(Arc::clone(&service), &limits, web);
        let served = haven_server::serve(listener, app, haven_server::shutdown_signal()).await;
        follower.stop();
        served.context("serving")
    })?;
    drop(demo_dir);
    Ok(())
}

/// A demo account: its label, role, name, web password and API token (valid for this run only).
struct DemoAccount {
    label: String,
    role: Role,
    name: AccountName,
    password: String,
    token: String,
}

/// Imports the bundled example data, assesses the bundled requests (so the case list has
/// cases), and creates one account per role and a second judge (the workflow's four-eyes steps
/// need two), each with a random web password and an API token.
fn demo_data(service: &Service) -> anyhow::Result<Vec<DemoAccount>> {
    import_bundled(service)?;
    assess_bundled(service)?;
    let admin = service::operator(Role::Admin);
    let accounts = Role::ALL
        .iter()
        .map(|&role| (role.as_str().to_owned(), role))
        .chain(std::iter::once(("judge-2".to_owned(), Role::Judge)));
    let mut created = Vec::new();
    for (label, role) in accounts {
        let name = AccountName::parse(&format!("demo-{}", label.replace('_', "-")))
            .map_err(|e| anyhow::anyhow!("demo account name: {e}"))?;
        // 16 characters of a 256-bit random token: well over the 12-character minimum, short
        // enough to type.
        let password: String = haven_app::random_token()?.chars().take(16).collect();
        let token = service.add_user(
            &admin,
            &NewUser {
                name: name.clone(),
                role,
            },
            Some(&password),
        )?;
        created.push(DemoAccount {
            label,
            role,
            name,
            password,
            token,
        });
    }
    Ok(created)
}
