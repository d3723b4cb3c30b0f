//! `ErrorInfo` crossing to JS: an `Error` whose `name` is `ErrorInfo`, with `code`,
//! `statusCode` and `href`, so `catch (e) { e.code }` works as with ably-js.

use crate::protocol::ErrorInfo;
use wasm_bindgen::JsValue;

/// The JS `Error` for an `ErrorInfo`.
pub fn to_js(error: &ErrorInfo) -> JsValue {
    let value = JsValue::from(js_sys::Error::new(&error.message));
    // Through Reflect like the other fields: no import of its own for `name`.
    set(&value, "name", "ErrorInfo".into());
    set(&value, "code", error.code.into());
    set(&value, "statusCode", error.status_code.into());
    if let Some(href) = &error.href {
        set(&value, "href", href.into());
    }
    value
}

/// An `ErrorInfo` from whatever JS threw or rejected with (an ErrorInfo-like object keeps
/// its code; anything else becomes `fallback` with the thrown value's text).
pub fn from_js(value: &JsValue, fallback: impl Fn(String) -> ErrorInfo) -> ErrorInfo {
    let code = get_number(value, "code");
    let message = js_sys::Reflect::get(value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| value.as_string())
        .unwrap_or_default();
    match code {
        Some(code) if code > 0.0 => {
            let status = get_number(value, "statusCode").unwrap_or(500.0);
            ErrorInfo::new(code as u32, status as u16, message)
        }
        _ => fallback(message),
    }
}

/// Sets `object[key] = value`; a failure (frozen object) only loses a field.
pub fn set(object: &JsValue, key: &str, value: JsValue) {
    let _ = js_sys::Reflect::set(object, &key.into(), &value);
}

fn get_number(object: &JsValue, key: &str) -> Option<f64> {
    if !object.is_object() {
        return None;
    }
    js_sys::Reflect::get(object, &key.into()).ok()?.as_f64()
}
