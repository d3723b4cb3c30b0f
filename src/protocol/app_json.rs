//! Presence messages in the JSON shape apps see, as ably-js hands them out: the action by
//! name, every other field as on the wire. The wasm bindings parse this into the plain
//! objects listeners and `get()` return.

use super::{DataRef, PresenceView};
use crate::json::{WriteJson, Writer};

/// A presence message written for apps. Binary data is left out: JSON has no bytes, so
/// the bindings set it on the parsed object afterwards.
pub struct AppPresence<'a>(pub PresenceView<'a>);

impl WriteJson for AppPresence<'_> {
    fn write_json(&self, w: &mut Writer) {
        let m = &self.0;
        w.begin_object();
        w.key("action");
        w.string(m.action.name());
        w.field("id", m.id);
        w.field("clientId", m.client_id);
        w.field("connectionId", m.connection_id);
        let data = m.data.filter(|d| !matches!(d, DataRef::Binary(_)));
        w.field("data", data.as_ref());
        w.field("encoding", m.encoding);
        w.field("timestamp", m.timestamp.as_ref());
        // JSON text, written as it is (not as a string).
        if let Some(extras) = m.extras {
            w.key("extras");
            w.json(extras);
        }
        w.end_object();
    }
}

/// Presence messages written for apps, as a JSON array.
pub struct AppPresenceList<'a>(pub &'a [PresenceView<'a>]);

impl WriteJson for AppPresenceList<'_> {
    fn write_json(&self, w: &mut Writer) {
        w.begin_array();
        for message in self.0 {
            AppPresence(*message).write_json(w);
        }
        w.end_array();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{self, JsonText};
    use crate::protocol::{Data, PresenceAction, PresenceMessage};

    #[test]
    fn fields_are_named_as_in_ably_js_and_json_stays_json() {
        let msg = PresenceMessage {
            id: Some("c1:3:0".into()),
            client_id: Some("ada".into()),
            connection_id: Some("c1".into()),
            data: Some(Data::from_json_text(r#"{"typing":true}"#).unwrap()),
            timestamp: Some(1_700_000_000_000),
            extras: Some(JsonText::new(r#"{"headers":{"k":"v"}}"#).unwrap()),
            ..PresenceMessage::new(PresenceAction::Update)
        };
        assert_eq!(
            json::to_string(&AppPresence(msg.view())),
            concat!(
                r#"{"action":"update","id":"c1:3:0","clientId":"ada","connectionId":"c1","#,
                r#""data":{"typing":true},"timestamp":1700000000000,"#,
                r#""extras":{"headers":{"k":"v"}}}"#
            )
        );
    }

    #[test]
    fn string_data_is_a_string_binary_data_is_left_out_and_absent_fields_omitted() {
        let text = PresenceMessage {
            data: Some(Data::String(r#"{"not":"json"}"#.into())),
            encoding: Some("utf-8".into()),
            ..PresenceMessage::new(PresenceAction::Enter)
        };
        let binary = PresenceMessage {
            data: Some(Data::Binary(vec![1, 2])),
            ..PresenceMessage::new(PresenceAction::Leave)
        };
        let list = [text.view(), binary.view()];
        assert_eq!(
            json::to_string(&AppPresenceList(&list)),
            r#"[{"action":"enter","data":"{\"not\":\"json\"}","encoding":"utf-8"},{"action":"leave"}]"#
        );
    }
}
