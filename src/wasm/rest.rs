//! `Rest`: presence get/history with pagination, batch presence, server time, and token
//! requests, over `fetch`. Only with the `rest` feature: the package's realtime-only
//! entry leaves it (and TokenRequest signing) out.

use super::convert;
use super::error::{self, rejected, to_js};
use super::fetch::{self, HttpResponse};
use super::history;
use super::ops;
use super::options::{auth_source, bool_field, number_field, string_field, Options};
use super::paginated_result::fetch_page;
use super::rest_client::RestClient;
use super::task::{self, promise};
use super::token::{self, TokenParams};
use crate::auth::{ApiKey, TokenDetails};
use crate::protocol::{codes, ErrorInfo};
use crate::rest::{self, BatchPresenceResult, PresenceParams};
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;

/// A REST client (ably-js `Rest`; the JS wrapper adds `channels.get(name).presence`).
#[wasm_bindgen]
pub struct Rest {
    client: Rc<RestClient>,
}

#[wasm_bindgen]
impl Rest {
    /// A client for `options` (ably-js names); throws ErrorInfo on bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Rest, JsValue> {
        // As ably-js (RSA4): with `useTokenAuth`, a key asks for tokens and REST requests
        // carry those.
        let key_tokens = bool_field(&options, "useTokenAuth") == Some(true);
        let options = Options::from_js(&options).map_err(|e| to_js(&e))?;
        let client = RestClient::new(options, key_tokens).map_err(|e| to_js(&e))?;
        Ok(Rest {
            client: Rc::new(client),
        })
    }

    /// Every operation of the client, `op` (a number of `ops`, named below as the JS
    /// wrapper names it), with `channel` for a channel's ('' for others): one export for
    /// all, as in `Realtime::op` (each export costs glue and a wasm shim); `a`, `b` and
    /// `c` as the operation takes them. Each gives a promise:
    /// - `get`: presence.get(params `a`), the channel's current members, one page.
    /// - `history`: presence.history(params `a`), past presence events, one page (or,
    ///   `a` a page's link, that page).
    /// - `batchPresence`: batchPresence(channels `a`), members of several channels in one
    ///   request.
    /// - `time`: the server's clock, ms since the epoch, asked without credentials.
    /// - `createTokenRequest`: a TokenRequest for tokenParams `a` signed with key `b` at
    ///   timestamp `c` (ms). The JS wrapper picks them as ably-js does (RSA9h): the app's
    ///   tokenParams, else the client's clientId; the authOptions' key if it gave
    ///   authOptions, else the client's; the server's clock with `queryTime`.
    /// - `requestToken`: auth.requestToken(tokenParams `a`, authOptions `b`), TokenDetails
    ///   from the auth source the authOptions name, for this token only (RSA8e), else the
    ///   client's. A key signs at `tokenParams.timestamp`, which the JS wrapper sets as
    ///   createTokenRequest's. The tokenParams are used as given: the wrapper gives the
    ///   client's when the app gives none.
    pub fn op(&self, channel: &str, op: u32, a: JsValue, b: JsValue, c: JsValue) -> Promise {
        match op {
            ops::GET => presence_get(self.client.clone(), channel, &a),
            ops::HISTORY => history::presence_history(self.client.clone(), channel, &a),
            ops::BATCH_PRESENCE => self.batch_presence(a.unchecked_into()),
            ops::TIME => self.time(),
            ops::CREATE_TOKEN_REQUEST => {
                self.create_token_request(a, b.as_string(), c.as_f64().unwrap_or(0.0))
            }
            // REQUEST_TOKEN.
            _ => self.request_token(a, b),
        }
    }
}

impl Rest {
    /// `op`'s `batchPresence`.
    fn batch_presence(&self, channels: Array) -> Promise {
        // An Array, not Vec<String>: that would add an array-passing helper to the glue.
        let channels: Vec<String> = channels.iter().filter_map(|c| c.as_string()).collect();
        let names: Vec<&str> = channels.iter().map(String::as_str).collect();
        let request = rest::batch_presence(&names);
        let client = self.client.clone();
        promise(move |settle| {
            let answered = move |response: Result<HttpResponse, ErrorInfo>| {
                let result = response.and_then(|response| batch_presence_to_js(&response.body));
                settle.with(result.map_err(|e| to_js(&e)));
            };
            client.execute(request, Box::new(answered));
        })
    }

    /// `op`'s `time`.
    fn time(&self) -> Promise {
        let client = self.client.clone();
        promise(move |settle| {
            let answered = move |outcome| {
                let response = fetch::response(outcome).and_then(HttpResponse::success);
                let time = response.and_then(|r| rest::decode_time(&r.body));
                settle.with(
                    time.map(|time| JsValue::from(time as f64))
                        .map_err(|e| to_js(&e)),
                );
            };
            task::then(&client.send_anonymously(&rest::time()), Box::new(answered));
        })
    }

    /// `op`'s `createTokenRequest`.
    fn create_token_request(
        &self,
        params: JsValue,
        key: Option<String>,
        timestamp: f64,
    ) -> Promise {
        match key.and_then(|key| ApiKey::parse(&key).ok()) {
            Some(key) => {
                let params = TokenParams::from_js(&params, None);
                let request = token::create_token_request(&key, &params, timestamp as u64);
                Promise::resolve(&convert::to_js(&request))
            }
            // As ably-js: 40101, 403.
            None => rejected(&ErrorInfo::new(
                codes::INVALID_CREDENTIALS,
                403,
                "createTokenRequest needs a key: none or a malformed one specified",
            )),
        }
    }

    /// `op`'s `requestToken`.
    fn request_token(&self, params: JsValue, auth_options: JsValue) -> Promise {
        let client = self.client.clone();
        let params = TokenParams::from_js(&params, None);
        let source = match auth_options.is_object().then(|| auth_source(&auth_options)) {
            Some(Ok(source)) => Some(Rc::new(source)),
            // As ably-js: authOptions with no way to get a token are 40171, not the
            // constructor's 40106.
            Some(Err(error)) if error.code == codes::NO_AUTH_METHOD => {
                return rejected(&ErrorInfo::new(
                    codes::NO_TOKEN_RENEWAL,
                    403,
                    "need a new token, but authOptions include no way to get one (no authUrl, authCallback or key)",
                ))
            }
            Some(Err(error)) => return rejected(&error),
            None => None,
        };
        promise(move |settle| {
            let answered = move |details: Result<TokenDetails, ErrorInfo>| {
                settle.with(details.map(|d| convert::to_js(&d)).map_err(|e| to_js(&e)));
            };
            client.request_token(source, params, Box::new(answered));
        })
    }
}

/// REST presence.get: the channel's members, one page.
fn presence_get(client: Rc<RestClient>, channel: &str, params: &JsValue) -> Promise {
    let params = PresenceParams {
        client_id: string_field(params, "clientId"),
        connection_id: string_field(params, "connectionId"),
        // As history's: a limit that is not a whole number left out.
        limit: number_field(params, "limit")
            .and_then(history::whole)
            .map(|l| l as u32),
    };
    let request = rest::presence_get(channel, &params);
    fetch_page(client, request)
}

/// A batch presence response body as `{ successCount, failureCount, results }`, each
/// result `{ channel, presence }` (data decoded) or `{ channel, error }` (an ErrorInfo).
fn batch_presence_to_js(body: &[u8]) -> Result<JsValue, ErrorInfo> {
    let response = rest::decode_batch_presence(body)?;
    let results = Array::new();
    for result in &response.results {
        let object: JsValue = Object::new().into();
        match result {
            BatchPresenceResult::Success { channel, presence } => {
                error::set(&object, "channel", channel.into());
                error::set(&object, "presence", convert::presence_list_to_js(presence));
            }
            BatchPresenceResult::Failure { channel, error } => {
                error::set(&object, "channel", channel.into());
                error::set(&object, "error", error::to_js(error));
            }
        }
        results.push(&object);
    }
    let object: JsValue = Object::new().into();
    error::set(&object, "successCount", response.success_count.into());
    error::set(&object, "failureCount", response.failure_count.into());
    error::set(&object, "results", results.into());
    Ok(object)
}
