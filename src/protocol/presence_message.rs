//! `PresenceMessage`: one member's enter, update, leave or presence (TP3).

use super::{Data, DataRef};
use crate::json::JsonText;
use alloc::format;
use alloc::string::String;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The action of a presence message (TP2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PresenceAction {
    /// 0: not present (a tombstone during sync).
    Absent,
    /// 1: present (as stored, and in SYNC).
    Present,
    /// 2: entered.
    Enter,
    /// 3: left.
    Leave,
    /// 4: updated its data.
    Update,
}

impl PresenceAction {
    /// The wire number of this action.
    pub fn number(self) -> u8 {
        match self {
            PresenceAction::Absent => 0,
            PresenceAction::Present => 1,
            PresenceAction::Enter => 2,
            PresenceAction::Leave => 3,
            PresenceAction::Update => 4,
        }
    }

    /// The action for a wire number, if it is one.
    pub fn from_number(n: u64) -> Option<PresenceAction> {
        Some(match n {
            0 => PresenceAction::Absent,
            1 => PresenceAction::Present,
            2 => PresenceAction::Enter,
            3 => PresenceAction::Leave,
            4 => PresenceAction::Update,
            _ => return None,
        })
    }

    /// The lowercase name applications see ('enter', 'leave', …).
    pub fn name(self) -> &'static str {
        match self {
            PresenceAction::Absent => "absent",
            PresenceAction::Present => "present",
            PresenceAction::Enter => "enter",
            PresenceAction::Leave => "leave",
            PresenceAction::Update => "update",
        }
    }

    /// The action for a lowercase name.
    pub fn from_name(name: &str) -> Option<PresenceAction> {
        Some(match name {
            "absent" => PresenceAction::Absent,
            "present" => PresenceAction::Present,
            "enter" => PresenceAction::Enter,
            "leave" => PresenceAction::Leave,
            "update" => PresenceAction::Update,
            _ => return None,
        })
    }
}

impl Serialize for PresenceAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.number())
    }
}

impl<'de> Deserialize<'de> for PresenceAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(d)?;
        PresenceAction::from_number(n)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown presence action {n}")))
    }
}

/// A presence message as on the wire (TP3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceMessage {
    /// `connectionId:msgSerial:index` for client-originated messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What happened.
    pub action: PresenceAction,
    /// Whose presence this is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The connection the member is present on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The member's data, encoded as `encoding` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Data>,
    /// Transforms applied to `data`, `/`-separated, outermost last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Milliseconds since the epoch, set by the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// Opaque metadata.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extras: Option<JsonText>,
}

impl PresenceMessage {
    /// A message with just an action; fill the rest with struct update syntax.
    pub fn new(action: PresenceAction) -> PresenceMessage {
        PresenceMessage {
            id: None,
            action,
            client_id: None,
            connection_id: None,
            data: None,
            encoding: None,
            timestamp: None,
            extras: None,
        }
    }

    /// The member key `clientId:connectionId` (TP3h).
    pub fn member_key(&self) -> String {
        let client_id = self.client_id.as_deref().unwrap_or("");
        let connection_id = self.connection_id.as_deref().unwrap_or("");
        let mut key = String::with_capacity(client_id.len() + 1 + connection_id.len());
        key.push_str(client_id);
        key.push(':');
        key.push_str(connection_id);
        key
    }

    /// Whether the server made this message up (see `PresenceView::is_synthesized`).
    pub fn is_synthesized(&self) -> bool {
        self.view().is_synthesized()
    }

    /// The message's fields, borrowed.
    pub fn view(&self) -> PresenceView<'_> {
        // Destructured so a new field cannot be left out of the view (and of the
        // presence set, which stores members from it).
        let PresenceMessage {
            id,
            action,
            client_id,
            connection_id,
            data,
            encoding,
            timestamp,
            extras,
        } = self;
        PresenceView {
            id: id.as_deref(),
            action: *action,
            client_id: client_id.as_deref(),
            connection_id: connection_id.as_deref(),
            data: data.as_ref().map(Data::as_ref),
            encoding: encoding.as_deref(),
            timestamp: *timestamp,
            extras: extras.as_ref().map(JsonText::as_str),
        }
    }
}

/// A presence message's fields borrowed from wherever they are kept: a `PresenceMessage`
/// or a member of the presence set, which packs its strings together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PresenceView<'a> {
    /// See `PresenceMessage::id`.
    pub id: Option<&'a str>,
    /// See `PresenceMessage::action`.
    pub action: PresenceAction,
    /// See `PresenceMessage::client_id`.
    pub client_id: Option<&'a str>,
    /// See `PresenceMessage::connection_id`.
    pub connection_id: Option<&'a str>,
    /// See `PresenceMessage::data`.
    pub data: Option<DataRef<'a>>,
    /// See `PresenceMessage::encoding`.
    pub encoding: Option<&'a str>,
    /// See `PresenceMessage::timestamp`.
    pub timestamp: Option<u64>,
    /// See `PresenceMessage::extras`: checked JSON text.
    pub extras: Option<&'a str>,
}

impl<'a> PresenceView<'a> {
    /// The member key (clientId, connectionId) (TP3h), a missing part read as empty.
    pub fn key(&self) -> (&'a str, &'a str) {
        (
            self.client_id.unwrap_or_default(),
            self.connection_id.unwrap_or_default(),
        )
    }

    /// Whether the server made this message up (its id does not start with its
    /// connectionId, or either is missing), so newness is judged by timestamp (RTP2b1).
    pub fn is_synthesized(&self) -> bool {
        match (self.id, self.connection_id) {
            (Some(id), Some(conn)) => !id.starts_with(conn),
            _ => true,
        }
    }
}
