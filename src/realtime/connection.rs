//! The connection state machine: connect, CONNECTED, loss and retry, suspension, close,
//! ping and auth (RTN4–RTN15, RTN22).

use super::timers::retry_time;
use super::{Completion, Event, OpId, Ping, Realtime, Ticket, TransportCommand};
use crate::connection::{connect_url, AuthMethod, ConnectionState, ConnectionStateChange};
use crate::protocol::{codes, encode, Action, AuthDetails, ErrorInfo, ProtocolMessage};
use crate::text::{self, push_u64};
use alloc::string::String;

/// 80003: the transport went away.
pub(super) fn disconnected_error(message: &str) -> ErrorInfo {
    ErrorInfo::new(codes::CONNECTION_DISCONNECTED, 400, message)
}

/// 80017: the app closed the connection.
fn closed_error() -> ErrorInfo {
    ErrorInfo::new(codes::CONNECTION_CLOSED, 400, "connection closed")
}

/// 40171 (no way to renew) and 40102 (incompatible credentials): token failures that are
/// reported as they are and fail the connection, as ably-js's.
fn is_final_auth_error(error: &ErrorInfo) -> bool {
    matches!(
        error.code,
        codes::NO_TOKEN_RENEWAL | codes::INCOMPATIBLE_CREDENTIALS
    )
}

/// 40171: a token is needed and the client has no authUrl, authCallback or key to get one.
pub(crate) fn no_token_renewal() -> ErrorInfo {
    ErrorInfo::new(
        codes::NO_TOKEN_RENEWAL,
        403,
        "a new token is needed, but the client has no authUrl, authCallback or key to get one",
    )
}

/// A failed token request as the connection reports it, as ably-js does: 80019 with the
/// failure as its cause, 403 if the auth server refused (RSA4d) and 401 otherwise
/// (RSA4c1); 40171 and 40102 as they are (`is_final_auth_error`).
pub(super) fn auth_provider_error(error: ErrorInfo) -> ErrorInfo {
    if is_final_auth_error(&error) {
        return error;
    }
    let (status, message) = if error.status_code == 403 {
        (
            403,
            "client configured authentication provider returned 403, failing the connection",
        )
    } else {
        (
            401,
            "client configured authentication provider request failed",
        )
    };
    ErrorInfo::new(codes::TOKEN_REQUEST_FAILED, status, message).with_cause(error)
}

/// 80002 with ably-js's words: the connection is suspended, connectionStateTtl having
/// passed without a transport.
pub(super) fn suspended_error() -> ErrorInfo {
    ErrorInfo::new(
        codes::CONNECTION_SUSPENDED,
        400,
        "Connection to server unavailable",
    )
}

/// 50003: a request got no answer in time.
pub(super) fn timeout_error(message: &str) -> ErrorInfo {
    ErrorInfo::new(codes::TIMEOUT, 504, message)
}

impl Realtime {
    /// Opens the connection (or retries at once when disconnected or suspended). While
    /// closing, as ably-js: the close ends now (the server has the CLOSE; its CLOSED is
    /// not waited for) and a new connection is made.
    pub fn connect(&mut self, now: u64) {
        match self.state {
            ConnectionState::Connected | ConnectionState::Connecting => {}
            ConnectionState::Initialized
            | ConnectionState::Closing
            | ConnectionState::Closed
            | ConnectionState::Failed => {
                if self.state == ConnectionState::Closing {
                    self.finish_close();
                }
                self.suspend_at = Some(now + self.connection_state_ttl);
                self.start_connecting(now);
            }
            ConnectionState::Disconnected | ConnectionState::Suspended => {
                self.start_connecting(now)
            }
        }
    }

    /// Closes the connection: CLOSE, then CLOSED (or a timeout) → closed (RTN12).
    pub fn close(&mut self, now: u64) {
        match self.state {
            ConnectionState::Closed | ConnectionState::Closing => {}
            ConnectionState::Connected => {
                self.send_frame(&ProtocolMessage::new(Action::Close));
                // As ably-js: closing and closed give 80017 as the reason and errorReason.
                self.set_state(ConnectionState::Closing, Some(closed_error()), None);
                self.request_deadline = Some(now + self.options.timeouts.realtime_request);
            }
            // Nothing to wait for, but as ably-js the app still hears of closing first.
            _ => {
                self.set_state(ConnectionState::Closing, Some(closed_error()), None);
                self.finish_close();
            }
        }
    }

    /// Sends a HEARTBEAT with an id; completes with `Completion::Pong(rtt)` (RTN13).
    /// Not connected, it fails at once with 40000, as ably-js (RTN13b).
    pub fn ping(&mut self, now: u64) -> OpId {
        let op = self.new_op();
        if self.state != ConnectionState::Connected {
            let error = ErrorInfo::bad_request("unable to ping: not connected");
            self.complete(op, Err(error));
            return op;
        }
        let mut id = String::from("ping-");
        push_u64(&mut id, op.0);
        let msg = ProtocolMessage {
            id: Some(id.clone()),
            ..ProtocolMessage::new(Action::Heartbeat)
        };
        self.send_frame(&msg);
        self.pings.push(Ping {
            id,
            op,
            sent_at: now,
        });
        op
    }

    /// Supplies the token `AuthRequired` asked for: continues a connection waiting for it,
    /// or re-authorizes a connected one in band (AUTH, RTN22). A token no longer waited
    /// for (an app's authorize() gave one since) is dropped.
    pub fn authorize(&mut self, token: String, now: u64) {
        if !core::mem::take(&mut self.is_awaiting_auth) {
            return;
        }
        self.token = Some(token.clone());
        match self.state {
            ConnectionState::Connecting => self.open_transport(now),
            ConnectionState::Connected => self.send_auth(token),
            _ => {}
        }
    }

    /// The driver could not get a token: failed when the auth server said 403 (RSA4d);
    /// else a connection attempt is disconnected (retry later), and a connected one goes
    /// on with its token until the server ends it (RTN22). The reason is 80019 with
    /// `error` as its cause (RSA4c1).
    pub fn auth_failed(&mut self, error: ErrorInfo, now: u64) {
        if !core::mem::take(&mut self.is_awaiting_auth) {
            return;
        }
        let error = auth_provider_error(error);
        // As ably-js (RSA4d): 40171, 40102 and any 403 fail the connection.
        if error.status_code == 403 || is_final_auth_error(&error) {
            self.fail(error);
        } else if self.state == ConnectionState::Connecting {
            self.lose_transport(now, error, false);
        }
    }

    /// AUTH with `token`, on the connected transport.
    pub(super) fn send_auth(&mut self, token: String) {
        let msg = ProtocolMessage {
            auth: Some(AuthDetails {
                access_token: token,
            }),
            ..ProtocolMessage::new(Action::Auth)
        };
        self.send_frame(&msg);
    }

    /// The socket closed or errored without us asking.
    pub fn transport_closed(&mut self, now: u64) {
        if !self.is_transport_open {
            return;
        }
        self.is_transport_open = false;
        match self.state {
            ConnectionState::Closing => self.finish_close(),
            ConnectionState::Connected => self.lose_transport(
                now,
                disconnected_error("connection closed by the transport"),
                false,
            ),
            // Never connected on this transport: 404 as ably-js's "unable to connect".
            ConnectionState::Connecting => self.lose_transport(
                now,
                ErrorInfo::new(codes::CONNECTION_DISCONNECTED, 404, "unable to connect"),
                false,
            ),
            _ => {}
        }
    }

    /// Moves to `state`, tells the application, and makes the channels follow (RTL3).
    pub(super) fn set_state(
        &mut self,
        state: ConnectionState,
        reason: Option<ErrorInfo>,
        retry_in: Option<u64>,
    ) {
        let previous = self.state;
        if previous == state && state != ConnectionState::Connected {
            return;
        }
        if reason.is_some() || state == ConnectionState::Connected {
            self.error_reason = reason.clone();
        }
        self.state = state;
        match state {
            ConnectionState::Disconnected => self.disconnected_count += 1,
            ConnectionState::Connected | ConnectionState::Suspended => self.disconnected_count = 0,
            _ => {}
        }
        let event = if previous == state {
            "update"
        } else {
            state.name()
        };
        self.events
            .push(Event::ConnectionState(ConnectionStateChange {
                previous,
                current: state,
                event,
                reason: reason.clone(),
                retry_in,
            }));
        if previous != state {
            if matches!(
                state,
                ConnectionState::Suspended | ConnectionState::Closed | ConnectionState::Failed
            ) {
                let error = reason.clone().unwrap_or_else(|| self.state_error());
                self.settle_authorizing(Some(&error));
            }
            self.channels_follow_connection(state, reason);
        }
    }

    /// The error an operation gets when the connection cannot carry it.
    pub(super) fn state_error(&self) -> ErrorInfo {
        match self.state {
            ConnectionState::Suspended => suspended_error(),
            ConnectionState::Closing | ConnectionState::Closed => closed_error(),
            ConnectionState::Failed => self.error_reason.clone().unwrap_or_else(|| {
                ErrorInfo::new(codes::CONNECTION_FAILED, 400, "connection failed")
            }),
            _ => disconnected_error("connection not connected"),
        }
    }

    /// Sends an ack-able message now, queues it until connected, or fails it (RTN7, RTL6c).
    pub(super) fn send(&mut self, msg: ProtocolMessage, ticket: Ticket) {
        if let Some(error) = self.refusal() {
            return self.resolve(ticket, Err(error));
        }
        if self.state == ConnectionState::Connected {
            let msg = self.pending.assign(msg, ticket);
            self.transmit.push(encode(self.options.format, msg));
        } else if self.options.queue_messages {
            self.queued.push((msg, ticket));
        } else {
            // As ably-js: the connection's last error, else 90000.
            let error = self.error_reason.clone().unwrap_or_else(|| {
                ErrorInfo::new(
                    codes::CHANNEL_OPERATION_FAILED,
                    400,
                    "not connected and queueMessages is off",
                )
            });
            self.resolve(ticket, Err(error));
        }
    }

    /// Why an operation cannot even be queued now: the connection is closing, closed,
    /// suspended or failed (RTL4b, RTL6c4, RTN7d).
    pub(super) fn refusal(&self) -> Option<ErrorInfo> {
        match self.state {
            ConnectionState::Closing
            | ConnectionState::Closed
            | ConnectionState::Suspended
            | ConnectionState::Failed => Some(self.state_error()),
            ConnectionState::Initialized
            | ConnectionState::Connecting
            | ConnectionState::Connected
            | ConnectionState::Disconnected => None,
        }
    }

    pub(super) fn start_connecting(&mut self, now: u64) {
        self.retry_at = None;
        self.set_state(ConnectionState::Connecting, None, None);
        // While a token is fetched, no deadline of the core's (open_transport sets one).
        self.request_deadline = None;
        match (&self.options.auth, &self.token) {
            (AuthMethod::External, None) => {
                self.is_awaiting_auth = true;
                self.events.push(Event::AuthRequired);
            }
            // A fixed token the server refused, and nothing to get another with.
            (AuthMethod::Token(_), None) => self.fail(no_token_renewal()),
            _ => self.open_transport(now),
        }
    }

    pub(super) fn open_transport(&mut self, now: u64) {
        let param = if self.is_recovering {
            "recover"
        } else {
            "resume"
        };
        let resume = self.connection_key.as_deref().map(|key| (param, key));
        let url = connect_url(&self.options, self.token.as_deref(), resume);
        self.transport_commands.push(TransportCommand::Open { url });
        self.is_transport_open = true;
        self.last_activity = now;
        // The attempt's deadline runs from here: a token request has its own, the
        // driver's (realtimeRequestTimeout, 40170), as in ably-js, where it ends first.
        self.request_deadline = Some(now + self.options.timeouts.realtime_request);
    }

    /// The transport is gone (or we drop it): retry at once after a drop from connected,
    /// later otherwise, suspended once the state TTL has run out (RTN14d, RTN15a, RTN14e).
    pub(super) fn lose_transport(&mut self, now: u64, reason: ErrorInfo, close: bool) {
        if close && self.is_transport_open {
            self.transport_commands.push(TransportCommand::Close);
        }
        self.is_transport_open = false;
        self.is_awaiting_auth = false;
        self.request_deadline = None;
        self.fail_pings(&reason);
        let was_connected = self.state == ConnectionState::Connected;
        if was_connected {
            self.suspend_at = Some(now + self.connection_state_ttl);
            // Reconnecting at once, the change still says the wait ably-js computes.
            let delay = self.disconnected_delay();
            self.set_state(ConnectionState::Disconnected, Some(reason), Some(delay));
            self.start_connecting(now);
            return;
        }
        let timeouts = self.options.timeouts;
        if self.suspend_at.is_none_or(|at| at <= now) {
            self.suspend_at = None;
            // Too late to resume: the next CONNECTED is a new connection (RTN15g).
            self.connection_key = None;
            // The suspend timer's reason as it is (handle_timeout); a failed attempt's
            // inside an 80002.
            let error = if reason.code == codes::CONNECTION_SUSPENDED {
                reason
            } else {
                let message = text::concat(&["connection suspended: ", &reason.message]);
                ErrorInfo::new(codes::CONNECTION_SUSPENDED, 400, message)
            };
            self.set_state(
                ConnectionState::Suspended,
                Some(error),
                Some(timeouts.suspended_retry),
            );
            self.retry_at = Some(now + timeouts.suspended_retry);
        } else {
            let delay = self.disconnected_delay();
            self.set_state(ConnectionState::Disconnected, Some(reason), Some(delay));
            self.retry_at = Some(now + delay);
        }
    }

    /// The wait before retrying after the disconnection about to be reported: backoff on
    /// the disconnections since the last connected or suspended, with jitter (RTB1). As
    /// ably-js, the change's `retryIn` even when the retry is made at once.
    fn disconnected_delay(&mut self) -> u64 {
        let attempt = self.disconnected_count + 1;
        let random = self.random();
        retry_time(self.options.timeouts.disconnected_retry, attempt, random)
    }

    /// A fatal connection error (RTN15i, RTN14g).
    pub(super) fn fail(&mut self, error: ErrorInfo) {
        self.end_connection(&error);
        self.set_state(ConnectionState::Failed, Some(error), None);
    }

    pub(super) fn finish_close(&mut self) {
        let error = closed_error();
        self.end_connection(&error);
        self.set_state(ConnectionState::Closed, Some(error), None);
    }

    /// Drops the transport, timers and identity of a connection that will not resume.
    pub(super) fn end_connection(&mut self, error: &ErrorInfo) {
        if self.is_transport_open {
            self.transport_commands.push(TransportCommand::Close);
        }
        self.is_transport_open = false;
        self.is_awaiting_auth = false;
        self.request_deadline = None;
        self.retry_at = None;
        self.suspend_at = None;
        self.connection_key = None;
        self.connection_id = None;
        self.is_recovering = false;
        self.fail_pings(error);
    }

    /// Fails everything sent or queued on the connection (suspended, failed, closed).
    pub(super) fn fail_messages(&mut self, error: &ErrorInfo) {
        let mut lost = self.pending.reset();
        lost.append(&mut self.queued);
        for (_, ticket) in lost {
            self.resolve(ticket, Err(error.clone()));
        }
    }

    fn fail_pings(&mut self, error: &ErrorInfo) {
        for ping in core::mem::take(&mut self.pings) {
            self.complete(ping.op, Err(error.clone()));
        }
    }

    pub(super) fn on_heartbeat(&mut self, msg: &ProtocolMessage, now: u64) {
        let Some(id) = msg.id.as_deref() else {
            return;
        };
        if let Some(index) = self.pings.iter().position(|p| p.id == id) {
            let ping = self.pings.remove(index);
            let rtt = now.saturating_sub(ping.sent_at);
            self.complete(ping.op, Ok(Completion::Pong(rtt)));
        }
    }

    pub(super) fn on_ack(&mut self, msg: &ProtocolMessage, is_ack: bool) {
        let (Some(serial), count) = (msg.msg_serial, msg.count.unwrap_or(1)) else {
            return;
        };
        let error = msg
            .error
            .clone()
            .unwrap_or_else(|| ErrorInfo::internal("message rejected by the server"));
        for (_, ticket) in self.pending.resolve(serial, count) {
            let result = if is_ack { Ok(()) } else { Err(error.clone()) };
            self.resolve(ticket, result);
        }
    }

    /// CONNECTED: a new connection, a resumed one, or an update while connected (RTN15c).
    pub(super) fn on_connected(&mut self, msg: &mut ProtocolMessage, now: u64) {
        let details = msg.connection_details.take().unwrap_or_default();
        let previous_id = self.connection_id.take();
        // A recovery that worked comes back without an error (RTN16d, RTN16l); its
        // message serials go on from the recovered ones.
        let is_recovered = core::mem::take(&mut self.is_recovering) && msg.error.is_none();
        let is_resumed =
            is_recovered || (previous_id.is_some() && previous_id == msg.connection_id);
        self.connection_id = msg.connection_id.take();
        self.connection_key = details.connection_key.or(msg.connection_key.take());
        // A wildcard token's '*' is the clientId too, as ably-js reports it (RSA7b4);
        // presence without a clientId of its own still refuses it (RTP8j).
        if let Some(client_id) = details.client_id {
            self.client_id = Some(client_id);
        }
        self.max_idle_interval = details.max_idle_interval;
        self.connection_state_ttl = details
            .connection_state_ttl
            .unwrap_or(self.options.timeouts.connection_state_ttl);
        self.request_deadline = None;
        self.retry_at = None;
        self.is_token_retry = false;
        self.last_activity = now;
        self.suspend_at = None;
        let was_connected = self.state == ConnectionState::Connected;
        self.set_state(ConnectionState::Connected, msg.error.take(), None);
        self.settle_authorizing(None);
        if was_connected {
            return;
        }
        if is_resumed {
            for msg in self.pending.resend() {
                self.transmit.push(encode(self.options.format, msg));
            }
        } else {
            // What the lost connection had in flight goes first, to get new serials.
            let mut queued = self.pending.reset();
            for (msg, _) in &mut queued {
                msg.msg_serial = None;
            }
            queued.append(&mut self.queued);
            self.queued = queued;
        }
        self.reattach_channels(now);
        for (msg, ticket) in core::mem::take(&mut self.queued) {
            self.send(msg, ticket);
        }
    }

    /// DISCONNECTED or a connection ERROR: renew the token when we can, else retry or fail.
    pub(super) fn on_connection_error(&mut self, error: ErrorInfo, is_fatal: bool, now: u64) {
        if error.is_token_error() && self.options.auth == AuthMethod::External {
            self.token = None;
            match self.state {
                // The token expired while connected: disconnected, then at once a fresh
                // token and a resume (RTN15h2). That renewal is this disconnection's one.
                ConnectionState::Connected => {
                    self.lose_transport(now, error, true);
                    self.is_token_retry = true;
                }
                // One fresh token per connection attempt (RTN14b); as ably-js 2.x,
                // disconnected and connecting again at once.
                ConnectionState::Connecting if !self.is_token_retry => {
                    self.is_token_retry = true;
                    if self.is_transport_open {
                        self.transport_commands.push(TransportCommand::Close);
                    }
                    self.is_transport_open = false;
                    self.disconnected_to_retry_at_once(error);
                    self.start_connecting_again();
                }
                _ => self.lose_transport(now, error, true),
            }
            return;
        }
        if error.is_token_error() {
            // A fixed token, which cannot be sent again (RSA4a2). As ably-js 2.x:
            // disconnected and a reconnect first, which finds no way to renew it; a
            // later connect() fails so too, as the token is dropped.
            self.token = None;
            self.disconnected_to_retry_at_once(error);
            self.fail(no_token_renewal());
        } else if is_fatal {
            self.fail(error);
        } else {
            self.lose_transport(now, error, true);
        }
    }

    /// Disconnected for a token error, and connecting again at once.
    fn disconnected_to_retry_at_once(&mut self, error: ErrorInfo) {
        let delay = self.disconnected_delay();
        self.set_state(ConnectionState::Disconnected, Some(error), Some(delay));
        self.set_state(ConnectionState::Connecting, None, None);
    }

    fn start_connecting_again(&mut self) {
        // The new transport's deadline comes with it (open_transport).
        self.request_deadline = None;
        self.is_awaiting_auth = true;
        self.events.push(Event::AuthRequired);
    }
}
