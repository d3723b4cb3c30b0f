//! Wire types of the Ably realtime protocol (JSON through `wire` on Roster's own codec;
//! msgpack through the serde derives, behind the `msgpack` feature).
//!
//! Field names follow the protocol's own spelling so the code can be held against the
//! spec. Absent fields are omitted on encode; unknown fields are ignored on decode.

mod action;
mod app_json;
mod codec;
mod data;
mod encoding;
mod error;
mod flags;
mod message;
mod presence_message;
mod protocol_message;
mod wire;

pub use action::Action;
pub use app_json::{AppMessage, AppPresence, AppPresenceList};
pub use codec::{decode, decode_json, encode, encode_json, Format, Frame};
pub use data::{Data, DataRef};
pub use encoding::{decode_data, encode_data, DecodedData};
pub use error::{codes, ErrorInfo};
pub use flags::Flags;
pub use message::Message;
pub use presence_message::{PresenceAction, PresenceMessage, PresenceView};
pub use protocol_message::{AuthDetails, ConnectionDetails, ProtocolMessage};
