//! Connection states and the change records applications see (RTN4).

use crate::protocol::ErrorInfo;

/// The state of the realtime connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Not connected yet.
    Initialized,
    /// Opening a transport and waiting for CONNECTED.
    Connecting,
    /// Connected; messages flow.
    Connected,
    /// Lost the transport; retrying, hoping to resume.
    Disconnected,
    /// Disconnected for longer than the connection state TTL; retrying less often.
    Suspended,
    /// Sent CLOSE, waiting for CLOSED.
    Closing,
    /// Closed by the application.
    Closed,
    /// A fatal error; nothing more happens until `connect`.
    Failed,
}

impl ConnectionState {
    /// The lowercase name ably-js uses.
    pub fn name(self) -> &'static str {
        match self {
            ConnectionState::Initialized => "initialized",
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Disconnected => "disconnected",
            ConnectionState::Suspended => "suspended",
            ConnectionState::Closing => "closing",
            ConnectionState::Closed => "closed",
            ConnectionState::Failed => "failed",
        }
    }
}

/// One connection state change, or an "update" that stays in the same state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionStateChange {
    /// The state before.
    pub previous: ConnectionState,
    /// The state now.
    pub current: ConnectionState,
    /// The new state's name, or "update".
    pub event: &'static str,
    /// Why, if for an error.
    pub reason: Option<ErrorInfo>,
    /// When the next connection attempt happens, in ms from now.
    pub retry_in: Option<u64>,
}
