//! REST in msgpack, as ably-js in Node asks for it by default (`useBinaryProtocol`):
//! `Accept: application/x-msgpack` gets the answer (errors too) as msgpack, and a
//! request body sent as `Content-Type: application/x-msgpack` is read as its JSON
//! equivalent. The handlers speak JSON only; this layer converts at the edge, so a JSON
//! request costs one look at two headers more than before.
//!
//! Binary data, held by the hub as base64 text with an `encoding` ending in `base64`, is
//! answered in msgpack as binary, `base64` taken off its encoding, as Ably answers it.

use super::ApiError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use roster::protocol::ErrorInfo;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

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
    let encoded = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|value| rmp_serde::to_vec_named(&WithBinary(&value)).ok());
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

/// A JSON value written as msgpack, each message in an array (an object with an
/// `action`) whose `data` is base64 text under an `encoding` ending in `base64` written
/// with the bytes instead, and that encoding without `base64` (left out if nothing is
/// left of it).
struct WithBinary<'a>(&'a Value);

impl Serialize for WithBinary<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Array(items) => s.collect_seq(items.iter().map(|item| match item {
                Value::Object(map) => Item::Message(map),
                other => Item::Other(other),
            })),
            Value::Object(map) => s.collect_map(map.iter().map(|(k, v)| (k, WithBinary(v)))),
            other => other.serialize(s),
        }
    }
}

/// An element of an array: a message (maybe with binary data) or any other value.
enum Item<'a> {
    /// An object.
    Message(&'a Map<String, Value>),
    /// Anything else.
    Other(&'a Value),
}

impl Serialize for Item<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let map = match self {
            Item::Message(map) => *map,
            Item::Other(value) => return WithBinary(value).serialize(s),
        };
        let Some((bytes, rest)) = binary_data(map) else {
            return s.collect_map(map.iter().map(|(k, v)| (k, WithBinary(v))));
        };
        let len = map.len() - usize::from(rest.is_none());
        let mut out = s.serialize_map(Some(len))?;
        for (key, value) in map {
            match key.as_str() {
                "data" => out.serialize_entry(key, &Bin(&bytes))?,
                "encoding" => {
                    if let Some(rest) = rest {
                        out.serialize_entry(key, rest)?;
                    }
                }
                _ => out.serialize_entry(key, &WithBinary(value))?,
            }
        }
        out.end()
    }
}

/// The bytes of a message's base64 data and what is left of its encoding, if its data
/// is base64 text under an encoding ending in `base64`.
fn binary_data(map: &Map<String, Value>) -> Option<(Vec<u8>, Option<&str>)> {
    if !map.contains_key("action") {
        return None;
    }
    let rest = crate::wire::without_base64(map.get("encoding")?.as_str()?)?;
    let bytes = STANDARD.decode(map.get("data")?.as_str()?).ok()?;
    Some((bytes, rest))
}

/// Bytes written as msgpack `bin`.
struct Bin<'a>(&'a [u8]);

impl Serialize for Bin<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
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

    #[test]
    fn base64_data_of_messages_is_written_as_binary() {
        use roster::protocol::Data;
        #[derive(serde::Deserialize)]
        struct Answer {
            results: Vec<Result>,
        }
        #[derive(serde::Deserialize)]
        struct Result {
            presence: Vec<Item>,
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Item {
            data: Option<Data>,
            encoding: Option<String>,
        }
        let item = |data: Data, encoding: Option<&str>| Item {
            data: Some(data),
            encoding: encoding.map(str::to_owned),
        };
        let json = serde_json::json!({"results": [{"presence": [
            {"action": 1, "data": "AAH/", "encoding": "base64"},
            {"action": 1, "data": "AAH/", "encoding": "json/utf-8/base64", "clientId": "c"},
            {"action": 1, "data": "not base64!", "encoding": "base64"},
            {"action": 1, "data": "AAH/", "encoding": "json"},
            {"data": "AAH/", "encoding": "base64"},
        ]}]});
        let bytes = rmp_serde::to_vec_named(&WithBinary(&json)).expect("encodes");
        let answer: Answer = rmp_serde::from_slice(&bytes).expect("decodes");
        let text = |t: &str| Data::String(t.into());
        assert_eq!(
            answer.results[0].presence,
            [
                item(Data::Binary(vec![0, 1, 255]), None),
                item(Data::Binary(vec![0, 1, 255]), Some("json/utf-8")),
                item(text("not base64!"), Some("base64")),
                item(text("AAH/"), Some("json")),
                item(text("AAH/"), Some("base64")),
            ]
        );
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
