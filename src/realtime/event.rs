//! What the realtime client hands back to its driver: transport commands, events,
//! operation ids and their completions.

use crate::auth::TokenDetails;
use crate::channel::ChannelStateChange;
use crate::connection::ConnectionStateChange;
use crate::presence::Member;
use crate::protocol::{ErrorInfo, Message, PresenceMessage};
use alloc::string::String;
use alloc::vec::Vec;

/// Names one operation (attach, presence enter, publish, ping …) until it completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpId(pub u64);

/// What the driver must do with the WebSocket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportCommand {
    /// Open a WebSocket to this URL (closing any previous one).
    Open {
        /// The connect URL.
        url: String,
    },
    /// Close the WebSocket.
    Close,
}

/// How an operation succeeded.
#[derive(Debug, Clone, PartialEq)]
pub enum Completion {
    /// Done (ACKed, attached, detached …).
    Done,
    /// The presence members asked for, shared with the channel's presence set.
    Members {
        /// The members (for a catch-up, only those changed since the caller's last).
        members: Vec<Member>,
        /// The filter's `known`: the caller holds the members of this version or older.
        known: u64,
        /// For a catch-up (see `MemberFilter::follow`): the versions no longer current.
        retired: Option<Vec<u64>>,
    },
    /// A ping's round trip, in ms.
    Pong(u64),
    /// The token an authorize() got, now in use on the connection.
    Token(TokenDetails),
}

/// Something the application should hear about.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The connection changed state (or updated).
    ConnectionState(ConnectionStateChange),
    /// A channel changed state (or updated).
    ChannelState {
        /// The channel.
        channel: String,
        /// The change.
        change: ChannelStateChange,
    },
    /// A presence event, data decoded, action as the application sees it.
    Presence {
        /// The channel.
        channel: String,
        /// The event.
        message: PresenceMessage,
    },
    /// A channel message, data decoded.
    Message {
        /// The channel.
        channel: String,
        /// The message.
        message: Message,
    },
    /// An operation finished.
    Completed {
        /// Which one.
        op: OpId,
        /// How.
        result: Result<Completion, ErrorInfo>,
    },
    /// The driver must fetch a token and call `authorize` (or `auth_failed`).
    AuthRequired,
    /// Re-entering an own member after a new connection failed (91004).
    PresenceReenterFailed {
        /// The channel.
        channel: String,
        /// Why.
        error: ErrorInfo,
    },
}
