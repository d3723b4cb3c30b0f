//! Unit-test helpers: a client with a token, and the drain contract in one call.

use super::{Event, Realtime, TransportCommand};
use crate::connection::{AuthMethod, ClientOptions};
use crate::protocol::Frame;

/// A client for "ann" with a token, not yet connected.
pub fn client() -> Realtime {
    Realtime::new(ClientOptions {
        tls: false,
        client_id: Some("ann".into()),
        auth: AuthMethod::Token("tok".into()),
        ..ClientOptions::default()
    })
    .expect("valid options")
}

/// What a drain gave since the last one.
pub struct Drained {
    /// The URL of the last Open.
    pub url: Option<String>,
    /// The text frames sent.
    pub sent: Vec<String>,
    /// The events.
    pub events: Vec<Event>,
}

/// Polls every queue until each is empty.
pub fn drain(client: &mut Realtime) -> Drained {
    let mut drained = Drained {
        url: None,
        sent: Vec::new(),
        events: Vec::new(),
    };
    while let Some(command) = client.poll_transport() {
        if let TransportCommand::Open { url } = command {
            drained.url = Some(url);
        }
    }
    while let Some(frame) = client.poll_transmit() {
        if let Frame::Text(text) = frame {
            drained.sent.push(text);
        }
    }
    while let Some(event) = client.poll_event() {
        drained.events.push(event);
    }
    drained
}

/// Connects as connection "c1" (key "c1!k").
pub fn connect(client: &mut Realtime) {
    client.connect(0);
    client.handle_frame(
        br#"{"action":4,"connectionId":"c1","connectionDetails":{"connectionKey":"c1!k"}}"#,
        0,
    );
    drain(client);
}
