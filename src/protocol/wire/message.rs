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
    action: Option<u64>,
    client_id: Option<String>,
    connection_id: Option<String>,
    data: Option<Data>,
    encoding: Option<String>,
    timestamp: Option<u64>,
    extras: Option<JsonText>,
    serial: Option<String>,
    version: Option<JsonText>,
    annotations: Option<JsonText>,
}

/// Reads a message object; `name` is read for channel messages only (presence messages
/// ignore it, as any unknown member), `action` as the number each kind reads its own way.
fn read_fields(r: &mut Reader<'_>, is_presence: bool) -> Result<Fields, Error> {
    let mut fields = Fields::default();
    r.begin_object()?;
    while let Some(key) = r.next_key()? {
        match &*key {
            "id" => r.read_into(&mut fields.id)?,
            "action" => fields.action = Some(r.u64()?),
            "name" if !is_presence => r.read_into(&mut fields.name)?,
            "clientId" => r.read_into(&mut fields.client_id)?,
            "connectionId" => r.read_into(&mut fields.connection_id)?,
            "data" => r.read_into(&mut fields.data)?,
            "encoding" => r.read_into(&mut fields.encoding)?,
            "timestamp" => r.read_into(&mut fields.timestamp)?,
            "extras" => r.read_into(&mut fields.extras)?,
            "serial" => r.read_into(&mut fields.serial)?,
            "version" => r.read_into(&mut fields.version)?,
            "annotations" => r.read_into(&mut fields.annotations)?,
            _ => r.skip()?,
        }
    }
    Ok(fields)
}

impl ReadJson for PresenceMessage {
    fn read_json(r: &mut Reader<'_>) -> Result<PresenceMessage, Error> {
        let fields = read_fields(r, true)?;
        let Some(number) = fields.action else {
            return Err(r.error("presence message without \"action\""));
        };
        let action = PresenceAction::from_number(number)
            .ok_or_else(|| r.error("unknown presence action"))?;
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
            action: fields.action,
            serial: fields.serial,
            version: fields.version,
            annotations: fields.annotations,
        })
    }
}

impl Message {
    /// The members the wire and apps have alike: all but `action`, `version` and
    /// `annotations`, which apps get in a shape of their own (`AppMessage`). Binary data
    /// as an array of numbers, for the bindings to replace.
    pub(in crate::protocol) fn write_common_members(&self, w: &mut Writer) {
        w.field("id", self.id.as_deref());
        w.field("name", self.name.as_deref());
        w.field("data", self.data.as_ref());
        w.field("encoding", self.encoding.as_deref());
        w.field("clientId", self.client_id.as_deref());
        w.field("connectionId", self.connection_id.as_deref());
        w.field("timestamp", self.timestamp.as_ref());
        w.field("extras", self.extras.as_ref());
        w.field("serial", self.serial.as_deref());
    }
}

impl WriteJson for Message {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        self.write_common_members(w);
        w.field("action", self.action.as_ref());
        w.field("version", self.version.as_ref());
        w.field("annotations", self.annotations.as_ref());
        w.end_object();
    }
}
