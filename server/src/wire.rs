//! ProtocolMessages in each connection's wire format (`format=json` or `format=msgpack`).
//!
//! The hub keeps every message's data as a JSON connection sends it: binary is base64
//! text with an `encoding` ending in `base64`. A msgpack frame's binary data is put in
//! that form as it comes in (`decode`), and taken back out of it for each msgpack frame
//! that goes out (`encode`), so either format's clients see the other's binary as
//! binary, and presence sets, SYNC pages, REST reads and the replay log hold one form.

use crate::hub::Outbound;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use roster::protocol::{decode_json, encode, encode_json, Data, ErrorInfo, Format, Frame};
use roster::protocol::{Action, ProtocolMessage};
use serde::Deserialize;
use tungstenite::{Bytes, Utf8Bytes};

/// A frame for a connection that speaks `format`.
pub fn frame(format: Format, msg: &ProtocolMessage) -> Outbound {
    match format {
        Format::Json => Outbound::Text(encode_json(msg).into()),
        Format::Msgpack => Outbound::Binary(msgpack(msg)),
    }
}

/// `msg` as a msgpack frame, its base64 data as binary.
pub fn msgpack(msg: &ProtocolMessage) -> Bytes {
    let has_base64 = |encoding: Option<&str>| encoding.and_then(without_base64).is_some();
    let needs_binary = msg
        .presence
        .iter()
        .flatten()
        .any(|m| has_base64(m.encoding.as_deref()))
        || msg
            .messages
            .iter()
            .flatten()
            .any(|m| has_base64(m.encoding.as_deref()));
    let bytes = if needs_binary {
        let mut msg = msg.clone();
        for m in msg.presence.iter_mut().flatten() {
            to_binary(&mut m.data, &mut m.encoding);
        }
        for m in msg.messages.iter_mut().flatten() {
            to_binary(&mut m.data, &mut m.encoding);
        }
        encode(Format::Msgpack, &msg)
    } else {
        encode(Format::Msgpack, msg)
    };
    match bytes {
        Frame::Binary(bytes) => bytes.into(),
        // A msgpack encode makes binary frames only.
        Frame::Text(text) => Bytes::from(text.into_bytes()),
    }
}

/// A frame the hub encoded as JSON (a replayed one), for a connection that speaks
/// `format`: as it is for JSON, re-encoded for msgpack.
pub fn transcode(format: Format, json: Utf8Bytes) -> Outbound {
    match format {
        Format::Json => Outbound::Text(json),
        Format::Msgpack => match decode_json(json.as_bytes()) {
            Ok(msg) => Outbound::Binary(msgpack(&msg)),
            // The hub wrote it; should it not read back, the client still gets the text.
            Err(_) => Outbound::Text(json),
        },
    }
}

/// A client's frame in `format`, its binary data as base64 for the hub; malformed
/// input is a 40000 error.
pub fn decode(format: Format, bytes: &[u8]) -> Result<ProtocolMessage, ErrorInfo> {
    match format {
        Format::Json => decode_json(bytes),
        Format::Msgpack => {
            let mut msg = roster::protocol::decode(Format::Msgpack, bytes)?;
            for m in msg.presence.iter_mut().flatten() {
                to_base64(&mut m.data, &mut m.encoding);
            }
            for m in msg.messages.iter_mut().flatten() {
                to_base64(&mut m.data, &mut m.encoding);
            }
            Ok(msg)
        }
    }
}

/// The action and msgSerial of a msgpack frame that did not decode as a whole, when it
/// is a map whose `action` and `msgSerial` are numbers (see `salvage`).
pub fn msgpack_header(bytes: &[u8]) -> Option<(Action, u64)> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Header {
        action: u64,
        msg_serial: u64,
    }
    let header: Header = rmp_serde::from_slice(bytes).ok()?;
    Some((Action::from_number(header.action), header.msg_serial))
}

/// What is left of `encoding` once its last step, `base64`, is taken off (`Some(None)`:
/// nothing); `None` when it does not end in `base64`.
pub fn without_base64(encoding: &str) -> Option<Option<&str>> {
    match encoding.rsplit_once('/') {
        Some((rest, "base64")) => Some(Some(rest)),
        None if encoding == "base64" => Some(None),
        _ => None,
    }
}

/// Binary data as base64 text, `base64` added to its encoding.
fn to_base64(data: &mut Option<Data>, encoding: &mut Option<String>) {
    if let Some(Data::Binary(bytes)) = data {
        *data = Some(Data::String(STANDARD.encode(bytes)));
        *encoding = Some(match encoding.take().filter(|e| !e.is_empty()) {
            Some(e) => format!("{e}/base64"),
            None => "base64".to_owned(),
        });
    }
}

/// Base64 text data as binary, `base64` taken off its encoding; left as it is when the
/// text is not base64.
fn to_binary(data: &mut Option<Data>, encoding: &mut Option<String>) {
    let Some(rest) = encoding.as_deref().and_then(without_base64) else {
        return;
    };
    let Some(Data::String(text)) = data else {
        return;
    };
    let Ok(bytes) = STANDARD.decode(text.as_bytes()) else {
        return;
    };
    let rest = rest.map(str::to_owned);
    *data = Some(Data::Binary(bytes));
    *encoding = rest;
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster::protocol::{PresenceAction, PresenceMessage};

    fn presence(data: Data, encoding: Option<&str>) -> ProtocolMessage {
        ProtocolMessage {
            presence: Some(vec![PresenceMessage {
                data: Some(data),
                encoding: encoding.map(str::to_owned),
                ..PresenceMessage::new(PresenceAction::Enter)
            }]),
            ..ProtocolMessage::for_channel(Action::Presence, "c")
        }
    }

    fn item(msg: &ProtocolMessage) -> (Option<Data>, Option<String>) {
        let m = &msg.presence.as_ref().expect("presence")[0];
        (m.data.clone(), m.encoding.clone())
    }

    fn from_msgpack(msg: &ProtocolMessage) -> ProtocolMessage {
        let Frame::Binary(bytes) = encode(Format::Msgpack, msg) else {
            panic!("msgpack is binary");
        };
        decode(Format::Msgpack, &bytes).expect("decodes")
    }

    #[test]
    fn msgpack_binary_is_held_as_base64_and_goes_out_as_binary_again() {
        let sent = presence(Data::Binary(vec![0, 1, 255]), Some("utf-8/cipher"));
        let held = from_msgpack(&sent);
        assert_eq!(
            item(&held),
            (
                Some(Data::String("AAH/".into())),
                Some("utf-8/cipher/base64".into())
            )
        );
        let out: ProtocolMessage = rmp_serde::from_slice(&msgpack(&held)).expect("msgpack frame");
        assert_eq!(item(&out), item(&sent));
    }

    #[test]
    fn strings_and_other_encodings_are_left_alone_both_ways() {
        for (data, encoding) in [
            (Data::String(r#"{"a":1}"#.into()), Some("json")),
            (Data::String("hi".into()), None),
            (Data::String("not base64!".into()), Some("base64")),
        ] {
            let sent = presence(data, encoding);
            assert_eq!(item(&from_msgpack(&sent)), item(&sent));
            let out: ProtocolMessage = rmp_serde::from_slice(&msgpack(&sent)).expect("frame");
            assert_eq!(item(&out), item(&sent));
        }
    }

    #[test]
    fn a_replayed_json_frame_is_reencoded_for_msgpack_only() {
        let held = presence(Data::String("AAH/".into()), Some("base64"));
        let json = Utf8Bytes::from(encode_json(&held));
        assert!(matches!(transcode(Format::Json, json.clone()), Outbound::Text(t) if t == json));
        let Outbound::Binary(bytes) = transcode(Format::Msgpack, json) else {
            panic!("binary for msgpack");
        };
        let out: ProtocolMessage = rmp_serde::from_slice(&bytes).expect("frame");
        assert_eq!(item(&out), (Some(Data::Binary(vec![0, 1, 255])), None));
    }

    #[test]
    fn malformed_msgpack_is_a_bad_request_and_its_serial_can_be_read() {
        let error = decode(Format::Msgpack, &[0xc1, 0x00]).expect_err("malformed");
        assert_eq!(error.code, 40000);
        // {"action": 14, "msgSerial": 3, "presence": "x"}: a bad field, a readable serial.
        let mut bytes = vec![0x83, 0xa6];
        bytes.extend(b"action");
        bytes.push(14);
        bytes.push(0xa9);
        bytes.extend(b"msgSerial");
        bytes.push(3);
        bytes.push(0xa8);
        bytes.extend(b"presence");
        bytes.extend([0xa1, b'x']);
        assert!(decode(Format::Msgpack, &bytes).is_err());
        assert_eq!(msgpack_header(&bytes), Some((Action::Presence, 3)));
    }
}
