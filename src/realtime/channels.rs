//! Channel operations and the channel state machine: attach, detach, publish, presence,
//! timeouts, and how channels follow the connection (RTL2–RTL13, RTP1–RTP19). The
//! frames the server sends for a channel are taken in by `channel_inbound`.

use super::timers::retry_time;
use super::{Completion, Event, OpId, Realtime, Ticket};
use crate::channel::{Channel, ChannelState, ChannelStateChange, Queued};
use crate::connection::ConnectionState;
use crate::presence::{MemberFilter, PresenceSet};
use crate::protocol::{
    codes, Action, Data, ErrorInfo, Message, PresenceAction, PresenceMessage, ProtocolMessage,
};
use crate::text;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// The error for an operation the channel's `state` does not allow (90001).
pub(super) fn channel_state_error(state: ChannelState) -> ErrorInfo {
    ErrorInfo::new(
        codes::CHANNEL_STATE,
        400,
        text::concat(&["channel operation failed: channel is ", state.name()]),
    )
}

/// An attach or detach the app's next call took over (90000, 409), as ably-js.
fn superseded(message: &'static str) -> ErrorInfo {
    ErrorInfo::new(codes::CHANNEL_OPERATION_FAILED, 409, message)
}

/// A get()'s answer: a follower's changes when the set can give them, else the members.
pub(super) fn members(presence: &mut PresenceSet, filter: &MemberFilter) -> Completion {
    let unfiltered = filter.client_id.is_none() && filter.connection_id.is_none();
    if filter.follow && unfiltered {
        if let Some(changes) = presence.catch_up(filter.known) {
            let (members, retired) = (changes.changed, Some(changes.retired));
            let known = filter.known;
            return Completion::Members {
                members,
                known,
                retired,
            };
        }
    }
    Completion::Members {
        members: presence.get(filter),
        known: filter.known,
        retired: None,
    }
}

impl Realtime {
    /// Attaches a channel; completes on ATTACHED (RTL4).
    pub fn attach(&mut self, channel: &str, now: u64) -> OpId {
        let op = self.new_op();
        match self.refusal() {
            Some(error) => self.complete(op, Err(error)),
            None => self.attach_channel(channel, now, Some(Ticket::Op(op))),
        }
        op
    }

    /// Detaches a channel; completes on DETACHED (RTL5).
    pub fn detach(&mut self, channel: &str, now: u64) -> OpId {
        let op = self.new_op();
        let state = self.channel_state(channel);
        match state {
            ChannelState::Initialized | ChannelState::Detached => {
                self.complete(op, Ok(Completion::Done))
            }
            ChannelState::Failed => self.complete(op, Err(channel_state_error(state))),
            ChannelState::Detaching => self.with_channel(channel, |c| {
                c.detach_waiters.push(Ticket::Op(op));
            }),
            ChannelState::Attaching | ChannelState::Attached | ChannelState::Suspended => {
                // What an attach still waiting is told, as ably-js: superseded (409) when
                // a DETACH goes out, else detached with no reason of its own (500).
                if self.state == ConnectionState::Connected && state != ChannelState::Suspended {
                    // Messages waiting for the attach stay queued, as in ably-js: sent if
                    // the app attaches again before DETACHED, failed once detached.
                    let error =
                        superseded("Attach request superseded by a subsequent detach request");
                    self.fail_channel_waiters(channel, &error, false);
                    self.with_channel(channel, |c| c.detach_waiters.push(Ticket::Op(op)));
                    self.send_detach(channel, now);
                    self.set_channel_state(channel, ChannelState::Detaching, None, false);
                } else {
                    let error = ErrorInfo::new(
                        codes::CHANNEL_OPERATION_FAILED,
                        500,
                        "unable to attach: channel detached",
                    );
                    self.fail_channel_waiters(channel, &error, true);
                    // Detached at once, as ably-js 2.28; but a connection that resumes
                    // still has it attached at the server, with this client's members:
                    // reattach_channels sends the DETACH once connected.
                    if state == ChannelState::Attached {
                        self.with_channel(channel, |c| c.is_detach_owed = true);
                    }
                    self.set_channel_state(channel, ChannelState::Detached, None, false);
                    self.complete(op, Ok(Completion::Done));
                }
            }
        }
        op
    }

    /// Publishes messages (data in app form) on the connection, whatever the channel's
    /// state: as ably-js 2.x (RTL6c), a publish does not attach (the JS wrapper refuses
    /// it on a failed or suspended channel).
    pub fn publish(&mut self, channel: &str, messages: Vec<Message>) -> OpId {
        let op = self.new_op();
        let format = self.options.format;
        let messages = messages.into_iter().map(|m| m.encoded(format)).collect();
        let msg = ProtocolMessage {
            messages: Some(messages),
            ..ProtocolMessage::for_channel(Action::Message, channel)
        };
        self.send(msg, Ticket::Op(op));
        op
    }

    /// enter/update/leave; `client_id` Some(..) = enterClient etc. Data in app form.
    /// Without any clientId it fails locally with 40012 (RTP8j) once connected; before,
    /// the token may still give one, so it goes ahead, as in ably-js.
    pub fn presence(
        &mut self,
        channel: &str,
        action: PresenceAction,
        client_id: Option<String>,
        data: Option<Data>,
        now: u64,
    ) -> OpId {
        self.presence_on(channel, action, client_id, data, Some(now))
    }

    /// `presence` with `now`; without, enter/update/leave of a released channel object
    /// (channels.release) that is attached, as ably-js's: sent on the connection as a
    /// publish is, whatever the state of the channel of that name, if any, which it
    /// leaves as it is (a leave neither checks its state nor forgets a member there).
    pub fn presence_on(
        &mut self,
        channel: &str,
        action: PresenceAction,
        client_id: Option<String>,
        data: Option<Data>,
        now: Option<u64>,
    ) -> OpId {
        let op = self.new_op();
        let own_client_id = client_id
            .clone()
            .or_else(|| self.client_id.clone().filter(|c| c != "*"));
        if own_client_id.is_none() && self.state == ConnectionState::Connected {
            let error = ErrorInfo::invalid_client_id("unable to enter presence without a clientId");
            self.complete(op, Err(error));
            return op;
        }
        if !matches!(
            action,
            PresenceAction::Enter | PresenceAction::Update | PresenceAction::Leave
        ) {
            let error =
                ErrorInfo::bad_request(text::concat(&["cannot send presence ", action.name()]));
            self.complete(op, Err(error));
            return op;
        }
        if action == PresenceAction::Leave && now.is_some() {
            let state = self.channel_state(channel);
            if !matches!(state, ChannelState::Attached | ChannelState::Attaching) {
                // A closed or failed connection is the reason, as for enter (RTP16b).
                let error = self.refusal().unwrap_or_else(|| channel_state_error(state));
                self.complete(op, Err(error));
                return op;
            }
            if let Some(own_client_id) = own_client_id {
                self.with_channel(channel, |c| c.own.remove(&own_client_id));
            }
        }
        let message = PresenceMessage {
            client_id,
            data,
            ..PresenceMessage::new(action)
        }
        .encoded(self.options.format);
        let msg = ProtocolMessage {
            presence: Some(vec![message]),
            ..ProtocolMessage::for_channel(Action::Presence, channel)
        };
        match now {
            Some(now) => self.send_on_channel(channel, msg, Ticket::Op(op), now),
            None => self.send(msg, Ticket::Op(op)),
        }
        op
    }

    /// Holds back (or lets through again) `channel`'s presence events, for an app with no
    /// presence listeners there: the member set, get() and re-entry work as before.
    pub fn mute_presence(&mut self, channel: &str, muted: bool) {
        self.with_channel(channel, |c| c.is_presence_muted = muted);
    }

    /// presence.get(): completes with the members once synced, or at once without waiting.
    pub fn presence_get(
        &mut self,
        channel: &str,
        filter: MemberFilter,
        wait_for_sync: bool,
        now: u64,
    ) -> OpId {
        let op = self.new_op();
        let state = self.channel_state(channel);
        match state {
            ChannelState::Failed => {
                self.complete(op, Err(channel_state_error(state)));
                return op;
            }
            ChannelState::Suspended if wait_for_sync => {
                let error = ErrorInfo::new(
                    codes::PRESENCE_OUT_OF_SYNC,
                    400,
                    "presence state is out of sync: channel suspended",
                );
                self.complete(op, Err(error));
                return op;
            }
            ChannelState::Attached | ChannelState::Attaching => {}
            // With the connection suspended, only what is already known can be answered
            // (RTP11d); closed or failed, get() needs an attach it cannot have, as ably-js.
            _ => match self.refusal() {
                Some(error) if wait_for_sync || state != ChannelState::Suspended => {
                    self.complete(op, Err(error));
                    return op;
                }
                Some(_) => {}
                None => self.attach_channel(channel, now, None),
            },
        }
        let is_ready = self.is_sync_complete(channel) || !wait_for_sync;
        if is_ready {
            let members = match self.channels.get_mut(channel) {
                Some(c) => members(&mut c.presence, &filter),
                None => Completion::Members {
                    members: Vec::new(),
                    known: 0,
                    retired: None,
                },
            };
            self.complete(op, Ok(members));
        } else {
            self.with_channel(channel, |c| c.get_waiters.push((Ticket::Op(op), filter)));
        }
        op
    }

    pub(super) fn with_channel(&mut self, name: &str, f: impl FnOnce(&mut Channel<Ticket>)) {
        f(self.channels.get_or_default(name));
    }

    pub(super) fn set_channel_state(
        &mut self,
        name: &str,
        state: ChannelState,
        reason: Option<ErrorInfo>,
        resumed: bool,
    ) {
        let change = self
            .channels
            .get_or_default(name)
            .set_state(state, reason, resumed);
        self.emit_channel_change(name, change);
        // detach() calls still waiting are answered by the state the channel lands in:
        // DETACHED, or anything else (e.g. attach() while detaching) as a failure.
        match state {
            ChannelState::Detaching => {}
            ChannelState::Detached => self.settle_detach(name, Ok(())),
            ChannelState::Attaching => self.settle_detach(
                name,
                Err(superseded(
                    "Detach request superseded by a subsequent attach request",
                )),
            ),
            _ => self.settle_detach(name, Err(channel_state_error(state))),
        }
    }

    /// Answers every detach() waiting on `name` with `result`.
    pub(super) fn settle_detach(&mut self, name: &str, result: Result<(), ErrorInfo>) {
        let waiters: Vec<Ticket> = self
            .channels
            .get_mut(name)
            .map(|c| core::mem::take(&mut c.detach_waiters))
            .unwrap_or_default();
        for ticket in waiters {
            self.resolve(ticket, result.clone());
        }
    }

    pub(super) fn emit_channel_change(&mut self, name: &str, change: Option<ChannelStateChange>) {
        if let Some(change) = change {
            self.events.push(Event::ChannelState {
                channel: name.to_owned(),
                change,
            });
        }
    }

    /// Moves the channel to attaching and sends ATTACH when connected; `waiter` completes
    /// on ATTACHED.
    pub(super) fn attach_channel(&mut self, name: &str, now: u64, waiter: Option<Ticket>) {
        let state = self.channel_state(name);
        if state == ChannelState::Attached {
            if let Some(ticket) = waiter {
                self.resolve(ticket, Ok(()));
            }
            return;
        }
        if let Some(ticket) = waiter {
            self.with_channel(name, |c| c.attach_waiters.push(ticket));
        }
        if state == ChannelState::Attaching {
            return;
        }
        self.set_channel_state(name, ChannelState::Attaching, None, false);
        self.send_attach(name, now);
    }

    pub(super) fn send_attach(&mut self, name: &str, now: u64) {
        if self.state != ConnectionState::Connected {
            return;
        }
        let mut attach = ProtocolMessage::for_channel(Action::Attach, name);
        if let Some(channel) = self.channels.get(name) {
            attach.channel_serial = channel.serial.clone();
            // Modes only when asked for: without them the server grants all it allows.
            attach.flags = Some(channel.options.modes).filter(|m| !m.is_empty());
            attach.params = channel.options.params.clone();
        }
        self.send_frame(&attach);
        let deadline = now + self.options.timeouts.realtime_request;
        self.with_channel(name, |c| c.request_deadline = Some(deadline));
    }

    /// Sends DETACH and starts its timeout (RTL5d, RTL5f). The attachment is given up: an
    /// attach before DETACHED comes (React's StrictMode) is a fresh one, not a resume from
    /// a serial the server no longer holds for this connection (90003).
    fn send_detach(&mut self, name: &str, now: u64) {
        self.send_frame(&ProtocolMessage::for_channel(Action::Detach, name));
        let deadline = now + self.options.timeouts.realtime_request;
        self.with_channel(name, |c| {
            c.serial = None;
            c.request_deadline = Some(deadline);
            c.detaches_unanswered = c.detaches_unanswered.saturating_add(1);
        });
    }

    /// Sends an ack-able message once the channel is attached, attaching it if needed.
    fn send_on_channel(&mut self, name: &str, message: ProtocolMessage, tag: Ticket, now: u64) {
        if let Some(error) = self.refusal() {
            return self.resolve(tag, Err(error));
        }
        match self.channel_state(name) {
            ChannelState::Attached => self.send(message, tag),
            ChannelState::Failed => {
                let error = self
                    .channel_error_reason(name)
                    .cloned()
                    .unwrap_or_else(|| channel_state_error(ChannelState::Failed));
                self.resolve(tag, Err(error));
            }
            state if !self.options.queue_messages => {
                // As ably-js: the attach an enter asks for still goes ahead.
                if matches!(state, ChannelState::Initialized | ChannelState::Detached) {
                    self.attach_channel(name, now, None);
                }
                self.resolve(tag, Err(channel_state_error(state)));
            }
            ChannelState::Attaching => {
                self.with_channel(name, |c| c.queued.push(Queued { message, tag }))
            }
            _ => {
                self.with_channel(name, |c| c.queued.push(Queued { message, tag }));
                self.attach_channel(name, now, None);
            }
        }
    }

    /// Fails what waits on a channel: attach requests, presence gets and (when
    /// `include_queued`) the messages waiting for it to attach.
    pub(super) fn fail_channel_waiters(
        &mut self,
        name: &str,
        error: &ErrorInfo,
        include_queued: bool,
    ) {
        let Some(channel) = self.channels.get_mut(name) else {
            return;
        };
        let mut tickets = core::mem::take(&mut channel.attach_waiters);
        for (ticket, _) in core::mem::take(&mut channel.get_waiters) {
            tickets.push(ticket);
        }
        if include_queued {
            for queued in core::mem::take(&mut channel.queued) {
                tickets.push(queued.tag);
            }
        }
        for ticket in tickets {
            self.resolve(ticket, Err(error.clone()));
        }
    }

    /// After CONNECTED, resumed or not: re-attach what should be attached, from the last
    /// serial seen, so that the server sends what was missed while the transport was
    /// down; send pending DETACH requests (RTN15c6, RTN15c7).
    pub(super) fn reattach_channels(&mut self, now: u64) {
        for name in self.channels.names() {
            // What the lost transport carried is never answered.
            let mut is_owed = false;
            self.with_channel(&name, |c| {
                c.detaches_unanswered = 0;
                is_owed = core::mem::take(&mut c.is_detach_owed);
            });
            match self.channel_state(&name) {
                ChannelState::Attached | ChannelState::Attaching | ChannelState::Suspended => {
                    self.set_channel_state(&name, ChannelState::Attaching, None, false);
                    self.send_attach(&name, now);
                }
                ChannelState::Detaching => self.send_detach(&name, now),
                // Detached, or released since (initialized afresh).
                _ if is_owed => {
                    self.send_frame(&ProtocolMessage::for_channel(Action::Detach, &name))
                }
                _ => {}
            }
        }
    }

    /// Channels follow the connection into disconnected, closing, suspended, failed and
    /// closed (RTL3).
    pub(super) fn channels_follow_connection(
        &mut self,
        state: ConnectionState,
        reason: Option<ErrorInfo>,
    ) {
        match state {
            ConnectionState::Disconnected => {
                // Attach timers restart when ATTACH is sent again on CONNECTED.
                for channel in self.channels.values_mut() {
                    if channel.state == ChannelState::Attaching {
                        channel.request_deadline = None;
                    }
                }
            }
            // As ably-js's propogateConnectionInterruption: attaching, attached, detaching
            // and suspended channels are detached at closing, suspended or failed with the
            // connection; a detach() waiting fails unless detached.
            ConnectionState::Closing
            | ConnectionState::Suspended
            | ConnectionState::Failed
            | ConnectionState::Closed => {
                let error = reason.unwrap_or_else(|| self.state_error());
                if state != ConnectionState::Closing {
                    self.fail_messages(&error);
                }
                for name in self.channels.names() {
                    let next = match (state, self.channel_state(&name)) {
                        (
                            _,
                            ChannelState::Initialized
                            | ChannelState::Detached
                            | ChannelState::Failed,
                        ) => continue,
                        (ConnectionState::Suspended, ChannelState::Suspended) => continue,
                        (ConnectionState::Suspended, _) => ChannelState::Suspended,
                        (ConnectionState::Failed, _) => ChannelState::Failed,
                        _ => ChannelState::Detached,
                    };
                    self.fail_channel_waiters(&name, &error, true);
                    if next != ChannelState::Detached {
                        self.settle_detach(&name, Err(error.clone()));
                    }
                    self.set_channel_state(&name, next, Some(error.clone()), false);
                }
            }
            _ => {}
        }
    }

    /// Suspended with a retry after `channel_retry`, backing off (RTL13b, RTL4f, RTB1).
    pub(super) fn suspend_channel(&mut self, name: &str, error: ErrorInfo, now: u64) {
        let waiters: Vec<Ticket> = self
            .channels
            .get_mut(name)
            .map(|c| core::mem::take(&mut c.attach_waiters))
            .unwrap_or_default();
        for ticket in waiters {
            self.resolve(ticket, Err(error.clone()));
        }
        self.set_channel_state(name, ChannelState::Suspended, Some(error), false);
        let (initial, random) = (self.options.timeouts.channel_retry, self.random());
        self.with_channel(name, |c| {
            c.retry_count += 1;
            c.retry_at = Some(now + retry_time(initial, c.retry_count, random));
        });
    }

    /// Channel timers: attach/detach timeouts and suspended retries (RTL4f, RTL5f, RTL13b).
    pub(super) fn channel_timeouts(&mut self, now: u64) {
        for name in self.channels.names() {
            let Some(c) = self.channels.get(&name) else {
                continue;
            };
            let request_due = c.request_deadline.is_some_and(|d| d <= now);
            let retry_due = c.retry_at.is_some_and(|d| d <= now);
            if !(request_due || retry_due) {
                continue;
            }
            let state = c.state;
            let timeout = ErrorInfo::new(codes::CHANNEL_TIMEOUT, 408, "channel request timed out");
            match state {
                ChannelState::Attaching if request_due => self.suspend_channel(&name, timeout, now),
                ChannelState::Detaching if request_due => {
                    // Back to attached with no new ATTACH: a DETACHED that comes late is
                    // the server's, to attach again after (RTL13a).
                    self.with_channel(&name, |c| c.detaches_unanswered = 0);
                    self.fail_channel_waiters(&name, &timeout, true);
                    self.settle_detach(&name, Err(timeout.clone()));
                    self.set_channel_state(&name, ChannelState::Attached, Some(timeout), false);
                }
                ChannelState::Suspended if self.state == ConnectionState::Connected => {
                    self.set_channel_state(&name, ChannelState::Attaching, None, false);
                    self.send_attach(&name, now);
                }
                _ => self.with_channel(&name, |c| {
                    c.request_deadline = None;
                    c.retry_at = None;
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::test_client::{client, connect, drain};

    /// Each state change as "connection:state" or "channel:state", in order.
    fn changes(client: &mut Realtime) -> Vec<String> {
        let mut seen = Vec::new();
        for event in drain(client).events {
            match event {
                Event::ConnectionState(c) => {
                    seen.push(text::concat(&["connection:", c.current.name()]))
                }
                Event::ChannelState { channel, change } => {
                    seen.push(text::concat(&[&channel, ":", change.current.name()]))
                }
                _ => {}
            }
        }
        seen
    }

    fn outcome(client: &mut Realtime, op: OpId) -> Option<Result<Completion, ErrorInfo>> {
        drain(client).events.into_iter().find_map(|e| match e {
            Event::Completed { op: o, result } if o == op => Some(result),
            _ => None,
        })
    }

    #[test]
    fn close_detaches_channels_at_closing_and_leaves_a_failed_one_failed() {
        let mut client = client();
        connect(&mut client);
        client.attach("room", 0);
        client.handle_frame(br#"{"action":11,"channel":"room"}"#, 0);
        client.attach("lobby", 0);
        client.attach("gone", 0);
        client.handle_frame(
            br#"{"action":9,"channel":"gone","error":{"code":40160,"statusCode":401,"message":"no"}}"#,
            0,
        );
        drain(&mut client);
        client.close(10);
        // As ably-js (propogateConnectionInterruption): at closing, not when CLOSED comes.
        let mut closing = changes(&mut client);
        closing[1..].sort();
        assert_eq!(
            closing,
            ["connection:closing", "lobby:detached", "room:detached"]
        );
        client.handle_frame(br#"{"action":8}"#, 20);
        assert_eq!(changes(&mut client), ["connection:closed"]);
        assert_eq!(client.channel_state("gone"), ChannelState::Failed);
    }

    #[test]
    fn suspension_suspends_a_detaching_channel_which_attaches_again_on_reconnect() {
        let mut client = client();
        // A state TTL shorter than the detach's timeout (10 s).
        client.connect(0);
        client.handle_frame(
            br#"{"action":4,"connectionId":"c1","connectionDetails":{"connectionKey":"c1!k","connectionStateTtl":5000}}"#,
            0,
        );
        client.attach("room", 0);
        client.handle_frame(br#"{"action":11,"channel":"room"}"#, 0);
        let detach = client.detach("room", 0);
        drain(&mut client);
        client.transport_closed(1_000);
        client.transport_closed(1_010);
        drain(&mut client);
        assert_eq!(client.channel_state("room"), ChannelState::Detaching);
        // Past connectionStateTtl: suspended, and so is the channel (RTL3c); its detach()
        // fails with the connection's error, as ably-js's.
        client.handle_timeout(6_000);
        assert_eq!(client.channel_state("room"), ChannelState::Suspended);
        match outcome(&mut client, detach) {
            Some(Err(error)) => assert_eq!(error.code, codes::CONNECTION_SUSPENDED),
            other => panic!("expected 80002, got {other:?}"),
        }
        client.connect(7_000);
        drain(&mut client);
        client.handle_frame(
            br#"{"action":4,"connectionId":"c2","connectionDetails":{"connectionKey":"c2!k"}}"#,
            7_000,
        );
        assert_eq!(
            drain(&mut client).sent,
            [r#"{"action":10,"channel":"room"}"#]
        );
        assert_eq!(client.channel_state("room"), ChannelState::Attaching);
    }
}
