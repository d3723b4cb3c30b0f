//! Values across the edge: core values (presence messages, batch results, tokens) as
//! plain JS objects. Structured values go through JSON text and the browser's
//! `JSON.parse`/`stringify`: the core already carries serde_json, so this adds no
//! serializer code to the wasm (serde-wasm-bindgen cost 5+ KB). Bytes become Uint8Array.

use super::error;
use crate::protocol::{Data, ErrorInfo, PresenceMessage};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
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

/// An array of presence messages as apps see them, from one JSON text and one
/// `JSON.parse`: a 10,000-member `get()` or SYNC crosses the boundary once, not per member.
pub fn presence_list_to_js(messages: &[PresenceMessage]) -> JsValue {
    let list = to_js(&messages.iter().map(AppPresence).collect::<Vec<_>>());
    for (index, message) in messages.iter().enumerate() {
        if matches!(message.data, Some(Data::Binary(_))) {
            let item = js_sys::Reflect::get_u32(&list, index as u32).unwrap_or_default();
            set_binary_data(&item, message.data.as_ref());
        }
    }
    list
}

/// A presence message serialized for apps: the action by name, binary data left for
/// `set_binary_data`, every other field as on the wire.
pub struct AppPresence<'a>(pub &'a PresenceMessage);

impl Serialize for AppPresence<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.0;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("action", m.action.name())?;
        if let Some(id) = &m.id {
            map.serialize_entry("id", id)?;
        }
        if let Some(client_id) = &m.client_id {
            map.serialize_entry("clientId", client_id)?;
        }
        if let Some(connection_id) = &m.connection_id {
            map.serialize_entry("connectionId", connection_id)?;
        }
        if let Some(data) = m.data.as_ref().filter(|d| !matches!(d, Data::Binary(_))) {
            map.serialize_entry("data", data)?;
        }
        if let Some(encoding) = &m.encoding {
            map.serialize_entry("encoding", encoding)?;
        }
        if let Some(timestamp) = m.timestamp {
            map.serialize_entry("timestamp", &timestamp)?;
        }
        if let Some(extras) = &m.extras {
            map.serialize_entry("extras", extras)?;
        }
        map.end()
    }
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
