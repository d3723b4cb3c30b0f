//! The authoritative presence set: enter/update/leave from clients, leaves the server
//! makes up, and the reads REST needs.

use super::limits::data_size;
use super::replay::Audience;
use super::{Conn, Hub, MemberKey};
use roster::presence::{message_position, MemberFilter};
use roster::protocol::{
    codes, Action, Data, ErrorInfo, Flags, PresenceAction, PresenceMessage, ProtocolMessage,
};

/// The clientId a message from `conn` acts as: its own, or any with a `*` identity;
/// 40012 for another one, or one that is too long.
pub fn resolve_client_id(
    conn: &Conn,
    claimed: Option<String>,
) -> Result<Option<String>, ErrorInfo> {
    if let Some(claimed) = &claimed {
        super::limits::check_client_id(claimed)?;
    }
    match (conn.identity.client_id.as_deref(), claimed) {
        (Some("*"), claimed) => Ok(claimed),
        (Some(own), Some(claimed)) if claimed != own => Err(ErrorInfo::invalid_client_id(format!(
            "clientId {claimed} does not match the connection's clientId {own}"
        ))),
        (Some(own), _) => Ok(Some(own.to_owned())),
        (None, claimed) => Ok(claimed),
    }
}

/// About how many bytes `member` takes encoded (in a SYNC frame) or held (in presence
/// history), without encoding it.
pub(super) fn approximate_size(member: &PresenceMessage) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    // Binary data goes out as base64 in JSON; everything else as `data_size` counts it.
    let data = match &member.data {
        Some(Data::Binary(b)) => b.len().div_ceil(3) * 4,
        data => data_size(data.as_ref()),
    };
    // Field names, quotes, the action and the timestamp.
    const ENVELOPE: usize = 100;
    ENVELOPE
        + text(&member.id)
        + text(&member.client_id)
        + text(&member.connection_id)
        + text(&member.encoding)
        + data
        + member.extras.as_ref().map_or(0, |e| e.as_str().len())
}

/// What a channel's members come to: how many, and their bytes (`limits::held_size`).
type Holding = (usize, usize);

/// Whether presence id `claimed` names an earlier message of connection `conn_id` than
/// `stored` does: both `{connectionId}:{msgSerial}:{index}`, compared by serial and index.
fn is_older_message(claimed: &str, stored: &str, conn_id: &str) -> bool {
    let position = |id: &str| match message_position(id)? {
        (connection, serial, index) if connection == conn_id => Some((serial, index)),
        _ => None,
    };
    matches!((position(claimed), position(stored)), (Some(c), Some(s)) if c < s)
}

/// What `members` holds now.
fn holding(members: &super::members::Members) -> Holding {
    (members.len(), members.held_bytes())
}

impl Hub {
    /// The channel a client's PRESENCE or MESSAGE names, and the client, once its
    /// capability allows `operation` there (40160 otherwise).
    pub(super) fn permitted(
        &self,
        conn_id: &str,
        msg: &ProtocolMessage,
        operation: &str,
    ) -> Result<(String, &Conn), ErrorInfo> {
        let name = msg
            .channel
            .clone()
            .ok_or_else(|| ErrorInfo::bad_request(format!("{operation} without a channel")))?;
        super::limits::check_channel_name(&name)?;
        let conn = self
            .connections
            .get(conn_id)
            .ok_or_else(|| ErrorInfo::internal("unknown connection"))?;
        if !conn.identity.capability.allows(&name, operation) {
            return Err(ErrorInfo::not_permitted(format!(
                "no {operation} capability for {name}"
            )));
        }
        // As Ably: an attachment that did not ask for the operation's mode may not use it
        // (40165), though the capability allows it. A publish without attaching has none.
        let mode = match operation {
            "publish" => Flags::PUBLISH,
            _ => Flags::PRESENCE,
        };
        let attached = self
            .channels
            .get(name.as_str())
            .and_then(|c| c.subscribers.get(conn_id));
        if attached.is_some_and(|(modes, _)| !modes.contains(mode)) {
            return Err(ErrorInfo::new(
                codes::MODE_NOT_REQUESTED,
                401,
                format!(
                    "unable to {operation} on {name}: the channel was attached without that mode"
                ),
            ));
        }
        Ok((name, conn))
    }

    /// PRESENCE from a client: every item is checked first (capability 40160, clientId
    /// 40012/91000, size of the whole item 40009, then the channel, member and data
    /// limits 90010/91003/91006), then applied and broadcast with server ids.
    pub fn presence(
        &mut self,
        conn_id: &str,
        msg: &ProtocolMessage,
        now: u64,
    ) -> Result<(), ErrorInfo> {
        let (name, conn) = self.permitted(conn_id, msg, "presence")?;
        let serial = msg.msg_serial.unwrap_or(0);
        let mut items = msg.presence.clone().unwrap_or_default();
        // The ids the client gave, before the server's own replace them: a re-enter names
        // the member's current id (RTP17g).
        let mut claimed_ids = Vec::with_capacity(items.len());
        for (index, item) in items.iter_mut().enumerate() {
            if matches!(item.action, PresenceAction::Absent) {
                return Err(ErrorInfo::bad_request(
                    "a client cannot send an ABSENT presence message",
                ));
            }
            item.client_id = resolve_client_id(conn, item.client_id.take())?;
            if item
                .client_id
                .as_deref()
                .is_none_or(|c| c.is_empty() || c == "*")
            {
                return Err(ErrorInfo::new(
                    roster::protocol::codes::PRESENCE_NO_CLIENT_ID,
                    400,
                    "cannot enter presence without a clientId",
                ));
            }
            // As for a channel message: extras or a clientId are no way around the limit.
            let size = super::size::presence(item);
            if size > self.config.max_message_size {
                return Err(ErrorInfo::too_big(size, self.config.max_message_size));
            }
            claimed_ids.push(item.id.replace(format!("{conn_id}:{serial}:{index}")));
            item.connection_id = Some(conn_id.to_owned());
            item.timestamp = Some(now);
        }
        // Only a frame that may add a member takes up a channel (a leave of nobody is
        // acknowledged as ever, RTP10d).
        if items
            .iter()
            .any(|item| !matches!(item.action, PresenceAction::Leave))
        {
            self.check_channel_room(conn, &name)?;
        }
        self.check_member_room(conn, &name, &items)?;
        self.check_data_room(conn, &name, &items)?;
        // Members entered without an ATTACH must still leave when the connection ends.
        if let Some(conn) = self.connections.get_mut(conn_id) {
            conn.channels.insert(name.clone());
        }
        let history_limits = self.config.history;
        let channel = super::channel_entry(&mut self.channels, &name);
        let mut events = Vec::with_capacity(items.len());
        // Every member the frame touches is this connection's (keyed by its id), so what
        // the channel's members come to changes as what the connection holds does.
        let before = holding(&channel.members);
        for (item, claimed_id) in items.into_iter().zip(claimed_ids) {
            let key = (
                item.client_id.clone().unwrap_or_default(),
                conn_id.to_owned(),
            );
            match item.action {
                PresenceAction::Leave => {
                    let Some(member) = channel.members.remove(&key) else {
                        continue;
                    };
                    // A leave without data reports the member's last data; its own data
                    // keeps its own encoding (none for a plain string).
                    let (data, encoding) = if item.data.is_some() {
                        (item.data, item.encoding)
                    } else {
                        (member.data, member.encoding)
                    };
                    events.push(PresenceMessage {
                        data,
                        encoding,
                        ..item
                    });
                }
                _ => {
                    let current = channel.members.get(&key);
                    let stored_id = current.map(|m| m.id.as_deref());
                    // The client re-entering, after a re-attach, the very member this
                    // connection holds: nothing changed, so nobody hears of it (§6).
                    // Nor when it names an older message of this connection than the
                    // member's: an update it queued while offline came first, and the
                    // re-entry of the data before it (RTP17g) would undo it.
                    let re_enter = matches!(item.action, PresenceAction::Enter)
                        && claimed_id.as_deref().is_some_and(|claimed| {
                            stored_id == Some(Some(claimed))
                                || stored_id.flatten().is_some_and(|stored| {
                                    is_older_message(claimed, stored, conn_id)
                                })
                        });
                    if re_enter {
                        continue;
                    }
                    let existed = stored_id.is_some();
                    let action = match item.action {
                        PresenceAction::Enter if !existed => PresenceAction::Enter,
                        _ => PresenceAction::Update,
                    };
                    let stored = PresenceMessage {
                        action: PresenceAction::Present,
                        ..item.clone()
                    };
                    channel.members.insert(key, stored);
                    events.push(PresenceMessage { action, ..item });
                }
            }
        }
        let after = holding(&channel.members);
        let ledger = self.history_budget.ledger(&channel.name);
        channel.history.push(&events, now, history_limits, ledger);
        self.count_held(conn_id, before, after);
        if !events.is_empty() {
            let out = ProtocolMessage {
                id: Some(format!("{conn_id}:{serial}")),
                connection_id: Some(conn_id.to_owned()),
                timestamp: Some(now),
                presence: Some(events),
                ..ProtocolMessage::for_channel(Action::Presence, name.clone())
            };
            let audience = Audience::Presence {
                sender: conn_id.into(),
            };
            self.broadcast(&name, out, audience, now);
        }
        // A leave may have emptied the channel; a leave of no member created it.
        self.settle(conn_id, &name, now);
        self.keep_budgets(now);
        Ok(())
    }

    /// Every member of `conn_id` on `name` leaves now, with ids the server made up.
    pub(super) fn leave_all(&mut self, name: &str, conn_id: &str, now: u64) {
        let Some(channel) = self.channels.get(name) else {
            return;
        };
        let keys = channel.members.keys_of(conn_id);
        if keys.is_empty() {
            return;
        }
        let ids: Vec<String> = keys.iter().map(|_| self.synthesized_id()).collect();
        let history_limits = self.config.history;
        let Some(channel) = self.channels.get_mut(name) else {
            return;
        };
        let before = holding(&channel.members);
        let leaves: Vec<PresenceMessage> = keys
            .iter()
            .zip(ids)
            .filter_map(|(key, id)| channel.members.remove(key).map(|m| (m, id)))
            .map(|(member, id)| PresenceMessage {
                id: Some(id),
                action: PresenceAction::Leave,
                timestamp: Some(now),
                ..member
            })
            .collect();
        let after = holding(&channel.members);
        let ledger = self.history_budget.ledger(&channel.name);
        channel.history.push(&leaves, now, history_limits, ledger);
        self.count_held(conn_id, before, after);
        let out = ProtocolMessage {
            timestamp: Some(now),
            presence: Some(leaves),
            ..ProtocolMessage::for_channel(Action::Presence, name)
        };
        let audience = Audience::Leaves {
            leaving: conn_id.into(),
        };
        self.broadcast(name, out, audience, now);
        self.keep_budgets(now);
    }

    /// Keeps what `conn_id` holds (members and their bytes) in step with a change to its
    /// members on one channel, from `before` to `after`.
    fn count_held(&mut self, conn_id: &str, before: Holding, after: Holding) {
        if let Some(conn) = self.connections.get_mut(conn_id) {
            conn.member_count = (conn.member_count + after.0).saturating_sub(before.0);
            conn.held_bytes = (conn.held_bytes + after.1).saturating_sub(before.1);
        }
    }

    /// The members of a channel matching `filter`, in key order (for tests; the server
    /// reads members in ranges with `members_after`).
    #[cfg(test)]
    pub fn members<'a>(
        &'a self,
        name: &str,
        filter: &'a MemberFilter,
    ) -> impl Iterator<Item = &'a PresenceMessage> {
        self.members_after(name, filter, None)
            .map(|(_, member)| member)
    }

    /// The members of a channel matching `filter` whose key comes after `after` (all if
    /// `None`), in key order, with their keys: a page of k costs O(log n + k).
    pub fn members_after<'a>(
        &'a self,
        name: &str,
        filter: &'a MemberFilter,
        after: Option<&'a MemberKey>,
    ) -> impl Iterator<Item = (&'a MemberKey, &'a PresenceMessage)> {
        self.channels
            .get(name)
            .into_iter()
            .flat_map(move |channel| channel.members.matching_after(filter, after))
    }

    /// Presence events on a channel within the retention window, oldest first, each
    /// with its position (which stays the same as older events go).
    pub fn history(&mut self, name: &str, now: u64) -> Vec<(u64, PresenceMessage)> {
        let history_limits = self.config.history;
        let Some(channel) = self.channels.get_mut(name) else {
            return Vec::new();
        };
        let ledger = self.history_budget.ledger(&channel.name);
        channel.history.push(&[], now, history_limits, ledger);
        channel
            .history
            .positioned()
            .map(|(position, m)| (position, m.clone()))
            .collect()
    }
}
