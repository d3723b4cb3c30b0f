//! HTTP over the global `fetch` (window or worker): sends a core `HttpRequest` and returns
//! status, the headers the core reads, and the body bytes.

use super::error::set;
use super::options::AGENT;
use crate::protocol::{codes, ErrorInfo};
use crate::rest::{self, HttpRequest};
use crate::text;
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Array, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;

// Written in JS: helpers.js says why.
#[wasm_bindgen(module = "/src/wasm/helpers.js")]
extern "C" {
    /// `[status, link, x-ably-errorcode, content-type, body bytes]` of a fetch.
    pub fn http(url: &JsValue, init: &JsValue) -> Promise;
}

/// Headers every REST request carries (`send`'s `extra_headers`, with `Authorization`).
pub const REST_HEADERS: [(&str, &str); 3] = [
    ("X-Ably-Version", "6"),
    ("Ably-Agent", AGENT),
    ("Accept", "application/json"),
];

/// A response as the core's decoders take it.
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// The `Link` header (pagination).
    pub link: Option<String>,
    /// The `X-Ably-Errorcode` header.
    pub error_code: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// This response if 2xx, else the ErrorInfo its body, header or status describes.
    pub fn success(self) -> Result<HttpResponse, ErrorInfo> {
        if self.status < 300 {
            return Ok(self);
        }
        let code = self.error_code.as_deref();
        Err(rest::decode_error(self.status, &self.body, code))
    }
}

/// Sends `request` to `base` (`https://host:port`, or a full URL when `request.path` is
/// absolute) with `extra_headers` added: a promise for `response`.
pub fn send(base: &str, request: &HttpRequest, extra_headers: &[(&str, &str)]) -> Promise {
    let url = if request.path.starts_with("http") {
        request.path.clone()
    } else {
        text::concat(&[base, &request.path])
    };
    // Plain objects for the init and its headers: no Request, RequestInit or Headers
    // imports.
    let headers: JsValue = Object::new().into();
    for (name, value) in &request.headers {
        set(&headers, name, value.into());
    }
    for (name, value) in extra_headers {
        set(&headers, name, (*value).into());
    }
    let init: JsValue = Object::new().into();
    set(&init, "method", request.method.as_str().into());
    set(&init, "headers", headers);
    if let Some(body) = &request.body {
        set(&init, "body", body.into());
    }
    http(&url.into(), &init)
}

/// What an `http` promise settled with: the response, or a network failure (80000, as
/// ably-js).
pub fn response(outcome: Result<JsValue, JsValue>) -> Result<HttpResponse, ErrorInfo> {
    let parts: Array = outcome.map_err(network_error)?.unchecked_into();
    Ok(HttpResponse {
        status: parts.get(0).as_f64().unwrap_or(0.0) as u16,
        link: parts.get(1).as_string(),
        error_code: parts.get(2).as_string(),
        content_type: parts.get(3).as_string(),
        body: parts.get(4).unchecked_into::<Uint8Array>().to_vec(),
    })
}

fn network_error(cause: JsValue) -> ErrorInfo {
    let detail = super::error::message_of(&cause);
    ErrorInfo::new(
        codes::CONNECTION_FAILED,
        500,
        text::concat(&["HTTP request failed: ", &detail]),
    )
}
