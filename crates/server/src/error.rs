//! The one error shape of the HTTP API (DESIGN §5.4): every error response, whoever produced it,
//! is `{"error": {"code": "…", "message": "…"}}` with a stable snake_case code.

use std::borrow::Cow;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::{RefOr, schema::Schema};
use utoipa::{PartialSchema, ToSchema};

/// An error answer: a status, a stable code clients may branch on, and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// For a refused case step: each missing safeguard, mismatched name or blocked item.
    pub details: Vec<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Adds the list of what is missing or wrong.
    pub fn with_details(mut self, details: Vec<String>) -> ApiError {
        self.details = details;
        self
    }

    /// 400: the request's JSON or a field is wrong; the message names the field.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// 401: no credential, or one that does not verify. The response carries
    /// `WWW-Authenticate: Bearer` (RFC 6750).
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    /// 403: the caller's role may not do this.
    pub fn forbidden() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "your role may not do this",
        )
    }

    /// 404: `what` names the thing that is not there ("case 42", "path /x").
    pub fn not_found(what: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    /// 409: a transition or completion the rules forbid; the message names what is missing.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// 413: the body is larger than the server accepts.
    pub fn payload_too_large() -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is too large",
        )
    }

    /// 503: a dependency (the database) is unreachable, or the request ran out of time.
    pub fn unavailable(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    /// 500: deliberately takes no detail: what went wrong inside goes to the log (without
    /// personal data), never to the client.
    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "an internal error occurred",
        )
    }

    /// The one-shape answer for a status some layer produced without a body of ours (405 from
    /// the router, 413 from the body limit, …).
    pub fn for_status(status: StatusCode) -> ApiError {
        match status {
            StatusCode::BAD_REQUEST => ApiError::bad_request("the request is malformed"),
            StatusCode::UNAUTHORIZED => ApiError::unauthorized(),
            StatusCode::FORBIDDEN => ApiError::forbidden(),
            StatusCode::NOT_FOUND => ApiError::not_found("resource"),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
                status,
                "method_not_allowed",
                "this path does not accept that method",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
            StatusCode::SERVICE_UNAVAILABLE => {
                ApiError::unavailable("the service is temporarily unavailable")
            }
            status if status.is_server_error() => ApiError::internal(),
            status => ApiError::new(
                status,
                "invalid_request",
                status
                    .canonical_reason()
                    .unwrap_or("the request was refused")
                    .to_owned(),
            ),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

// The wire form; private so that no handler can build an error body any other way. The `///`
// comments below are the OpenAPI descriptions.
/// Every error response has this shape; `code` is stable, `message` is for people.
#[derive(Serialize, ToSchema)]
struct ErrorBody<'a> {
    #[schema(inline)]
    error: ErrorDetail<'a>,
}

#[derive(Serialize, ToSchema)]
struct ErrorDetail<'a> {
    /// A stable snake_case word clients may branch on, e.g. `invalid_request`, `forbidden`.
    #[schema(example = "invalid_request")]
    code: &'a str,
    /// For people: what is wrong and, for a bad field, which one.
    #[schema(
        example = "invalid field: names[0]: invalid type: integer `3`, expected a string at line 1 column 14"
    )]
    message: &'a str,
    /// For a refused case step (`safeguard_missing`, `owner_name_mismatch`,
    /// `transfer_blocked`, …): each missing safeguard, mismatched name or blocked item.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    details: &'a [String],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: &self.message,
                details: &self.details,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl PartialSchema for ApiError {
    fn schema() -> RefOr<Schema> {
        <ErrorBody<'static> as PartialSchema>::schema()
    }
}

impl ToSchema for ApiError {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("ApiError")
    }
}
