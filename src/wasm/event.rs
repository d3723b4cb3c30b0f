//! Core events as the plain objects the JS wrapper dispatches: `{ type: 'connection' |
//! 'channel' | 'presence' | 'message' | 'reenterFailed', ... }`, with ably-js field names.

use super::convert::presence_to_js;
use super::data::message_to_js;
use super::error::{set, to_js as error_to_js};
use crate::protocol::ErrorInfo;
use crate::realtime::Event;
use wasm_bindgen::JsValue;

/// The JS object for an event (`AuthRequired` and `Completed` are handled by the driver).
pub fn to_js(event: Event) -> JsValue {
    let object: JsValue = js_sys::Object::new().into();
    let put = |key: &str, value: JsValue| set(&object, key, value);
    match event {
        Event::ConnectionState(change) => {
            put("type", "connection".into());
            put("previous", change.previous.name().into());
            put("current", change.current.name().into());
            put("event", change.event.into());
            put("reason", reason(change.reason.as_ref()));
            if let Some(retry_in) = change.retry_in {
                put("retryIn", (retry_in as f64).into());
            }
        }
        Event::ChannelState { channel, change } => {
            put("type", "channel".into());
            put("channel", channel.into());
            put("previous", change.previous.name().into());
            put("current", change.current.name().into());
            put("event", change.event.into());
            put("resumed", change.resumed.into());
            put("reason", reason(change.reason.as_ref()));
        }
        Event::Presence { channel, message } => {
            put("type", "presence".into());
            put("channel", channel.into());
            put("message", presence_to_js(&message));
        }
        Event::Message { channel, message } => {
            put("type", "message".into());
            put("channel", channel.into());
            put("message", message_to_js(&message));
        }
        Event::PresenceReenterFailed { channel, error } => {
            put("type", "reenterFailed".into());
            put("channel", channel.into());
            put("reason", error_to_js(&error));
        }
        Event::AuthRequired | Event::Completed { .. } => {}
    }
    object
}

fn reason(error: Option<&ErrorInfo>) -> JsValue {
    error.map_or(JsValue::UNDEFINED, error_to_js)
}
