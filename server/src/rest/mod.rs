//! REST: presence, presence history, batch presence, time, tokens; errors shaped the
//! way Ably clients read them; JSON or msgpack, as the client asks.

mod batch;
mod cursor;
mod msgpack;
mod nonces;
mod pages;
mod presence;
mod tokens;

pub use batch::batch_presence;
pub use msgpack::negotiate;
pub use nonces::Nonces;
pub use presence::{presence_get, presence_history};
pub use tokens::{dev_token_request, request_token, time};

use crate::auth::{authenticate, Credentials, Identity};
use crate::state::{now_ms, Shared};
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use roster::protocol::{codes, ErrorInfo};
use std::net::SocketAddr;

/// An error as Ably REST answers it: status, JSON body, `x-ably-errorcode` headers.
pub struct ApiError(pub ErrorInfo);

impl From<ErrorInfo> for ApiError {
    fn from(error: ErrorInfo) -> ApiError {
        ApiError(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = self.0;
        let status =
            StatusCode::from_u16(error.status_code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({ "error": error }).to_string();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert("x-ably-errorcode", HeaderValue::from(error.code));
        if let Ok(message) = HeaderValue::from_str(&error.message.replace(['\r', '\n'], " ")) {
            headers.insert("x-ably-errormessage", message);
        }
        response
    }
}

/// A JSON success body with the exact content type ably-js expects.
pub fn json_response(body: impl Into<Body>, extra: HeaderMap) -> Response {
    let mut response = Response::new(body.into());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response.headers_mut().extend(extra);
    response
}

/// Who made a REST request: `Authorization: Basic base64(key)` (secure links only) or
/// `Bearer <token or base64(token)>`.
pub fn identify(
    state: &Shared,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Result<Identity, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ErrorInfo::new(codes::NO_AUTH_METHOD, 401, "no Authorization header"))?;
    let secure = peer.ip().is_loopback() || state.config.behind_tls_proxy;
    let now = now_ms();
    if let Some(encoded) = value.strip_prefix("Basic ") {
        let decoded = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| ErrorInfo::invalid_credentials("malformed Basic credentials"))?;
        return Ok(authenticate(
            &state.keys,
            Credentials::Key(&decoded),
            secure,
            now,
        )?);
    }
    let token = value
        .strip_prefix("Bearer ")
        .ok_or_else(|| ErrorInfo::invalid_credentials("unsupported Authorization scheme"))?
        .trim();
    let raw = authenticate(&state.keys, Credentials::Token(token), secure, now);
    if raw.is_ok() {
        return Ok(raw?);
    }
    let decoded = STANDARD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    match decoded {
        Some(token) => Ok(authenticate(
            &state.keys,
            Credentials::Token(&token),
            secure,
            now,
        )?),
        None => Ok(raw?),
    }
}

/// The 404 for routes that do not exist.
pub async fn not_found() -> ApiError {
    ApiError(ErrorInfo::not_found("no such resource"))
}
