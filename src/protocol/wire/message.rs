//! `Message` and `PresenceMessage` on the JSON wire.

use crate::json::{Error, JsonText, ReadJson, Reader, WriteJson, Writer};
use crate::protocol::{Data, Message, PresenceAction, PresenceMessage};
use alloc::string::String;

/// The members both message kinds have, plus the one each has alone: one reader serves
/// both, so the browser build carries one copy of the field handling.
#[derive(Default)]
struct Fields {
    id: Option<String>,
    name: Option<String>,
    action: Option<PresenceAction>,
    client_id: Option<String>,
    connection_id: Option<String>,
    data: Option<Data>,
    encoding: Option<String>,
    timestamp: Option<u64>,
    extras: Option<JsonText>,
}

/// Reads a message object; `action` is read for presence messages, `name` for the others
/// (each kind ignores the other's member, as it ignores any unknown one).
fn read_fields(r: &mut Reader<'_>, is_presence: bool) -> Result<Fields, Error> {
    let mut fields = Fields::default();
    r.begin_object()?;
    while let Some(key) = r.next_key()? {
        match &*key {
            "id" => r.read_into(&mut fields.id)?,
            "action" if is_presence => {
                let action = PresenceAction::from_number(r.u64()?)
                    .ok_or_else(|| r.error("unknown presence action"))?;
                fields.action = Some(action);
            }
            "name" if !is_presence => r.read_into(&mut fields.name)?,
            "clientId" => r.read_into(&mut fields.client_id)?,
            "connectionId" => r.read_into(&mut fields.connection_id)?,
            "data" => r.read_into(&mut fields.data)?,
            "encoding" => r.read_into(&mut fields.encoding)?,
            "timestamp" => r.read_into(&mut fields.timestamp)?,
            "extras" => r.read_into(&mut fields.extras)?,
            _ => r.skip()?,
        }
    }
    Ok(fields)
}

impl ReadJson for PresenceMessage {
    fn read_json(r: &mut Reader<'_>) -> Result<PresenceMessage, Error> {
        let fields = read_fields(r, true)?;
        let Some(action) = fields.action else {
            return Err(r.error("presence message without \"action\""));
        };
        Ok(PresenceMessage {
            id: fields.id,
            action,
            client_id: fields.client_id,
            connection_id: fields.connection_id,
            data: fields.data,
            encoding: fields.encoding,
            timestamp: fields.timestamp,
            extras: fields.extras,
        })
    }
}

impl WriteJson for PresenceMessage {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.field("id", self.id.as_deref());
        w.key("action");
        w.u64(u64::from(self.action.number()));
        w.field("clientId", self.client_id.as_deref());
        w.field("connectionId", self.connection_id.as_deref());
        w.field("data", self.data.as_ref());
        w.field("encoding", self.encoding.as_deref());
        w.field("timestamp", self.timestamp.as_ref());
        w.field("extras", self.extras.as_ref());
        w.end_object();
    }
}

impl ReadJson for Message {
    fn read_json(r: &mut Reader<'_>) -> Result<Message, Error> {
        let fields = read_fields(r, false)?;
        Ok(Message {
            id: fields.id,
            name: fields.name,
            data: fields.data,
            encoding: fields.encoding,
            client_id: fields.client_id,
            connection_id: fields.connection_id,
            timestamp: fields.timestamp,
            extras: fields.extras,
        })
    }
}

impl WriteJson for Message {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.field("id", self.id.as_deref());
        w.field("name", self.name.as_deref());
        w.field("data", self.data.as_ref());
        w.field("encoding", self.encoding.as_deref());
        w.field("clientId", self.client_id.as_deref());
        w.field("connectionId", self.connection_id.as_deref());
        w.field("timestamp", self.timestamp.as_ref());
        w.field("extras", self.extras.as_ref());
        w.end_object();
    }
}
