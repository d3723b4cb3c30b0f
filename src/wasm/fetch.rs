//! HTTP over the global `fetch` (window or worker): sends a core `HttpRequest` and returns
//! status, the headers the core reads, and the body bytes.

use super::error::set;
use super::options::AGENT;
use crate::protocol::{codes, ErrorInfo};
use crate::rest::{self, HttpRequest};
use crate::text;
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::futures::JsFuture;
use js_sys::Object;
use wasm_bindgen::prelude::*;
use web_sys::Response;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> js_sys::Promise;
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
/// absolute) with `extra_headers` added.
pub async fn send(
    base: &str,
    request: &HttpRequest,
    extra_headers: &[(&str, &str)],
) -> Result<HttpResponse, ErrorInfo> {
    let url = if request.path.starts_with("http") {
        request.path.clone()
    } else {
        text::concat(&[base, &request.path])
    };
    // Plain objects for the init and its headers: no Request, RequestInit or Headers
    // imports (each one glue in the JS and a shim in the wasm). A bad URL or header
    // rejects the fetch, as it made the Request constructor throw.
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
    let response: Response = JsFuture::from(global_fetch(&url, &init))
        .await
        .map_err(network_error)?
        .unchecked_into();
    let body = JsFuture::from(response.array_buffer().map_err(network_error)?)
        .await
        .map_err(network_error)?;
    let headers = response.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    Ok(HttpResponse {
        status: response.status(),
        link: header("link"),
        error_code: header("x-ably-errorcode"),
        content_type: header("content-type"),
        body: js_sys::Uint8Array::new(&body).to_vec(),
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
