//! Connection recovery: another client instance (typically the same page after a reload)
//! continues this connection, its members and its channels' positions (RTN16).

use super::Realtime;
use crate::connection::ConnectionState;
use crate::json::{WriteJson, Writer};
use alloc::string::String;
use alloc::vec::Vec;

/// What another instance needs to continue a connection (RTN16g): ably-js writes it as
/// the JSON `{connectionKey, msgSerial, channelSerials}` of `createRecoveryKey()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryKey {
    /// The key the server knows the connection by.
    pub connection_key: String,
    /// The next message serial, so that the server neither skips nor repeats messages.
    pub msg_serial: u64,
    /// Each channel's last serial, as (name, channelSerial).
    pub channel_serials: Vec<(String, String)>,
}

/// The key as `createRecoveryKey()` gives it: the JSON text ably-js writes.
impl WriteJson for RecoveryKey {
    fn write_json(&self, w: &mut Writer) {
        w.begin_object();
        w.key("connectionKey");
        w.string(&self.connection_key);
        w.key("msgSerial");
        w.u64(self.msg_serial);
        w.key("channelSerials");
        w.begin_object();
        for (name, serial) in &self.channel_serials {
            w.text_key(name);
            w.string(serial);
        }
        w.end_object();
        w.end_object();
    }
}

impl Realtime {
    /// Continues the connection `key` describes on the first connect (RTN16f, RTN16j,
    /// RTN16k): asks for it with `recover=`, keeps counting its message serials, and
    /// attaches its channels from their serials. Ignored once connecting has started.
    pub fn recover(&mut self, key: RecoveryKey) {
        if self.state != ConnectionState::Initialized {
            return;
        }
        self.connection_key = Some(key.connection_key);
        self.pending.continue_from(key.msg_serial);
        for (name, serial) in key.channel_serials {
            self.channels.get_or_default(&name).serial = Some(serial);
        }
        self.is_recovering = true;
    }

    /// The recovery key for this connection; `None` without a connection another
    /// instance could continue (RTN16g2).
    pub fn recovery_key(&self) -> Option<RecoveryKey> {
        if matches!(
            self.state,
            ConnectionState::Closing
                | ConnectionState::Closed
                | ConnectionState::Failed
                | ConnectionState::Suspended
        ) {
            return None;
        }
        Some(RecoveryKey {
            connection_key: self.connection_key.clone()?,
            msg_serial: self.pending.next_serial(),
            channel_serials: self.channels.serials(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::PresenceAction;
    use crate::realtime::test_client::{client, connect, drain};

    fn key() -> RecoveryKey {
        RecoveryKey {
            connection_key: "c1!old".into(),
            msg_serial: 7,
            channel_serials: vec![("room".into(), "0f".into())],
        }
    }

    #[test]
    fn a_key_is_written_as_ably_js_writes_it() {
        assert_eq!(
            crate::json::to_string(&key()),
            r#"{"connectionKey":"c1!old","msgSerial":7,"channelSerials":{"room":"0f"}}"#
        );
    }

    fn connected(client: &mut Realtime, frame: &str) {
        client.handle_frame(frame.as_bytes(), 0);
    }

    #[test]
    fn a_recovered_connection_goes_on_with_its_serials_and_channel_positions() {
        let mut client = client();
        client.recover(key());
        client.connect(0);
        let url = drain(&mut client).url.expect("an Open");
        assert!(url.ends_with("&recover=c1!old"), "{url}");
        connected(
            &mut client,
            r#"{"action":4,"connectionId":"c1","connectionDetails":{"connectionKey":"c1!new"}}"#,
        );
        client.attach("room", 0);
        client.presence("room", PresenceAction::Update, None, None, 0);
        let sent = drain(&mut client).sent;
        assert_eq!(
            sent,
            [r#"{"action":10,"channel":"room","channelSerial":"0f"}"#]
        );
        client.handle_frame(br#"{"action":11,"channel":"room","channelSerial":"10"}"#, 0);
        let sent = drain(&mut client).sent;
        assert!(sent[0].contains(r#""msgSerial":7"#), "{sent:?}");
        assert_eq!(
            client.recovery_key(),
            Some(RecoveryKey {
                connection_key: "c1!new".into(),
                msg_serial: 8,
                channel_serials: vec![("room".into(), "10".into())],
            })
        );

        // Only the first connection recovers; later ones resume (RTN16k).
        client.transport_closed(1_000);
        let url = drain(&mut client).url.expect("an Open");
        assert!(url.ends_with("&resume=c1!new"));
    }

    #[test]
    fn a_failed_recovery_is_a_new_connection() {
        let mut client = client();
        client.recover(key());
        client.connect(0);
        connected(
            &mut client,
            r#"{"action":4,"connectionId":"c9","connectionDetails":{"connectionKey":"c9!k"},
            "error":{"code":80008,"statusCode":400,"message":"unable to recover"}}"#,
        );
        assert_eq!(client.connection_id(), Some("c9"));
        assert_eq!(client.error_reason().map(|e| e.code), Some(80008));
        drain(&mut client);
        client.publish("room", Vec::new());
        client.handle_frame(br#"{"action":11,"channel":"room"}"#, 0);
        let sent = drain(&mut client).sent;
        assert!(
            sent.iter().any(|f| f.contains(r#""msgSerial":0"#)),
            "{sent:?}"
        );
    }

    #[test]
    fn no_key_before_connecting_or_after_closing() {
        let mut client = client();
        assert_eq!(client.recovery_key(), None);
        connect(&mut client);
        assert!(client.recovery_key().is_some());
        client.close(0);
        assert_eq!(client.recovery_key(), None);
        // Too late to recover into a client that has connected.
        client.recover(key());
        assert_eq!(client.connection_key(), Some("c1!k"));
    }
}
