//! Values across the edge: core values (presence messages, batch results, tokens) as
//! plain JS objects. Structured values go through JSON text and the browser's
//! `JSON.parse`/`stringify`: the core already carries serde_json, so this adds no
//! serializer code to the wasm (serde-wasm-bindgen cost 5+ KB). Bytes become Uint8Array.

use super::error;
use crate::protocol::{Data, ErrorInfo, PresenceMessage};
use serde::Serialize;
use wasm_bindgen::JsValue;

/// A plain JS object for any serializable core value.
pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Core values are plain data: serialization cannot fail for them, and if it did,
    // `undefined` beats a panic.
    serde_json::to_string(value)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// A presence message as apps see it: `action` is the string ('enter', 'leave', …).
pub fn presence_to_js(message: &PresenceMessage) -> JsValue {
    let object = to_js(message);
    error::set(&object, "action", message.action.name().into());
    set_binary_data(&object, message.data.as_ref());
    object
}

/// JSON has no bytes: binary data goes back in as a Uint8Array.
pub fn set_binary_data(object: &JsValue, data: Option<&Data>) {
    if let Some(Data::Binary(bytes)) = data {
        error::set(
            object,
            "data",
            js_sys::Uint8Array::from(bytes.as_slice()).into(),
        );
    }
}

/// An array of presence messages.
pub fn presence_list_to_js(messages: &[PresenceMessage]) -> JsValue {
    messages
        .iter()
        .map(presence_to_js)
        .collect::<js_sys::Array>()
        .into()
}

/// A batch presence response body as `{ successCount, failureCount, results }`, each
/// result `{ channel, presence }` (data decoded) or `{ channel, error }`.
///
/// Walked as JSON rather than through `rest::decode_batch_presence`: its untagged enum
/// pulls serde's buffering deserializer into the wasm (about 15 KB); each member here
/// goes through the same PresenceMessage reader as a presence page.
pub fn batch_presence_to_js(body: &[u8]) -> Result<JsValue, ErrorInfo> {
    let malformed = || ErrorInfo::bad_request("malformed batch presence response");
    let response: serde_json::Value = serde_json::from_slice(body).map_err(|_| malformed())?;
    let reparse = |value: &serde_json::Value| serde_json::to_vec(value).unwrap_or_default();
    let mut results = Vec::new();
    for result in response
        .get("results")
        .and_then(|r| r.as_array())
        .ok_or_else(malformed)?
    {
        let object: JsValue = js_sys::Object::new().into();
        let channel = result
            .get("channel")
            .and_then(|c| c.as_str())
            .unwrap_or_default();
        error::set(&object, "channel", channel.into());
        if let Some(members) = result.get("presence").and_then(|p| p.as_array()) {
            let members: Vec<PresenceMessage> = members
                .iter()
                .map(|m| {
                    serde_json::from_slice::<PresenceMessage>(&reparse(m)).map(|m| m.decoded().0)
                })
                .collect::<Result<_, _>>()
                .map_err(|_| malformed())?;
            error::set(&object, "presence", presence_list_to_js(&members));
        }
        if let Some(failure) = result.get("error") {
            let failure: ErrorInfo =
                serde_json::from_slice(&reparse(failure)).map_err(|_| malformed())?;
            error::set(&object, "error", error::to_js(&failure));
        }
        results.push(object);
    }
    let object: JsValue = js_sys::Object::new().into();
    let count = |name: &str| {
        response
            .get(name)
            .and_then(|n| n.as_f64())
            .unwrap_or_default()
    };
    error::set(&object, "successCount", count("successCount").into());
    error::set(&object, "failureCount", count("failureCount").into());
    error::set(
        &object,
        "results",
        results.into_iter().collect::<js_sys::Array>().into(),
    );
    Ok(object)
}
