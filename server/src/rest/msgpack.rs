//! REST in msgpack, as ably-js in Node asks for it by default (`useBinaryProtocol`):
//! `Accept: application/x-msgpack` gets the answer (errors too) as msgpack, and a
//! request body sent as `Content-Type: application/x-msgpack` is read as its JSON
//! equivalent. The handlers speak JSON only; this layer converts at the edge, so a JSON
//! request costs one look at two headers more than before.
//!
//! Data is carried as the hub holds it: binary as base64 text with an `encoding` ending
//! in `base64`, which ably-js decodes to binary as it does for JSON.

use super::ApiError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use roster::protocol::ErrorInfo;

/// The msgpack media type.
const MSGPACK: &str = "application/x-msgpack";

/// The most bytes of a msgpack request body read (axum's default body limit).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// Converts a msgpack request body to JSON for the handler, and the handler's JSON
/// answer to msgpack when the client accepts msgpack.
pub async fn negotiate(request: Request, next: Next) -> Response {
    let wants_msgpack = accepts_msgpack(request.headers());
    let response = match body_as_json(request).await {
        Ok(request) => next.run(request).await,
        Err(error) => ApiError(error).into_response(),
    };
    if wants_msgpack {
        to_msgpack(response).await
    } else {
        response
    }
}

/// Whether the first JSON or msgpack type `Accept` names is msgpack.
fn accepts_msgpack(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    accept
        .split(',')
        .map(|item| item.split(';').next().unwrap_or("").trim())
        .find(|media| *media == MSGPACK || *media == "application/json")
        == Some(MSGPACK)
}

/// The request with a msgpack body re-encoded as JSON; 40000 for one that is not
/// msgpack.
async fn body_as_json(request: Request) -> Result<Request, ErrorInfo> {
    let is_msgpack = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim() == MSGPACK);
    if !is_msgpack {
        return Ok(request);
    }
    let (mut parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| ErrorInfo::bad_request("request body unreadable or too large"))?;
    let value: serde_json::Value = rmp_serde::from_slice(&bytes)
        .map_err(|e| ErrorInfo::bad_request(format!("malformed msgpack body: {e}")))?;
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Request::from_parts(parts, Body::from(value.to_string())))
}

/// A JSON answer as msgpack; any other answer as it is.
async fn to_msgpack(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // The handlers' own answer: no limit beyond what they chose to send.
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return ApiError(ErrorInfo::new(50000, 500, "answer could not be read")).into_response();
    };
    let encoded = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|value| rmp_serde::to_vec_named(&value).ok());
    let Some(encoded) = encoded else {
        // Not JSON after all: sent as it was.
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MSGPACK));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(encoded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).expect("header"),
        );
        headers
    }

    #[test]
    fn msgpack_is_chosen_only_when_named_before_json() {
        assert!(accepts_msgpack(&accept("application/x-msgpack")));
        assert!(accepts_msgpack(&accept(
            "text/html, application/x-msgpack;q=1, application/json"
        )));
        assert!(!accepts_msgpack(&accept(
            "application/json, application/x-msgpack"
        )));
        assert!(!accepts_msgpack(&accept("*/*")));
        assert!(!accepts_msgpack(&HeaderMap::new()));
    }

    #[tokio::test]
    async fn a_json_answer_becomes_msgpack_with_its_headers() {
        let mut json = ApiError(ErrorInfo::bad_request("nope")).into_response();
        json.headers_mut().insert(
            header::LINK,
            HeaderValue::from_static("<./x>; rel=\"next\""),
        );
        let response = to_msgpack(json).await;
        assert_eq!(response.headers()[header::CONTENT_TYPE], MSGPACK);
        assert_eq!(response.headers()["x-ably-errorcode"], "40000");
        assert_eq!(response.headers()[header::LINK], "<./x>; rel=\"next\"");
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let value: serde_json::Value = rmp_serde::from_slice(&bytes).expect("msgpack");
        assert_eq!(value["error"]["code"], 40000);
    }
}
