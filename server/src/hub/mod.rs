//! The hub: every connection and channel of this server, and the authoritative presence
//! set of each channel. All methods run under one lock and never block; frames for
//! sockets go out through each connection's queue.

mod budget;
#[cfg(test)]
mod budget_tests;
mod channel;
mod connection;
#[cfg(test)]
mod format_tests;
mod history;
mod limits;
mod members;
#[cfg(test)]
mod members_tests;
mod outbox;
mod presence;
mod recent_ids;
mod replay;
mod size;
mod sync;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;

pub use channel::Channel;
pub use connection::Conn;
pub use history::HistoryLimits;
pub use limits::{check_client_id, Limits};
pub use members::MemberKey;
pub use outbox::{outbox, Outbound, Rx, Tx};
pub use replay::ReplayLimits;
pub use sync::SyncToken;

use crate::wire;
use budget::Budget;
use replay::Audience;
use roster::protocol::{encode_json, Format, ProtocolMessage};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;
use tungstenite::{Bytes, Utf8Bytes};

/// Limits and defaults that shape what the hub does.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Members per SYNC page at most.
    pub sync_page_size: usize,
    /// About how many bytes of members a SYNC page holds at most (a single larger
    /// member has a page of its own).
    pub sync_page_bytes: usize,
    /// Largest accepted data, in bytes.
    pub max_message_size: usize,
    /// How much presence history each channel keeps.
    pub history: HistoryLimits,
    /// How much one client can make the hub hold.
    pub limits: Limits,
    /// Which server this is (`serverId`, and the prefix of synthesized ids).
    pub server_id: String,
    /// How much of its fanned-out frames each channel keeps for resumed connections.
    pub replay: ReplayLimits,
}

/// The channel, created if it does not exist: only for operations that put something in
/// it (an attachment, a member); the others look it up and call `Hub::release` after. A
/// function of the map alone, so the hub's budgets can be borrowed alongside.
fn channel_entry<'a>(channels: &'a mut HashMap<Arc<str>, Channel>, name: &str) -> &'a mut Channel {
    channels
        .entry(name.into())
        .or_insert_with_key(|name| Channel::new(name.clone()))
}

/// Every connection and channel.
pub struct Hub {
    /// The configuration.
    pub config: HubConfig,
    connections: HashMap<String, Conn>,
    by_key: HashMap<String, String>,
    /// Keyed by the name each channel also holds (`Channel::name`), one allocation.
    channels: HashMap<Arc<str>, Channel>,
    /// Channels kept only by their presence history, by when that history has aged out
    /// (an entry counts only while it matches `Channel::sweep_at`), under the channel's
    /// own name (shared, not copied).
    expiring: BinaryHeap<Reverse<(u64, Arc<str>)>>,
    /// Presence history across channels, within `HistoryLimits::total_bytes`.
    history_budget: Budget,
    /// Replay frames across channels, within `ReplayLimits::total_bytes`.
    replay_budget: Budget,
    synthesized: u64,
    /// Counts the SYNCs started, so each has an epoch of its own (`SyncToken`).
    sync_epoch: u64,
}

impl Hub {
    /// An empty hub.
    pub fn new(config: HubConfig) -> Hub {
        Hub {
            history_budget: Budget::new(config.history.total_bytes),
            replay_budget: Budget::new(config.replay.total_bytes),
            config,
            connections: HashMap::new(),
            by_key: HashMap::new(),
            channels: HashMap::new(),
            expiring: BinaryHeap::new(),
            synthesized: 0,
            sync_epoch: 0,
        }
    }

    /// The connection with this id.
    pub fn connection(&self, conn_id: &str) -> Option<&Conn> {
        self.connections.get(conn_id)
    }

    /// How many channels the hub holds.
    #[cfg(test)]
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Drops what nothing needs any more after an operation on `name`: the replay log
    /// once no attachment can resume from it, and the channel itself once it has no
    /// attachments and no members. A channel kept only by presence history is queued
    /// for `sweep` to drop when that history ages out.
    fn release(&mut self, name: &str, now: u64) {
        let Some(channel) = self.channels.get_mut(name) else {
            return;
        };
        if !channel.subscribers.is_empty() {
            return;
        }
        // Only a kept attachment resumes (channel::continuity), and none is left.
        channel
            .replay
            .clear(self.replay_budget.ledger(&channel.name));
        if !channel.members.is_empty() {
            return;
        }
        let history_limits = self.config.history;
        let ledger = self.history_budget.ledger(&channel.name);
        channel.history.push(&[], now, history_limits, ledger);
        let Some(newest) = channel.history.newest() else {
            self.channels.remove(name);
            return;
        };
        if channel.sweep_at.is_none() {
            // What is left is no older than `now - retention`: this is strictly after `now`,
            // so a sweep never takes the entry it queues again.
            let aged_out = newest.timestamp.unwrap_or(now) + history_limits.retention + 1;
            channel.sweep_at = Some(aged_out);
            self.expiring
                .push(Reverse((aged_out, Arc::clone(&channel.name))));
        }
    }

    /// Drops the channels kept only by presence history that has aged out by `now`.
    /// Run periodically; costs nothing when no such channel is due.
    pub fn sweep(&mut self, now: u64) {
        while self
            .expiring
            .peek()
            .is_some_and(|Reverse((due, _))| *due <= now)
        {
            let Some(Reverse((due, name))) = self.expiring.pop() else {
                break;
            };
            // An entry left by an earlier channel of the same name is not this one's.
            if let Some(channel) = self
                .channels
                .get_mut(&name)
                .filter(|c| c.sweep_at == Some(due))
            {
                channel.sweep_at = None;
                self.release(&name, now);
            }
        }
    }

    /// Sends one message to one connection in its format, if it has a transport.
    pub fn send(&self, conn_id: &str, msg: &ProtocolMessage) {
        if let Some((conn, tx)) = self.transport(conn_id) {
            tx.send(wire::frame(conn.format, msg));
        }
    }

    /// Sends a frame the hub encoded as JSON (a replayed one) to one connection in its
    /// format, if it has a transport.
    fn send_json_frame(&self, conn_id: &str, frame: Utf8Bytes) {
        if let Some((conn, tx)) = self.transport(conn_id) {
            tx.send(wire::transcode(conn.format, frame));
        }
    }

    /// The connection and its transport's queue, if it has a transport.
    fn transport(&self, conn_id: &str) -> Option<(&Conn, &Tx)> {
        let conn = self.connections.get(conn_id)?;
        Some((conn, conn.tx.as_ref()?))
    }

    /// Stamps `msg` with the channel's next serial, keeps the encoded frame in the
    /// channel's replay log and sends it to every connection `audience` includes. The
    /// frame is encoded once as JSON, its bytes shared between JSON recipients and the
    /// log, not copied; and once as msgpack, shared alike, only if a recipient speaks it.
    fn broadcast(&mut self, name: &str, mut msg: ProtocolMessage, audience: Audience, now: u64) {
        let limits = self.config.replay;
        let connections = &self.connections;
        // One lookup: the channel is borrowed apart from the connections it sends to. A
        // message to a channel that does not exist has nobody to go to.
        let Some(channel) = self.channels.get_mut(name) else {
            return;
        };
        channel.serial += 1;
        msg.channel_serial = Some(replay::serial_text(channel.serial));
        let frame: Utf8Bytes = encode_json(&msg).into();
        let mut msgpack: Option<Bytes> = None;
        let mut send = |conn: &Conn| {
            if let Some(tx) = &conn.tx {
                tx.send(match conn.format {
                    Format::Json => Outbound::Text(frame.clone()),
                    Format::Msgpack => {
                        Outbound::Binary(msgpack.get_or_insert_with(|| wire::msgpack(&msg)).clone())
                    }
                });
            }
        };
        for (conn_id, (modes, _)) in &channel.subscribers {
            if let Some(conn) = connections
                .get(conn_id)
                .filter(|c| audience.includes(conn_id, *modes, c.echo))
            {
                send(conn);
            }
        }
        // A client's presence goes back to it even when it entered without attaching.
        if let Audience::Presence { sender } = &audience {
            if let Some(conn) = connections
                .get(&**sender)
                .filter(|_| !channel.subscribers.contains_key(&**sender))
            {
                send(conn);
            }
        }
        // Only attachments resume; with none, no one will ask for this frame again.
        if !channel.subscribers.is_empty() {
            let ledger = self.replay_budget.ledger(&channel.name);
            channel
                .replay
                .push(channel.serial, now, frame, audience, limits, ledger);
        }
    }

    /// An id no connection's id is a prefix of, for messages the server makes up.
    fn synthesized_id(&mut self) -> String {
        self.synthesized += 1;
        format!("!{}-{}:0:0", self.config.server_id, self.synthesized)
    }
}
