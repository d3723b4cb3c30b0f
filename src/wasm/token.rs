//! Getting a token from the app's auth setup: `authUrl` (+`authParams`), `authCallback`,
//! or a key (signed TokenRequest exchanged at `/keys/{keyName}/requestToken`). An authUrl
//! or callback may answer with a token string, TokenDetails, or a TokenRequest to exchange.

use super::convert;
use super::error::message_of;
use super::fetch::{self, HttpResponse, REST_HEADERS};
use super::task::{self, Next};
use crate::auth::{ApiKey, TokenDetails, TokenRequest};
use crate::json::{self, Reader, WriteJson, Writer};
use crate::protocol::{codes, ErrorInfo};
use crate::rest;
use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use js_sys::{Array, Function};
use wasm_bindgen::{JsCast, JsValue};

/// How a client authenticates.
pub enum AuthSource {
    /// An API key (basic auth over REST, `key=` over realtime).
    Key(ApiKey),
    /// A fixed token string.
    Token(String),
    /// An `authUrl` to ask for a token, as the JS wrapper gives it: a function of the
    /// token params that returns the request, `[url, init]` for `fetch`, with authParams,
    /// authHeaders and authMethod applied (RSA8c).
    Url(Function),
    /// An `authCallback(tokenParams)` returning a Promise (the JS wrapper adapts callbacks).
    Callback(Function),
}

/// Why this build refuses what needs a key to sign (one text for both places: size).
#[cfg(not(feature = "rest"))]
pub const NO_SIGNING: &str = "this build cannot sign token requests; use the full package entry";

/// Token parameters (TK): what the app may ask the token to carry.
#[derive(Clone, Default)]
pub struct TokenParams {
    /// clientId.
    pub client_id: Option<String>,
    /// ttl in ms.
    pub ttl: Option<u64>,
    /// capability JSON.
    pub capability: Option<String>,
    /// When a key signs, the TokenRequest's timestamp (ms; TK2d), else the clock's.
    #[cfg(feature = "rest")]
    pub timestamp: Option<u64>,
}

impl TokenParams {
    /// Reads `{ clientId, ttl, capability, timestamp }` (capability may be an object or
    /// JSON text).
    pub fn from_js(value: &JsValue, default_client_id: Option<&str>) -> TokenParams {
        use super::options::{field, number_field, string_field};
        let capability = field(value, "capability").map(|c| {
            c.as_string().unwrap_or_else(|| {
                js_sys::JSON::stringify(&c)
                    .ok()
                    .and_then(|text| text.as_string())
                    .unwrap_or_default()
            })
        });
        TokenParams {
            client_id: string_field(value, "clientId").or(default_client_id.map(String::from)),
            ttl: number_field(value, "ttl").map(|t| t as u64),
            capability,
            #[cfg(feature = "rest")]
            timestamp: number_field(value, "timestamp").map(|t| t as u64),
        }
    }
}

/// A signed TokenRequest for `key` (RSA9) at `timestamp` (ms), random nonce.
#[cfg(feature = "rest")]
pub fn create_token_request(key: &ApiKey, params: &TokenParams, timestamp: u64) -> TokenRequest {
    let nonce: String = (0..16)
        .map(|_| char::from_digit((js_sys::Math::random() * 36.0) as u32 % 36, 36).unwrap_or('0'))
        .collect();
    TokenRequest {
        key_name: key.key_name.clone(),
        ttl: params.ttl,
        capability: params.capability.clone(),
        client_id: params.client_id.clone(),
        timestamp,
        nonce,
        mac: None,
    }
    .sign(&key.secret)
}

/// Obtains TokenDetails from `source` for `next`; errors from the app's URL or callback
/// are 40170 unless they carry their own code or a 403 (see `url_refusal`,
/// `callback_error`). Calls the app's callback at once: callers run it `task::soon`.
pub fn request_token(
    source: Rc<AuthSource>,
    rest_base: &str,
    params: TokenParams,
    next: Next<Result<TokenDetails, ErrorInfo>>,
) {
    let answer = match &*source {
        #[cfg(feature = "rest")]
        AuthSource::Key(key) => {
            let timestamp = params.timestamp.unwrap_or(js_sys::Date::now() as u64);
            let request = create_token_request(key, &params, timestamp);
            Ok(Answer::Request(request))
        }
        // This build has no HMAC to sign a TokenRequest: its Realtime refuses a key with
        // useTokenAuth, and a key given to authorize() gets 40171.
        #[cfg(not(feature = "rest"))]
        AuthSource::Key(_) => Err(ErrorInfo::new(codes::NO_TOKEN_RENEWAL, 403, NO_SIGNING)),
        AuthSource::Token(token) => return next(Ok(details(token.clone()))),
        // One wait for both: the authUrl's fetch or the callback's promise.
        AuthSource::Url(function) | AuthSource::Callback(function) => {
            let is_url = matches!(&*source, AuthSource::Url(_));
            let pending = match function.call1(&JsValue::NULL, &convert::to_js(&params)) {
                // The request, `[url, init]`, for the authUrl.
                Ok(request) if is_url => {
                    let request: Array = request.unchecked_into();
                    fetch::http(&request.get(0), &request.get(1)).into()
                }
                // The JS wrapper's callback always returns a Promise (adaptOptions).
                Ok(promise) => promise,
                // The request function throws only for text `encodeURIComponent` refuses
                // (a lone surrogate): a request that fails, as an unreachable authUrl does.
                Err(error) if is_url => return next(Err(auth_failed(&message_of(&error)))),
                Err(error) => return next(Err(callback_error(&error))),
            };
            let rest_base = rest_base.to_owned();
            let answered = move |outcome| match answer_of(is_url, outcome) {
                Ok(answer) => exchange(answer, &rest_base, next),
                Err(error) => next(Err(error)),
            };
            return task::then(&pending, Box::new(answered));
        }
    };
    match answer {
        Ok(answer) => exchange(answer, rest_base, next),
        Err(error) => next(Err(error)),
    }
}

/// The TokenDetails of `answer` for `next`: a TokenRequest is exchanged at
/// /keys/{keyName}/requestToken.
fn exchange(answer: Answer, rest_base: &str, next: Next<Result<TokenDetails, ErrorInfo>>) {
    let request = match answer {
        Answer::Details(details) => return next(Ok(details)),
        Answer::Request(request) => request,
    };
    let sending = fetch::send(rest_base, &rest::request_token(&request), &REST_HEADERS);
    let exchanged = move |outcome| {
        // A network failure is the token request's (40170, as ably-js); a refusal is as
        // an authUrl's: the server's own (X-Ably-Errorcode) keeps its code, another
        // host's is 40170, or 40300 for a 403.
        let response = fetch::response(outcome).map_err(|e| auth_failed(&e.message));
        next(response.and_then(|r| match r.status {
            300.. => Err(url_refusal(r)),
            _ => rest::decode_token_details(&r.body),
        }));
    };
    task::then(&sending, Box::new(exchanged));
}

/// What the authUrl (its fetch's outcome) or the authCallback (its promise's) answered.
fn answer_of(is_url: bool, outcome: Result<JsValue, JsValue>) -> Result<Answer, ErrorInfo> {
    if !is_url {
        // The JS wrapper rejects with what the app called back, made an ErrorInfo as
        // ably-js does, or with what it threw, as it is (ably-js passes that on).
        return answer_from_callback(&outcome.map_err(|e| callback_error(&e))?);
    }
    let response = fetch::response(outcome).map_err(|e| auth_failed(&e.message))?;
    if response.status >= 300 {
        return Err(url_refusal(response));
    }
    answer_from_url(response)
}

/// What the auth setup gave: a token (as TokenDetails), or a TokenRequest to exchange.
enum Answer {
    Details(TokenDetails),
    Request(TokenRequest),
}

/// What an authCallback receives: `{ clientId, ttl, capability }`, absent ones omitted.
impl WriteJson for TokenParams {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.field("clientId", self.client_id.as_deref());
        w.field("ttl", self.ttl.as_ref());
        w.field("capability", self.capability.as_deref());
        w.end_object();
    }
}

/// Whether `text` is a JSON object with a top-level member named `name`.
fn has_key(text: &[u8], name: &str) -> bool {
    let Ok(mut r) = Reader::from_bytes(text) else {
        return false;
    };
    if r.begin_object().is_err() {
        return false;
    }
    while let Ok(Some(key)) = r.next_key() {
        if key == name {
            return true;
        }
        if r.skip().is_err() {
            return false;
        }
    }
    false
}

/// Whether `text` holds `part` (bytes, not str::contains: a substring search brings
/// core's two-way searcher, ~2.5 KB, into the wasm).
fn holds(text: &str, part: &[u8]) -> bool {
    text.as_bytes().windows(part.len()).any(|w| w == part)
}

/// An authUrl's answer by its Content-Type, as ably-js takes it: JSON, or a token as
/// text (`text/plain`, `application/jwt`); none or another type is 40170.
fn answer_from_url(response: HttpResponse) -> Result<Answer, ErrorInfo> {
    let kind = response.content_type.as_deref().unwrap_or_default();
    if holds(kind, b"json") {
        return answer_from_json(&response.body);
    }
    let is_jwt = holds(kind, b"jwt");
    if !is_jwt && !holds(kind, b"text/plain") {
        return Err(no_token());
    }
    // Strict UTF-8: a lossy decode would pull its replacement machinery into the wasm
    // for a token the server would refuse anyway.
    let text = core::str::from_utf8(&response.body).map_err(|_| no_token())?;
    token_text(text.trim_ascii(), is_jwt)
}

/// A token given as text, unless it is none as ably-js sees it (RSA4c): empty, the text
/// `undefined` or `null`, or JSON (a TokenDetails sent as text) unless a JWT: 40170.
fn token_text(text: &str, is_jwt: bool) -> Result<Answer, ErrorInfo> {
    if text.is_empty()
        || text == "undefined"
        || text == "null"
        || (!is_jwt && text.starts_with('{'))
    {
        return Err(no_token());
    }
    Ok(Answer::Details(details(text.to_owned())))
}

/// An authCallback's answer: a token string, or an object.
fn answer_from_callback(value: &JsValue) -> Result<Answer, ErrorInfo> {
    if let Some(token) = value.as_string() {
        return token_text(&token, false);
    }
    let json = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(no_token)?;
    answer_from_json(json.as_bytes())
}

/// TokenDetails (with `issued`) or a TokenRequest (with `keyName`) as JSON; anything
/// else is 40170, as in ably-js.
fn answer_from_json(json: &[u8]) -> Result<Answer, ErrorInfo> {
    // Which of the two it is decides the parse, so its errors name the right type.
    if has_key(json, "issued") {
        let details = rest::decode_token_details(json).map_err(|e| auth_failed(&e.message))?;
        Ok(Answer::Details(details))
    } else if has_key(json, "keyName") {
        let request = json::from_slice(json)
            .map_err(|_| auth_failed("invalid TokenRequest from the auth provider"))?;
        Ok(Answer::Request(request))
    } else {
        Err(no_token())
    }
}

/// 40170 for an answer that holds no token, TokenDetails or TokenRequest.
fn no_token() -> ErrorInfo {
    auth_failed("the auth provider gave neither a token, TokenDetails nor a TokenRequest")
}

fn details(token: String) -> TokenDetails {
    TokenDetails {
        token,
        key_name: None,
        issued: None,
        expires: None,
        capability: None,
        client_id: None,
    }
}

/// An authUrl's (or a TokenRequest exchange's) non-2xx answer as ably-js reports it: an
/// Ably error (with an `X-Ably-Errorcode` header) as given; otherwise a 403 stays 403
/// (40300), which fails the connection (RSA4d), and any other status is 40170/401.
fn url_refusal(response: HttpResponse) -> ErrorInfo {
    let code = response.error_code.as_deref();
    // Without the header the body is not read: ably-js takes only the status then.
    let body: &[u8] = if code.is_some() { &response.body } else { &[] };
    let error = rest::decode_error(response.status, body, code);
    if code.is_some() || error.status_code == 403 {
        error
    } else {
        auth_failed(&error.message)
    }
}

/// The error an authCallback's promise rejected with: its `code` and `statusCode` as
/// they are (none if absent, as ably-js passes on what a callback throws).
fn callback_error(value: &JsValue) -> ErrorInfo {
    use super::options::number_field;
    let code = number_field(value, "code").unwrap_or(0.0) as u32;
    let status = number_field(value, "statusCode").unwrap_or(0.0) as u16;
    ErrorInfo::new(code, status, message_of(value))
}

/// 40170: the app's authUrl or authCallback failed (RSA4c).
fn auth_failed(detail: &str) -> ErrorInfo {
    let mut message = String::from("client configured authentication provider request failed: ");
    message.push_str(detail);
    ErrorInfo::new(codes::AUTH_CALLBACK_FAILED, 401, message)
}
