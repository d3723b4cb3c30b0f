//! Core events as the plain objects the JS wrapper dispatches: `{ type: 'connection' |
//! 'channel' | 'presence' | 'message' | 'reenterFailed', ... }`, with ably-js field names.

use super::convert::{set_binary_data, to_js as json_to_js};
use super::data::message_to_js;
use super::error::{set, to_js as error_to_js};
use crate::channel::ChannelState;
use crate::json::{WriteJson, Writer};
use crate::protocol::{AppPresence, Data, ErrorInfo, PresenceMessage};
use crate::realtime::Event;
use alloc::string::String;
use wasm_bindgen::JsValue;

/// A run of presence events as the wrapper dispatches them: `[{ type: 'presence',
/// channel, message }]`, written straight from the core's (channel, message) pairs.
struct PresenceEvents<'a>(&'a [(String, PresenceMessage)]);

impl WriteJson for PresenceEvents<'_> {
    fn write_json(&self, w: &mut Writer) {
        w.begin_array();
        for (channel, message) in self.0 {
            w.begin_object();
            w.key("type");
            w.string("presence");
            w.key("channel");
            w.string(channel);
            w.key("message");
            AppPresence(message.view()).write_json(w);
            w.end_object();
        }
        w.end_array();
    }
}

/// The JS objects for a run of presence events, made from one JSON text and one
/// `JSON.parse`: a SYNC page or a burst of updates crosses the boundary once, and stays
/// one array until it is delivered.
pub fn presence_events_to_js(events: &[(String, PresenceMessage)]) -> js_sys::Array {
    let list: js_sys::Array = json_to_js(&PresenceEvents(events)).into();
    for (index, (_, message)) in events.iter().enumerate() {
        if matches!(message.data, Some(Data::Binary(_))) {
            let event = list.get(index as u32);
            let object = js_sys::Reflect::get(&event, &"message".into()).unwrap_or_default();
            set_binary_data(&object, message.data.as_ref().map(Data::as_ref));
        }
    }
    list
}

/// The JS object for an event (`AuthRequired` and `Completed` are handled by the driver,
/// presence events in runs by `presence_events_to_js`).
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
