//! What every page shares: the frame around it (who is signed in, the navigation their role
//! may use, the sign-out form), errors shown as pages, and the security headers.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use haven_access::{Action, Authorizer};
use haven_app::{AppError, WebSession};
use haven_domain::workflow::RefusalCode;

/// The frame of a page: the signed-in account and the navigation its role may use.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    pub user: Option<FrameUser>,
    pub nav: Vec<NavLink>,
}

/// The signed-in account as the frame shows it; `csrf` goes into the sign-out form.
#[derive(Debug, Clone)]
pub struct FrameUser {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
}

/// One navigation link; `current` marks the page's own (`aria-current="page"`).
#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// One `<option>` (or radio button) of a form.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    /// A choice of a wire name, labelled in words (`freeze_and_refer` → "freeze and refer").
    pub fn wire(value: &str, selected: bool) -> Choice {
        Choice {
            value: value.to_owned(),
            label: crate::cases::words(value),
            selected,
        }
    }
}

/// The pages of the navigation and the action a role needs to use each.
const NAVIGATION: &[(&str, &str, Action)] = &[
    ("/cases", "Cases", Action::ListCases),
    ("/requests/new", "New request", Action::SubmitRequest),
    ("/referrals", "Referrals", Action::ListReferrals),
    ("/imports", "Imports", Action::Import),
    ("/ledger", "Ledger", Action::ReadCheckpoint),
    ("/stats", "Statistics", Action::ReadStatistics),
];

impl Frame {
    /// The session's CSRF token, for a page's forms (empty when nobody is signed in).
    pub fn csrf(&self) -> &str {
        self.user.as_ref().map_or("", |user| user.csrf.as_str())
    }

    /// The frame for a signed-in session on the page at `current` (a navigation href).
    pub fn signed(session: &WebSession, current: &str) -> Frame {
        let authorizer = Authorizer::bundled();
        Frame {
            user: Some(FrameUser {
                name: session.principal.actor.as_str().to_owned(),
                role: session.principal.role.as_str(),
                csrf: session.csrf_token.clone(),
            }),
            nav: NAVIGATION
                .iter()
                .filter(|(_, _, action)| authorizer.is_allowed(&session.principal, *action))
                .map(|&(href, label, _)| NavLink {
                    href,
                    label,
                    current: href == current,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    frame: &'a Frame,
    title: &'a str,
    message: &'a str,
}

/// An error as a page: its status, a title and a message written for the person reading it
/// (never a database error's text: that goes to the log).
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    /// Boxed: a page error travels in every handler's `Result`, which should stay small.
    pub frame: Box<Frame>,
}

impl PageError {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> PageError {
        PageError {
            status,
            title,
            message: message.into(),
            frame: Box::default(),
        }
    }

    pub fn internal() -> PageError {
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "Haven could not finish this page. Nothing was changed; try again, and tell the \
             administrator if it happens again.",
        )
    }

    pub fn csrf() -> PageError {
        PageError::new(
            StatusCode::FORBIDDEN,
            "Form refused",
            "This form did not carry this session's security token (it may be from another site, \
             or from a session that has ended). Nothing was saved. Open the page again and resend.",
        )
    }

    /// The same error shown inside the session's frame.
    pub fn in_frame(mut self, frame: Frame) -> PageError {
        self.frame = Box::new(frame);
        self
    }
}

impl From<AppError> for PageError {
    fn from(error: AppError) -> PageError {
        match error {
            AppError::Forbidden { role, action } => PageError::new(
                StatusCode::FORBIDDEN,
                "Not for your role",
                format!("The {role} role may not {}.", action.replace('_', " ")),
            ),
            AppError::NotFound(what) => {
                PageError::new(StatusCode::NOT_FOUND, "Not found", format!("No {what}."))
            }
            AppError::Invalid(message) => {
                PageError::new(StatusCode::BAD_REQUEST, "Invalid input", message)
            }
            AppError::Conflict(message) => PageError::new(StatusCode::CONFLICT, "Refused", message),
            AppError::Refused(refusal) => {
                PageError::new(refusal_status(refusal.code), "Refused", refusal.message)
            }
            AppError::Unavailable(_) => {
                tracing::error!(%error, "page failed: database unavailable");
                PageError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Haven is unavailable",
                    "The database cannot be reached. Nothing was changed; try again shortly.",
                )
            }
            other => {
                tracing::error!(error = %other, "page failed");
                PageError::internal()
            }
        }
    }
}

/// The status a refused case step answers, by its code (DESIGN §5.5): the one mapping, used by the
/// API and the pages alike.
pub fn refusal_status(code: RefusalCode) -> StatusCode {
    match code {
        RefusalCode::ReasonRequired | RefusalCode::Invalid => StatusCode::BAD_REQUEST,
        RefusalCode::Forbidden => StatusCode::FORBIDDEN,
        RefusalCode::NotFound => StatusCode::NOT_FOUND,
        RefusalCode::FourEyes
        | RefusalCode::InvalidTransition
        | RefusalCode::FreezeRequired
        | RefusalCode::ReferralOpen
        | RefusalCode::SafeguardMissing
        | RefusalCode::OwnerNameMismatch
        | RefusalCode::TransferBlocked => StatusCode::CONFLICT,
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            frame: &self.frame,
            title: self.title,
            message: &self.message,
        };
        (self.status, render(&page)).into_response()
    }
}

/// Renders a template; a template that fails to render (a bug, never the reader's fault) is
/// logged and answered with a plain 500.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "a template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The headers every web response carries. No script may run (Haven's pages have none), nothing
/// may frame a page, forms post only to Haven, and pages holding personal data are never cached.
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
