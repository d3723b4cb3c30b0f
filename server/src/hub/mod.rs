//! The hub: every connection and channel of this server, and the authoritative presence
//! set of each channel. All methods run under one lock and never block; frames for
//! sockets go out through each connection's queue.

mod channel;
mod connection;
mod presence;

pub use channel::Channel;
pub use connection::{Conn, Outbound, Tx};

use axum::extract::ws::Utf8Bytes;
use roster::protocol::{encode_json, ProtocolMessage};
use std::collections::HashMap;

/// Limits and defaults that shape what the hub does.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Members per SYNC page.
    pub sync_page_size: usize,
    /// Largest accepted data, in bytes.
    pub max_message_size: usize,
    /// How long presence history is kept, in ms.
    pub history_retention: u64,
    /// Which server this is (`serverId`, and the prefix of synthesized ids).
    pub server_id: String,
}

/// Every connection and channel.
pub struct Hub {
    /// The configuration.
    pub config: HubConfig,
    connections: HashMap<String, Conn>,
    by_key: HashMap<String, String>,
    channels: HashMap<String, Channel>,
    synthesized: u64,
}

impl Hub {
    /// An empty hub.
    pub fn new(config: HubConfig) -> Hub {
        Hub {
            config,
            connections: HashMap::new(),
            by_key: HashMap::new(),
            channels: HashMap::new(),
            synthesized: 0,
        }
    }

    /// The connection with this id.
    pub fn connection(&self, conn_id: &str) -> Option<&Conn> {
        self.connections.get(conn_id)
    }

    fn channel_mut(&mut self, name: &str) -> &mut Channel {
        self.channels.entry(name.to_owned()).or_default()
    }

    /// Sends one message to one connection, if it has a transport.
    pub fn send(&self, conn_id: &str, msg: &ProtocolMessage) {
        if let Some(tx) = self.connections.get(conn_id).and_then(|c| c.tx.as_ref()) {
            let _ = tx.send(Outbound::Text(encode_json(msg).into()));
        }
    }

    /// Sends one encoded frame to each of `recipients` (connection ids) that has a
    /// transport; the frame's bytes are shared, not copied.
    fn fan_out<'a>(&self, frame: Utf8Bytes, recipients: impl Iterator<Item = &'a str>) {
        for conn_id in recipients {
            if let Some(tx) = self.connections.get(conn_id).and_then(|c| c.tx.as_ref()) {
                let _ = tx.send(Outbound::Text(frame.clone()));
            }
        }
    }

    /// An id no connection's id is a prefix of, for messages the server makes up.
    fn synthesized_id(&mut self) -> String {
        self.synthesized += 1;
        format!("!{}-{}:0:0", self.config.server_id, self.synthesized)
    }
}
