//! What the device says about its network (the browser's `online` and `offline` events):
//! act on it at once instead of waiting for a retry timer or a silent server, as ably-js.

use super::connection::disconnected_error;
use super::{Realtime, TransportCommand};
use crate::connection::ConnectionState;

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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connection::{AuthMethod, ClientOptions};
    use crate::realtime::Event;

    const CONNECTED: &[u8] =
        br#"{"action":4,"connectionId":"c1","connectionDetails":{"connectionKey":"k1"}}"#;

    fn client() -> Realtime {
        Realtime::new(ClientOptions {
            tls: false,
            auth: AuthMethod::Token("tok".into()),
            ..ClientOptions::default()
        })
        .expect("valid options")
    }

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
    /// disconnected, waiting for the retry timer.
    fn disconnected_after_a_drop(client: &mut Realtime) {
        client.connect(0);
        client.handle_frame(CONNECTED, 0);
        client.transport_closed(1_000);
        client.transport_closed(1_010);
        drain(client);
        assert_eq!(client.connection_state(), ConnectionState::Disconnected);
        assert_eq!(client.poll_timeout(), Some(1_010 + 15_000));
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
}
