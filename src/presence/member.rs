//! `Member`: one member as the presence set keeps it. Its strings (id, clientId,
//! connectionId, encoding, string or JSON data, extras) share one buffer, so a member is
//! two allocations instead of a `PresenceMessage`'s up to six; in wasm, where each
//! allocation is rounded up and tagged, that is most of what a member costs.

use crate::json::JsonText;
use crate::protocol::{DataRef, PresenceAction, PresenceMessage, PresenceView};
use std::cell::Cell;

/// The text fields, in buffer order (indexes into `Member::ends`, bits of `present`).
const ID: usize = 0;
const CLIENT_ID: usize = 1;
const CONNECTION_ID: usize = 2;
const ENCODING: usize = 3;
const DATA: usize = 4;
const EXTRAS: usize = 5;
const FIELDS: usize = 6;
/// The bit of `present` for the timestamp.
const TIMESTAMP: u8 = 1 << FIELDS;

/// A presence member as the set stores it: a message under its stored action (PRESENT,
/// or ABSENT for a tombstone during a sync), and the version that changes with it.
#[derive(Debug)]
pub struct Member {
    version: u64,
    timestamp: u64,
    /// The text fields, one after another.
    text: Box<str>,
    /// Binary data (msgpack `bin`), which is not text.
    binary: Option<Box<[u8]>>,
    /// Where each text field ends in `text` (each starts where the one before ends). A
    /// member's text comes from one frame, far below 4 GiB.
    ends: [u32; FIELDS],
    /// A bit per text field and one for the timestamp: which are there.
    present: u8,
    action: PresenceAction,
    /// Whether the DATA text is JSON rather than a string.
    json_data: bool,
    /// Held before the current sync began and not seen since (RTP19). A cell: the set
    /// marks members that `get` lists may still share.
    residual: Cell<bool>,
}

impl Member {
    /// `msg` stored under `action`, as `version`.
    pub(super) fn new(msg: &PresenceMessage, action: PresenceAction, version: u64) -> Member {
        let mut member = Member {
            version,
            timestamp: 0,
            text: Box::default(),
            binary: None,
            ends: [0; FIELDS],
            present: 0,
            action,
            json_data: false,
            residual: Cell::new(false),
        };
        member.set(msg, action, version);
        member
    }

    /// Overwrites the member with `msg` under `action`, as `version`. The text buffer is
    /// reused when the new text has the same length, as an UPDATE's often has.
    pub(super) fn set(&mut self, msg: &PresenceMessage, action: PresenceAction, version: u64) {
        // Destructured so a new field cannot be left out.
        let PresenceView {
            id,
            action: _,
            client_id,
            connection_id,
            data,
            encoding,
            timestamp,
            extras,
        } = msg.view();
        let (text_data, binary) = match data {
            Some(DataRef::String(text) | DataRef::Json(text)) => (Some(text), None),
            Some(DataRef::Binary(bytes)) => (None, Some(bytes)),
            None => (None, None),
        };
        let fields = [id, client_id, connection_id, encoding, text_data, extras];
        let length = fields.iter().flatten().map(|field| field.len()).sum();
        let mut text = std::mem::take(&mut self.text).into_string();
        text.clear();
        text.reserve_exact(length);
        self.present = 0;
        for (index, field) in fields.iter().enumerate() {
            if let Some(field) = field {
                text.push_str(field);
                self.present |= 1 << index;
            }
            self.ends[index] = text.len() as u32;
        }
        self.text = text.into_boxed_str();
        self.binary = binary.map(Box::from);
        self.json_data = matches!(data, Some(DataRef::Json(_)));
        if let Some(timestamp) = timestamp {
            self.timestamp = timestamp;
            self.present |= TIMESTAMP;
        }
        self.action = action;
        self.version = version;
        self.residual.set(false);
    }

    /// Changes whenever the member does; unique across the process.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The stored action: PRESENT, or ABSENT for a tombstone.
    pub fn action(&self) -> PresenceAction {
        self.action
    }

    /// The text field `index`, if there.
    fn field(&self, index: usize) -> Option<&str> {
        if self.present & (1 << index) == 0 {
            return None;
        }
        let start = match index {
            0 => 0,
            _ => self.ends[index - 1] as usize,
        };
        self.text.get(start..self.ends[index] as usize)
    }

    /// Whose presence this is.
    pub fn client_id(&self) -> Option<&str> {
        self.field(CLIENT_ID)
    }

    /// The connection the member is present on.
    pub fn connection_id(&self) -> Option<&str> {
        self.field(CONNECTION_ID)
    }

    /// The member key (clientId, connectionId), as `PresenceView::key`.
    pub fn key(&self) -> (&str, &str) {
        (
            self.client_id().unwrap_or_default(),
            self.connection_id().unwrap_or_default(),
        )
    }

    /// The stored message's fields.
    pub fn view(&self) -> PresenceView<'_> {
        let data = match &self.binary {
            Some(bytes) => Some(DataRef::Binary(bytes)),
            None => self.field(DATA).map(|text| match self.json_data {
                true => DataRef::Json(text),
                false => DataRef::String(text),
            }),
        };
        PresenceView {
            id: self.field(ID),
            action: self.action,
            client_id: self.client_id(),
            connection_id: self.connection_id(),
            data,
            encoding: self.field(ENCODING),
            timestamp: (self.present & TIMESTAMP != 0).then_some(self.timestamp),
            extras: self.field(EXTRAS),
        }
    }

    /// The stored message, owned.
    pub fn to_message(&self) -> PresenceMessage {
        let view = self.view();
        let text = |field: Option<&str>| field.map(String::from);
        PresenceMessage {
            id: text(view.id),
            action: view.action,
            client_id: text(view.client_id),
            connection_id: text(view.connection_id),
            data: view.data.map(DataRef::to_owned),
            encoding: text(view.encoding),
            timestamp: view.timestamp,
            extras: view.extras.map(JsonText::from_checked),
        }
    }

    /// Whether the member is residual in the current sync.
    pub(super) fn is_residual(&self) -> bool {
        self.residual.get()
    }

    /// Marks the member residual (or not) in the current sync.
    pub(super) fn set_residual(&self, residual: bool) {
        self.residual.set(residual);
    }
}

/// Equal when the version and the message are (residual or not).
impl PartialEq for Member {
    fn eq(&self, other: &Member) -> bool {
        self.version == other.version && self.view() == other.view()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Data;

    fn full() -> PresenceMessage {
        PresenceMessage {
            id: Some("c1:4:0".into()),
            client_id: Some("ана".into()),
            connection_id: Some("c1".into()),
            data: Some(Data::from_json_text(r#"{"typing":true}"#).unwrap()),
            encoding: Some("utf-8".into()),
            timestamp: Some(0),
            extras: Some(JsonText::new(r#"{"headers":{}}"#).unwrap()),
            ..PresenceMessage::new(PresenceAction::Present)
        }
    }

    #[test]
    fn every_field_comes_back_as_it_went_in() {
        let bare = PresenceMessage::new(PresenceAction::Present);
        let empty_strings = PresenceMessage {
            id: Some(String::new()),
            client_id: Some(String::new()),
            data: Some(Data::String(String::new())),
            ..bare.clone()
        };
        let binary = PresenceMessage {
            data: Some(Data::Binary(vec![0, 255])),
            ..full()
        };
        let string = PresenceMessage {
            data: Some(Data::String(r#"{"typing":true}"#.into())),
            ..full()
        };
        for msg in [full(), bare, empty_strings, binary, string] {
            let member = Member::new(&msg, PresenceAction::Present, 7);
            assert_eq!(member.to_message(), msg);
            assert_eq!(member.view(), msg.view());
            assert_eq!(member.key(), msg.view().key());
        }
    }

    #[test]
    fn set_replaces_every_field_and_the_action() {
        let mut member = Member::new(&full(), PresenceAction::Present, 1);
        member.set_residual(true);
        let leave = PresenceMessage {
            client_id: Some("b".into()),
            ..PresenceMessage::new(PresenceAction::Leave)
        };
        member.set(&leave, PresenceAction::Absent, 2);
        let expected = PresenceMessage {
            action: PresenceAction::Absent,
            ..leave
        };
        assert_eq!(member.to_message(), expected);
        assert_eq!(member.version(), 2);
        assert!(!member.is_residual());
        member.set(&full(), PresenceAction::Present, 3);
        assert_eq!(member.to_message(), full());
    }
}
