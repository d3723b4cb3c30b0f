//! `Message` and `PresenceMessage` on the JSON wire.

use crate::json::{Error, ReadJson, Reader, WriteJson, Writer};
use crate::protocol::{Message, PresenceAction, PresenceMessage};

impl ReadJson for PresenceMessage {
    fn read_json(r: &mut Reader<'_>) -> Result<PresenceMessage, Error> {
        let mut msg = PresenceMessage::new(PresenceAction::Absent);
        let mut has_action = false;
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "id" => msg.id = r.read()?,
                "action" => {
                    msg.action = PresenceAction::from_number(r.u64()?)
                        .ok_or_else(|| r.error("unknown presence action"))?;
                    has_action = true;
                }
                "clientId" => msg.client_id = r.read()?,
                "connectionId" => msg.connection_id = r.read()?,
                "data" => msg.data = r.read()?,
                "encoding" => msg.encoding = r.read()?,
                "timestamp" => msg.timestamp = r.read()?,
                "extras" => msg.extras = r.read()?,
                _ => r.skip()?,
            }
        }
        if !has_action {
            return Err(r.error("presence message without \"action\""));
        }
        Ok(msg)
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
        let mut msg = Message::default();
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "id" => msg.id = r.read()?,
                "name" => msg.name = r.read()?,
                "data" => msg.data = r.read()?,
                "encoding" => msg.encoding = r.read()?,
                "clientId" => msg.client_id = r.read()?,
                "connectionId" => msg.connection_id = r.read()?,
                "timestamp" => msg.timestamp = r.read()?,
                "extras" => msg.extras = r.read()?,
                _ => r.skip()?,
            }
        }
        Ok(msg)
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
