//! Who is asking: the `Authorization: Bearer …` header, checked by whatever `Authenticate` the
//! application puts in the router state, and the per-action check against the bundled policy.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use haven_access::{Action, Authorizer, Principal};

use crate::error::ApiError;

/// Why a token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthFailure {
    /// Unknown account, wrong secret, disabled account: the client hears only 401.
    #[error("the token does not verify")]
    InvalidToken,
    /// The account store could not be asked. The text goes to the log, not to the client.
    #[error("the account store is unavailable: {0}")]
    Unavailable(String),
}

/// Turns a bearer token into a principal. The application implements it over its account store
/// (with a cache of verified tokens: an Argon2 verification is too slow for every request).
pub trait Authenticate: Send + Sync + 'static {
    /// Verifies a token: may cost an Argon2 verification (tens of milliseconds of CPU).
    fn authenticate(&self, token: &str) -> Result<Principal, AuthFailure>;
}

/// The verified caller of this request. Extracting it answers 401 (with
/// `WWW-Authenticate: Bearer`) when the header is missing or malformed or the token fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated(pub Principal);

impl<S> FromRequestParts<S> for Authenticated
where
    S: Send + Sync,
    Arc<dyn Authenticate>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)
            .ok_or_else(ApiError::unauthorized)?
            .to_owned();
        let authenticator = Arc::<dyn Authenticate>::from_ref(state);
        // Off the async workers: a token not verified yet costs an Argon2 verification (tens of
        // milliseconds of CPU), and even a remembered one reads its account row, which blocks
        // (and the PostgreSQL client panics on a runtime thread).
        let outcome = tokio::task::spawn_blocking(move || authenticator.authenticate(&token))
            .await
            .map_err(|_| {
                tracing::error!("the authenticator panicked");
                ApiError::internal()
            })?;
        match outcome {
            Ok(principal) => Ok(Authenticated(principal)),
            Err(AuthFailure::InvalidToken) => Err(ApiError::unauthorized()),
            Err(AuthFailure::Unavailable(reason)) => {
                tracing::error!(%reason, "cannot authenticate");
                Err(ApiError::unavailable("the account store is unavailable"))
            }
        }
    }
}

/// The token of an `Authorization: Bearer TOKEN` header; the scheme is case-insensitive
/// (RFC 9110 §11.1), the token must be non-empty and free of spaces.
fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_start_matches(' ');
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return None;
    }
    Some(token)
}

/// 403 unless the bundled policy lets `principal` do `action`.
pub fn require(principal: &Principal, action: Action) -> Result<(), ApiError> {
    if Authorizer::bundled().is_allowed(principal, action) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}
