//! The whole application over real HTTP: a service over a temporary SQLite directory with the
//! bundled example data imported, one account per role, `haven_server::application` served on
//! port 0; and what the API tests share (the one error shape, the ledger read back, a walk over
//! JSON keys).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use haven_app::{
    AccountName, ImportKind, MemorySource, NewUser, Principal, Role, Service, ServiceOptions,
};
use haven_domain::CountryCode;
use haven_server::Limits;
use haven_store::{ImportMode, SqliteDatabase};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use tokio::sync::oneshot;

/// The repository's example data directory.
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data")
}

/// The text of an example request file.
pub fn example_request(name: &str) -> String {
    std::fs::read_to_string(examples().join("requests").join(name)).expect("example readable")
}

/// A principal of `role` that is not an account: the bootstrap administrator of the examples'
/// import and of account creation, as `haven` on the command line would be.
pub fn principal(role: Role) -> Principal {
    Principal {
        actor: AccountName::parse(format!("cli-{}", role.as_str().replace('_', "-")).as_str())
            .expect("valid name"),
        role,
    }
}

/// A service over `dir` (its index snapshot kept there), as `haven serve` builds it.
pub fn service_in(dir: &Path) -> Service {
    let db = SqliteDatabase::open(dir).expect("database opens");
    service_over(Arc::new(db), dir)
}

/// A service over `db`, its index snapshot kept in `dir`.
fn service_over(db: Arc<dyn haven_store::Database>, dir: &Path) -> Service {
    Service::new(
        db,
        ServiceOptions {
            receiving_state: CountryCode::parse("be").expect("valid"),
            index_snapshot: Some(dir.join(haven_app::INDEX_FILE)),
            clock: haven_app::Clock::system(),
        },
    )
}

/// Imports `bytes` into the registry or the context through `service`, as an administrator.
pub fn import_as_admin(service: &Service, kind: ImportKind, name: &str, bytes: Vec<u8>) {
    service
        .import(
            &principal(Role::Admin),
            kind,
            &MemorySource {
                name: name.into(),
                bytes,
            },
            ImportMode::AllOrNothing,
            &(),
        )
        .expect("imports");
}

/// A registry person not in the examples.
pub fn newcomer_line() -> String {
    serde_json::json!({
        "id": "R-9001", "names": ["Gulnara Temirkhanova"], "birth_date": "1979-05-05",
        "nationalities": ["kz"], "gender": "f",
        "protection": {"status": "refugee", "granted_by": "be", "granted_on": "2024-01-10", "against": ["kz"]},
    })
    .to_string()
}

/// A running application; the server stops when this is dropped.
pub struct ApiApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    /// The service the server runs on (for `catch_up`).
    pub service: Arc<Service>,
    /// The data directory (the ledger is read back from it).
    pub dir: tempfile::TempDir,
    pub tokens: HashMap<Role, String>,
    _stop: oneshot::Sender<()>,
}

impl ApiApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The API token of the account of `role`.
    pub fn token(&self, role: Role) -> &str {
        self.tokens.get(&role).expect("one account per role")
    }

    /// A request to `path` with the bearer token of `role`'s account.
    pub fn as_role(&self, role: Role, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(self.token(role))
    }

    /// POST `body` (JSON) to `path` as `role`; the answer's status and JSON body.
    pub async fn post_json(&self, role: Role, path: &str, body: &str) -> (u16, Value) {
        let response = self
            .as_role(role, Method::POST, path)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("send");
        status_and_json(response).await
    }

    /// GET `path` as `role`; the answer's status and JSON body.
    pub async fn get_json(&self, role: Role, path: &str) -> (u16, Value) {
        let response = self
            .as_role(role, Method::GET, path)
            .send()
            .await
            .expect("send");
        status_and_json(response).await
    }

    /// The number of ledger entries.
    pub fn ledger_size(&self) -> u64 {
        haven_store::Store::open(self.dir.path())
            .expect("store opens")
            .ledger_size()
            .expect("size")
    }

    /// The ledger entries from index `from` on, as `action by actor (role): objects`.
    pub fn entries_since(&self, from: u64) -> Vec<String> {
        let store = haven_store::Store::open(self.dir.path()).expect("store opens");
        let export = store.export_ledger().expect("exports");
        let from = usize::try_from(from).expect("small index");
        export.entries[from..]
            .iter()
            .map(|e| {
                let entry: Value = serde_json::from_str(&e.canonical_json).expect("JSON entry");
                let objects: Vec<&str> = entry["objects"]
                    .as_array()
                    .map(|objects| objects.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                format!(
                    "{} by {} ({}): {}",
                    entry["action"].as_str().expect("action"),
                    entry["actor"].as_str().expect("actor"),
                    entry["role"].as_str().expect("role"),
                    objects.join(" ")
                )
            })
            .collect()
    }
}

/// The status and the JSON body of a response, after checking it carries a request id (every
/// response does, success or error).
pub async fn status_and_json(response: Response) -> (u16, Value) {
    assert!(
        response.headers().contains_key("x-request-id"),
        "no x-request-id on {} {:?}",
        response.status(),
        response.headers()
    );
    let status = response.status().as_u16();
    let body = response.json().await.expect("a JSON body");
    (status, body)
}

/// Asserts that `body` is exactly `{"error": {"code", "message"}}` (plus `details`, a non-empty
/// list of strings, for a refused case step) with a snake_case code, and returns the code and
/// the message.
pub fn error_parts(body: &Value) -> (String, String) {
    let error = body
        .as_object()
        .filter(|object| object.len() == 1)
        .and_then(|object| object.get("error"))
        .and_then(Value::as_object)
        .filter(|error| match error.get("details") {
            None => error.len() == 2,
            Some(details) => {
                error.len() == 3
                    && details
                        .as_array()
                        .is_some_and(|d| !d.is_empty() && d.iter().all(Value::is_string))
            }
        })
        .unwrap_or_else(|| panic!("not the one error shape: {body}"));
    let code = error
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string code: {body}"));
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string message: {body}"));
    let snake_case = !code.is_empty()
        && !code.starts_with('_')
        && !code.ends_with('_')
        && !code.contains("__")
        && code.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    assert!(snake_case, "code {code:?} is not snake_case: {body}");
    assert!(!message.is_empty(), "empty message: {body}");
    (code.to_owned(), message.to_owned())
}

/// Asserts the status and the one error shape with `code`; returns the message.
pub fn expect_error(status: u16, body: &Value, expected_status: u16, code: &str) -> String {
    assert_eq!(status, expected_status, "{body}");
    let (actual_code, message) = error_parts(body);
    assert_eq!(actual_code, code, "{body}");
    message
}

/// Every object key in `value`, at any depth.
pub fn keys_at_any_depth(value: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(object) => {
                for (key, inner) in object {
                    keys.push(key.clone());
                    pending.push(inner);
                }
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    keys
}

/// The account name of `role`'s account: the role, with `-` for `_`.
pub fn account_name(role: Role) -> String {
    role.as_str().replace('_', "-")
}

/// A fresh application: its own directory and port, the examples imported, one account per role.
pub async fn spawn_api() -> ApiApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let service = service_in(dir.path());
    spawn_api_over(service, dir).await
}

/// A service on the PostgreSQL database at `url`, its signing key and index snapshot in `dir`,
/// as `haven serve --database-url` builds it.
pub fn pg_service_in(dir: &Path, url: &str) -> Service {
    let db = haven_store::PgDatabase::connect(url, &dir.join(haven_store::SIGNING_KEY_FILE))
        .expect("database opens");
    service_over(Arc::new(db), dir)
}

/// A fresh application over `service` (whose data lives in or beside `dir`): the examples
/// imported, one account per role, served on its own port. The set-up runs on a blocking thread,
/// as the server's own calls do (the PostgreSQL client blocks).
pub async fn spawn_api_over(service: Service, dir: tempfile::TempDir) -> ApiApp {
    let (service, tokens) = tokio::task::spawn_blocking(move || {
        for (kind, file) in [
            (ImportKind::Registry, "registry.jsonl"),
            (ImportKind::Context, "context.jsonl"),
        ] {
            let bytes = std::fs::read(examples().join(file)).expect("example data readable");
            import_as_admin(&service, kind, file, bytes);
        }
        let mut tokens = HashMap::new();
        for role in Role::ALL {
            let user = NewUser {
                name: AccountName::parse(account_name(*role).as_str()).expect("valid name"),
                role: *role,
            };
            let token = service
                .add_user(&principal(Role::Admin), &user, None)
                .expect("account created");
            tokens.insert(*role, token);
        }
        (service, tokens)
    })
    .await
    .expect("set-up runs");
    serve_api(Arc::new(service), dir, tokens).await
}

/// Serves `service` on a port of its own, with the accounts whose tokens are `tokens`.
pub async fn serve_api(
    service: Arc<Service>,
    dir: tempfile::TempDir,
    tokens: HashMap<Role, String>,
) -> ApiApp {
    let router = haven_server::application(
        Arc::clone(&service),
        &Limits::default(),
        haven_server::WebOptions::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let address = listener.local_addr().expect("local address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(haven_server::serve(listener, router, async move {
        let _ = stopped.await;
    }));
    ApiApp {
        address,
        client: reqwest::Client::new(),
        service,
        dir,
        tokens,
        _stop: stop,
    }
}
