//! The server over real HTTP, asked with reqwest. The skeleton: a test router (echo, panic, a
//! guarded route, a slow route) behind the standard layers, served on port 0. The application:
//! `haven_server::application` over a service with the example data and one account per role
//! (`application::spawn_api`), for the authorisation matrix, the contract, need-to-know and
//! imports reaching screening. The web UI in headless Chromium over WebDriver (`browser`).
//! imports reaching screening; the web intake page and web imports through a signed-in browser.

mod application;
mod authorisation;
mod browser;
mod contract;
mod document;
mod live_imports;
mod need_to_know;
mod network_page;
mod postgres;
mod skeleton;
mod web;
mod web_intake;
mod web_oversight;
mod workflow;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use haven_access::{AccountName, Action, Principal, Role};
use haven_server::{
    ApiError, ApiJson, AuthFailure, Authenticate, Authenticated, Limits, layered, require,
};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

/// Tokens are `token-ROLE`; anything else fails, `token-down` reports an unreachable store.
struct FakeAccounts;

impl Authenticate for FakeAccounts {
    fn authenticate(&self, token: &str) -> Result<Principal, AuthFailure> {
        let role_name = token
            .strip_prefix("token-")
            .ok_or(AuthFailure::InvalidToken)?;
        if role_name == "down" {
            return Err(AuthFailure::Unavailable("connection refused".to_owned()));
        }
        let role = Role::parse(role_name).ok_or(AuthFailure::InvalidToken)?;
        Ok(Principal {
            actor: AccountName::parse(&format!("test-{}", role.as_str().replace('_', "-")))
                .expect("valid name"),
            role,
        })
    }
}

#[derive(Clone)]
struct TestState {
    authenticator: Arc<dyn Authenticate>,
}

impl FromRef<TestState> for Arc<dyn Authenticate> {
    fn from_ref(state: &TestState) -> Arc<dyn Authenticate> {
        Arc::clone(&state.authenticator)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Party {
    names: Vec<String>,
    birth_year: Option<u16>,
}

async fn echo(ApiJson(party): ApiJson<Party>) -> ApiJson<Party> {
    ApiJson(party)
}

async fn explode() -> &'static str {
    panic!("secret detail that must not reach the client")
}

async fn submit(Authenticated(principal): Authenticated) -> Result<ApiJson<Principal>, ApiError> {
    require(&principal, Action::SubmitRequest)?;
    Ok(ApiJson(principal))
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "late"
}

/// A running test server; the server stops when this is dropped.
struct TestApp {
    address: SocketAddr,
    client: reqwest::Client,
    _stop: oneshot::Sender<()>,
}

impl TestApp {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

fn test_router() -> Router {
    let documented = haven_server::openapi::into_router(haven_server::openapi::api_router());
    let router = documented
        .route("/test/echo", post(echo))
        .route("/test/panic", get(explode))
        .route("/test/submit", post(submit))
        .route("/test/slow", get(slow))
        .with_state(TestState {
            authenticator: Arc::new(FakeAccounts),
        });
    let limits = Limits {
        request_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    layered(router, &limits)
}

async fn spawn_app() -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let address = listener.local_addr().expect("local address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(haven_server::serve(listener, test_router(), async move {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::new(),
        _stop: stop,
    }
}
