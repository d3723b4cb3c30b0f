//! `Realtime`: the sans-IO realtime client — one connection state machine and its channels.
//!
//! Drain contract: after every input call (`connect`, `handle_frame`, `transport_closed`,
//! `handle_timeout`, any operation), drain `poll_transport`, `poll_transmit` and
//! `poll_event` until each returns `None`, then arm ONE timer for `poll_timeout()` and
//! call `handle_timeout(now)` when it fires. Time is always the caller's `now` in ms.

mod authorize;
mod channel_inbound;
mod channel_map;
mod channel_options;
mod channels;
mod connection;
mod event;
mod inbound;
mod network;
mod outbox;
mod recovery;
#[cfg(test)]
mod test_client;
mod timers;

use alloc::string::String;
use alloc::vec::Vec;
#[cfg(target_arch = "wasm32")]
pub(crate) use connection::no_token_renewal;
pub use event::{Completion, Event, OpId, TransportCommand};
pub use recovery::RecoveryKey;

use crate::auth::{require_tls_for_basic, TokenDetails};
use crate::channel::ChannelState;
use crate::connection::{AuthMethod, ClientOptions, ConnectionState, PendingQueue};
use crate::protocol::{encode, ErrorInfo, Frame, ProtocolMessage};
use channel_map::ChannelMap;
use outbox::Outbox;

/// Whom to tell when a sent message resolves.
#[derive(Debug, Clone, PartialEq)]
enum Ticket {
    /// An application operation.
    Op(OpId),
    /// An automatic re-entry of an own member (RTP17): failures become events.
    Reenter { channel: String },
}

/// An outstanding ping.
#[derive(Debug)]
struct Ping {
    id: String,
    op: OpId,
    sent_at: u64,
}

/// The realtime client: connection, channels, and the queues the driver drains.
#[derive(Debug)]
pub struct Realtime {
    options: ClientOptions,
    state: ConnectionState,
    error_reason: Option<ErrorInfo>,
    connection_id: Option<String>,
    connection_key: Option<String>,
    client_id: Option<String>,
    /// The token from `authorize` (External auth).
    token: Option<String>,
    /// Waiting for the driver to answer `AuthRequired`.
    is_awaiting_auth: bool,
    /// The app's authorize() calls waiting for the connection to use their token (RTC8).
    authorizing: Vec<(OpId, TokenDetails)>,
    /// This connection attempt already fetched a fresh token after a token error.
    is_token_retry: bool,
    /// Whether we asked for a transport and have not closed it.
    is_transport_open: bool,
    /// The next connect continues another instance's connection (`recover`).
    is_recovering: bool,
    pending: PendingQueue<Ticket>,
    /// Messages waiting for the connection (sent on CONNECTED).
    queued: Vec<(ProtocolMessage, Ticket)>,
    channels: ChannelMap,
    pings: Vec<Ping>,
    next_op: u64,
    /// Last time anything arrived from the server.
    last_activity: u64,
    max_idle_interval: Option<u64>,
    connection_state_ttl: u64,
    /// Suspended then unless connected again (ably-js's suspend timer, RTN14e): set when
    /// a connection is lost or first tried, `None` once connected or past it.
    suspend_at: Option<u64>,
    /// CONNECTED / CLOSED must arrive by then.
    request_deadline: Option<u64>,
    /// Next connection attempt.
    retry_at: Option<u64>,
    /// Times disconnected since last connected or suspended: the retry backs off (RTB1).
    disconnected_count: u64,
    /// The xorshift state that jitters retry delays.
    rng: u64,
    transport_commands: Outbox<TransportCommand>,
    transmit: Outbox<Frame>,
    events: Outbox<Event>,
}

impl Realtime {
    /// A client that has not connected yet; basic auth without TLS is refused (RSC18).
    pub fn new(options: ClientOptions) -> Result<Realtime, ErrorInfo> {
        if let AuthMethod::Key(_) = options.auth {
            require_tls_for_basic(options.tls)?;
        }
        let token = match &options.auth {
            AuthMethod::Token(token) => Some(token.clone()),
            _ => options.first_token.clone(),
        };
        Ok(Realtime {
            client_id: options.client_id.clone(),
            connection_state_ttl: options.timeouts.connection_state_ttl,
            rng: options.seed,
            options,
            state: ConnectionState::Initialized,
            error_reason: None,
            connection_id: None,
            connection_key: None,
            token,
            is_awaiting_auth: false,
            authorizing: Vec::new(),
            is_token_retry: false,
            is_transport_open: false,
            is_recovering: false,
            pending: PendingQueue::default(),
            queued: Vec::new(),
            channels: ChannelMap::default(),
            pings: Vec::new(),
            next_op: 0,
            last_activity: 0,
            max_idle_interval: None,
            suspend_at: None,
            request_deadline: None,
            retry_at: None,
            disconnected_count: 0,
            transport_commands: Outbox::default(),
            transmit: Outbox::default(),
            events: Outbox::default(),
        })
    }

    /// The connection state.
    pub fn connection_state(&self) -> ConnectionState {
        self.state
    }

    /// The server's id for this connection, once connected.
    pub fn connection_id(&self) -> Option<&str> {
        self.connection_id.as_deref()
    }

    /// The key to resume this connection with.
    pub fn connection_key(&self) -> Option<&str> {
        self.connection_key.as_deref()
    }

    /// The clientId: from the options, or as the server assigned it.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Why the connection last changed state for an error.
    pub fn error_reason(&self) -> Option<&ErrorInfo> {
        self.error_reason.as_ref()
    }

    /// The state of a channel (`Initialized` for one never used).
    pub fn channel_state(&self, channel: &str) -> ChannelState {
        self.channels
            .get(channel)
            .map_or(ChannelState::Initialized, |c| c.state)
    }

    /// Why a channel last changed state for an error.
    pub fn channel_error_reason(&self, channel: &str) -> Option<&ErrorInfo> {
        self.channels.get(channel)?.error_reason.as_ref()
    }

    /// Whether the channel's presence set is complete.
    pub fn is_sync_complete(&self, channel: &str) -> bool {
        self.channels
            .get(channel)
            .is_some_and(|c| c.state == ChannelState::Attached && c.is_sync_complete)
    }

    /// The next transport command.
    pub fn poll_transport(&mut self) -> Option<TransportCommand> {
        self.transport_commands.pop()
    }

    /// The next frame to send.
    pub fn poll_transmit(&mut self) -> Option<Frame> {
        self.transmit.pop()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// When `handle_timeout` should next be called.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.next_deadline()
    }

    fn new_op(&mut self) -> OpId {
        self.next_op += 1;
        OpId(self.next_op)
    }

    fn complete(&mut self, op: OpId, result: Result<Completion, ErrorInfo>) {
        self.events.push(Event::Completed { op, result });
    }

    fn resolve(&mut self, ticket: Ticket, result: Result<(), ErrorInfo>) {
        match (ticket, result) {
            (Ticket::Op(op), result) => self.complete(op, result.map(|()| Completion::Done)),
            (Ticket::Reenter { .. }, Ok(())) => {}
            (Ticket::Reenter { channel }, Err(cause)) => {
                // As ably-js (RTP17e): 91004/400, the refusal as the cause.
                let error = ErrorInfo::new(
                    crate::protocol::codes::PRESENCE_REENTER_FAILED,
                    400,
                    "Presence auto re-enter failed",
                )
                .with_cause(cause);
                self.events
                    .push(Event::PresenceReenterFailed { channel, error });
            }
        }
    }

    fn send_frame(&mut self, msg: &ProtocolMessage) {
        self.transmit.push(encode(self.options.format, msg));
    }
}
