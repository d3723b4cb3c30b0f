//! A message's size as Ably counts it against `maxMessageSize` (TO3l8, as ably-js
//! measures a publish): the bytes of its name, clientId, extras (as JSON text) and data,
//! binary data by its bytes, not by the base64 text a JSON frame carries it as.

use roster::json::JsonText;
use roster::protocol::{Data, Message, PresenceMessage};

/// The size of a channel message.
pub fn message(m: &Message) -> usize {
    let name = m.name.as_deref().map_or(0, str::len);
    name + fields(
        m.client_id.as_deref(),
        m.data.as_ref(),
        m.encoding.as_deref(),
        m.extras.as_ref(),
    )
}

/// The size of a presence message.
pub fn presence(m: &PresenceMessage) -> usize {
    fields(
        m.client_id.as_deref(),
        m.data.as_ref(),
        m.encoding.as_deref(),
        m.extras.as_ref(),
    )
}

fn fields(
    client_id: Option<&str>,
    data: Option<&Data>,
    encoding: Option<&str>,
    extras: Option<&JsonText>,
) -> usize {
    let data = match data {
        // The outermost encoding is the last: base64 text stands for fewer bytes.
        Some(Data::String(text))
            if encoding.is_some_and(|e| e.rsplit('/').next() == Some("base64")) =>
        {
            base64_len(text)
        }
        other => super::limits::data_size(other),
    };
    data + client_id.map_or(0, str::len) + extras.map_or(0, |e| e.as_str().len())
}

/// The number of bytes base64 `text` decodes to (padded or not).
fn base64_len(text: &str) -> usize {
    let pad = text.bytes().rev().take_while(|&b| b == b'=').count().min(2);
    let n = text.len();
    (n / 4 * 3 + n % 4 * 3 / 4).saturating_sub(pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_counts_the_bytes_it_stands_for() {
        for (text, bytes) in [
            ("", 0),
            ("YQ==", 1),
            ("YWI=", 2),
            ("YWJj", 3),
            ("YQ", 1),
            ("YWI", 2),
            ("YWJjZA==", 4),
        ] {
            assert_eq!(base64_len(text), bytes, "{text}");
        }
    }

    #[test]
    fn a_message_counts_name_client_id_extras_and_data() {
        let mut m = Message {
            name: Some("chat".into()),
            client_id: Some("ada".into()),
            data: Some(Data::String("héllo".into())),
            extras: Some(JsonText::new(r#"{"a":1}"#).unwrap()),
            id: Some("not counted".into()),
            ..Message::default()
        };
        assert_eq!(message(&m), 4 + 3 + 6 + 7);
        // 3,000 bytes sent as base64 (4,000 characters) count as 3,000.
        m.data = Some(Data::String("AAAA".repeat(1000)));
        m.encoding = Some("base64".into());
        assert_eq!(message(&m), 4 + 3 + 3000 + 7);
        m.encoding = Some("json/utf-8/base64".into());
        assert_eq!(message(&m), 4 + 3 + 3000 + 7);
        m.encoding = Some("json".into());
        assert_eq!(message(&m), 4 + 3 + 4000 + 7);
        m.data = Some(Data::Binary(vec![0; 10]));
        assert_eq!(message(&m), 4 + 3 + 10 + 7);
    }
}
