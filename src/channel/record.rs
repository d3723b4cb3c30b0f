//! `Channel`: the per-channel record the realtime client keeps.

use super::{ChannelState, ChannelStateChange};
use crate::presence::{MemberFilter, OwnMembers, PresenceSet};
use crate::protocol::{ErrorInfo, Flags, ProtocolMessage};
use alloc::string::String;
use alloc::vec::Vec;

/// Modes and params of an attachment: those the app asks for (`channels.get(name,
/// options)`, `setOptions`; RTL4k, RTL4l) or those the server granted in ATTACHED (RTL4m).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChannelOptions {
    /// Mode bits; none asked means whatever the capability allows.
    pub modes: Flags,
    /// Channel params; `None` when none were given.
    pub params: Option<Vec<(String, String)>>,
}

/// A message waiting for its channel to attach, with the operation it completes.
#[derive(Debug)]
pub struct Queued<T> {
    /// The PRESENCE or MESSAGE to send.
    pub message: ProtocolMessage,
    /// Whom to tell when it resolves.
    pub tag: T,
}

/// One channel: state, presence and what waits on it. `T` tags pending operations.
#[derive(Debug)]
pub struct Channel<T> {
    /// Current state.
    pub state: ChannelState,
    /// The last error, if any.
    pub error_reason: Option<ErrorInfo>,
    /// The members, as merged from SYNC and PRESENCE.
    pub presence: PresenceSet,
    /// Members this connection entered (RTP17).
    pub own: OwnMembers,
    /// Whether the presence set is complete (sync ended, or none was expected).
    pub is_sync_complete: bool,
    /// Messages waiting for the channel to attach.
    pub queued: Vec<Queued<T>>,
    /// Attach requests waiting for ATTACHED.
    pub attach_waiters: Vec<T>,
    /// Detach requests waiting for DETACHED.
    pub detach_waiters: Vec<T>,
    /// `presence_get` calls waiting for the sync to end.
    pub get_waiters: Vec<(T, MemberFilter)>,
    /// When the outstanding ATTACH/DETACH times out.
    pub request_deadline: Option<u64>,
    /// When a suspended channel tries to attach again.
    pub retry_at: Option<u64>,
    /// Retries armed since the channel was last neither attaching nor suspended (RTB1).
    pub retry_count: u64,
    /// Whether presence events are held back (nobody listens); the set still follows.
    pub is_presence_muted: bool,
    /// DETACH frames sent on this transport that no DETACHED has answered yet: one
    /// arriving while attaching or attached again answers the app's earlier detach, and
    /// the ATTACHED for the later ATTACH follows it (the server answers in order).
    pub detaches_unanswered: u8,
    /// Detached by the app while the connection was down: a DETACH is owed to the
    /// server, which holds the attachment of a connection that resumes.
    pub is_detach_owed: bool,
    /// The last `channelSerial` seen (RTL15b), sent in ATTACH so that the server can
    /// deliver what this client missed (RTL4c1).
    pub serial: Option<String>,
    /// What the app asked to attach with.
    pub options: ChannelOptions,
    /// What the last ATTACHED granted.
    pub granted: ChannelOptions,
}

impl<T> Default for Channel<T> {
    fn default() -> Self {
        Channel {
            state: ChannelState::Initialized,
            error_reason: None,
            presence: PresenceSet::new(),
            own: OwnMembers::new(),
            is_sync_complete: false,
            queued: Vec::new(),
            attach_waiters: Vec::new(),
            detach_waiters: Vec::new(),
            get_waiters: Vec::new(),
            request_deadline: None,
            retry_at: None,
            retry_count: 0,
            is_presence_muted: false,
            detaches_unanswered: 0,
            is_detach_owed: false,
            serial: None,
            options: ChannelOptions::default(),
            granted: ChannelOptions::default(),
        }
    }
}

impl<T> Channel<T> {
    /// Moves to `state` and describes the change; `None` when nothing changed.
    pub fn set_state(
        &mut self,
        state: ChannelState,
        reason: Option<ErrorInfo>,
        resumed: bool,
    ) -> Option<ChannelStateChange> {
        let previous = self.state;
        if reason.is_some() {
            self.error_reason = reason.clone();
        }
        if previous == state {
            return None;
        }
        self.state = state;
        if state != ChannelState::Attaching && state != ChannelState::Detaching {
            self.request_deadline = None;
        }
        if state != ChannelState::Suspended {
            self.retry_at = None;
            if state != ChannelState::Attaching {
                self.retry_count = 0;
            }
        }
        // A detached or failed channel starts afresh (RTL15b2); suspended ones keep it.
        // Its members are forgotten without events, its own ones too, so a later attach
        // neither lists stale members nor re-enters ones the app detached from (RTP5a).
        if matches!(state, ChannelState::Detached | ChannelState::Failed) {
            self.serial = None;
            self.own.clear();
            self.presence.clear(0);
        }
        Some(ChannelStateChange {
            previous,
            current: state,
            event: state.name(),
            resumed,
            has_backlog: false,
            reason,
        })
    }

    /// The earliest moment this channel needs a timer.
    pub fn next_deadline(&self) -> Option<u64> {
        match (self.request_deadline, self.retry_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_state_is_no_change() {
        let mut channel: Channel<u64> = Channel::default();
        assert!(channel
            .set_state(ChannelState::Initialized, None, false)
            .is_none());
        let change = channel.set_state(ChannelState::Attaching, None, false);
        assert_eq!(change.map(|c| c.event), Some("attaching"));
    }

    #[test]
    fn the_serial_survives_suspension_but_not_detach_or_failure() {
        let mut channel: Channel<u64> = Channel {
            serial: Some("0a".into()),
            ..Channel::default()
        };
        channel.set_state(ChannelState::Suspended, None, false);
        assert_eq!(channel.serial.as_deref(), Some("0a"));
        for end in [ChannelState::Detached, ChannelState::Failed] {
            channel.serial = Some("0a".into());
            channel.set_state(end, None, false);
            assert_eq!(channel.serial, None, "{end:?}");
        }
    }

    #[test]
    fn leaving_suspended_cancels_the_retry() {
        let mut channel: Channel<u64> = Channel::default();
        channel.set_state(ChannelState::Suspended, None, false);
        channel.retry_at = Some(5);
        channel.set_state(ChannelState::Attaching, None, false);
        assert_eq!(channel.next_deadline(), None);
    }
}
