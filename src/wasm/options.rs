//! Client options from the JS object an app passes (ably-js 2.x names): credentials,
//! hosts and ports, and the realtime-only settings.

use super::token::AuthSource;
use crate::auth::ApiKey;
use crate::protocol::{codes, ErrorInfo};
use crate::text::{self, push_u64};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// The agent string sent to servers (`Ably-Agent` header, `agent` query parameter).
pub const AGENT: &str = concat!("roster-js/", env!("CARGO_PKG_VERSION"));

/// What both `Rest` and `Realtime` read from the options object (realtime.rs reads the
/// realtime-only ones).
pub struct Options {
    /// How to authenticate: the stored auth options, which authorize() replaces (RSA10g).
    /// Held by Rc so that a token request under way keeps the source it started with.
    pub auth: RefCell<Rc<AuthSource>>,
    /// The clientId the app asked for.
    pub client_id: Option<String>,
    /// Whether to use TLS (`tls`, default true).
    pub tls: bool,
    /// REST host (`restHost`, else `endpoint`).
    pub rest_host: String,
    /// Port (`tlsPort` over TLS, else `port`).
    pub port: u16,
}

impl Options {
    /// Reads the options object (the JS wrapper makes a key or token string one).
    pub fn from_js(value: &JsValue) -> Result<Options, ErrorInfo> {
        if !value.is_object() {
            return Err(invalid("options must be an object or a key string"));
        }
        let tls = bool_field(value, "tls").unwrap_or(true);
        let port_field = if tls { "tlsPort" } else { "port" };
        let default_port = if tls { 443 } else { 80 };
        let port = number_field(value, port_field).map_or(default_port, |p| p as u16);
        Ok(Options {
            auth: RefCell::new(Rc::new(auth_source(value)?)),
            client_id: string_field(value, "clientId"),
            tls,
            rest_host: host(value, "restHost"),
            port,
        })
    }

    /// `http[s]://restHost:port`, the base of every REST path.
    pub fn rest_base(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        let mut base = text::concat(&[scheme, "://", &self.rest_host, ":"]);
        push_u64(&mut base, self.port.into());
        base
    }
}

/// `options[name]` (realtimeHost / restHost), else `endpoint`, else Ably's.
pub fn host(options: &JsValue, name: &str) -> String {
    string_field(options, name)
        .or_else(|| string_field(options, "endpoint"))
        .unwrap_or_else(|| "main.realtime.ably.net".into())
}

/// The auth source that `options` (ClientOptions or AuthOptions) name.
pub fn auth_source(options: &JsValue) -> Result<AuthSource, ErrorInfo> {
    let function = |name| field(options, name).and_then(|f| f.dyn_into::<Function>().ok());
    if let Some(callback) = function("authCallback") {
        return Ok(AuthSource::Callback(callback));
    }
    // The JS wrapper's function for a string authUrl (js/realtime-api.js).
    if let Some(request) = function("authUrl") {
        return Ok(AuthSource::Url(request));
    }
    if let Some(token) = given_token(options) {
        return Ok(AuthSource::Token(token));
    }
    if let Some(key) = string_field(options, "key") {
        return Ok(AuthSource::Key(ApiKey::parse(&key)?));
    }
    Err(ErrorInfo::new(
        codes::NO_AUTH_METHOD,
        401,
        "no authentication options provided (key, token, authUrl or authCallback)",
    ))
}

/// The token the app gave (`token`, as a string or TokenDetails as in ably-js, or
/// `tokenDetails`): the only credential, or the first before authUrl / authCallback.
pub fn given_token(options: &JsValue) -> Option<String> {
    let token = field(options, "token").or_else(|| field(options, "tokenDetails"))?;
    token.as_string().or_else(|| string_field(&token, "token"))
}

/// `object[name]` unless undefined or null.
pub fn field(object: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(object, &name.into())
        .ok()
        .filter(|v| !v.is_null_or_undefined())
}

/// `object[name]` as a string.
pub fn string_field(object: &JsValue, name: &str) -> Option<String> {
    field(object, name)?.as_string()
}

/// `object[name]` as a number.
pub fn number_field(object: &JsValue, name: &str) -> Option<f64> {
    field(object, name)?.as_f64()
}

/// `object[name]` as a boolean.
pub fn bool_field(object: &JsValue, name: &str) -> Option<bool> {
    field(object, name)?.as_bool()
}

/// `object[name]`, a plain object, as (key, value-as-text) pairs.
pub fn pairs_field(object: &JsValue, name: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    // `typeof` rather than `instanceof Object`: no import of its own (from_js uses it too).
    let Some(map) = field(object, name).filter(JsValue::is_object) else {
        return pairs;
    };
    // A loop by index: an iterator pipeline here cost ~1 KB of wasm.
    let entries = Object::entries(map.unchecked_ref());
    for index in 0..entries.length() {
        let entry: js_sys::Array = entries.get(index).unchecked_into();
        let Some(key) = entry.get(0).as_string() else {
            continue;
        };
        let value = entry.get(1);
        // Numbers and booleans as JSON text, formatted by JS: no float formatting in the wasm.
        let text = value
            .as_string()
            .or_else(|| js_sys::JSON::stringify(&value).ok()?.as_string());
        if let Some(text) = text {
            pairs.push((key, text));
        }
    }
    pairs
}

fn invalid(message: &str) -> ErrorInfo {
    ErrorInfo::new(codes::INVALID_PARAMETER, 400, message)
}
