//! `POST /keys/{keyName}/requestToken`, the development `GET /auth/token-request`, and
//! `GET /time`.

use super::{json_response, ApiError};
use crate::auth::issue_token;
use crate::state::{now_ms, random_text, Shared};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use roster::auth::{Capability, TokenDetails, TokenRequest};
use roster::json;
use roster::protocol::{codes, ErrorInfo};
use std::collections::HashMap;

/// How far a token request's timestamp may be from the server's clock.
const TIMESTAMP_WINDOW_MS: u64 = 10 * 60 * 1000;
/// Default token lifetime (Ably's: one hour).
const DEFAULT_TTL_MS: u64 = 60 * 60 * 1000;
/// Longest token lifetime granted.
const MAX_TTL_MS: u64 = 24 * 60 * 60 * 1000;

/// `[now]`.
pub async fn time() -> Response {
    json_response(format!("[{}]", now_ms()), HeaderMap::new())
}

/// Exchanges a signed TokenRequest for TokenDetails.
pub async fn request_token(
    State(state): State<Shared>,
    Path(key_name): Path<String>,
    body: String,
) -> Result<Response, ApiError> {
    let request: TokenRequest = json::from_slice(body.as_bytes())
        .map_err(|e| ErrorInfo::bad_request(e.describe("malformed token request")))?;
    let key = state
        .keys
        .find(&key_name)
        .filter(|_| request.key_name == key_name)
        .ok_or_else(|| ErrorInfo::new(codes::KEY_NOT_FOUND, 401, "key not recognised"))?;
    if !request.verify(&key.key.secret) {
        return Err(
            ErrorInfo::invalid_credentials("token request signature does not match").into(),
        );
    }
    let now = now_ms();
    if request.timestamp.abs_diff(now) > TIMESTAMP_WINDOW_MS {
        return Err(ErrorInfo::new(
            codes::TOKEN_REQUEST_TIMESTAMP,
            401,
            "token request timestamp out of range",
        )
        .into());
    }
    {
        let mut nonces = state.nonces.lock().unwrap_or_else(|p| p.into_inner());
        let nonce = format!("{key_name}:{}", request.nonce);
        if !nonces.first_use(&nonce, now, 2 * TIMESTAMP_WINDOW_MS) {
            return Err(ErrorInfo::new(
                codes::TOKEN_REQUEST_NONCE_REUSED,
                401,
                "token request nonce already used",
            )
            .into());
        }
    }
    let capability = match request.capability.as_deref().filter(|c| !c.is_empty()) {
        Some(text) => Capability::parse(text)?.intersect(&key.capability),
        None => (*key.capability).clone(),
    };
    let ttl = request.ttl.unwrap_or(DEFAULT_TTL_MS).min(MAX_TTL_MS);
    let client_id = request.client_id.as_deref().filter(|c| !c.is_empty());
    let token = issue_token(key, client_id, &capability, now, now + ttl);
    let details = TokenDetails {
        token,
        key_name: Some(key_name),
        issued: Some(now),
        expires: Some(now + ttl),
        capability: Some(capability.canonical()),
        client_id: client_id.map(str::to_owned),
    };
    Ok(json_response(json::to_string(&details), HeaderMap::new()))
}

/// A TokenRequest signed with the first key, for `authUrl` in demos and tests;
/// `ttl` (ms, at most a day) makes short-lived tokens for expiry tests.
pub async fn dev_token_request(
    State(state): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let key = state
        .keys
        .first()
        .filter(|_| state.dev_auth)
        .ok_or_else(|| ErrorInfo::not_found("the development auth endpoint is off (--dev-auth)"))?;
    let ttl = match params.get("ttl") {
        None => DEFAULT_TTL_MS,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|ms| (1..=MAX_TTL_MS).contains(ms))
            .ok_or_else(|| ErrorInfo::bad_request("ttl must be 1..=86400000 ms"))?,
    };
    let nonce = random_text(16);
    let request = TokenRequest {
        key_name: key.key.key_name.clone(),
        ttl: Some(ttl),
        capability: params.get("capability").cloned(),
        client_id: params.get("clientId").filter(|c| !c.is_empty()).cloned(),
        timestamp: now_ms(),
        nonce,
        mac: None,
    }
    .sign(&key.key.secret);
    Ok(json_response(json::to_string(&request), HeaderMap::new()))
}
