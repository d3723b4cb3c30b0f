//! What can be saved from a frame that did not decode: a MESSAGE or PRESENCE with a
//! msgSerial and one bad field (a number for a name, say) is refused on its own, with a
//! NACK, rather than failing the whole connection.

use crate::wire;
use roster::json::{Error, Reader};
use roster::protocol::{Action, Format, ProtocolMessage};

/// The frame's action and msgSerial, as an otherwise empty message, when the frame (in
/// `format`) is an object whose action is MESSAGE or PRESENCE and whose msgSerial is a
/// number.
pub fn refusable(format: Format, bytes: &[u8]) -> Option<ProtocolMessage> {
    let (action, serial) = match format {
        Format::Json => match header(bytes).ok()? {
            (Some(action), Some(serial)) => (Action::from_number(action), serial),
            _ => return None,
        },
        Format::Msgpack => wire::msgpack_header(bytes)?,
    };
    matches!(action, Action::Message | Action::Presence).then(|| ProtocolMessage {
        msg_serial: Some(serial),
        ..ProtocolMessage::new(action)
    })
}

/// `action` and `msgSerial` of a JSON object, every other field skipped unread.
fn header(bytes: &[u8]) -> Result<(Option<u64>, Option<u64>), Error> {
    let mut reader = Reader::from_bytes(bytes)?;
    let (mut action, mut serial) = (None, None);
    reader.begin_object()?;
    while let Some(key) = reader.next_key()? {
        match &*key {
            "action" => action = Some(reader.u64()?),
            "msgSerial" => serial = Some(reader.u64()?),
            _ => reader.skip()?,
        }
    }
    Ok((action, serial))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_with_a_bad_field_is_refusable_by_its_serial() {
        let frame = br#"{"action":15,"channel":"room","msgSerial":3,"messages":[{"name":5}]}"#;
        let msg = refusable(Format::Json, frame).expect("refusable");
        assert_eq!((msg.action, msg.msg_serial), (Action::Message, Some(3)));
        let frame = br#"{"msgSerial":0,"presence":[{"action":"x"}],"action":14}"#;
        assert_eq!(
            refusable(Format::Json, frame).map(|m| m.action),
            Some(Action::Presence)
        );
    }

    #[test]
    fn a_msgpack_message_with_a_bad_field_is_refusable_by_its_serial() {
        let frame = |value: serde_json::Value| rmp_serde::to_vec_named(&value).expect("msgpack");
        let bad = frame(serde_json::json!({"action": 14, "msgSerial": 3, "presence": "x"}));
        let msg = refusable(Format::Msgpack, &bad).expect("refusable");
        assert_eq!((msg.action, msg.msg_serial), (Action::Presence, Some(3)));
        let attach = frame(serde_json::json!({"action": 10, "msgSerial": 0, "channel": 5}));
        assert!(refusable(Format::Msgpack, &attach).is_none());
    }

    #[test]
    fn frames_without_a_serial_or_of_other_actions_are_not() {
        for frame in [
            &br#"{"action":15,"messages":[{"name":5}]}"#[..],
            br#"{"action":15,"msgSerial":"zero"}"#,
            br#"{"action":10,"msgSerial":0,"channel":5}"#,
            br#"{not json"#,
            br#"[15]"#,
        ] {
            assert!(
                refusable(Format::Json, frame).is_none(),
                "{}",
                String::from_utf8_lossy(frame)
            );
        }
    }
}
