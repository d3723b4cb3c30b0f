//! `Member`: one member as the presence set keeps it, in one shared allocation: a
//! reference-counted buffer with a small header (two flag bytes, the version in 4 bytes,
//! or 8 once past 2^32, then the timestamp and each field's length as LEB128 varints)
//! followed by the fields' bytes. The version has a fixed place and width: get() reads
//! every member's, and a varint there made a get() after a change of 10,000 members
//! about 0.1 ms slower.
//! In wasm every allocation is tagged and rounded up to 16 bytes, so one buffer of about
//! 60 bytes costs half what a struct plus a text buffer did (80 + 48 B in the 10,000-member
//! browser bench). A get() list shares members by cloning the handle; a member changed
//! while shared is copied, and the list keeps it as it was.
//!
//! An id that starts with its connectionId (every id a client makes, `connectionId:
//! msgSerial:index`) is stored as the rest of it, right after the connectionId: the id is
//! the slice from the connectionId's start.

use crate::json::JsonText;
use crate::protocol::{DataRef, PresenceAction, PresenceMessage, PresenceView};
use alloc::rc::Rc;
use alloc::string::String;

/// The fields, in buffer order (indexes, and bits of the first flag byte).
const CLIENT_ID: usize = 0;
const CONNECTION_ID: usize = 1;
const ID: usize = 2;
const ENCODING: usize = 3;
const DATA: usize = 4;
const EXTRAS: usize = 5;
const FIELDS: usize = 6;
/// First flag byte, above the field bits: a timestamp follows the version.
const HAS_TIMESTAMP: u8 = 1 << 6;
/// First flag byte: ID holds only what follows the connectionId in the id.
const ID_AFTER_CONNECTION: u8 = 1 << 7;
/// Second flag byte: the action's wire number in the low bits, then these.
const ACTION_BITS: u8 = 0b111;
const JSON_DATA: u8 = 1 << 3;
const BINARY_DATA: u8 = 1 << 4;
/// Held before the current sync began and not seen since (RTP19).
const RESIDUAL: u8 = 1 << 5;
/// The version takes 8 bytes, not 4.
const WIDE_VERSION: u8 = 1 << 6;

/// A presence member as the set stores it: a message under its stored action (PRESENT,
/// or ABSENT for a tombstone during a sync), and the version that changes with it.
#[derive(Debug, Clone)]
pub struct Member(Rc<[u8]>);

/// Where a member's parts are in its buffer.
struct Layout {
    timestamp: Option<u64>,
    /// Where the fields' bytes begin.
    base: usize,
    /// Where each field ends, from `base` (each begins where the one before ends; an
    /// absent one is empty).
    ends: [usize; FIELDS],
}

/// Writes a member's bytes into a buffer, or, given none, only counts them: one piece of
/// code sizes the buffer and fills it.
struct Cursor<'a> {
    out: &'a mut [u8],
    at: usize,
}

impl Cursor<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if let Some(to) = self.out.get_mut(self.at..self.at + bytes.len()) {
            to.copy_from_slice(bytes);
        }
        self.at += bytes.len();
    }

    /// Puts `value` as a LEB128 varint.
    fn varint(&mut self, mut value: u64) {
        while value >= 0x80 {
            self.put(&[value as u8 | 0x80]);
            value >>= 7;
        }
        self.put(&[value as u8]);
    }
}

/// A zeroed buffer of `length` bytes, made in place (no Vec copied into it).
fn zeroed(length: usize) -> Rc<[u8]> {
    core::iter::repeat_n(0, length).collect()
}

/// Reads the LEB128 varint at `*at`, moving past it.
fn varint(bytes: &[u8], at: &mut usize) -> u64 {
    let mut value = 0;
    let mut shift = 0;
    while let Some(&byte) = bytes.get(*at) {
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte < 0x80 || shift >= 64 {
            break;
        }
    }
    value
}

/// Writes `msg` stored under `action`, as `version`, into `out` (if it is long enough);
/// returns its length.
fn encode(msg: &PresenceMessage, action: PresenceAction, version: u64, out: &mut [u8]) -> usize {
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
    let (data, data_flag) = match data {
        Some(DataRef::String(text)) => (Some(text.as_bytes()), 0),
        Some(DataRef::Json(text)) => (Some(text.as_bytes()), JSON_DATA),
        Some(DataRef::Binary(bytes)) => (Some(bytes), BINARY_DATA),
        None => (None, 0),
    };
    let mut flags = 0;
    let id = match (id, connection_id) {
        (Some(id), Some(connection)) if id.starts_with(connection) => {
            flags |= ID_AFTER_CONNECTION;
            id.get(connection.len()..)
        }
        (id, _) => id,
    };
    let fields = [
        client_id.map(str::as_bytes),
        connection_id.map(str::as_bytes),
        id.map(str::as_bytes),
        encoding.map(str::as_bytes),
        data,
        extras.map(str::as_bytes),
    ];
    for (index, field) in fields.iter().enumerate() {
        if field.is_some() {
            flags |= 1 << index;
        }
    }
    if timestamp.is_some() {
        flags |= HAS_TIMESTAMP;
    }
    let (width, wide_flag) = match version > u64::from(u32::MAX) {
        true => (8, WIDE_VERSION),
        false => (4, 0),
    };
    let mut cursor = Cursor { out, at: 0 };
    cursor.put(&[flags, action.number() | data_flag | wide_flag]);
    cursor.put(&version.to_le_bytes()[..width]);
    if let Some(timestamp) = timestamp {
        cursor.varint(timestamp);
    }
    for field in fields.iter().flatten() {
        cursor.varint(field.len() as u64);
    }
    for field in fields.iter().flatten() {
        cursor.put(field);
    }
    cursor.at
}

impl Member {
    /// `msg` stored under `action`, as `version`.
    pub(super) fn new(msg: &PresenceMessage, action: PresenceAction, version: u64) -> Member {
        let mut buffer = zeroed(encode(msg, action, version, &mut []));
        if let Some(out) = Rc::get_mut(&mut buffer) {
            encode(msg, action, version, out);
        }
        Member(buffer)
    }

    /// Overwrites the member with `msg` under `action`, as `version`: in place when no
    /// one else holds it and the new buffer is as long (as an UPDATE's often is).
    pub(super) fn set(&mut self, msg: &PresenceMessage, action: PresenceAction, version: u64) {
        let length = encode(msg, action, version, &mut []);
        match Rc::get_mut(&mut self.0) {
            Some(own) if own.len() == length => {
                encode(msg, action, version, own);
            }
            _ => *self = Member::new(msg, action, version),
        }
    }

    fn flags(&self) -> (u8, u8) {
        (
            self.0.first().copied().unwrap_or(0),
            self.0.get(1).copied().unwrap_or(0),
        )
    }

    fn layout(&self) -> Layout {
        let bytes = &self.0[..];
        let (flags, _) = self.flags();
        let mut at = 2 + self.version_width();
        let timestamp = (flags & HAS_TIMESTAMP != 0).then(|| varint(bytes, &mut at));
        let mut ends = [0; FIELDS];
        let mut end = 0;
        for (index, slot) in ends.iter_mut().enumerate() {
            if flags & (1 << index) != 0 {
                end += varint(bytes, &mut at) as usize;
            }
            *slot = end;
        }
        Layout {
            timestamp,
            base: at,
            ends,
        }
    }

    /// Field `index`'s bytes in `layout`, if there.
    fn bytes(&self, layout: &Layout, index: usize) -> Option<&[u8]> {
        let (flags, _) = self.flags();
        if flags & (1 << index) == 0 {
            return None;
        }
        let first = match index == ID && flags & ID_AFTER_CONNECTION != 0 {
            true => CONNECTION_ID,
            false => index,
        };
        let start = match first {
            0 => 0,
            _ => layout.ends[first - 1],
        };
        self.0
            .get(layout.base + start..layout.base + layout.ends[index])
    }

    /// Text field `index` in `layout`, if there.
    fn text(&self, layout: &Layout, index: usize) -> Option<&str> {
        // Always UTF-8: each text field was a str.
        self.bytes(layout, index)
            .and_then(|bytes| core::str::from_utf8(bytes).ok())
    }

    /// Changes whenever the member does; unique across the process.
    pub fn version(&self) -> u64 {
        // Fixed-size reads: a load each, as get() reads every member's version.
        let word = |at: usize| {
            let bytes = self.0.get(at..at + 4).and_then(|b| b.try_into().ok());
            u64::from(bytes.map_or(0, u32::from_le_bytes))
        };
        match self.flags().1 & WIDE_VERSION {
            0 => word(2),
            _ => word(2) | word(6) << 32,
        }
    }

    fn version_width(&self) -> usize {
        match self.flags().1 & WIDE_VERSION {
            0 => 4,
            _ => 8,
        }
    }

    /// The stored action: PRESENT, or ABSENT for a tombstone.
    pub fn action(&self) -> PresenceAction {
        let (_, flags) = self.flags();
        PresenceAction::from_number(u64::from(flags & ACTION_BITS))
            .unwrap_or(PresenceAction::Absent)
    }

    /// Whose presence this is.
    pub fn client_id(&self) -> Option<&str> {
        self.text(&self.layout(), CLIENT_ID)
    }

    /// The connection the member is present on.
    pub fn connection_id(&self) -> Option<&str> {
        self.text(&self.layout(), CONNECTION_ID)
    }

    /// The member key (clientId, connectionId), as `PresenceView::key`.
    pub fn key(&self) -> (&str, &str) {
        let layout = self.layout();
        (
            self.text(&layout, CLIENT_ID).unwrap_or_default(),
            self.text(&layout, CONNECTION_ID).unwrap_or_default(),
        )
    }

    /// The stored message's fields.
    pub fn view(&self) -> PresenceView<'_> {
        let layout = self.layout();
        let (_, flags) = self.flags();
        let data = self.bytes(&layout, DATA).and_then(|bytes| {
            if flags & BINARY_DATA != 0 {
                return Some(DataRef::Binary(bytes));
            }
            let text = core::str::from_utf8(bytes).ok()?;
            Some(match flags & JSON_DATA != 0 {
                true => DataRef::Json(text),
                false => DataRef::String(text),
            })
        });
        PresenceView {
            id: self.text(&layout, ID),
            action: self.action(),
            client_id: self.text(&layout, CLIENT_ID),
            connection_id: self.text(&layout, CONNECTION_ID),
            data,
            encoding: self.text(&layout, ENCODING),
            timestamp: layout.timestamp,
            extras: self.text(&layout, EXTRAS),
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
        self.flags().1 & RESIDUAL != 0
    }

    /// Marks the member residual (or not) in the current sync: in place unless a get()
    /// list holds it too, which keeps its copy.
    pub(super) fn set_residual(&mut self, residual: bool) {
        if self.is_residual() == residual {
            return;
        }
        if Rc::get_mut(&mut self.0).is_none() {
            self.0 = Rc::from(&self.0[..]);
        }
        if let Some(flags) = Rc::get_mut(&mut self.0).and_then(|own| own.get_mut(1)) {
            *flags ^= RESIDUAL;
        }
    }
}

/// Equal when the version and the message are (residual or not).
impl PartialEq for Member {
    fn eq(&self, other: &Member) -> bool {
        self.version() == other.version() && self.view() == other.view()
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
        assert!(member.is_residual());
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

    #[test]
    fn an_id_is_kept_whole_whether_or_not_it_starts_with_the_connection_id() {
        let own = PresenceMessage {
            id: Some("c1:4:0".into()),
            connection_id: Some("c1".into()),
            ..PresenceMessage::new(PresenceAction::Present)
        };
        let synthesized = PresenceMessage {
            id: Some("srv:0:0".into()),
            ..own.clone()
        };
        let no_connection = PresenceMessage {
            connection_id: None,
            ..own.clone()
        };
        let empty_connection = PresenceMessage {
            connection_id: Some(String::new()),
            ..own.clone()
        };
        for msg in [own, synthesized, no_connection, empty_connection] {
            assert_eq!(
                Member::new(&msg, PresenceAction::Present, 1).to_message(),
                msg
            );
        }
    }

    #[test]
    fn a_shared_member_is_copied_before_it_changes() {
        let mut member = Member::new(&full(), PresenceAction::Present, 1);
        let held = member.clone();
        member.set_residual(true);
        assert!(!held.is_residual(), "the holder's copy is as it was");
        let leave = PresenceMessage {
            client_id: Some("b".into()),
            ..PresenceMessage::new(PresenceAction::Leave)
        };
        let mut other = held.clone();
        other.set(&leave, PresenceAction::Absent, 2);
        assert_eq!(held.to_message(), full());
        assert_eq!(held.version(), 1);
        assert_eq!(other.version(), 2);
    }

    #[test]
    fn versions_and_timestamps_of_any_size_come_back() {
        for value in [
            0,
            1,
            127,
            128,
            300,
            u32::MAX.into(),
            1 << 32,
            1 << 41,
            u64::MAX,
        ] {
            let msg = PresenceMessage {
                timestamp: Some(value),
                ..full()
            };
            let member = Member::new(&msg, PresenceAction::Present, value);
            assert_eq!(member.version(), value);
            assert_eq!(member.to_message(), msg);
        }
    }
}
