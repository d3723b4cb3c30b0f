//! HTTP over the global `fetch` (window or worker): sends a core `HttpRequest` and returns
//! status, the headers the core reads, and the body bytes.

use crate::protocol::{codes, ErrorInfo};
use crate::rest::{HttpRequest, Method};
use crate::text;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> js_sys::Promise;
}

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

/// Sends `request` to `base` (`https://host:port`, or a full URL when `request.path` is
/// absolute) with `extra_headers` added.
pub async fn send(
    base: &str,
    request: &HttpRequest,
    extra_headers: &[(String, String)],
) -> Result<HttpResponse, ErrorInfo> {
    let init = RequestInit::new();
    init.set_method(match request.method {
        Method::Get => "GET",
        Method::Post => "POST",
    });
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    let url = if request.path.starts_with("http") {
        request.path.clone()
    } else {
        text::concat(&[base, &request.path])
    };
    let js_request = Request::new_with_str_and_init(&url, &init).map_err(network_error)?;
    let headers = js_request.headers();
    for (name, value) in request.headers.iter().chain(extra_headers) {
        headers.set(name, value).map_err(network_error)?;
    }
    let response: Response = JsFuture::from(global_fetch(&js_request))
        .await
        .map_err(network_error)?
        .unchecked_into();
    let body = JsFuture::from(response.array_buffer().map_err(network_error)?)
        .await
        .map_err(network_error)?;
    let header = |name: &str| response.headers().get(name).ok().flatten();
    Ok(HttpResponse {
        status: response.status(),
        link: header("link"),
        error_code: header("x-ably-errorcode"),
        content_type: header("content-type"),
        body: js_sys::Uint8Array::new(&body).to_vec(),
    })
}

fn network_error(cause: JsValue) -> ErrorInfo {
    let detail = super::error::from_js(&cause, |m| ErrorInfo::new(0, 0, m)).message;
    ErrorInfo::new(
        codes::CONNECTION_FAILED,
        500,
        text::concat(&["HTTP request failed: ", &detail]),
    )
}
