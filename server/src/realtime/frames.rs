//! How large a frame a client may send, and the error for one past it. The WebSocket
//! layer is told the same limit, so an oversize frame is refused from its header,
//! before any of it is buffered (its default would read up to 64 MiB first).

use crate::config::Config;
use roster::protocol::ErrorInfo;
use tungstenite::error::CapacityError;

/// The largest frame accepted: a message of the maximum size plus room for its envelope.
pub fn frame_limit(config: &Config) -> usize {
    config.max_message_size * 2 + 16 * 1024
}

/// 40009 if the socket's read failed on a frame or message past [`frame_limit`].
pub fn oversize(error: axum::Error, config: &Config) -> Option<ErrorInfo> {
    match error.into_inner().downcast_ref::<tungstenite::Error>()? {
        tungstenite::Error::Capacity(CapacityError::MessageTooLong { size, .. }) => {
            Some(ErrorInfo::too_big(*size, frame_limit(config)))
        }
        _ => None,
    }
}
