//! `ErrorInfo`: every failure Roster reports, with an Ably error code.

use crate::text::push_u64;
use alloc::boxed::Box;
use alloc::string::String;
use serde::{Deserialize, Serialize};

/// The Ably error codes Roster uses (`ably-common/protocol/errors.json`).
pub mod codes {
    /// Bad request.
    pub const BAD_REQUEST: u32 = 40000;
    /// Invalid parameter value.
    pub const INVALID_PARAMETER: u32 = 40003;
    /// Message too large.
    pub const TOO_BIG: u32 = 40009;
    /// Invalid channel name.
    pub const INVALID_CHANNEL_NAME: u32 = 40010;
    /// Invalid or mismatched clientId.
    pub const INVALID_CLIENT_ID: u32 = 40012;
    /// Invalid data or encoding.
    pub const INVALID_DATA_OR_ENCODING: u32 = 40013;
    /// Unauthorized.
    pub const UNAUTHORIZED: u32 = 40100;
    /// Invalid credentials.
    pub const INVALID_CREDENTIALS: u32 = 40101;
    /// Incompatible credentials (e.g. clientId conflicts with the token's).
    pub const INCOMPATIBLE_CREDENTIALS: u32 = 40102;
    /// Basic (API key) auth over a non-TLS connection.
    pub const BASIC_AUTH_OVER_NON_TLS: u32 = 40103;
    /// Token request timestamp outside the accepted window.
    pub const TOKEN_REQUEST_TIMESTAMP: u32 = 40104;
    /// Token request nonce already used.
    pub const TOKEN_REQUEST_NONCE_REUSED: u32 = 40105;
    /// No way to authenticate was given.
    pub const NO_AUTH_METHOD: u32 = 40106;
    /// Key not recognised.
    pub const KEY_NOT_FOUND: u32 = 40130;
    /// Token error (generic; the 40140–40149 range makes clients renew).
    pub const TOKEN_ERROR: u32 = 40140;
    /// Token expired.
    pub const TOKEN_EXPIRED: u32 = 40142;
    /// Token not recognised.
    pub const TOKEN_UNRECOGNISED: u32 = 40143;
    /// Invalid JWT.
    pub const INVALID_JWT: u32 = 40144;
    /// Operation not permitted by the capability.
    pub const NOT_PERMITTED: u32 = 40160;
    /// Operation needs a channel mode the attach did not ask for.
    pub const MODE_NOT_REQUESTED: u32 = 40165;
    /// Error from the app's authCallback / authUrl.
    pub const AUTH_CALLBACK_FAILED: u32 = 40170;
    /// Token expired and no way to renew it.
    pub const NO_TOKEN_RENEWAL: u32 = 40171;
    /// Not found.
    pub const NOT_FOUND: u32 = 40400;
    /// Internal error.
    pub const INTERNAL: u32 = 50000;
    /// Internal channel error (default NACK reason).
    pub const INTERNAL_CHANNEL: u32 = 50001;
    /// Timeout.
    pub const TIMEOUT: u32 = 50003;
    /// Connection failed.
    pub const CONNECTION_FAILED: u32 = 80000;
    /// Connection suspended.
    pub const CONNECTION_SUSPENDED: u32 = 80002;
    /// Connection disconnected.
    pub const CONNECTION_DISCONNECTED: u32 = 80003;
    /// Connection state no longer available.
    pub const CONNECTION_NO_LONGER_AVAILABLE: u32 = 80005;
    /// Unable to recover connection.
    pub const UNABLE_TO_RECOVER: u32 = 80008;
    /// Connection closed.
    pub const CONNECTION_CLOSED: u32 = 80017;
    /// Invalid connection key.
    pub const INVALID_CONNECTION_KEY: u32 = 80018;
    /// Token request through authUrl/authCallback failed.
    pub const TOKEN_REQUEST_FAILED: u32 = 80019;
    /// Channel operation failed.
    pub const CHANNEL_OPERATION_FAILED: u32 = 90000;
    /// Channel operation invalid in the channel's current state.
    pub const CHANNEL_STATE: u32 = 90001;
    /// Channel continuity not guaranteed.
    pub const CHANNEL_CONTINUITY_LOST: u32 = 90003;
    /// Channel attach/detach timed out.
    pub const CHANNEL_TIMEOUT: u32 = 90007;
    /// Too many channels (attached to one connection, or named in one batch request).
    pub const TOO_MANY_CHANNELS: u32 = 90010;
    /// Cannot enter presence without a clientId.
    pub const PRESENCE_NO_CLIENT_ID: u32 = 91000;
    /// Cannot enter presence in the channel's current state.
    pub const PRESENCE_STATE: u32 = 91001;
    /// Too many presence members.
    pub const TOO_MANY_PRESENCE_MEMBERS: u32 = 91003;
    /// Unable to automatically re-enter presence.
    pub const PRESENCE_REENTER_FAILED: u32 = 91004;
    /// Presence state out of sync.
    pub const PRESENCE_OUT_OF_SYNC: u32 = 91005;
    /// The presence data a channel or connection holds would grow past its limit.
    pub const TOTAL_PRESENCE_DATA_TOO_LARGE: u32 = 91006;
    /// A message refused for the connection's inbound rate; the connection goes on.
    pub const RATE_LIMIT_EXCEEDED: u32 = 42911;
    /// A connection closed for far exceeding its inbound message rate.
    pub const PER_CONNECTION_INBOUND_FATAL: u32 = 42921;
    /// A connection closed for its rate of protocol messages.
    pub const PROTOCOL_MESSAGE_RATE_FATAL: u32 = 42924;
}

/// An Ably error: code, HTTP-style status code, a human-readable message and, for an
/// error that wraps another, the failure underneath it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    /// The Ably error code (e.g. 40160).
    #[serde(default)]
    pub code: u32,
    /// The HTTP status code that goes with it (e.g. 401).
    #[serde(default)]
    pub status_code: u16,
    /// What went wrong, for people.
    #[serde(default)]
    pub message: String,
    /// A help link (`https://help.ably.io/error/<code>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// The failure this error reports (TI1, ably-js's `cause`): the client's own, never
    /// read from or written to the wire.
    #[serde(skip)]
    pub cause: Option<Box<ErrorInfo>>,
}

impl ErrorInfo {
    /// An error with the given code, status and message.
    pub fn new(code: u32, status_code: u16, message: impl Into<String>) -> ErrorInfo {
        // Built without `format!`: this runs for every error and keeps `core::fmt` out
        // of the browser build.
        let mut href = String::from("https://help.ably.io/error/");
        push_u64(&mut href, u64::from(code));
        ErrorInfo {
            code,
            status_code,
            message: message.into(),
            href: Some(href),
            cause: None,
        }
    }

    /// This error with `cause` as the failure underneath it.
    pub fn with_cause(mut self, cause: ErrorInfo) -> ErrorInfo {
        self.cause = Some(Box::new(cause));
        self
    }

    /// 40000: the request or frame is malformed.
    pub fn bad_request(message: impl Into<String>) -> ErrorInfo {
        ErrorInfo::new(codes::BAD_REQUEST, 400, message)
    }

    /// 40009: the message is larger than allowed.
    pub fn too_big(size: usize, limit: usize) -> ErrorInfo {
        let mut message = String::from("message of ");
        push_u64(&mut message, size as u64);
        message.push_str(" bytes exceeds the maximum of ");
        push_u64(&mut message, limit as u64);
        message.push_str(" bytes");
        ErrorInfo::new(codes::TOO_BIG, 400, message)
    }

    /// 40012: the clientId is missing, a wildcard, or does not match the credentials.
    pub fn invalid_client_id(message: impl Into<String>) -> ErrorInfo {
        ErrorInfo::new(codes::INVALID_CLIENT_ID, 400, message)
    }

    /// 40160: the capability does not allow this operation.
    pub fn not_permitted(message: impl Into<String>) -> ErrorInfo {
        ErrorInfo::new(codes::NOT_PERMITTED, 401, message)
    }

    /// 40101: the credentials are invalid.
    pub fn invalid_credentials(message: impl Into<String>) -> ErrorInfo {
        ErrorInfo::new(codes::INVALID_CREDENTIALS, 401, message)
    }

    /// 40400: nothing here.
    pub fn not_found(message: impl Into<String>) -> ErrorInfo {
        ErrorInfo::new(codes::NOT_FOUND, 404, message)
    }

    /// 50000: something broke on our side.
    pub fn internal(message: impl Into<String>) -> ErrorInfo {
        ErrorInfo::new(codes::INTERNAL, 500, message)
    }

    /// Whether this is a token error (40140–40149): a client with a way to renew renews.
    pub fn is_token_error(&self) -> bool {
        (40140..40150).contains(&self.code)
    }
}

impl core::fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} (code {}, status {})",
            self.message, self.code, self.status_code
        )
    }
}

impl core::error::Error for ErrorInfo {}
