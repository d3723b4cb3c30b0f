//! Frames to ProtocolMessages and back, in JSON (and msgpack with the `msgpack` feature).

use super::{ErrorInfo, ProtocolMessage};

/// The wire format of a connection (`format` connect param).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// JSON text frames (`format=json`).
    #[default]
    Json,
    /// msgpack binary frames (`format=msgpack`).
    Msgpack,
}

impl Format {
    /// The value of the `format` connect param.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Msgpack => "msgpack",
        }
    }
}

/// One WebSocket frame's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A text frame (JSON).
    Text(String),
    /// A binary frame (msgpack).
    Binary(Vec<u8>),
}

/// Decodes one JSON ProtocolMessage; malformed input is a 40000 error, never a panic.
pub fn decode_json(bytes: &[u8]) -> Result<ProtocolMessage, ErrorInfo> {
    serde_json::from_slice(bytes)
        .map_err(|e| ErrorInfo::bad_request(format!("malformed protocol message: {e}")))
}

/// Encodes one ProtocolMessage as JSON.
pub fn encode_json(msg: &ProtocolMessage) -> String {
    // Serializing these types cannot fail: every map key is a string and no
    // custom Serialize impl returns an error.
    serde_json::to_string(msg).unwrap_or_default()
}

/// Decodes a frame in the given format.
pub fn decode(format: Format, bytes: &[u8]) -> Result<ProtocolMessage, ErrorInfo> {
    match format {
        Format::Json => decode_json(bytes),
        #[cfg(feature = "msgpack")]
        Format::Msgpack => rmp_serde::from_slice(bytes)
            .map_err(|e| ErrorInfo::bad_request(format!("malformed protocol message: {e}"))),
        #[cfg(not(feature = "msgpack"))]
        Format::Msgpack => Err(ErrorInfo::bad_request(
            "msgpack support is not compiled in (feature `msgpack`)",
        )),
    }
}

/// Encodes a message as a frame in the given format.
pub fn encode(format: Format, msg: &ProtocolMessage) -> Frame {
    match format {
        Format::Json => Frame::Text(encode_json(msg)),
        #[cfg(feature = "msgpack")]
        Format::Msgpack => Frame::Binary(rmp_serde::to_vec_named(msg).unwrap_or_default()),
        #[cfg(not(feature = "msgpack"))]
        Format::Msgpack => Frame::Text(encode_json(msg)),
    }
}
