//! App data and channel messages from JS into the core's types, and messages back.

use super::convert::{set_binary_data, to_js};
use super::options::{field, number_field, string_field};
use crate::protocol::{codes, AppMessage, Data, ErrorInfo, Message};
use wasm_bindgen::{JsCast, JsValue};

/// App data from JS: strings stay strings, ArrayBuffer/typed arrays become bytes, objects
/// and arrays become JSON; `undefined`/`null` mean no data; anything else is 40013.
pub fn data_from_js(value: &JsValue) -> Result<Option<Data>, ErrorInfo> {
    if value.is_null_or_undefined() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(Data::String(text)));
    }
    if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        return Ok(Some(Data::Binary(js_sys::Uint8Array::new(buffer).to_vec())));
    }
    if js_sys::ArrayBuffer::is_view(value) {
        // The view's own bytes, whatever its element type: a Uint8Array over its window.
        let buffer = field(value, "buffer").ok_or_else(unsupported)?;
        let offset = number_field(value, "byteOffset");
        let length = number_field(value, "byteLength");
        let (Some(offset), Some(length)) = (offset, length) else {
            return Err(unsupported());
        };
        let view = js_sys::Uint8Array::new_with_byte_offset_and_length(
            &buffer,
            offset as u32,
            length as u32,
        );
        return Ok(Some(Data::Binary(view.to_vec())));
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
