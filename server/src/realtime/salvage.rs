//! What can be saved from a frame that did not decode: a MESSAGE or PRESENCE with a
//! msgSerial and one bad field (a number for a name, say) is refused on its own, with a
//! NACK, rather than failing the whole connection.

use roster::json::{Error, Reader};
use roster::protocol::{Action, ProtocolMessage};

/// The frame's action and msgSerial, as an otherwise empty message, when the frame is a
/// JSON object whose action is MESSAGE or PRESENCE and whose msgSerial is a number.
pub fn refusable(bytes: &[u8]) -> Option<ProtocolMessage> {
    let (action, serial) = header(bytes).ok()?;
    let action = Action::from_number(action?);
    let serial = serial?;
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
        let msg = refusable(frame).expect("refusable");
        assert_eq!((msg.action, msg.msg_serial), (Action::Message, Some(3)));
        let frame = br#"{"msgSerial":0,"presence":[{"action":"x"}],"action":14}"#;
        assert_eq!(refusable(frame).map(|m| m.action), Some(Action::Presence));
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
                refusable(frame).is_none(),
                "{}",
                String::from_utf8_lossy(frame)
            );
        }
    }
}
