//! `ApiJson<T>`: axum's `Json` with its rejections turned into the one error shape, so a client
//! learns which field is wrong (axum parses through serde_path_to_error: `names[0]: invalid
//! type …`) and never sees axum's plain-text bodies.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body of type `T`, or a JSON response of it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(rejection_to_error(&rejection)),
        }
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Maps each way axum's `Json` can refuse a body to the one shape. Axum answers a type error
/// with 422; the API answers every bad field with 400 (DESIGN §5.4).
fn rejection_to_error(rejection: &JsonRejection) -> ApiError {
    match rejection {
        // Both carry the path, line and column in body_text(); the prefix before the first
        // ": " is axum's fixed sentence, the rest is serde's precise complaint.
        JsonRejection::JsonDataError(_) | JsonRejection::JsonSyntaxError(_) => {
            let text = rejection.body_text();
            let detail = text
                .split_once(": ")
                .map_or(text.as_str(), |(_, detail)| detail);
            let kind = if matches!(rejection, JsonRejection::JsonSyntaxError(_)) {
                "malformed JSON"
            } else {
                "invalid field"
            };
            ApiError::bad_request(format!("{kind}: {detail}"))
        }
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::bad_request("expected Content-Type: application/json")
        }
        // The body could not be read: over the size limit (axum's own limit or tower-http's,
        // both surface as a length-limit error with 413), or the connection broke mid-body.
        JsonRejection::BytesRejection(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::payload_too_large()
        }
        _ => ApiError::bad_request("the request body could not be read"),
    }
}

/// Parses a body the handler read as bytes (so that it could authorise first: a role that may
/// not do a thing learns nothing about its input). Errors name the field
/// (`haven_domain::parse_document`).
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not UTF-8: {e}")))?;
    haven_domain::parse_document(text).map_err(|e| ApiError::bad_request(e.to_string()))
}
