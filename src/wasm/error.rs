//! `ErrorInfo` crossing to JS: an `Error` whose `name` is `ErrorInfo`, with `code`,
//! `statusCode`, `href` and `cause`, so `catch (e) { e.code }` works as with ably-js.

use crate::protocol::ErrorInfo;
use alloc::string::String;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

// Written in JS: helpers.js says why.
#[wasm_bindgen(module = "/src/wasm/helpers.js")]
extern "C" {
    /// An `Error` named `ErrorInfo` with `message`, printing as ably-js's do.
    #[wasm_bindgen(js_name = errorInfo)]
    fn error_info(message: &str) -> JsValue;
}

/// The JS `Error` for an `ErrorInfo`.
pub fn to_js(error: &ErrorInfo) -> JsValue {
    let value = error_info(&error.message);
    // None for none: an error an authCallback threw without them, passed on as ably-js.
    if error.code != 0 {
        set(&value, "code", error.code.into());
    }
    if error.status_code != 0 {
        set(&value, "statusCode", error.status_code.into());
    }
    if let Some(href) = &error.href {
        set(&value, "href", href.into());
    }
    if let Some(cause) = &error.cause {
        set(&value, "cause", to_js(cause));
    }
    value
}

/// An ErrorInfo as a rejected promise.
pub fn rejected(error: &ErrorInfo) -> js_sys::Promise {
    js_sys::Promise::reject(&to_js(error))
}

/// The text of whatever JS threw or rejected with: its `message`, or the value itself
/// if it is a string (for the detail of the error that wraps it).
pub fn message_of(value: &JsValue) -> String {
    js_sys::Reflect::get(value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| value.as_string())
        .unwrap_or_default()
}

/// Sets `object[key] = value`; a failure (frozen object) only loses a field.
pub fn set(object: &JsValue, key: &str, value: JsValue) {
    let _ = js_sys::Reflect::set(object, &key.into(), &value);
}
