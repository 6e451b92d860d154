//! Signing in and out, the session cookie, and the two extractors every page uses:
//! [`Signed`] (a current session, or off to `/login`) and [`Posted`] (a form accepted only with
//! its session's CSRF token; without it nothing is done and 403 is answered).
//!
//! The session cookie is `HttpOnly` (no script reads it), `SameSite=Strict` and, behind TLS,
//! `Secure`. SameSite alone is not CSRF protection (a sibling subdomain is "same site"), so every
//! form also carries the session's token. The sign-in form, which has no session yet, carries a
//! token that must equal a cookie set with the form (double submit).

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use haven_access::Action;
use haven_app::{SignInError, WebSession};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::page::{Frame, PageError, render};
use crate::{WebState, blocking};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "haven_session";
/// The sign-in form's double-submit cookie.
const SIGN_IN_COOKIE: &str = "haven_sign_in";

/// A request from a signed-in session.
#[derive(Debug, Clone)]
pub struct Signed {
    pub session: WebSession,
    secret: String,
}

impl Signed {
    /// The page frame of this session, at the navigation entry `current`.
    pub fn frame(&self, current: &str) -> Frame {
        Frame::signed(&self.session, current)
    }

    /// The 403 page (the service's own refusal, in `frame`) unless this session's role may take
    /// `action`: for a page that shows a form before any service call would refuse it.
    pub fn require(
        &self,
        state: &WebState,
        action: Action,
        frame: &Frame,
    ) -> Result<(), PageError> {
        state
            .service
            .authorize(&self.session.principal, action)
            .map_err(|error| PageError::from(error).in_frame(frame.clone()))
    }

    /// Whether `token` is this session's CSRF token (compared in constant time: the comparison
    /// must not tell an attacker how many leading characters were right).
    fn csrf_matches(&self, token: &str) -> bool {
        constant_time_eq(token.as_bytes(), self.session.csrf_token.as_bytes())
    }
}

impl FromRequestParts<WebState> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Response> {
        let to_sign_in = || {
            let path = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            let next: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
            Redirect::to(&format!("/login?next={next}")).into_response()
        };
        let Some(secret) = cookie_value(&parts.headers, SESSION_COOKIE) else {
            return Err(to_sign_in());
        };
        let lookup = secret.clone();
        let session = blocking(state, move |service| Ok(service.web_session(&lookup)?))
            .await
            .map_err(IntoResponse::into_response)?;
        match session {
            Some(session) => Ok(Signed { session, secret }),
            None => Err(to_sign_in()),
        }
    }
}

/// A form posted from a signed-in session, with the session's CSRF token in the field `csrf`.
/// Extracting it refuses (403, nothing done) a form without the right token.
#[derive(Debug)]
pub struct Posted<T> {
    pub signed: Signed,
    pub form: T,
}

#[derive(Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    form: T,
}

impl<T> FromRequest<WebState> for Posted<T>
where
    T: DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let signed = Signed::from_request_parts(&mut parts, state).await?;
        let frame = signed.frame("");
        let request = Request::from_parts(parts, body);
        let Form(posted) = Form::<WithCsrf<T>>::from_request(request, state)
            .await
            .map_err(|rejection| {
                PageError::new(
                    StatusCode::BAD_REQUEST,
                    "Invalid form",
                    rejection.body_text(),
                )
                .in_frame(frame.clone())
                .into_response()
            })?;
        if !signed.csrf_matches(&posted.csrf) {
            tracing::warn!(account = %signed.session.principal.actor, "form refused: CSRF token");
            return Err(PageError::csrf().in_frame(frame).into_response());
        }
        Ok(Posted {
            signed,
            form: posted.form,
        })
    }
}

impl Posted<()> {
    /// Checks a CSRF token read by a handler that parses its own body (a file upload).
    pub fn check_csrf(signed: &Signed, token: &str) -> Result<(), PageError> {
        if signed.csrf_matches(token) {
            Ok(())
        } else {
            tracing::warn!(account = %signed.session.principal.actor, "form refused: CSRF token");
            Err(PageError::csrf().in_frame(signed.frame("")))
        }
    }
}

/// `/`: the case list when signed in, the sign-in page otherwise.
pub(crate) async fn home(parts: Parts, state: axum::extract::State<WebState>) -> Response {
    let mut parts = parts;
    match Signed::from_request_parts(&mut parts, &state).await {
        Ok(_) => Redirect::to("/cases").into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    frame: Frame,
    csrf: &'a str,
    next: &'a str,
    username: &'a str,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    #[serde(default)]
    next: String,
}

/// `GET /login`: the sign-in form, with a fresh double-submit token.
pub(crate) async fn login_page(
    state: axum::extract::State<WebState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    let token = haven_app::random_token()?;
    let page = LoginPage {
        frame: Frame::default(),
        csrf: &token,
        next: safe_next(&query.next),
        username: "",
        error: None,
    };
    let secure = secure(&state, &headers);
    Ok(with_cookie(
        render(&page),
        sign_in_cookie(token.clone(), secure),
    ))
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// `POST /login`: checks the name and password, opens a session and goes on to `next`.
pub(crate) async fn login(
    state: axum::extract::State<WebState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let expected = cookie_value(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf.as_bytes()) {
        return Err(PageError::csrf());
    }
    let secure = secure(&state, &headers);
    let next = safe_next(&form.next).to_owned();
    let (name, password) = (form.username.trim().to_owned(), form.password);
    let outcome = blocking(&state, move |service| Ok(service.sign_in(&name, &password))).await?;
    match outcome {
        Ok(signed_in) => {
            let target = if next.is_empty() { "/cases" } else { &next };
            let mut response = Redirect::to(target).into_response();
            append_cookie(&mut response, session_cookie(signed_in.secret, secure));
            append_cookie(&mut response, removal(SIGN_IN_COOKIE));
            Ok(response)
        }
        Err(refused) => {
            let (status, message) = match &refused {
                SignInError::Invalid => (StatusCode::UNAUTHORIZED, refused.to_string()),
                SignInError::Locked { until } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Sign-in for this account is locked until {} (UTC) after repeated wrong \
                         passwords.",
                        until.strftime("%Y-%m-%d %H:%M")
                    ),
                ),
                SignInError::Unavailable(_) => {
                    tracing::error!(error = %refused, "sign-in failed");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Haven cannot check sign-ins right now; try again shortly.".to_owned(),
                    )
                }
                _ => (StatusCode::UNAUTHORIZED, refused.to_string()),
            };
            let token = haven_app::random_token()?;
            let page = LoginPage {
                frame: Frame::default(),
                csrf: &token,
                next: &next,
                username: form.username.trim(),
                error: Some(message),
            };
            let response = (status, render(&page)).into_response();
            Ok(with_cookie(response, sign_in_cookie(token.clone(), secure)))
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Nothing {}

/// `POST /logout`: ends the session (CSRF-checked like every form: a foreign page must not be
/// able to sign someone out either).
pub(crate) async fn logout(
    state: axum::extract::State<WebState>,
    posted: Posted<Nothing>,
) -> Result<Response, PageError> {
    let secret = posted.signed.secret.clone();
    blocking(&state, move |service| Ok(service.sign_out(&secret)?)).await?;
    let mut response = Redirect::to("/login").into_response();
    append_cookie(&mut response, removal(SESSION_COOKIE));
    Ok(response)
}

/// Only a path on this site (`/…`, not `//host`) may follow a sign-in.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        ""
    }
}

fn secure(state: &WebState, headers: &HeaderMap) -> bool {
    state.options.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

fn session_cookie(secret: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, secret))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

fn sign_in_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SIGN_IN_COOKIE, token))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

fn removal(name: &'static str) -> Cookie<'static> {
    let path = if name == SIGN_IN_COOKIE {
        "/login"
    } else {
        "/"
    };
    let mut cookie = Cookie::build((name, "")).path(path).build();
    cookie.make_removal();
    cookie
}

fn with_cookie(mut response: Response, cookie: Cookie<'static>) -> Response {
    append_cookie(&mut response, cookie);
    response
}

fn append_cookie(response: &mut Response, cookie: Cookie<'static>) {
    if let Ok(value) = cookie.to_string().parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// Written by hand: two byte strings compared without an early exit (a dependency for eight
/// lines would be more to audit than the lines).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
