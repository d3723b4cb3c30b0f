//! ProtocolMessage actions by number; numbers we do not know survive as `Unknown(n)`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The `action` of a ProtocolMessage (TR2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 0: keepalive from the server; with an `id`, a ping and its reply.
    Heartbeat,
    /// 1: the server acknowledges `count` messages from `msgSerial`.
    Ack,
    /// 2: the server refuses `count` messages from `msgSerial`.
    Nack,
    /// 3: unused on WebSocket transports.
    Connect,
    /// 4: the connection is established (or updated).
    Connected,
    /// 5: the client drops a still-connected transport.
    Disconnect,
    /// 6: the server asks the client to reconnect.
    Disconnected,
    /// 7: the client closes the connection.
    Close,
    /// 8: the server confirms a close.
    Closed,
    /// 9: a connection error (no channel) or a channel error.
    Error,
    /// 10: attach a channel.
    Attach,
    /// 11: the channel is attached.
    Attached,
    /// 12: detach a channel.
    Detach,
    /// 13: the channel is detached.
    Detached,
    /// 14: presence messages.
    Presence,
    /// 15: channel messages.
    Message,
    /// 16: a page of the presence set.
    Sync,
    /// 17: in-band (re-)authentication.
    Auth,
    /// 18: ignored by clients.
    Activate,
    /// 19: LiveObjects operations (not used by Roster).
    Object,
    /// 20: LiveObjects sync (not used by Roster).
    ObjectSync,
    /// 21: message annotations (not used by Roster).
    Annotation,
    /// Any number this crate does not know; kept so it can be logged and ignored.
    Unknown(u64),
}

impl Action {
    /// The action for a wire number; unknown numbers map to `Unknown(n)`.
    pub fn from_number(n: u64) -> Action {
        use Action::*;
        match n {
            0 => Heartbeat,
            1 => Ack,
            2 => Nack,
            3 => Connect,
            4 => Connected,
            5 => Disconnect,
            6 => Disconnected,
            7 => Close,
            8 => Closed,
            9 => Error,
            10 => Attach,
            11 => Attached,
            12 => Detach,
            13 => Detached,
            14 => Presence,
            15 => Message,
            16 => Sync,
            17 => Auth,
            18 => Activate,
            19 => Object,
            20 => ObjectSync,
            21 => Annotation,
            n => Unknown(n),
        }
    }

    /// The wire number of this action.
    pub fn number(self) -> u64 {
        use Action::*;
        match self {
            Heartbeat => 0,
            Ack => 1,
            Nack => 2,
            Connect => 3,
            Connected => 4,
            Disconnect => 5,
            Disconnected => 6,
            Close => 7,
            Closed => 8,
            Error => 9,
            Attach => 10,
            Attached => 11,
            Detach => 12,
            Detached => 13,
            Presence => 14,
            Message => 15,
            Sync => 16,
            Auth => 17,
            Activate => 18,
            Object => 19,
            ObjectSync => 20,
            Annotation => 21,
            Unknown(n) => n,
        }
    }
}

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.number())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u64::deserialize(d).map(Action::from_number)
    }
}
