//! Frames for a channel: ATTACHED (with the re-entry of own members), DETACHED, ERROR,
//! SYNC, PRESENCE and MESSAGE (RTL2, RTL13, RTL14, RTL15b, RTL17, RTP1, RTP2, RTP17, RTP18).

use super::channels::{channel_state_error, members};
use super::{Event, Realtime, Ticket};
use crate::channel::{Channel, ChannelOptions, ChannelState, ChannelStateChange};
use crate::presence::parse_sync_serial;
use crate::protocol::{
    codes, Action, ErrorInfo, Flags, PresenceAction, PresenceMessage, ProtocolMessage,
};
use alloc::borrow::ToOwned;
use alloc::vec;
use alloc::vec::Vec;

/// A DETACHED the server sent without an error: the reason ably-js gives (90001, 404).
fn channel_detached() -> ErrorInfo {
    ErrorInfo::new(codes::CHANNEL_STATE, 404, "channel detached")
}

/// Keeps the serial of an ATTACHED, PRESENCE or MESSAGE the channel took in (RTL15b).
fn note_serial(channel: &mut Channel<Ticket>, msg: &mut ProtocolMessage) {
    if let Some(serial) = msg.channel_serial.take().filter(|s| !s.is_empty()) {
        channel.serial = Some(serial);
    }
}

impl Realtime {
    /// ATTACHED: the channel is attached; start or skip the presence sync, send what was
    /// queued, and re-enter own members (RTL2, RTP1, RTP5, RTP17i).
    pub(super) fn on_attached(&mut self, msg: &mut ProtocolMessage, now: u64) {
        let Some(name) = msg.channel.take() else {
            return;
        };
        let Some(channel) = self.channels.get_mut(&name) else {
            return;
        };
        let is_resumed = msg.has_flag(Flags::RESUMED);
        let has_backlog = msg.has_flag(Flags::HAS_BACKLOG);
        let previous = channel.state;
        if !matches!(
            previous,
            ChannelState::Attaching | ChannelState::Attached | ChannelState::Suspended
        ) {
            return;
        }
        note_serial(channel, msg);
        channel.granted = ChannelOptions {
            modes: msg.flags().intersection(Flags::MODE_ALL),
            params: msg.params.take(),
        };
        if previous == ChannelState::Attached && is_resumed {
            // Nothing was lost: no event, no new sync; a re-attach asked for with new
            // options (setOptions) is answered.
            for ticket in core::mem::take(&mut channel.attach_waiters) {
                self.resolve(ticket, Ok(()));
            }
            return;
        }
        let reason = msg.error.take();
        let change = if previous == ChannelState::Attached {
            if reason.is_some() {
                channel.error_reason = reason.clone();
            }
            Some(ChannelStateChange {
                previous,
                current: previous,
                event: "update",
                resumed: false,
                has_backlog,
                reason,
            })
        } else {
            channel
                .set_state(ChannelState::Attached, reason, is_resumed)
                .map(|change| ChannelStateChange {
                    has_backlog,
                    ..change
                })
        };
        self.emit_channel_change(&name, change);
        if msg.has_flag(Flags::HAS_PRESENCE) {
            if let Some(channel) = self.channels.get_mut(&name) {
                channel.presence.start_sync();
                channel.is_sync_complete = false;
            }
        } else {
            let leaves = self
                .channels
                .get_mut(&name)
                .map(|c| c.presence.clear(now))
                .unwrap_or_default();
            self.emit_presence(&name, leaves);
            self.finish_sync(&name);
        }
        let Some(channel) = self.channels.get_mut(&name) else {
            return;
        };
        let waiters = core::mem::take(&mut channel.attach_waiters);
        let queued = core::mem::take(&mut channel.queued);
        let own: Vec<PresenceMessage> = channel.own.members().cloned().collect();
        for ticket in waiters {
            self.resolve(ticket, Ok(()));
        }
        for q in queued {
            self.send(q.message, q.tag);
        }
        // A member the app entered, updated or left again since it was last echoed (the
        // message now on its way, e.g. made while the connection was down) is the app's
        // to set: re-entering it with the older data would undo that.
        for member in own {
            if !self.presence_in_flight(&name, member.client_id.as_deref()) {
                self.reenter(&name, member);
            }
        }
    }

    /// Whether a presence message for `client_id` on `channel` awaits its ACK.
    fn presence_in_flight(&self, channel: &str, client_id: Option<&str>) -> bool {
        let own = self.client_id.as_deref();
        self.pending.resend().any(|msg| {
            msg.channel.as_deref() == Some(channel)
                && msg
                    .presence
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .any(|p| p.client_id.as_deref().or(own) == client_id)
        })
    }

    fn reenter(&mut self, name: &str, member: PresenceMessage) {
        // The original id only goes along on the connection that sent it (RTP17g1).
        let id = member
            .connection_id
            .as_deref()
            .filter(|c| Some(*c) == self.connection_id.as_deref())
            .and(member.id);
        let message = PresenceMessage {
            id,
            client_id: member.client_id,
            data: member.data,
            extras: member.extras,
            ..PresenceMessage::new(PresenceAction::Enter)
        }
        .encoded(self.options.format);
        let msg = ProtocolMessage {
            presence: Some(vec![message]),
            ..ProtocolMessage::for_channel(Action::Presence, name)
        };
        self.send(
            msg,
            Ticket::Reenter {
                channel: name.to_owned(),
            },
        );
    }

    /// DETACHED: done detaching, or the server detached us: re-attach (RTL13).
    pub(super) fn on_detached(&mut self, msg: &mut ProtocolMessage, now: u64) {
        let Some(name) = msg.channel.take() else {
            return;
        };
        let mut answers_detach = false;
        if let Some(c) = self.channels.get_mut(&name) {
            answers_detach = c.detaches_unanswered > 0;
            c.detaches_unanswered = c.detaches_unanswered.saturating_sub(1);
        }
        match self.channel_state(&name) {
            ChannelState::Detaching => {
                let error = channel_state_error(ChannelState::Detached);
                self.fail_channel_waiters(&name, &error, true);
                self.set_channel_state(&name, ChannelState::Detached, msg.error.take(), false);
            }
            // The app detached and attached again before the server answered the DETACH:
            // the ATTACHED for the later ATTACH is on its way (ably-js suspends here).
            ChannelState::Attaching | ChannelState::Attached if answers_detach => {}
            ChannelState::Attached | ChannelState::Suspended => {
                let reason = msg.error.take().unwrap_or_else(channel_detached);
                self.set_channel_state(&name, ChannelState::Attaching, Some(reason), false);
                self.send_attach(&name, now);
            }
            ChannelState::Attaching => {
                let error = msg.error.take().unwrap_or_else(channel_detached);
                self.suspend_channel(&name, error, now);
            }
            _ => {}
        }
    }

    /// ERROR for a channel: failed (RTL14).
    pub(super) fn on_channel_error(&mut self, msg: &mut ProtocolMessage) {
        let Some(name) = msg.channel.take() else {
            return;
        };
        if !self.channels.contains_key(&name) {
            return;
        }
        let error = msg.error.take().unwrap_or_else(|| {
            ErrorInfo::new(codes::CHANNEL_OPERATION_FAILED, 400, "channel error")
        });
        self.fail_channel_waiters(&name, &error, true);
        self.settle_detach(&name, Err(error.clone()));
        self.set_channel_state(&name, ChannelState::Failed, Some(error), false);
    }

    /// SYNC: one page of the member list; the sync ends on an empty cursor or when the
    /// message has no channelSerial (RTP18). The last page's events come after the
    /// leaves of the members it ended (as ably-js emits them): an app that keys its list
    /// by clientId keeps a member who came back on a new connection.
    pub(super) fn on_sync(&mut self, msg: &mut ProtocolMessage, now: u64) {
        let Some(name) = msg.channel.take() else {
            return;
        };
        let Some(channel) = self.channels.get_mut(&name) else {
            return;
        };
        if !channel.presence.is_syncing() {
            channel.presence.start_sync();
            channel.is_sync_complete = false;
        }
        let is_last = msg
            .channel_serial
            .as_deref()
            .and_then(parse_sync_serial)
            .is_none_or(|(_, cursor)| cursor.is_empty());
        msg.fill_inner_from_parent();
        let page = self.apply_presence(&name, msg.presence.take().unwrap_or_default());
        if !is_last {
            self.emit_presence(&name, page);
            return;
        }
        let leaves = self
            .channels
            .get_mut(&name)
            .map(|c| c.presence.end_sync(now))
            .unwrap_or_default();
        self.emit_presence(&name, leaves);
        self.emit_presence(&name, page);
        self.finish_sync(&name);
    }

    /// PRESENCE: live member changes (RTP2).
    pub(super) fn on_presence(&mut self, msg: &mut ProtocolMessage) {
        let Some(name) = msg.channel.take() else {
            return;
        };
        let Some(channel) = self.channels.get_mut(&name) else {
            return;
        };
        note_serial(channel, msg);
        msg.fill_inner_from_parent();
        let changes = self.apply_presence(&name, msg.presence.take().unwrap_or_default());
        self.emit_presence(&name, changes);
    }

    /// MESSAGE: channel messages for the application.
    pub(super) fn on_message(&mut self, msg: &mut ProtocolMessage) {
        let Some(name) = msg.channel.take() else {
            return;
        };
        // Dropped unless attached (RTL17); the server sends it again after the ATTACHED.
        let Some(channel) = self
            .channels
            .get_mut(&name)
            .filter(|c| c.state == ChannelState::Attached)
        else {
            return;
        };
        note_serial(channel, msg);
        msg.fill_inner_from_parent();
        for message in msg.messages.take().unwrap_or_default() {
            let (message, _) = message.decoded();
            self.events.push(Event::Message {
                channel: name.clone(),
                message,
            });
        }
    }

    /// Applies `messages` to the channel's member set; returns the changes they made.
    fn apply_presence(
        &mut self,
        name: &str,
        messages: Vec<PresenceMessage>,
    ) -> Vec<PresenceMessage> {
        let Some(channel) = self.channels.get_mut(name) else {
            return Vec::new();
        };
        let mut changes = Vec::new();
        for message in messages {
            let (message, _) = message.decoded();
            if let Some(own_id) = self.connection_id.as_deref() {
                channel.own.observe(&message, own_id);
            }
            changes.extend(channel.presence.apply(message));
        }
        changes
    }

    fn emit_presence(&mut self, name: &str, messages: Vec<PresenceMessage>) {
        if self.channels.get(name).is_some_and(|c| c.is_presence_muted) {
            return;
        }
        for message in messages {
            self.events.push(Event::Presence {
                channel: name.to_owned(),
                message,
            });
        }
    }

    /// The member list is complete: answer the waiting gets.
    fn finish_sync(&mut self, name: &str) {
        let Some(channel) = self.channels.get_mut(name) else {
            return;
        };
        channel.is_sync_complete = true;
        for (ticket, filter) in core::mem::take(&mut channel.get_waiters) {
            if let Ticket::Op(op) = ticket {
                let result = Ok(members(&mut channel.presence, &filter));
                self.events.push(Event::Completed { op, result });
            }
        }
    }
}
