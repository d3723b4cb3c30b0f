//! Which of two messages about the same member is newer (RTP2b).

use crate::protocol::PresenceView;
use crate::text;

/// Whether `incoming` supersedes `existing` for the same member.
///
/// Messages the server synthesized (id not starting with their connectionId) are judged
/// by timestamp, the incoming one winning ties (RTP2b1). Otherwise both ids have the form
/// `connectionId:msgSerial:index` and compare by msgSerial, then index (RTP2b2); equal
/// ids are not newer, so a duplicate changes nothing. An id that does not parse falls
/// back to the timestamp rule rather than failing.
pub fn is_newer(incoming: &PresenceView, existing: &PresenceView) -> bool {
    if !incoming.is_synthesized() && !existing.is_synthesized() {
        if let (Some(a), Some(b)) = (serial_and_index(incoming), serial_and_index(existing)) {
            return a > b;
        }
    }
    incoming.timestamp.unwrap_or(0) >= existing.timestamp.unwrap_or(0)
}

/// `(msgSerial, index)` from a message's id.
fn serial_and_index(msg: &PresenceView) -> Option<(u64, u64)> {
    message_position(msg.id?).map(|(_, serial, index)| (serial, index))
}

/// The parts of an id `connectionId:msgSerial:index`: the connection that sent the
/// message, and its msgSerial and index there; `None` for an id of another form.
pub fn message_position(id: &str) -> Option<(&str, u64, u64)> {
    let (rest, index) = text::rsplit_once_byte(id, b':')?;
    let (connection, serial) = text::rsplit_once_byte(rest, b':')?;
    Some((
        connection,
        text::parse_u64(serial)?,
        text::parse_u64(index)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{PresenceAction, PresenceMessage};

    fn is_newer(incoming: &PresenceMessage, existing: &PresenceMessage) -> bool {
        super::is_newer(&incoming.view(), &existing.view())
    }

    fn msg(id: &str, conn: &str, ts: u64) -> PresenceMessage {
        PresenceMessage {
            id: Some(id.into()),
            connection_id: Some(conn.into()),
            timestamp: Some(ts),
            ..PresenceMessage::new(PresenceAction::Update)
        }
    }

    #[test]
    fn higher_msg_serial_wins_regardless_of_timestamp() {
        assert!(is_newer(&msg("c1:5:0", "c1", 1), &msg("c1:4:9", "c1", 100)));
        assert!(!is_newer(
            &msg("c1:4:9", "c1", 100),
            &msg("c1:5:0", "c1", 1)
        ));
    }

    #[test]
    fn same_serial_compares_index_and_duplicates_are_not_newer() {
        assert!(is_newer(&msg("c1:5:1", "c1", 1), &msg("c1:5:0", "c1", 1)));
        assert!(!is_newer(&msg("c1:5:0", "c1", 1), &msg("c1:5:0", "c1", 1)));
    }

    #[test]
    fn serials_compare_as_numbers_not_strings() {
        assert!(is_newer(&msg("c1:10:0", "c1", 1), &msg("c1:9:0", "c1", 1)));
    }

    #[test]
    fn synthesized_side_compares_by_timestamp_with_incoming_winning_ties() {
        let synthesized = msg("server-leave:1:0", "c1", 50);
        assert!(is_newer(&synthesized, &msg("c1:9:0", "c1", 50)));
        assert!(!is_newer(&synthesized, &msg("c1:9:0", "c1", 51)));
        assert!(is_newer(&msg("c1:1:0", "c1", 60), &synthesized));
    }

    #[test]
    fn ids_parse_as_str_parse_reads_numbers() {
        let serial = |id: &str| serial_and_index(&msg(id, "c1", 0).view());
        assert_eq!(
            serial("a:b:c1:+7:18446744073709551615"),
            Some((7, u64::MAX))
        );
        assert_eq!(serial("c1:1:18446744073709551616"), None);
        assert_eq!(serial(":1:2"), Some((1, 2)));
        assert_eq!(serial("1:2"), None);
        assert_eq!(serial("c1:+:2"), None);
        assert_eq!(serial("c1::2"), None);
        assert_eq!(serial("c1:-1:2"), None);
    }

    #[test]
    fn unparseable_ids_fall_back_to_timestamps() {
        assert!(is_newer(&msg("c1:x:y", "c1", 2), &msg("c1:1:0", "c1", 1)));
        assert!(!is_newer(&msg("c1", "c1", 1), &msg("c1:1:0", "c1", 2)));
    }
}
