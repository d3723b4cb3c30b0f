//! Frames to ProtocolMessages and back, in JSON (and msgpack with the `msgpack` feature).

use super::{ErrorInfo, ProtocolMessage};
use crate::json;
use alloc::string::String;
use alloc::vec::Vec;

/// The wire format of a connection (`format` connect param).
///
/// `Msgpack` exists only with the `msgpack` feature, so a build without it cannot ask
/// for frames it would be unable to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// JSON text frames (`format=json`).
    #[default]
    Json,
    /// msgpack binary frames (`format=msgpack`).
    #[cfg(feature = "msgpack")]
    Msgpack,
}

impl Format {
    /// The value of the `format` connect param.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            #[cfg(feature = "msgpack")]
            Format::Msgpack => "msgpack",
        }
    }

    /// The format for a `format` param value, if this build supports it.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            #[cfg(feature = "msgpack")]
            "msgpack" => Some(Format::Msgpack),
            _ => None,
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
    json::from_slice(bytes)
        .map_err(|e| ErrorInfo::bad_request(e.describe("malformed protocol message")))
}

/// Encodes one ProtocolMessage as JSON.
pub fn encode_json(msg: &ProtocolMessage) -> String {
    json::to_string(msg)
}

/// Decodes a frame in the given format.
pub fn decode(format: Format, bytes: &[u8]) -> Result<ProtocolMessage, ErrorInfo> {
    match format {
        Format::Json => decode_json(bytes),
        #[cfg(feature = "msgpack")]
        Format::Msgpack => rmp_serde::from_slice(bytes)
            .map_err(|e| ErrorInfo::bad_request(format!("malformed protocol message: {e}"))),
    }
}

/// Encodes a message as a frame in the given format.
pub fn encode(format: Format, msg: &ProtocolMessage) -> Frame {
    match format {
        Format::Json => Frame::Text(encode_json(msg)),
        #[cfg(feature = "msgpack")]
        // As with JSON, serializing these types cannot fail.
        Format::Msgpack => Frame::Binary(rmp_serde::to_vec_named(msg).unwrap_or_default()),
    }
}
