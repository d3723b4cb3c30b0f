//! Presence and channel messages in the JSON shape apps see, as ably-js hands them out:
//! the action by name, every other field as on the wire. The wasm bindings parse this into
//! the plain objects listeners and `get()` return.

use super::{DataRef, Message, PresenceView};
use crate::json::{JsonText, WriteJson, Writer};

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

/// A channel message written for apps, as ably-js 2.28 hands one to listeners: the action
/// by name (TM2j); `version`, the server's or else one of the message's serial and
/// timestamp (TM2s1, TM2s2), and `annotations`, the server's or else an empty summary,
/// always; every other field as on the wire. Binary data is an array of numbers, which
/// the bindings replace with an ArrayBuffer.
pub struct AppMessage<'a>(pub &'a Message);

impl WriteJson for AppMessage<'_> {
    fn write_json(&self, w: &mut Writer) {
        let m = self.0;
        w.begin_object();
        w.key("action");
        w.string(m.action_name());
        m.write_common_members(w);
        w.key("version");
        if let Some(version) = &m.version {
            w.json(version.as_str());
        } else {
            w.begin_object();
            w.field("serial", m.serial.as_deref());
            w.field("timestamp", m.timestamp.as_ref());
            w.end_object();
        }
        w.key("annotations");
        let annotations = m.annotations.as_ref().map(JsonText::as_str);
        w.json(annotations.unwrap_or(r#"{"summary":{}}"#));
        w.end_object();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
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

    #[test]
    fn a_message_has_its_action_by_name_and_a_version_and_annotations_made_up_if_absent() {
        let message = Message {
            id: Some("c1:3:0".into()),
            name: Some("greeting".into()),
            data: Some(Data::String("hi".into())),
            client_id: Some("ada".into()),
            connection_id: Some("c1".into()),
            timestamp: Some(1_700_000_000_000),
            ..Message::default()
        };
        assert_eq!(
            json::to_string(&AppMessage(&message)),
            concat!(
                r#"{"action":"message.create","id":"c1:3:0","name":"greeting","data":"hi","#,
                r#""clientId":"ada","connectionId":"c1","timestamp":1700000000000,"#,
                r#""version":{"timestamp":1700000000000},"annotations":{"summary":{}}}"#
            )
        );
        let serial = Message {
            action: Some(Message::CREATE),
            serial: Some("01:0".into()),
            timestamp: Some(5),
            data: Some(Data::Binary(vec![1])),
            ..Message::default()
        };
        assert_eq!(
            json::to_string(&AppMessage(&serial)),
            concat!(
                r#"{"action":"message.create","data":[1],"timestamp":5,"serial":"01:0","#,
                r#""version":{"serial":"01:0","timestamp":5},"annotations":{"summary":{}}}"#
            )
        );
    }

    #[test]
    fn a_message_keeps_the_servers_version_and_annotations_and_names_every_action() {
        let updated = Message {
            action: Some(1),
            serial: Some("01:0".into()),
            version: Some(JsonText::new(r#"{"serial":"02:0","clientId":"bob"}"#).unwrap()),
            annotations: Some(JsonText::new(r#"{"summary":{"r:distinct.v1":{}}}"#).unwrap()),
            ..Message::default()
        };
        assert_eq!(
            json::to_string(&AppMessage(&updated)),
            concat!(
                r#"{"action":"message.update","serial":"01:0","#,
                r#""version":{"serial":"02:0","clientId":"bob"},"#,
                r#""annotations":{"summary":{"r:distinct.v1":{}}}}"#
            )
        );
        let names: Vec<&str> = (0..7)
            .map(|n| {
                Message {
                    action: Some(n),
                    ..Message::default()
                }
                .action_name()
            })
            .collect();
        assert_eq!(
            names,
            [
                "message.create",
                "message.update",
                "message.delete",
                "meta",
                "message.summary",
                "message.append",
                "unknown"
            ]
        );
    }
}
