//! Channels: attach (with the missed frames of a resumed attachment and the presence
//! SYNC), detach, and channel messages.

use super::budget::Budget;
use super::history::History;
use super::members::Members;
use super::recent_ids::RecentIds;
use super::replay::{self, Audience, ReplayLimits, ReplayLog};
use super::Hub;
use roster::protocol::{codes, Action, ErrorInfo, Flags, Message, ProtocolMessage};
use std::collections::HashMap;
use std::sync::Arc;
use tungstenite::Utf8Bytes;

/// One channel: its members, who is attached with which modes, and presence history.
#[derive(Debug)]
pub struct Channel {
    /// Its name; what the hub's map keys it by and what budget records name it by.
    pub name: Arc<str>,
    /// Present members, stored as PRESENT.
    pub members: Members,
    /// Attached connections: the modes they were granted, and those they asked for (all
    /// if none), which a new token's capability grants anew.
    pub subscribers: HashMap<String, (Flags, Flags)>,
    /// Presence events, oldest first, within the retention window and count limit.
    pub history: History,
    /// Counts messages on the channel, for `channelSerial`.
    pub serial: u64,
    /// The frames fanned out lately, for resumed connections to catch up from.
    pub replay: ReplayLog,
    /// When `Hub::sweep` looks at it again, if only its presence history keeps it.
    pub sweep_at: Option<u64>,
    /// The message ids publishers gave lately, for idempotent publishing.
    pub recent_ids: RecentIds,
}

impl Channel {
    /// A channel with nothing in it yet.
    pub fn new(name: Arc<str>) -> Channel {
        Channel {
            name,
            members: Members::default(),
            subscribers: HashMap::new(),
            history: History::default(),
            serial: 0,
            replay: ReplayLog::default(),
            sweep_at: None,
            recent_ids: RecentIds::default(),
        }
    }
}

/// What an ATTACH continues from.
enum Continuity {
    /// The attachment was kept: nothing was lost after serial `from`, and `backlog` is
    /// what the connection gets of what came after it.
    Resumed {
        /// The serial the client last saw (the channel's current one if it named none).
        from: u64,
        /// The frames after it for this connection, oldest first.
        backlog: Vec<Utf8Bytes>,
    },
    /// A first attachment, with no earlier position to continue from.
    Fresh,
    /// The client named a position this server cannot continue from.
    Lost,
}

/// Whether the attachment continues from the client's `channelSerial`: only if it was
/// kept (`kept` = its modes until now) and the replay log still holds every frame after
/// that serial. A kept attachment with no serial resumes as it stands.
fn continuity(
    channel: &mut Channel,
    kept: Option<Flags>,
    channel_serial: Option<&str>,
    (conn_id, echo): (&str, bool),
    (now, limits): (u64, ReplayLimits),
    budget: &mut Budget,
) -> Continuity {
    let Some(serial) = channel_serial else {
        return match kept {
            Some(_) => Continuity::Resumed {
                from: channel.serial,
                backlog: Vec::new(),
            },
            None => Continuity::Fresh,
        };
    };
    let (Some(modes), Some(from)) = (kept, replay::parse_serial(serial)) else {
        return Continuity::Lost;
    };
    // The frames are picked with the modes they went out under, not those asked now.
    let ledger = budget.ledger(&channel.name);
    match channel.replay.since(
        from,
        channel.serial,
        (conn_id, modes, echo),
        now,
        limits,
        ledger,
    ) {
        Some(backlog) => Continuity::Resumed { from, backlog },
        None => Continuity::Lost,
    }
}

/// 40160 for a channel the connection's capability allows nothing on.
fn no_capability(name: &str) -> ErrorInfo {
    ErrorInfo::not_permitted(format!("no capability for channel {name}"))
}

/// 90003 on ATTACHED: frames after the client's `channelSerial` may be missing.
fn continuity_lost() -> ErrorInfo {
    ErrorInfo::new(
        codes::CHANNEL_CONTINUITY_LOST,
        400,
        "unable to recover channel (messages expired)",
    )
}

/// The modes a capability grants on a channel, limited to those requested, if any.
fn granted_modes(allows: impl Fn(&str) -> bool, requested: Flags) -> Flags {
    let mut modes = Flags::empty();
    if allows("subscribe") {
        modes |= Flags::SUBSCRIBE | Flags::PRESENCE_SUBSCRIBE;
    }
    if allows("publish") {
        modes |= Flags::PUBLISH;
    }
    if allows("presence") {
        modes |= Flags::PRESENCE;
    }
    let requested = requested & Flags::MODE_ALL;
    if requested.is_empty() {
        modes
    } else {
        modes & requested
    }
}

impl Hub {
    /// ATTACH: answers ATTACHED (granted modes, HAS_PRESENCE, RESUMED when the
    /// attachment was kept and nothing after the client's `channelSerial` was lost), then
    /// the frames it missed (HAS_BACKLOG), then the member set in SYNC pages, made one
    /// at a time as the connection's writer reaches them (`Hub::continue_sync`).
    pub fn attach(&mut self, conn_id: &str, msg: &ProtocolMessage, now: u64) {
        let Some(name) = msg.channel.clone() else {
            return;
        };
        let Some(conn) = self.connections.get(conn_id) else {
            return;
        };
        let capability = &conn.identity.capability;
        let modes = granted_modes(|op| capability.allows(&name, op), msg.flags());
        let refusal = if let Err(error) = super::limits::check_channel_name(&name) {
            Err(error)
        } else if modes.is_empty() && !capability.allows(&name, "history") {
            Err(no_capability(&name))
        } else {
            self.check_channel_room(conn, &name)
        };
        let echo = conn.echo;
        if let Err(error) = refusal {
            self.end_sync(conn_id, &name);
            self.send_channel_error(conn_id, name, error);
            return;
        }
        if let Some(conn) = self.connections.get_mut(conn_id) {
            conn.channels.insert(name.clone());
        }
        let limits = self.config.replay;
        let channel = super::channel_entry(&mut self.channels, &name);
        let requested = match msg.flags() & Flags::MODE_ALL {
            none if none.is_empty() => Flags::MODE_ALL,
            some => some,
        };
        let kept = channel
            .subscribers
            .insert(conn_id.to_owned(), (modes, requested))
            .map(|(granted, _)| granted);
        let continuity = continuity(
            channel,
            kept,
            msg.channel_serial.as_deref(),
            (conn_id, echo),
            (now, limits),
            &mut self.replay_budget,
        );
        let has_presence = modes.contains(Flags::PRESENCE_SUBSCRIBE) && !channel.members.is_empty();
        let mut flags = modes;
        if has_presence {
            flags |= Flags::HAS_PRESENCE;
        }
        // The client takes ATTACHED's serial as its own: on a replay it is the point the
        // replay starts from, so a transport lost during the replay resumes from there.
        let (serial, backlog, error) = match continuity {
            Continuity::Resumed { from, backlog } => {
                flags |= Flags::RESUMED;
                if !backlog.is_empty() {
                    flags |= Flags::HAS_BACKLOG;
                }
                (from, backlog, None)
            }
            Continuity::Fresh => (channel.serial, Vec::new(), None),
            Continuity::Lost => (channel.serial, Vec::new(), Some(continuity_lost())),
        };
        let attached = ProtocolMessage {
            flags: Some(flags),
            channel_serial: Some(replay::serial_text(serial)),
            params: msg.params.clone(),
            error,
            ..ProtocolMessage::for_channel(Action::Attached, name.clone())
        };
        // Only a token: the pages are made as the writer reaches it (hub::sync), so an
        // ATTACH costs the same under the lock, and holds as little, whatever the size.
        let sync = if has_presence {
            self.start_sync(conn_id, &name)
        } else {
            self.end_sync(conn_id, &name);
            None
        };
        // All under the hub's lock: frames fanned out before this were queued before
        // ATTACHED and are in the backlog too; those after it go out live, after it.
        self.send(conn_id, &attached);
        for frame in backlog {
            self.send_json_frame(conn_id, frame);
        }
        if let Some(token) = sync {
            self.queue_sync(conn_id, token);
        }
    }

    /// DETACH: the connection's members leave at once, then DETACHED.
    pub fn detach(&mut self, conn_id: &str, name: &str, now: u64) {
        self.drop_attachment(conn_id, name, now);
        self.send(
            conn_id,
            &ProtocolMessage::for_channel(Action::Detached, name),
        );
    }

    /// Ends the connection's attachment to `name`: its sync, its members there (they
    /// leave at once), and the channel if nobody else holds it. Whether it was attached.
    fn drop_attachment(&mut self, conn_id: &str, name: &str, now: u64) -> bool {
        self.end_sync(conn_id, name);
        if let Some(conn) = self.connections.get_mut(conn_id) {
            conn.channels.remove(name);
        }
        let attached = self
            .channels
            .get_mut(name)
            .and_then(|channel| channel.subscribers.remove(conn_id))
            .is_some();
        self.leave_all(name, conn_id, now);
        self.release(name, now);
        attached
    }

    /// A channel ERROR: fails that channel only; the connection and its others go on.
    fn send_channel_error(&mut self, conn_id: &str, name: String, error: ErrorInfo) {
        let reply = ProtocolMessage {
            error: Some(error),
            ..ProtocolMessage::for_channel(Action::Error, name)
        };
        self.send(conn_id, &reply);
    }

    /// After AUTH (or a resume) with a new token: each channel the connection's new
    /// capability allows nothing on fails with a channel ERROR 40160, as Ably fails it
    /// (RTC8a1); its members there leave at once, as on DETACH. Channels still allowed
    /// keep their attachment with the modes the new capability grants of those asked for
    /// (a publish the new token allows needs no new ATTACH, as on Ably).
    pub fn apply_capability(&mut self, conn_id: &str, now: u64) {
        let Some(conn) = self.connections.get(conn_id) else {
            return;
        };
        let capability = &conn.identity.capability;
        let mut lost = Vec::new();
        for name in &conn.channels {
            let allows = |op: &str| capability.allows(name, op);
            if granted_modes(allows, Flags::empty()).is_empty() && !allows("history") {
                lost.push(name.clone());
            } else if let Some((granted, requested)) = self
                .channels
                .get_mut(name.as_str())
                .and_then(|channel| channel.subscribers.get_mut(conn_id))
            {
                *granted = granted_modes(allows, *requested);
            }
        }
        for name in lost {
            if self.drop_attachment(conn_id, &name, now) {
                let error = no_capability(&name);
                self.send_channel_error(conn_id, name, error);
            }
        }
    }

    /// MESSAGE from a client: checks, stamps and relays it to subscribers.
    pub fn publish(
        &mut self,
        conn_id: &str,
        msg: &ProtocolMessage,
        now: u64,
    ) -> Result<(), ErrorInfo> {
        let (name, conn) = self.permitted(conn_id, msg, "publish")?;
        let serial = msg.msg_serial.unwrap_or(0);
        let mut messages = msg.messages.clone().unwrap_or_default();
        let mut given = Vec::with_capacity(messages.len());
        // The limit is the publish's, all its messages together, as on Ably (RSL1i).
        let mut size = 0;
        for (index, m) in messages.iter_mut().enumerate() {
            // A publish is a create, as Ably sends it (TM2j); the serial, version and
            // annotations are the server's to give, and this one keeps none.
            m.action = Some(Message::CREATE);
            (m.serial, m.version, m.annotations) = (None, None, None);
            // Measured with the clientId it goes out with.
            m.client_id = super::presence::resolve_client_id(conn, m.client_id.take())?;
            size += super::size::message(m);
            if size > self.config.max_message_size {
                return Err(ErrorInfo::too_big(size, self.config.max_message_size));
            }
            // A client-given id is kept, as Ably keeps it (the basis of idempotent
            // publishing, RSL1k); the others are the server's.
            given.push(!m.id.as_deref().is_none_or(str::is_empty));
            if !given[index] {
                m.id = Some(format!("{conn_id}:{serial}:{index}"));
            }
            m.connection_id = Some(conn_id.to_owned());
            m.timestamp = Some(now);
        }
        // Idempotent publishing (RSL1k): a client-given id the channel saw lately is not
        // delivered again, though the publish is acknowledged. A channel nobody holds
        // has no one to deliver to, and none is made to remember ids.
        let published = messages.len();
        if let Some(channel) = self.channels.get_mut(&*name) {
            let mut given = given.into_iter();
            messages.retain(|m| {
                let is_given = given.next().unwrap_or(false);
                !is_given
                    || channel
                        .recent_ids
                        .insert(m.id.as_deref().unwrap_or(""), now)
            });
        }
        if messages.is_empty() && published > 0 {
            return Ok(());
        }
        let out = ProtocolMessage {
            id: Some(format!("{conn_id}:{serial}")),
            connection_id: Some(conn_id.to_owned()),
            timestamp: Some(now),
            messages: Some(messages),
            ..ProtocolMessage::for_channel(Action::Message, name.clone())
        };
        let audience = Audience::Message {
            sender: conn_id.into(),
        };
        self.broadcast(&name, out, audience, now);
        self.keep_budgets(now);
        Ok(())
    }
}
