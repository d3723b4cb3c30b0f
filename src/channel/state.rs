//! Channel states and the change records applications see (RTL2).

use crate::protocol::ErrorInfo;

/// The state of one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelState {
    /// Never attached.
    Initialized,
    /// ATTACH sent (or waiting for the connection), waiting for ATTACHED.
    Attaching,
    /// Attached: messages and presence flow.
    Attached,
    /// DETACH sent, waiting for DETACHED.
    Detaching,
    /// Detached by request.
    Detached,
    /// Attach failed for a while (timeout, connection suspended); retried later.
    Suspended,
    /// A channel error from the server; nothing more happens until `attach`.
    Failed,
}

impl ChannelState {
    /// The lowercase name ably-js uses.
    pub fn name(self) -> &'static str {
        match self {
            ChannelState::Initialized => "initialized",
            ChannelState::Attaching => "attaching",
            ChannelState::Attached => "attached",
            ChannelState::Detaching => "detaching",
            ChannelState::Detached => "detached",
            ChannelState::Suspended => "suspended",
            ChannelState::Failed => "failed",
        }
    }
}

/// One channel state change, or an "update" that stays attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelStateChange {
    /// The state before.
    pub previous: ChannelState,
    /// The state now.
    pub current: ChannelState,
    /// The new state's name, or "update".
    pub event: &'static str,
    /// Whether the attachment continued without loss (RESUMED flag).
    pub resumed: bool,
    /// Whether the server sends messages from before the attach next (HAS_BACKLOG flag).
    pub has_backlog: bool,
    /// Why, if for an error.
    pub reason: Option<ErrorInfo>,
}
