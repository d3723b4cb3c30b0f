//! App data and channel messages from JS into the core's types, and messages back.

use super::convert::{set_binary_data, to_js};
use super::options::{field, string_field};
use crate::protocol::{codes, AppMessage, Data, ErrorInfo, Message};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

// Written in JS: helpers.js says why.
#[wasm_bindgen(module = "/src/wasm/helpers.js")]
extern "C" {
    /// An ArrayBuffer's bytes, or a view's own (whatever its element type: a Uint8Array
    /// over its window); for any other value, whether it goes as JSON (a boolean).
    #[wasm_bindgen(js_name = dataKind)]
    pub(super) fn data_kind(value: &JsValue) -> JsValue;
}

/// App data from JS: strings stay strings, ArrayBuffer/typed arrays become bytes, arrays
/// and plain objects become JSON; `undefined`/`null` mean no data; anything else is 40013.
pub fn data_from_js(value: &JsValue) -> Result<Option<Data>, ErrorInfo> {
    if value.is_null_or_undefined() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(Data::String(text)));
    }
    // As ably-js (RSL4a): numbers, booleans, functions and objects other than plain ones
    // (a Date, Map, Set, Error, boxed string) are refused; arrays and plain objects go as
    // JSON.
    let kind = data_kind(value);
    match kind.as_bool() {
        Some(true) => json_data(value),
        Some(false) => Err(unsupported()),
        None => Ok(Some(Data::Binary(
            kind.unchecked_into::<js_sys::Uint8Array>().to_vec(),
        ))),
    }
}

/// `value` as JSON data (40013 if JSON has no text for it, as for a function).
fn json_data(value: &JsValue) -> Result<Option<Data>, ErrorInfo> {
    // JSON.stringify gives the text the wire carries; the core never builds a value tree.
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|text| text.as_string())
        .ok_or_else(unsupported)?;
    Data::from_json_text(text).map(Some)
}

/// A message from JS `{ name, data, extras, id, clientId }` (`publish(name, data)` made
/// one), as ably-js sends it: `extras` of any JSON value as JSON (40013 for one JSON has no text for, as a
/// function; ably-js throws a TypeError). A name other than a string is refused with
/// 40013, as ably-js refuses publish(5, data) (its `{ name: 5 }` goes out, and the server
/// fails the connection).
pub fn message_from_js(message: &JsValue) -> Result<Message, ErrorInfo> {
    let extras = match field(message, "extras") {
        Some(extras) => match json_data(&extras)? {
            Some(Data::Json(extras)) => Some(extras),
            _ => None,
        },
        None => None,
    };
    let name = string_field(message, "name");
    if name.is_none() && field(message, "name").is_some() {
        return Err(unsupported());
    }
    Ok(Message {
        name,
        data: data_from_js(&field(message, "data").unwrap_or(JsValue::NULL))?,
        extras,
        // As ably-js: sent as given, for the server to check (40012 for another
        // clientId than the connection's, unless its token's is `*`).
        id: string_field(message, "id"),
        client_id: string_field(message, "clientId"),
        ..Message::default()
    })
}

/// A channel message as apps see it (`AppMessage`).
pub fn message_to_js(message: &Message) -> JsValue {
    let object = to_js(&AppMessage(message));
    set_binary_data(&object, message.data.as_ref().map(Data::as_ref));
    object
}

/// 40013: data, extras or a name of a type the wire cannot carry.
fn unsupported() -> ErrorInfo {
    ErrorInfo::new(
        codes::INVALID_DATA_OR_ENCODING,
        400,
        "data must be a string, binary or JSON-serialisable, and a name must be a string",
    )
}
