//! `ClientOptions`: how a `Realtime` client connects and how long it waits.

use crate::protocol::Format;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

/// How the client authenticates the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    /// Basic auth with an API key `appId.keyId:secret` (TLS only, RSC18).
    Key(String),
    /// A fixed token.
    Token(String),
    /// The driver supplies tokens: the core asks with `Event::AuthRequired`.
    External,
}

/// Timeouts and retry intervals, in milliseconds (TO3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Wait after a failed connection attempt before the next one.
    pub disconnected_retry: u64,
    /// Wait between attempts while suspended.
    pub suspended_retry: u64,
    /// How long a request (connect, attach, close, ping) may take.
    pub realtime_request: u64,
    /// Wait before re-attaching a suspended channel.
    pub channel_retry: u64,
    /// How long after the last connection the client keeps trying to resume before suspending.
    pub connection_state_ttl: u64,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            disconnected_retry: 15_000,
            suspended_retry: 30_000,
            realtime_request: 10_000,
            channel_retry: 15_000,
            connection_state_ttl: 120_000,
        }
    }
}

/// Everything a `Realtime` client needs to know before it connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Realtime host name.
    pub host: String,
    /// Realtime port.
    pub port: u16,
    /// Whether to use `wss`.
    pub tls: bool,
    /// The clientId to connect as, if any.
    pub client_id: Option<String>,
    /// How to authenticate.
    pub auth: AuthMethod,
    /// With `AuthMethod::External`, a token to connect with before asking for one: the
    /// app's `token` beside its authUrl or authCallback, as ably-js uses it.
    pub first_token: Option<String>,
    /// Wire format.
    pub format: Format,
    /// Whether the server echoes our own messages back.
    pub echo_messages: bool,
    /// Whether what is sent while not connected (or, for presence, while the channel is
    /// not attached) waits for it; otherwise it is refused at once (RTL6c2, RTP16b).
    pub queue_messages: bool,
    /// Extra connect query params (remainPresentFor, heartbeatInterval, …).
    pub transport_params: Vec<(String, String)>,
    /// The `agent` param, e.g. `roster-js/0.1.0`.
    pub agent: String,
    /// Timeouts and retry intervals.
    pub timeouts: Timeouts,
    /// Seeds the random part of retry delays (RTB1), so that clients cut off together do
    /// not retry in lockstep: give each client its own random one; 0 means no jitter.
    pub seed: u64,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            host: "localhost".to_owned(),
            port: 80,
            tls: true,
            client_id: None,
            auth: AuthMethod::External,
            first_token: None,
            format: Format::Json,
            echo_messages: true,
            queue_messages: true,
            transport_params: Vec::new(),
            agent: concat!("roster/", env!("CARGO_PKG_VERSION")).to_owned(),
            timeouts: Timeouts::default(),
            seed: 0,
        }
    }
}
