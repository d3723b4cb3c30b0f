//! The `channelSerial` of a SYNC message: `<syncId>:<cursor>` (RTP18).

/// Splits a SYNC channelSerial into `(syncId, cursor)`; an empty cursor marks the last
/// page. `None` when it is not of that shape (syncId must be `[A-Za-z0-9_-]+`), which a
/// client treats as a sync complete after this message.
pub fn parse_sync_serial(serial: &str) -> Option<(&str, &str)> {
    let (sync_id, cursor) = crate::text::split_once_byte(serial, b':')?;
    let well_formed = !sync_id.is_empty()
        && sync_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    well_formed.then_some((sync_id, cursor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_first_colon() {
        assert_eq!(
            parse_sync_serial("abc-1:cur:sor"),
            Some(("abc-1", "cur:sor"))
        );
        assert_eq!(parse_sync_serial("abc:"), Some(("abc", "")));
    }

    #[test]
    fn rejects_malformed_serials() {
        assert_eq!(parse_sync_serial("abc"), None);
        assert_eq!(parse_sync_serial(":cursor"), None);
        assert_eq!(parse_sync_serial("a b:c"), None);
    }
}
