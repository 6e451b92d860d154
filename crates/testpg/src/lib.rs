//! A throwaway PostgreSQL server for Haven's tests: [`server()`] starts one per test process,
//! lazily, from the PostgreSQL binaries installed on the machine, and each test takes a database
//! of its own with [`TestPostgres::fresh_database`].
//!
//! The server lives in a temporary directory (its data, its socket, its log) and listens on
//! 127.0.0.1 on a free port with trust authentication. Nothing outlives the test process: the
//! test harness never runs the destructors of statics, so a watchdog (a small `sh` loop in a
//! process group of its own) waits for the test process to end, then stops the server
//! immediately and removes the directory, however the process ended (success, panic, kill).
//!
//! Without the binaries the harness panics with the install hint: a test run without
//! PostgreSQL must not pass as having tested it.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// Where Debian installs each PostgreSQL major version's server binaries (`<N>/bin`).
const DEBIAN_PG_ROOT: &str = "/usr/lib/postgresql";

/// The environment variable naming the directory of `initdb`, `pg_ctl` and `postgres`.
pub const PG_BIN_ENV: &str = "HAVEN_PG_BIN";

/// The superuser initdb creates; the admin URL connects as it.
const SUPERUSER: &str = "postgres";

/// The unprivileged account the server runs as when the tests run as root (PostgreSQL refuses
/// to run as root).
const UNPRIVILEGED_USER: &str = "nobody";

/// How often a port is tried when another process took the free port found before the server
/// could bind it.
const PORT_ATTEMPTS: usize = 5;

/// What can go wrong starting or driving the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// No PostgreSQL server binaries on the machine.
    #[error(
        "no PostgreSQL server binaries ({detail}). Install them with `apt-get install postgresql`, or set \
         {PG_BIN_ENV} to the directory holding initdb, pg_ctl and postgres"
    )]
    NoBinaries {
        /// What was looked at.
        detail: String,
    },
    /// A file system operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A PostgreSQL tool exited with an error.
    #[error("{tool} failed ({status}): {output}")]
    Tool {
        /// The command.
        tool: String,
        /// Its exit status.
        status: String,
        /// Its output, and the server log's tail where there is one.
        output: String,
    },
    /// The server refused an SQL command.
    #[error("{what}: {source}")]
    Sql {
        /// What was being done.
        what: String,
        /// The client's error.
        source: postgres::Error,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> HarnessError {
    let what = what.into();
    move |source| HarnessError::Io { what, source }
}

/// The test process's PostgreSQL server (see the crate documentation).
#[derive(Debug)]
pub struct TestPostgres {
    bin: PathBuf,
    /// The temporary directory holding everything (removed by the watchdog).
    dir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    port: u16,
    /// `runuser -u nobody --` when the tests run as root, else nothing.
    run_as: Vec<String>,
    version: String,
    startup: Duration,
    databases: AtomicU64,
    /// Serialises stop/start/restart: two tests restarting at once would race `pg_ctl`.
    control: Mutex<()>,
}

static SERVER: OnceLock<TestPostgres> = OnceLock::new();

/// The test process's server, started at the first call.
///
/// # Panics
///
/// When the server cannot be started, notably when the PostgreSQL binaries are not installed
/// (the message says how to install them): a test needing PostgreSQL fails, it never skips.
pub fn server() -> &'static TestPostgres {
    SERVER.get_or_init(|| match TestPostgres::start_new() {
        Ok(server) => {
            eprintln!(
                "haven-testpg: {} started on 127.0.0.1:{} in {} ms",
                server.version,
                server.port,
                server.startup.as_millis()
            );
            server
        }
        Err(err) => panic!("haven-testpg: cannot start PostgreSQL: {err}"),
    })
}

impl TestPostgres {
    fn start_new() -> Result<TestPostgres, HarnessError> {
        let began = Instant::now();
        let bin = find_binaries()?;
        let version = run(Command::new(bin.join("postgres")).arg("--version"))?
            .trim()
            .to_owned();
        let run_as = if effective_uid_is_root()? {
            ["runuser", "-u", UNPRIVILEGED_USER, "--"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        };
        let dir = tempfile::Builder::new()
            .prefix("haven-testpg-")
            .tempdir()
            .map_err(io("creating the server's temporary directory"))?
            .keep();
        // The watchdog first: whatever fails from here on, the directory (and a server, once one
        // runs) goes away with the test process.
        start_watchdog(&bin, &dir, &run_as)?;
        if !run_as.is_empty() {
            run(Command::new("chown").arg(UNPRIVILEGED_USER).arg(&dir))?;
        }
        let data = dir.join("data");
        let socket_dir = dir.join("socket");
        std::fs::create_dir(&socket_dir).map_err(io("creating the socket directory"))?;
        if !run_as.is_empty() {
            run(Command::new("chown")
                .arg(UNPRIVILEGED_USER)
                .arg(&socket_dir))?;
        }
        let mut initdb = as_user(&run_as, &bin.join("initdb"));
        initdb
            .arg("--pgdata")
            .arg(&data)
            .args(["--username", SUPERUSER])
            .args(["--auth", "trust", "--encoding", "UTF8", "--no-locale"])
            // Sync-free and instruction-free: the data dies with the process anyway.
            .args(["--no-sync", "--no-instructions"])
            .current_dir(&dir);
        run(&mut initdb)?;

        let mut server = TestPostgres {
            bin,
            log: dir.join("postgres.log"),
            dir,
            data,
            port: 0,
            run_as,
            version,
            startup: Duration::ZERO,
            databases: AtomicU64::new(0),
            control: Mutex::new(()),
        };
        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            server.port = free_port()?;
            server.write_config(&socket_dir)?;
            match server.pg_ctl_start() {
                Ok(()) => {
                    server.startup = began.elapsed();
                    return Ok(server);
                }
                // Most likely another process took the port meanwhile: try another one.
                Err(err) => last_error = Some(err),
            }
        }
        Err(last_error.unwrap_or_else(|| HarnessError::Tool {
            tool: "pg_ctl start".into(),
            status: "not run".into(),
            output: String::new(),
        }))
    }

    /// Writes the settings into the data directory, so a restart keeps them (same port).
    fn write_config(&self, socket_dir: &Path) -> Result<(), HarnessError> {
        let mut config = String::new();
        // The socket directory is a temporary path of our own making (no quotes in it), so
        // single-quoting it needs no escapes.
        let _ = writeln!(config, "listen_addresses = '127.0.0.1'");
        let _ = writeln!(config, "port = {}", self.port);
        let _ = writeln!(
            config,
            "unix_socket_directories = '{}'",
            socket_dir.display()
        );
        // Many tests run in parallel, each with a pooled PgDatabase or two (up to 8 pooled
        // connections and a listener each).
        let _ = writeln!(config, "max_connections = 300");
        // No durability: these settings lose or corrupt data only on an operating-system crash
        // or power cut, and the data is thrown away with the test process anyway. A PostgreSQL
        // restart (`restart()`, `stop -m fast`) stays safe: it checkpoints cleanly. A test that
        // needs a crash to be durable must not use this server.
        let _ = writeln!(config, "fsync = off");
        let _ = writeln!(config, "synchronous_commit = off");
        let _ = writeln!(config, "full_page_writes = off");
        let _ = writeln!(config, "logging_collector = off");
        let path = self.data.join("postgresql.auto.conf");
        std::fs::write(&path, config).map_err(io(format!("writing {}", path.display())))
    }

    fn pg_ctl_start(&self) -> Result<(), HarnessError> {
        let mut pg_ctl = as_user(&self.run_as, &self.bin.join("pg_ctl"));
        pg_ctl
            .arg("start")
            .arg("--wait")
            .args(["--timeout", "60"])
            .arg("--pgdata")
            .arg(&self.data)
            .arg("--log")
            .arg(&self.log)
            .current_dir(&self.dir);
        run(&mut pg_ctl).map(drop).map_err(|err| self.with_log(err))
    }

    fn pg_ctl_stop(&self) -> Result<(), HarnessError> {
        let mut pg_ctl = as_user(&self.run_as, &self.bin.join("pg_ctl"));
        pg_ctl
            .arg("stop")
            .arg("--wait")
            .args(["--mode", "fast"])
            .arg("--pgdata")
            .arg(&self.data)
            .current_dir(&self.dir);
        run(&mut pg_ctl).map(drop).map_err(|err| self.with_log(err))
    }

    /// Adds the server log's tail to a failure of `pg_ctl`.
    fn with_log(&self, err: HarnessError) -> HarnessError {
        match err {
            HarnessError::Tool {
                tool,
                status,
                mut output,
            } => {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(20).collect();
                output.push_str("\nserver log (last lines):\n");
                for line in tail.into_iter().rev() {
                    output.push_str(line);
                    output.push('\n');
                }
                HarnessError::Tool {
                    tool,
                    status,
                    output,
                }
            }
            other => other,
        }
    }

    /// The port the server listens on (127.0.0.1), the same across restarts.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres --version` of the binaries used.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// How long the first start took (initdb, start, ready for connections).
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// A superuser URL for the `postgres` maintenance database.
    pub fn admin_url(&self) -> String {
        self.url("postgres")
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates an empty database of its own for one test and returns its URL. `hint` (a test's
    /// name, say) makes the name readable in the server log; a counter makes it unique.
    ///
    /// # Panics
    ///
    /// When the server refuses (it is stopped, say).
    pub fn fresh_database(&self, hint: &str) -> String {
        let n = self.databases.fetch_add(1, Ordering::Relaxed) + 1;
        let name = database_name(hint, n);
        let create = || -> Result<(), HarnessError> {
            let mut admin = postgres::Client::connect(&self.admin_url(), postgres::NoTls).map_err(
                |source| HarnessError::Sql {
                    what: "connecting as the superuser".into(),
                    source,
                },
            )?;
            // The name is made of [a-z0-9_] only (database_name), so quoting it is enough.
            admin
                .batch_execute(&format!("CREATE DATABASE \"{name}\""))
                .map_err(|source| HarnessError::Sql {
                    what: format!("CREATE DATABASE {name}"),
                    source,
                })
        };
        if let Err(err) = create() {
            panic!("haven-testpg: {err}");
        }
        self.url(&name)
    }

    /// Stops the server (`pg_ctl stop -m fast`: clients are disconnected, data is kept).
    ///
    /// # Panics
    ///
    /// When `pg_ctl` fails (the server was already stopped, say).
    pub fn stop(&self) {
        let _guard = self.control.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(err) = self.pg_ctl_stop() {
            panic!("haven-testpg: {err}");
        }
    }

    /// Starts the stopped server again, on the same port with the same data.
    ///
    /// # Panics
    ///
    /// When `pg_ctl` fails (the server was running, say).
    pub fn start(&self) {
        let _guard = self.control.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(err) = self.pg_ctl_start() {
            panic!("haven-testpg: {err}");
        }
    }

    /// Stops and starts the server: same port, same data, every connection broken.
    ///
    /// # Panics
    ///
    /// When `pg_ctl` fails.
    pub fn restart(&self) {
        let _guard = self.control.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(err) = self.pg_ctl_stop().and_then(|()| self.pg_ctl_start()) {
            panic!("haven-testpg: {err}");
        }
    }

    /// The temporary directory holding the server's data, socket and log (gone after the test
    /// process).
    pub fn directory(&self) -> &Path {
        &self.dir
    }
}

/// A database name from a hint: lower-case ASCII letters, digits and `_`, short enough for
/// PostgreSQL's 63-byte identifiers with the counter.
fn database_name(hint: &str, n: u64) -> String {
    let cleaned: String = hint
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("t{n}_{cleaned}")
}

/// The directory of initdb, pg_ctl and postgres: `$HAVEN_PG_BIN`, else Debian's newest
/// `/usr/lib/postgresql/<N>/bin`.
fn find_binaries() -> Result<PathBuf, HarnessError> {
    if let Some(dir) = std::env::var_os(PG_BIN_ENV) {
        let dir = PathBuf::from(dir);
        if dir.join("initdb").is_file() {
            return Ok(dir);
        }
        return Err(HarnessError::NoBinaries {
            detail: format!("{PG_BIN_ENV}={} has no initdb", dir.display()),
        });
    }
    let entries = std::fs::read_dir(DEBIAN_PG_ROOT).map_err(|err| HarnessError::NoBinaries {
        detail: format!("{PG_BIN_ENV} is not set; {DEBIAN_PG_ROOT}: {err}"),
    })?;
    let newest = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            // Major versions are numbers ("15", "9.6" for old ones): compare them as numbers.
            let name = entry.file_name().to_string_lossy().into_owned();
            let version: Vec<u32> = name
                .split('.')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .max_by(|a, b| a.0.cmp(&b.0));
    newest
        .map(|(_, bin)| bin)
        .ok_or_else(|| HarnessError::NoBinaries {
            detail: format!("{PG_BIN_ENV} is not set; {DEBIAN_PG_ROOT} has no <N>/bin/initdb"),
        })
}

/// Whether this process runs with effective uid 0 (the second field of `Uid:` in
/// /proc/self/status; without /proc, `id -u`).
fn effective_uid_is_root() -> Result<bool, HarnessError> {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        let effective = status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1));
        if let Some(uid) = effective {
            return Ok(uid == "0");
        }
    }
    Ok(run(Command::new("id").arg("-u"))?.trim() == "0")
}

/// A command that runs `program` as the unprivileged user when `run_as` says so.
fn as_user(run_as: &[String], program: &Path) -> Command {
    match run_as.split_first() {
        Some((wrapper, args)) => {
            let mut command = Command::new(wrapper);
            command.args(args).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// Runs a command to completion; its stdout, or its output in the error.
fn run(command: &mut Command) -> Result<String, HarnessError> {
    let tool = format!("{command:?}");
    // stdin closed, output captured: nothing started here may hold the test's terminal or the
    // pipe of whoever reads the test output.
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(io(format!("running {tool}")))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        return Ok(stdout);
    }
    Err(HarnessError::Tool {
        tool,
        status: output.status.to_string(),
        output: format!("{stdout}{}", String::from_utf8_lossy(&output.stderr)),
    })
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> Result<u16, HarnessError> {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io("finding a free port"))?;
    let port = listener
        .local_addr()
        .map_err(io("finding a free port"))?
        .port();
    Ok(port)
}

/// Starts the watchdog: once this process is gone, it stops the server (`pg_ctl stop -m
/// immediate`, as the user it runs as) and removes `dir`. It runs in a process group of its
/// own, so the Ctrl-C that ends the tests does not end it first, and its output goes nowhere,
/// so it holds no pipe of the test run open.
fn start_watchdog(bin: &Path, dir: &Path, run_as: &[String]) -> Result<(), HarnessError> {
    use std::os::unix::process::CommandExt;
    let script = r#"
        while kill -0 "$1" 2>/dev/null; do sleep 0.5; done
        shift
        dir=$1; shift
        if [ -f "$dir/data/postmaster.pid" ]; then
            "$@" -D "$dir/data" stop -m immediate -w >/dev/null 2>&1
        fi
        rm -rf "$dir"
    "#;
    let mut watchdog = Command::new("sh");
    watchdog
        .arg("-c")
        .arg(script)
        .arg("haven-testpg-watchdog")
        .arg(std::process::id().to_string())
        .arg(dir)
        .args(run_as)
        .arg(bin.join("pg_ctl"))
        .current_dir("/")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    // Not waited for: it must outlive this process. (The child is reaped by init once this
    // process is gone.)
    watchdog.spawn().map_err(io("starting the watchdog"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_safe_identifiers() {
        assert_eq!(
            database_name("ledger::Appends Concurrently-1", 7),
            "t7_ledger__appends_concurrently_1"
        );
        let long = database_name(&"x".repeat(200), u64::MAX);
        assert!(long.len() <= 63, "{long}");
        assert_eq!(database_name("Ключ", 2), "t2_____");
    }
}
