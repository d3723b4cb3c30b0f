//! What the device says about its network (the browser's `online` and `offline` events)
//! and the page's lifecycle (`pagehide`): act on it at once instead of waiting for a
//! retry timer or a silent server.

use super::connection::disconnected_error;
use super::{Realtime, TransportCommand};
use crate::connection::ConnectionState;
use crate::protocol::{codes, Action, ErrorInfo, ProtocolMessage};

impl Realtime {
    /// The network is back: connect now when disconnected or suspended (the retry timer is
    /// dropped), and restart an attempt in progress, which may hang on the old network.
    pub fn network_online(&mut self, now: u64) {
        match self.state {
            ConnectionState::Disconnected | ConnectionState::Suspended => {
                self.start_connecting(now)
            }
            ConnectionState::Connecting if self.is_transport_open => {
                self.transport_commands.push(TransportCommand::Close);
                self.start_connecting(now);
            }
            _ => {}
        }
    }

    /// The network is gone: drop a connected transport so the app hears of it now rather
    /// than when the server's silence runs out; reconnecting then goes as after any loss.
    pub fn network_offline(&mut self, now: u64) {
        if self.state == ConnectionState::Connected {
            self.lose_transport(now, disconnected_error("the network went offline"), true);
        }
    }

    /// The page is going away or into the back/forward cache (`pagehide`, closeOnUnload):
    /// the server closes the connection, so its members leave now rather than after
    /// remainPresentFor, but the channels and own members are held as in a suspension,
    /// so `connect()` on a page restored from the cache attaches them again and re-enters
    /// (RTP17i). No retry timer: a hidden page is frozen or gone.
    pub fn page_hidden(&mut self) {
        match self.state {
            ConnectionState::Connected => self.send_frame(&ProtocolMessage::new(Action::Close)),
            ConnectionState::Connecting | ConnectionState::Disconnected => {}
            _ => return,
        }
        let error = ErrorInfo::new(
            codes::CONNECTION_SUSPENDED,
            400,
            "connection suspended: the page was hidden",
        );
        self.end_connection(&error);
        self.set_state(ConnectionState::Suspended, Some(error), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::test_client::client;
    use crate::realtime::Event;

    const CONNECTED: &[u8] =
        br#"{"action":4,"connectionId":"c1","connectionDetails":{"connectionKey":"k1"}}"#;

    /// Drains everything; returns the transport commands and the connection states entered.
    fn drain(client: &mut Realtime) -> (Vec<TransportCommand>, Vec<ConnectionState>) {
        let mut commands = Vec::new();
        while let Some(command) = client.poll_transport() {
            commands.push(command);
        }
        while client.poll_transmit().is_some() {}
        let mut states = Vec::new();
        while let Some(event) = client.poll_event() {
            if let Event::ConnectionState(change) = event {
                states.push(change.current);
            }
        }
        (commands, states)
    }

    fn is_open_resuming(command: &TransportCommand) -> bool {
        matches!(command, TransportCommand::Open { url } if url.ends_with("&resume=k1"))
    }

    /// Connected as c1, then the transport failed and the immediate retry failed too:
    /// disconnected the second time, waiting for the retry timer (4/3 × 15 s, RTB1).
    fn disconnected_after_a_drop(client: &mut Realtime) {
        client.connect(0);
        client.handle_frame(CONNECTED, 0);
        client.transport_closed(1_000);
        client.transport_closed(1_010);
        drain(client);
        assert_eq!(client.connection_state(), ConnectionState::Disconnected);
        assert_eq!(client.poll_timeout(), Some(1_010 + 20_000));
    }

    #[test]
    fn online_when_disconnected_resumes_now_instead_of_at_the_retry() {
        let mut client = client();
        disconnected_after_a_drop(&mut client);
        client.network_online(2_000);
        let (commands, states) = drain(&mut client);
        assert_eq!(states, vec![ConnectionState::Connecting]);
        assert!(matches!(commands.as_slice(), [open] if is_open_resuming(open)));
        // Only the attempt's own deadline is left: the old retry timer is gone.
        assert_eq!(client.poll_timeout(), Some(2_000 + 10_000));
        client.handle_frame(CONNECTED, 2_050);
        assert_eq!(client.connection_state(), ConnectionState::Connected);
        assert_eq!(client.connection_id(), Some("c1"));
    }

    #[test]
    fn online_when_suspended_connects_now() {
        let mut client = client();
        client.connect(0);
        client.transport_closed(10);
        // Every attempt fails until the state TTL (120 s) has run out.
        while client.connection_state() != ConnectionState::Suspended {
            let at = client.poll_timeout().expect("a retry is armed");
            client.handle_timeout(at);
            client.transport_closed(at);
        }
        drain(&mut client);
        client.network_online(200_000);
        let (commands, states) = drain(&mut client);
        assert_eq!(states, vec![ConnectionState::Connecting]);
        assert!(matches!(
            commands.as_slice(),
            [TransportCommand::Open { .. }]
        ));
    }

    #[test]
    fn online_while_connecting_restarts_the_attempt() {
        let mut client = client();
        client.connect(0);
        drain(&mut client);
        client.network_online(3_000);
        let (commands, states) = drain(&mut client);
        assert!(states.is_empty(), "still connecting: {states:?}");
        assert!(matches!(
            commands.as_slice(),
            [TransportCommand::Close, TransportCommand::Open { .. }]
        ));
        assert_eq!(client.poll_timeout(), Some(3_000 + 10_000));
    }

    #[test]
    fn network_news_when_initialized_or_connected_changes_nothing() {
        let mut client = client();
        client.network_online(0);
        client.network_offline(0);
        assert_eq!(drain(&mut client), (vec![], vec![]));
        client.connect(0);
        client.handle_frame(CONNECTED, 0);
        drain(&mut client);
        client.network_online(1_000);
        assert_eq!(drain(&mut client), (vec![], vec![]));
        assert_eq!(client.connection_state(), ConnectionState::Connected);
    }

    #[test]
    fn offline_when_connected_drops_the_transport_and_retries_as_after_a_loss() {
        let mut client = client();
        client.connect(0);
        client.handle_frame(CONNECTED, 0);
        drain(&mut client);
        client.network_offline(1_000);
        let (commands, states) = drain(&mut client);
        assert_eq!(
            states,
            vec![ConnectionState::Disconnected, ConnectionState::Connecting]
        );
        assert!(matches!(
            commands.as_slice(),
            [TransportCommand::Close, open] if is_open_resuming(open)
        ));
        assert_eq!(
            client.error_reason().map(|e| e.code),
            Some(crate::protocol::codes::CONNECTION_DISCONNECTED)
        );
        // Offline again while connecting: nothing to drop, the attempt runs its course.
        client.network_offline(1_001);
        assert_eq!(drain(&mut client), (vec![], vec![]));
    }

    #[test]
    fn a_hidden_page_closes_at_the_server_then_reattaches_and_reenters_when_shown() {
        use crate::channel::ChannelState;
        use crate::protocol::PresenceAction;
        use crate::realtime::test_client as ann;
        let mut client = client();
        ann::connect(&mut client);
        client.presence("room", PresenceAction::Enter, None, None, 0);
        client.handle_frame(br#"{"action":11,"channel":"room","channelSerial":"3"}"#, 0);
        client.handle_frame(br#"{"action":1,"msgSerial":0,"count":1}"#, 0);
        // The server's echo makes it an own member (RTP17).
        client.handle_frame(
            br#"{"action":14,"channel":"room","presence":[{"action":2,"clientId":"ann",
            "connectionId":"c1","id":"c1:0:0","timestamp":1}]}"#,
            0,
        );
        ann::drain(&mut client);

        client.page_hidden();
        let hidden = ann::drain(&mut client);
        assert_eq!(
            hidden.sent,
            [r#"{"action":7}"#],
            "CLOSE, so the member leaves now"
        );
        assert_eq!(client.connection_state(), ConnectionState::Suspended);
        assert_eq!(client.channel_state("room"), ChannelState::Suspended);
        assert_eq!(client.poll_timeout(), None, "no retry while hidden");
        assert_eq!(
            client.connection_key(),
            None,
            "the server closed that connection"
        );

        // Shown again (a page restored from the back/forward cache): a new connection,
        // the channel attaches again and the member is entered again.
        client.connect(5_000);
        let url = ann::drain(&mut client).url.expect("an Open");
        assert!(!url.contains("resume="), "{url}");
        client.handle_frame(
            br#"{"action":4,"connectionId":"c2","connectionDetails":{"connectionKey":"c2!k"}}"#,
            5_000,
        );
        assert_eq!(
            ann::drain(&mut client).sent,
            [r#"{"action":10,"channel":"room","channelSerial":"3"}"#]
        );
        client.handle_frame(br#"{"action":11,"channel":"room"}"#, 5_000);
        let sent = ann::drain(&mut client).sent;
        assert!(
            matches!(sent.as_slice(), [enter] if enter.contains(r#""action":14"#)
                && enter.contains(r#""presence":[{"action":2"#)),
            "{sent:?}"
        );
    }
}
