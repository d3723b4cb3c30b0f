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
}
