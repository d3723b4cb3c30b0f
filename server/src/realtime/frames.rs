//! How large a frame a client may send, and the error for one past it. The WebSocket
//! layer is told the same limit, so an oversize frame is refused from its header,
//! before any of it is buffered (its default would read up to 64 MiB first).

use crate::config::Config;
use roster::protocol::ErrorInfo;
use tungstenite::error::CapacityError;
use tungstenite::protocol::WebSocketConfig;

/// The largest frame accepted: a message of the maximum size plus room for its envelope.
pub fn frame_limit(config: &Config) -> usize {
    config.max_message_size * 2 + 16 * 1024
}

/// The WebSocket layer's settings: [`frame_limit`] on what is read, small buffers.
pub fn socket_config(config: &Config) -> WebSocketConfig {
    WebSocketConfig::default()
        // tungstenite reserves its whole read buffer per socket up front (128 KiB by
        // default); frames are small, so 4 KiB keeps an idle connection cheap.
        .read_buffer_size(4096)
        // Each frame goes on to the socket's BufferedIo at once (see listener.rs).
        .write_buffer_size(0)
        .max_message_size(Some(frame_limit(config)))
        .max_frame_size(Some(frame_limit(config)))
}

/// 40009 if the socket's read failed on a frame or message past [`frame_limit`].
pub fn oversize(error: &tungstenite::Error, config: &Config) -> Option<ErrorInfo> {
    match error {
        tungstenite::Error::Capacity(CapacityError::MessageTooLong { size, .. }) => {
            Some(ErrorInfo::too_big(*size, frame_limit(config)))
        }
        _ => None,
    }
}
