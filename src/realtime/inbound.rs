//! Frames from the server, dispatched by action. Malformed frames and unknown actions
//! are dropped: nothing the network sends can panic the client.

use super::connection::disconnected_error;
use super::{Event, Realtime};
use crate::connection::{AuthMethod, ConnectionState};
use crate::protocol::{decode, Action, ErrorInfo};

impl Realtime {
    /// One WebSocket message from the server (text bytes or binary).
    pub fn handle_frame(&mut self, frame: &[u8], now: u64) {
        if !self.is_transport_open {
            return;
        }
        let Ok(mut msg) = decode(self.options.format, frame) else {
            return;
        };
        self.last_activity = now;
        match msg.action {
            Action::Heartbeat => self.on_heartbeat(&msg, now),
            Action::Ack => self.on_ack(&msg, true),
            Action::Nack => self.on_ack(&msg, false),
            Action::Connected => self.on_connected(&mut msg, now),
            Action::Disconnected => {
                let error = msg
                    .error
                    .take()
                    .unwrap_or_else(|| disconnected_error("disconnected by the server"));
                self.on_connection_error(error, false, now);
            }
            Action::Error if msg.channel.is_some() => self.on_channel_error(&mut msg),
            Action::Error => {
                let error = msg
                    .error
                    .take()
                    .unwrap_or_else(|| ErrorInfo::internal("connection error"));
                self.on_connection_error(error, true, now);
            }
            Action::Closed => self.finish_close(),
            Action::Attached => self.on_attached(&mut msg, now),
            Action::Detached => self.on_detached(&mut msg, now),
            Action::Sync => self.on_sync(&mut msg, now),
            Action::Presence => self.on_presence(&mut msg),
            Action::Message => self.on_message(&mut msg),
            // The server asks for a fresh token (RTN22).
            Action::Auth
                if self.options.auth == AuthMethod::External
                    && self.state == ConnectionState::Connected =>
            {
                self.is_awaiting_auth = true;
                self.events.push(Event::AuthRequired);
            }
            _ => {}
        }
    }
}
