//! `ProtocolMessage`: the unit of every realtime frame (TR4).

use super::{Action, ErrorInfo, Flags, Message, PresenceMessage};
use crate::text::push_u64;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// One realtime protocol message; one per WebSocket frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolMessage {
    /// What this message is.
    pub action: Action,
    /// Flag bits (HAS_PRESENCE, RESUMED, modes, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<Flags>,
    /// ACK/NACK: how many serials from `msgSerial` this covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// An error, on ERROR, NACK, DISCONNECTED, DETACHED, CONNECTED (failed resume) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// Message id (`connectionId:msgSerial`), or a ping id on HEARTBEAT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The channel this message belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Position on the channel; on SYNC, `<syncId>:<cursor>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_serial: Option<String>,
    /// The connection, on CONNECTED and on messages from the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// Legacy top-level connection key (read from connectionDetails nowadays).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_key: Option<String>,
    /// Serial of an ack-able client message; first serial covered by ACK/NACK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_serial: Option<u64>,
    /// Milliseconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// Channel messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
    /// Presence messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presence: Option<Vec<PresenceMessage>>,
    /// Channel params (ATTACH requested, ATTACHED granted) in wire order. Kept as pairs,
    /// not a map: nothing looks them up, and a map type costs 12 KB in the wasm. A key
    /// sent twice stays twice (whoever reads them takes the last, as JSON.parse would).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "params_map")]
    pub params: Option<Vec<(String, String)>>,
    /// In-band auth: the new token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthDetails>,
    /// On CONNECTED: the connection's details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_details: Option<ConnectionDetails>,
}

impl ProtocolMessage {
    /// A message with just an action; fill the rest with struct update syntax.
    // Not inlined: its sixteen fields' initialisation, copied into every caller, cost
    // more wasm than the call.
    #[inline(never)]
    pub fn new(action: Action) -> ProtocolMessage {
        ProtocolMessage {
            action,
            flags: None,
            count: None,
            error: None,
            id: None,
            channel: None,
            channel_serial: None,
            connection_id: None,
            connection_key: None,
            msg_serial: None,
            timestamp: None,
            messages: None,
            presence: None,
            params: None,
            auth: None,
            connection_details: None,
        }
    }

    /// A message with an action and a channel.
    pub fn for_channel(action: Action, channel: impl Into<String>) -> ProtocolMessage {
        ProtocolMessage::with_channel(action, channel.into())
    }

    /// `for_channel` past the conversion: one copy of the body for all callers' types.
    fn with_channel(action: Action, channel: String) -> ProtocolMessage {
        let mut msg = ProtocolMessage::new(action);
        msg.channel = Some(channel);
        msg
    }

    /// The flags, or none set.
    pub fn flags(&self) -> Flags {
        self.flags.unwrap_or_default()
    }

    /// Whether every bit of `flag` is set.
    pub fn has_flag(&self, flag: Flags) -> bool {
        self.flags().contains(flag)
    }

    /// Gives inner messages what they inherit from this one when absent (TP3a, TP3d,
    /// TP3g): `connectionId`, `timestamp`, and `id = <parent id>:<index>`.
    pub fn fill_inner_from_parent(&mut self) {
        let parent = Parent {
            id: self.id.as_deref(),
            connection_id: self.connection_id.as_deref(),
            timestamp: self.timestamp,
        };
        for (index, p) in self.presence.iter_mut().flatten().enumerate() {
            parent.fill(index, &mut p.id, &mut p.connection_id, &mut p.timestamp);
        }
        for (index, m) in self.messages.iter_mut().flatten().enumerate() {
            parent.fill(index, &mut m.id, &mut m.connection_id, &mut m.timestamp);
        }
    }
}

/// What an inner message inherits from its ProtocolMessage.
struct Parent<'a> {
    id: Option<&'a str>,
    connection_id: Option<&'a str>,
    timestamp: Option<u64>,
}

impl Parent<'_> {
    /// Fills the absent fields of the inner message at `index` (either kind: one copy).
    fn fill(
        &self,
        index: usize,
        id: &mut Option<String>,
        connection_id: &mut Option<String>,
        timestamp: &mut Option<u64>,
    ) {
        if id.is_none() {
            *id = self.id.map(|parent_id| child_id(parent_id, index));
        }
        if connection_id.is_none() {
            *connection_id = self.connection_id.map(str::to_owned);
        }
        if timestamp.is_none() {
            *timestamp = self.timestamp;
        }
    }
}

/// `<parent id>:<index>`, built without `format!` (this runs for every inner message).
fn child_id(parent_id: &str, index: usize) -> String {
    let mut id = String::with_capacity(parent_id.len() + 4);
    id.push_str(parent_id);
    id.push(':');
    push_u64(&mut id, index as u64);
    id
}

/// `params` as a map for serde (msgpack), pairs kept in wire order.
mod params_map {
    use alloc::string::String;
    use alloc::vec::Vec;
    use core::fmt;
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    type Params = Option<Vec<(String, String)>>;

    pub fn serialize<S: Serializer>(params: &Params, s: S) -> Result<S::Ok, S::Error> {
        let pairs = params.as_deref().unwrap_or_default();
        let mut map = s.serialize_map(Some(pairs.len()))?;
        for (key, value) in pairs {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Params, D::Error> {
        d.deserialize_option(OptionalMap)
    }

    struct OptionalMap;

    impl<'de> Visitor<'de> for OptionalMap {
        type Value = Params;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of strings or null")
        }

        fn visit_none<E>(self) -> Result<Params, E> {
            Ok(None)
        }

        fn visit_unit<E>(self) -> Result<Params, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Params, D::Error> {
            d.deserialize_map(OptionalMap)
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Params, A::Error> {
            let mut pairs = Vec::new();
            while let Some(pair) = map.next_entry::<String, String>()? {
                pairs.push(pair);
            }
            Ok(Some(pairs))
        }
    }
}

/// `auth` of an AUTH message (AD2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthDetails {
    /// The token (Ably token or JWT).
    pub access_token: String,
}

/// `connectionDetails` of a CONNECTED message (CD2).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionDetails {
    /// The clientId the server resolved for this connection (`*` = any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The key to resume this connection with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_key: Option<String>,
    /// Largest message the server accepts, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_size: Option<u64>,
    /// Largest frame the server accepts, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_frame_size: Option<u64>,
    /// Messages per second the server accepts from this connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_inbound_rate: Option<u64>,
    /// Longest server silence, in ms, before the client should assume the link is dead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_idle_interval: Option<u64>,
    /// How long, in ms, the server keeps a dropped connection resumable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_state_ttl: Option<u64>,
    /// Which server this is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
}
