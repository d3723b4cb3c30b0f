//! App data and channel messages from JS into the core's types, and messages back.

use super::convert::{set_binary_data, to_js};
use super::options::{field, string_field};
use crate::protocol::{codes, AppMessage, Data, ErrorInfo, Message};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

// One import for both kinds of binary data, where asking `instanceof ArrayBuffer`,
// `ArrayBuffer.isView` and a view's three fields took an import (and its glue) each.
#[wasm_bindgen(inline_js = "export function bytesOf(value) {
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) {
        return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
}")]
extern "C" {
    /// An ArrayBuffer's bytes, or a view's own (whatever its element type: a Uint8Array
    /// over its window); none for any other value.
    #[wasm_bindgen(js_name = bytesOf)]
    fn bytes_of(value: &JsValue) -> Option<js_sys::Uint8Array>;
}

/// App data from JS: strings stay strings, ArrayBuffer/typed arrays become bytes, objects
/// and arrays become JSON; `undefined`/`null` mean no data; anything else is 40013.
pub fn data_from_js(value: &JsValue) -> Result<Option<Data>, ErrorInfo> {
    if value.is_null_or_undefined() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(Data::String(text)));
    }
    if let Some(bytes) = bytes_of(value) {
        return Ok(Some(Data::Binary(bytes.to_vec())));
    }
    // As ably-js (RSL4a): numbers, booleans and functions are refused; objects and arrays
    // go as JSON.
    if !value.is_object() {
        return Err(unsupported());
    }
    // JSON.stringify gives the text the wire carries; the core never builds a value tree.
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(unsupported)?;
    Data::from_json_text(text).map(Some)
}

/// A message from JS `{ name, data, extras }` (`publish(name, data)` made one): `extras`,
/// an object, go as JSON, as ably-js sends them.
pub fn message_from_js(message: &JsValue) -> Result<Message, ErrorInfo> {
    let member = |name| field(message, name).unwrap_or(JsValue::NULL);
    let extras = match data_from_js(&member("extras"))? {
        Some(Data::Json(extras)) => Some(extras),
        _ => None,
    };
    Ok(Message {
        name: string_field(message, "name"),
        data: data_from_js(&member("data"))?,
        extras,
        ..Message::default()
    })
}

/// A channel message as apps see it (`AppMessage`).
pub fn message_to_js(message: &Message) -> JsValue {
    let object = to_js(&AppMessage(message));
    set_binary_data(&object, message.data.as_ref().map(Data::as_ref));
    object
}

fn unsupported() -> ErrorInfo {
    ErrorInfo::new(
        codes::INVALID_DATA_OR_ENCODING,
        400,
        "data must be a string, binary, or a JSON-serialisable value",
    )
}
