//! What one client can make the hub hold: channels per connection (90010), members per
//! channel and per connection (91003), bytes of members per channel and per connection
//! (91006), and how
//! long the names it gives may be (40010 for a channel, 40012 for a clientId).
//! Checked before an ATTACH or PRESENCE changes anything, so a refused one leaves
//! nothing behind and nobody else notices it.

use super::{Conn, Hub};
use roster::protocol::{codes, Data, ErrorInfo, PresenceAction, PresenceMessage};
use std::collections::HashMap;

/// How much one client can make the hub hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Channels one connection is attached to or has members on, at most.
    pub channels_per_connection: usize,
    /// Members present on one channel, at most.
    pub members_per_channel: usize,
    /// Members one connection holds across its channels, at most (a connection whose
    /// clientId is `*` enters members for any clientId).
    pub members_per_connection: usize,
    /// Bytes ([`held_size`]) the members of one channel hold together, at most.
    pub presence_data_per_channel: usize,
    /// Bytes ([`held_size`]) the members one connection holds across its channels
    /// together, at most.
    pub presence_data_per_connection: usize,
}

/// The longest channel name accepted, in bytes: the channel and every connection on it
/// hold its name (Ably asks for names under 2,048 characters).
const MAX_CHANNEL_NAME_BYTES: usize = 2048;

/// The longest clientId accepted, in bytes: its connection and each of its members
/// hold it, and every message from it carries it.
const MAX_CLIENT_ID_BYTES: usize = 2048;

/// 40010 for a channel name longer than [`MAX_CHANNEL_NAME_BYTES`].
pub fn check_channel_name(name: &str) -> Result<(), ErrorInfo> {
    if name.len() <= MAX_CHANNEL_NAME_BYTES {
        return Ok(());
    }
    Err(ErrorInfo::new(
        codes::INVALID_CHANNEL_NAME,
        400,
        format!(
            "channel name of {} bytes is longer than the maximum of {MAX_CHANNEL_NAME_BYTES}",
            name.len()
        ),
    ))
}

/// 40012 for a clientId longer than [`MAX_CLIENT_ID_BYTES`].
pub fn check_client_id(client_id: &str) -> Result<(), ErrorInfo> {
    if client_id.len() <= MAX_CLIENT_ID_BYTES {
        return Ok(());
    }
    Err(ErrorInfo::invalid_client_id(format!(
        "clientId of {} bytes is longer than the maximum of {MAX_CLIENT_ID_BYTES}",
        client_id.len()
    )))
}

/// The bytes data counts for: as sent, whatever its encoding.
pub(super) fn data_size(data: Option<&Data>) -> usize {
    match data {
        None => 0,
        Some(Data::String(s)) => s.len(),
        Some(Data::Binary(b)) => b.len(),
        Some(Data::Json(j)) => j.as_str().len(),
    }
}

/// The bytes a member counts for against the data limits: everything it holds that
/// its client chose (data, clientId, encoding, extras), so no field escapes the limit.
pub(super) fn held_size(member: &PresenceMessage) -> usize {
    let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    data_size(member.data.as_ref())
        + text(&member.client_id)
        + text(&member.encoding)
        + member.extras.as_ref().map_or(0, |e| e.as_str().len())
}

/// 90010, with the words Ably uses for this limit.
fn too_many_channels(max: usize) -> ErrorInfo {
    ErrorInfo::new(
        codes::TOO_MANY_CHANNELS,
        400,
        format!("Maximum number of channels per connection ({max}) exceeded"),
    )
}

/// 91003, with the words Ably uses for this limit (`per` says which one was hit).
fn too_many_members(max: usize, per: &str) -> ErrorInfo {
    ErrorInfo::new(
        codes::TOO_MANY_PRESENCE_MEMBERS,
        400,
        format!(
            "Unable to enter member to presence; maximum number of {max} members {per} exceeded"
        ),
    )
}

/// 91006, with the words of Ably's "total presence set data too large" (`per` says which
/// limit was hit).
fn presence_data_too_large(max: usize, per: &str) -> ErrorInfo {
    ErrorInfo::new(
        codes::TOTAL_PRESENCE_DATA_TOO_LARGE,
        400,
        format!(
            "Unable to enter member to presence; total presence data {per} would exceed {max} bytes"
        ),
    )
}

impl Hub {
    /// 90010 when `conn` is not on `name` yet and already holds as many channels as it may.
    pub(super) fn check_channel_room(&self, conn: &Conn, name: &str) -> Result<(), ErrorInfo> {
        let max = self.config.limits.channels_per_connection;
        if conn.channels.contains(name) || conn.channels.len() < max {
            Ok(())
        } else {
            Err(too_many_channels(max))
        }
    }

    /// 91003 when applying `items` (clientIds resolved) in order would, at any point, put
    /// more members on channel `name`, or on `conn` across its channels, than allowed.
    /// Leaves earlier in the frame make room for enters after them, as they will when
    /// applied.
    pub(super) fn check_member_room(
        &self,
        conn: &Conn,
        name: &str,
        items: &[PresenceMessage],
    ) -> Result<(), ErrorInfo> {
        let limits = self.config.limits;
        let channel = self.channels.get(name);
        let mut on_channel = channel.map_or(0, |c| c.members.len());
        let mut of_connection = conn.member_count;
        // Whether each clientId this frame touched is present after its items so far.
        let mut present_now: HashMap<&str, bool> = HashMap::new();
        for item in items {
            let client_id = item.client_id.as_deref().unwrap_or_default();
            let present = match present_now.get(client_id) {
                Some(&present) => present,
                None => channel.is_some_and(|c| c.members.has_member(client_id, &conn.id)),
            };
            let leaving = matches!(item.action, PresenceAction::Leave);
            if leaving && present {
                on_channel = on_channel.saturating_sub(1);
                of_connection = of_connection.saturating_sub(1);
                present_now.insert(client_id, false);
            } else if !leaving && !present {
                on_channel += 1;
                of_connection += 1;
                if on_channel > limits.members_per_channel {
                    return Err(too_many_members(limits.members_per_channel, "per channel"));
                }
                if of_connection > limits.members_per_connection {
                    return Err(too_many_members(
                        limits.members_per_connection,
                        "per connection",
                    ));
                }
                present_now.insert(client_id, true);
            }
        }
        Ok(())
    }

    /// 91006 when applying `items` (clientIds resolved) in order would, at any point, grow
    /// the bytes ([`held_size`]) of channel `name`'s members, or of `conn`'s across its
    /// channels, past the limit. An item replaces the member it names; a leave gives its
    /// bytes back.
    pub(super) fn check_data_room(
        &self,
        conn: &Conn,
        name: &str,
        items: &[PresenceMessage],
    ) -> Result<(), ErrorInfo> {
        let limits = self.config.limits;
        let channel = self.channels.get(name);
        let mut on_channel = channel.map_or(0, |c| c.members.held_bytes());
        let mut of_connection = conn.held_bytes;
        // The bytes each clientId this frame touched holds after its items so far.
        let mut held: HashMap<&str, usize> = HashMap::new();
        for item in items {
            let client_id = item.client_id.as_deref().unwrap_or_default();
            let before = match held.get(client_id) {
                Some(&bytes) => bytes,
                None => channel
                    .and_then(|c| c.members.get(&(client_id.to_owned(), conn.id.clone())))
                    .map_or(0, held_size),
            };
            let after = match item.action {
                PresenceAction::Leave => 0,
                _ => held_size(item),
            };
            on_channel = on_channel.saturating_sub(before) + after;
            of_connection = of_connection.saturating_sub(before) + after;
            if after > before {
                if on_channel > limits.presence_data_per_channel {
                    let max = limits.presence_data_per_channel;
                    return Err(presence_data_too_large(max, "per channel"));
                }
                if of_connection > limits.presence_data_per_connection {
                    let max = limits.presence_data_per_connection;
                    return Err(presence_data_too_large(max, "per connection"));
                }
            }
            held.insert(client_id, after);
        }
        Ok(())
    }
}
