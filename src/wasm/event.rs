//! Core events as the plain objects the JS wrapper dispatches: `{ type: 'connection' |
//! 'channel' | 'presence' | 'message' | 'reenterFailed', ... }`, with ably-js field names
//! (a 'presence' one holds a run of `messages`).

use super::convert::presence_list;
use super::data::message_to_js;
use super::error::{set, to_js as error_to_js};
use crate::channel::ChannelState;
use crate::protocol::{ErrorInfo, PresenceView};
use crate::realtime::Event;
use wasm_bindgen::JsValue;

/// A run of presence events on one channel as the wrapper dispatches it: `{ type:
/// 'presence', channel, messages }`, the messages from one JSON text and one `JSON.parse`
/// (`convert::presence_list`): a SYNC page or a burst of updates crosses the boundary
/// once, and the wrapper is called once for the run, not once an event.
pub fn presence_run_to_js(channel: &str, messages: &[PresenceView]) -> JsValue {
    let object: JsValue = js_sys::Object::new().into();
    set(&object, "type", "presence".into());
    set(&object, "channel", channel.into());
    set(&object, "messages", presence_list(messages));
    object
}

/// The JS object for an event (`AuthRequired` and `Completed` are handled by the driver,
/// presence events in runs by `presence_run_to_js`).
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
            // As ably-js: on changes to attached (and updates) only.
            if change.current == ChannelState::Attached {
                put("hasBacklog", change.has_backlog.into());
            }
            put("reason", reason(change.reason.as_ref()));
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
        Event::AuthRequired | Event::Completed { .. } | Event::Presence { .. } => {}
    }
    object
}

fn reason(error: Option<&ErrorInfo>) -> JsValue {
    error.map_or(JsValue::UNDEFINED, error_to_js)
}
