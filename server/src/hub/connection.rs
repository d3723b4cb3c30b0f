//! Connections: created on connect, kept resumable after a dropped transport, their
//! members removed after `remainPresentFor` and the state after `connectionStateTtl`.

use super::{Hub, Outbound, Tx};
use crate::auth::Identity;
use crate::state::random_text;
use roster::protocol::{codes, ErrorInfo, Format};
use std::collections::{HashMap, HashSet};

/// One realtime connection, with or without a live transport.
#[derive(Debug)]
pub struct Conn {
    /// `connectionId`.
    pub id: String,
    /// `connectionKey` (resume with it).
    pub key: String,
    /// Who it is and what it may do.
    pub identity: Identity,
    /// Whether it receives its own channel messages.
    pub echo: bool,
    /// The wire format of its transport (a resume may change it).
    pub format: Format,
    /// How long its members stay after its transport drops, in ms.
    pub remain_present_for: u64,
    /// The live transport's queue; `None` while disconnected.
    pub tx: Option<Tx>,
    /// Counts transports, so a timer set for one can tell whether it still applies.
    pub generation: u64,
    /// Serials below this were already handled (resent ones are acknowledged again).
    pub next_serial: u64,
    /// Channels it is attached to or has members on (what its end must clean up).
    pub channels: HashSet<String>,
    /// The epoch of the SYNC under way on each channel (`SyncToken`): a token of another
    /// epoch, or for a channel not here, is stale.
    pub(super) syncs: HashMap<String, u64>,
    /// How many members it holds across its channels, for the per-connection limit
    /// (counted as they enter and leave, so the check does not count them each time).
    pub(super) member_count: usize,
    /// The bytes (`limits::held_size`) of the members it holds across its channels, for
    /// the per-connection limit, kept in step as `member_count` is.
    pub(super) held_bytes: usize,
}

/// The outcome of a connect: the connection to use, and why a resume failed if it did.
pub struct Connected {
    /// The connection's id.
    pub conn_id: String,
    /// Its (new) key.
    pub key: String,
    /// Its transport generation.
    pub generation: u64,
    /// Whether an earlier connection was resumed.
    pub resumed: bool,
    /// Why the requested resume could not be honoured.
    pub error: Option<ErrorInfo>,
}

impl Hub {
    /// Opens a connection, or resumes the one `resume` names if it is still held and
    /// belongs to the same clientId; its transport speaks `format`.
    pub fn connect(
        &mut self,
        identity: Identity,
        echo: bool,
        format: Format,
        remain_present_for: u64,
        resume: Option<&str>,
        tx: Tx,
    ) -> Connected {
        if let Some(old_key) = resume {
            let conn_id = self.by_key.get(old_key).cloned();
            if let Some(conn) = conn_id.and_then(|id| self.connections.get_mut(&id)) {
                if conn.identity.client_id == identity.client_id {
                    if let Some(old_tx) = conn.tx.replace(tx) {
                        old_tx.send(Outbound::Close);
                    }
                    conn.generation += 1;
                    conn.identity = identity;
                    conn.echo = echo;
                    conn.format = format;
                    conn.remain_present_for = remain_present_for;
                    return Connected {
                        conn_id: conn.id.clone(),
                        key: conn.key.clone(),
                        generation: conn.generation,
                        resumed: true,
                        error: None,
                    };
                }
            }
        }
        let id = random_text(10);
        let key = format!("{id}!{}", random_text(16));
        let error = resume.map(|_| {
            ErrorInfo::new(
                codes::UNABLE_TO_RECOVER,
                400,
                "unable to recover connection: not found or expired",
            )
        });
        self.by_key.insert(key.clone(), id.clone());
        self.connections.insert(
            id.clone(),
            Conn {
                id: id.clone(),
                key: key.clone(),
                identity,
                echo,
                format,
                remain_present_for,
                tx: Some(tx),
                generation: 0,
                next_serial: 0,
                channels: HashSet::new(),
                syncs: HashMap::new(),
                member_count: 0,
                held_bytes: 0,
            },
        );
        Connected {
            conn_id: id,
            key,
            generation: 0,
            resumed: false,
            error,
        }
    }

    /// The transport of generation `generation` went away without a CLOSE.
    pub fn transport_lost(&mut self, conn_id: &str, generation: u64) {
        if let Some(conn) = self.connections.get_mut(conn_id) {
            if conn.generation == generation {
                conn.tx = None;
            }
        }
    }

    /// `remainPresentFor` passed since the transport dropped: if it was not resumed,
    /// its members leave (synthesized LEAVEs). Its attachments stay until
    /// `connectionStateTtl`, so a later resume still catches up on its channels.
    pub fn expire_members(&mut self, conn_id: &str, generation: u64, now: u64) {
        let Some(conn) = self.connections.get(conn_id) else {
            return;
        };
        if conn.generation != generation || conn.tx.is_some() {
            return;
        }
        let channels: Vec<String> = conn.channels.iter().cloned().collect();
        for channel in channels {
            self.leave_all(&channel, conn_id, now);
            self.settle(conn_id, &channel, now);
        }
    }

    /// `connectionStateTtl` passed since the transport dropped: forget the connection.
    pub fn expire_connection(&mut self, conn_id: &str, generation: u64, now: u64) {
        let expired = self
            .connections
            .get(conn_id)
            .is_some_and(|c| c.generation == generation && c.tx.is_none());
        if expired {
            self.remove_connection(conn_id, now);
        }
    }

    /// CLOSE: the connection ends now and its members leave at once.
    pub fn close(&mut self, conn_id: &str, now: u64) {
        self.remove_connection(conn_id, now);
    }

    fn remove_connection(&mut self, conn_id: &str, now: u64) {
        let Some(conn) = self.connections.get(conn_id) else {
            return;
        };
        let channels: Vec<String> = conn.channels.iter().cloned().collect();
        for channel in channels {
            self.leave_all(&channel, conn_id, now);
            if let Some(state) = self.channels.get_mut(channel.as_str()) {
                state.subscribers.remove(conn_id);
            }
            self.release(&channel, now);
        }
        if let Some(conn) = self.connections.remove(conn_id) {
            self.by_key.remove(&conn.key);
        }
    }
}

impl Hub {
    /// After `conn_id`'s members or attachment on `name` changed: the connection stops
    /// tracking a channel where it is neither attached nor present, and the channel goes
    /// if nothing else needs it.
    pub(super) fn settle(&mut self, conn_id: &str, name: &str, now: u64) {
        let involved = self.channels.get(name).is_some_and(|channel| {
            channel.subscribers.contains_key(conn_id) || channel.members.has_members_of(conn_id)
        });
        if !involved {
            if let Some(conn) = self.connections.get_mut(conn_id) {
                conn.channels.remove(name);
            }
        }
        self.release(name, now);
    }

    /// Records that `serial` was handled, so a resend of it is not applied again.
    pub fn advance_serial(&mut self, conn_id: &str, serial: u64) {
        if let Some(conn) = self.connections.get_mut(conn_id) {
            conn.next_serial = conn.next_serial.max(serial + 1);
        }
    }

    /// In-band re-auth: the same connection with the new token's capability and expiry,
    /// if its clientId is compatible (40102 otherwise). Returns the connection key and
    /// clientId to confirm; `None` if the connection is gone.
    pub fn reauthorize(
        &mut self,
        conn_id: &str,
        identity: Identity,
    ) -> Option<Result<(String, Option<String>), ErrorInfo>> {
        let conn = self.connections.get_mut(conn_id)?;
        let same_client = identity.client_id.is_none()
            || identity.client_id.as_deref() == Some("*")
            || identity.client_id == conn.identity.client_id;
        if !same_client {
            return Some(Err(ErrorInfo::new(
                codes::INCOMPATIBLE_CREDENTIALS,
                401,
                "the new token's clientId does not match the connection's",
            )));
        }
        conn.identity.capability = identity.capability;
        conn.identity.expires = identity.expires;
        Some(Ok((conn.key.clone(), conn.identity.client_id.clone())))
    }
}
