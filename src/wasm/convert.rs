//! Values across the edge: core values (presence messages, tokens) as plain JS objects.
//! Structured values go through JSON text written by the core's codec and the browser's
//! `JSON.parse`: one crossing per value, and no serializer of its own in the wasm
//! (serde-wasm-bindgen cost 5+ KB). Bytes become an ArrayBuffer.

use super::error;
use crate::json::{self, WriteJson};
use crate::protocol::{AppPresenceList, DataRef, PresenceMessage, PresenceView};
use alloc::vec::Vec;
use wasm_bindgen::{JsCast, JsValue};

/// A plain JS object for any core value with a JSON form. Takes a trait object: one
/// copy of this and of the JSON writer's setup serves every value type.
pub fn to_js(value: &dyn WriteJson) -> JsValue {
    // The codec writes valid JSON; should the browser still refuse it, `undefined`
    // beats a panic.
    js_sys::JSON::parse(&json::to_string(value)).unwrap_or(JsValue::UNDEFINED)
}

/// Presence messages per JSON text: a text of about 16 KB, so that a 10,000-member
/// `get()` does not grow the wasm memory (which never shrinks) for good by the text and
/// its views (500 a text held 160 KB more at the high-water mark), in 100 crossings.
pub const LIST_CHUNK: usize = 100;

/// One JS array of `items`, converted by `convert` `LIST_CHUNK` at a time (each chunk a
/// JS array) and flattened once.
pub fn in_chunks<T>(items: &[T], convert: impl Fn(&[T]) -> JsValue) -> JsValue {
    let parts = js_sys::Array::new();
    for chunk in items.chunks(LIST_CHUNK) {
        parts.push(&convert(chunk));
    }
    parts.flat(1).into()
}

/// An array of presence messages as apps see them (see `presence_list`).
pub fn presence_list_to_js(messages: &[PresenceMessage]) -> JsValue {
    in_chunks(messages, |chunk| {
        let views: Vec<PresenceView> = chunk.iter().map(PresenceMessage::view).collect();
        presence_list(&views)
    })
}

/// Appends presence messages (at most `LIST_CHUNK`) as apps see them to `parts` as one
/// array (`presence_list`). The caller flattens `parts` once, at the end.
pub fn push_presence_list(parts: &js_sys::Array, messages: &[PresenceView]) {
    parts.push(&presence_list(messages));
}

/// Presence messages (at most `LIST_CHUNK`) as apps see them, as one array from one JSON
/// text and one `JSON.parse`.
pub fn presence_list(messages: &[PresenceView]) -> JsValue {
    let list: js_sys::Array = to_js(&AppPresenceList(messages)).unchecked_into();
    for (index, message) in messages.iter().enumerate() {
        if matches!(message.data, Some(DataRef::Binary(_))) {
            set_binary_data(&list.get(index as u32), message.data);
        }
    }
    list.into()
}

/// JSON has no bytes: binary data goes back in as an ArrayBuffer, as ably-js gives it in
/// browsers.
pub fn set_binary_data(object: &JsValue, data: Option<DataRef>) {
    if let Some(DataRef::Binary(bytes)) = data {
        error::set(
            object,
            "data",
            js_sys::Uint8Array::from(bytes).buffer().into(),
        );
    }
}
