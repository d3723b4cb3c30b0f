//! The JSON form of the wire types, on Roster's own codec (`crate::json`).
//!
//! The same shape as the serde derives (which msgpack still uses): camelCase names,
//! absent fields omitted, unknown fields ignored, `null` read as absent, `data` a string
//! or any other JSON value kept as its text.

mod data;
mod error;
mod message;
mod protocol_message;

#[cfg(test)]
mod tests;
