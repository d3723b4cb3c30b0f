//! `Message`: a channel message, so apps (the chat demo) can publish alongside presence.

use super::Data;
use crate::json::JsonText;
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// A channel message as on the wire (TM2).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Unique id, `connectionId:msgSerial:index` when sent by a client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The event name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The payload, encoded as `encoding` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Data>,
    /// Transforms applied to `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// The publisher's clientId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The publisher's connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// Milliseconds since the epoch, set by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// Opaque metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extras: Option<JsonText>,
    /// The server's unique, ordered id for the message (TM2r).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// What the message does, by its wire number (TM2j, TM5); absent is a create.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<u64>,
    /// The message's latest version, as the server sends it (TM2s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<JsonText>,
    /// The summary of the message's annotations, as the server sends it (TM2u).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<JsonText>,
}

/// Message actions by wire number as apps see them (TM5, ably-js's names).
const ACTION_NAMES: [&str; 6] = [
    "message.create",
    "message.update",
    "message.delete",
    "meta",
    "message.summary",
    "message.append",
];

impl Message {
    /// The wire number of `message.create`, what a publish is.
    pub const CREATE: u64 = 0;

    /// The action's name for apps: absent is `message.create` (TM2j), a number this
    /// build does not know `unknown`, as in ably-js.
    pub fn action_name(&self) -> &'static str {
        let number = self.action.unwrap_or(Message::CREATE);
        usize::try_from(number)
            .ok()
            .and_then(|n| ACTION_NAMES.get(n))
            .copied()
            .unwrap_or("unknown")
    }
}
