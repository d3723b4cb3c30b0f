//! `ProtocolMessage`, `ConnectionDetails` and `AuthDetails` on the JSON wire.

use crate::json::{Error, ReadJson, Reader, WriteJson, Writer};
use crate::protocol::{Action, AuthDetails, ConnectionDetails, Flags, ProtocolMessage};
use alloc::string::String;
use alloc::vec::Vec;

impl ReadJson for ProtocolMessage {
    fn read_json(r: &mut Reader<'_>) -> Result<ProtocolMessage, Error> {
        let mut msg = ProtocolMessage::new(Action::Heartbeat);
        let mut has_action = false;
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "action" => {
                    msg.action = Action::from_number(r.u64()?);
                    has_action = true;
                }
                "flags" => msg.flags = r.read::<Option<u64>>()?.map(Flags),
                "count" => r.read_into(&mut msg.count)?,
                "error" => r.read_into(&mut msg.error)?,
                "id" => r.read_into(&mut msg.id)?,
                "channel" => r.read_into(&mut msg.channel)?,
                "channelSerial" => r.read_into(&mut msg.channel_serial)?,
                "connectionId" => r.read_into(&mut msg.connection_id)?,
                "connectionKey" => r.read_into(&mut msg.connection_key)?,
                "msgSerial" => r.read_into(&mut msg.msg_serial)?,
                "timestamp" => r.read_into(&mut msg.timestamp)?,
                "messages" => r.read_into(&mut msg.messages)?,
                "presence" => r.read_into(&mut msg.presence)?,
                "params" => msg.params = read_params(r)?,
                "auth" => r.read_into(&mut msg.auth)?,
                "connectionDetails" => r.read_into(&mut msg.connection_details)?,
                _ => r.skip()?,
            }
        }
        if !has_action {
            return Err(r.error("protocol message without \"action\""));
        }
        Ok(msg)
    }
}

impl WriteJson for ProtocolMessage {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.key("action");
        w.u64(self.action.number());
        w.field("flags", self.flags.map(|flags| flags.0).as_ref());
        w.field("count", self.count.as_ref());
        w.field("error", self.error.as_ref());
        w.field("id", self.id.as_deref());
        w.field("channel", self.channel.as_deref());
        w.field("channelSerial", self.channel_serial.as_deref());
        w.field("connectionId", self.connection_id.as_deref());
        w.field("connectionKey", self.connection_key.as_deref());
        w.field("msgSerial", self.msg_serial.as_ref());
        w.field("timestamp", self.timestamp.as_ref());
        w.field("messages", self.messages.as_ref());
        w.field("presence", self.presence.as_ref());
        if let Some(params) = &self.params {
            w.key("params");
            w.begin_object();
            for (key, value) in params {
                w.text_key(key);
                w.string(value);
            }
            w.end_object();
        }
        w.field("auth", self.auth.as_ref());
        w.field("connectionDetails", self.connection_details.as_ref());
        w.end_object();
    }
}

/// `params`: an object of strings, pairs kept in wire order.
fn read_params(r: &mut Reader<'_>) -> Result<Option<Vec<(String, String)>>, Error> {
    if r.null()? {
        return Ok(None);
    }
    let mut params = Vec::new();
    r.begin_object()?;
    while let Some(key) = r.next_key()? {
        let value = r.string()?;
        params.push((key.into_owned(), value.into_owned()));
    }
    Ok(Some(params))
}

impl ReadJson for AuthDetails {
    fn read_json(r: &mut Reader<'_>) -> Result<AuthDetails, Error> {
        let mut access_token = None;
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "accessToken" => r.read_into(&mut access_token)?,
                _ => r.skip()?,
            }
        }
        match access_token {
            Some(access_token) => Ok(AuthDetails { access_token }),
            None => Err(r.error("auth without \"accessToken\"")),
        }
    }
}

impl WriteJson for AuthDetails {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.key("accessToken");
        w.string(&self.access_token);
        w.end_object();
    }
}

impl ReadJson for ConnectionDetails {
    fn read_json(r: &mut Reader<'_>) -> Result<ConnectionDetails, Error> {
        let mut details = ConnectionDetails::default();
        r.begin_object()?;
        while let Some(key) = r.next_key()? {
            match &*key {
                "clientId" => r.read_into(&mut details.client_id)?,
                "connectionKey" => r.read_into(&mut details.connection_key)?,
                "maxMessageSize" => r.read_into(&mut details.max_message_size)?,
                "maxFrameSize" => r.read_into(&mut details.max_frame_size)?,
                "maxInboundRate" => r.read_into(&mut details.max_inbound_rate)?,
                "maxIdleInterval" => r.read_into(&mut details.max_idle_interval)?,
                "connectionStateTtl" => r.read_into(&mut details.connection_state_ttl)?,
                "serverId" => r.read_into(&mut details.server_id)?,
                _ => r.skip()?,
            }
        }
        Ok(details)
    }
}

impl WriteJson for ConnectionDetails {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.field("clientId", self.client_id.as_deref());
        w.field("connectionKey", self.connection_key.as_deref());
        w.field("maxMessageSize", self.max_message_size.as_ref());
        w.field("maxFrameSize", self.max_frame_size.as_ref());
        w.field("maxInboundRate", self.max_inbound_rate.as_ref());
        w.field("maxIdleInterval", self.max_idle_interval.as_ref());
        w.field("connectionStateTtl", self.connection_state_ttl.as_ref());
        w.field("serverId", self.server_id.as_deref());
        w.end_object();
    }
}
