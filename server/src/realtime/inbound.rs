//! What the server does with each frame a client sends on its transport: heartbeats,
//! ATTACH and DETACH, PRESENCE and MESSAGE acknowledged in order, CLOSE, and AUTH with
//! a new token. Malformed or abusive input ends the connection with an ERROR.

use super::rate::{Admit, InboundRate};
use super::salvage;
use super::session::{connection_details, disconnect, send, send_last, with_error, Transport};
use crate::hub::Outbound;
use crate::state::{now_ms, Shared};
use crate::wire;
use roster::protocol::{Action, ErrorInfo, ProtocolMessage};

/// What the session does after a frame.
pub enum Flow {
    /// The session goes on.
    Continue,
    /// The connection ended (CLOSE answered, or a fatal ERROR sent): the queue ends
    /// with a close of the socket.
    Closed,
    /// The client gave up this transport (DISCONNECT).
    Dropped,
    /// DISCONNECTED is queued; the socket closes after it.
    Disconnecting,
    /// AUTH was accepted: the connection's credentials now expire then (`None`: never).
    Reauthorized(Option<u64>),
}

/// One protocol message from the client, counted against the connection's `rate`.
pub fn handle_frame(
    state: &Shared,
    conn_id: &str,
    tx: &Transport,
    bytes: &[u8],
    heartbeat_ms: u64,
    rate: &mut InboundRate,
) -> Flow {
    let now = now_ms();
    if let Err(abuse) = rate.frame(now) {
        return fail(state, conn_id, tx, abuse);
    }
    let msg = match wire::decode(tx.format, bytes) {
        Ok(msg) => msg,
        // A message with one bad field is refused by its serial; the connection goes on.
        Err(error) => match salvage::refusable(tx.format, bytes) {
            Some(stub) => {
                acknowledge(state, conn_id, &stub, now, Admit::No(error));
                return Flow::Continue;
            }
            None => return fail(state, conn_id, tx, error),
        },
    };
    match msg.action {
        Action::Heartbeat => {
            if msg.id.is_some() {
                send(
                    tx,
                    &ProtocolMessage {
                        id: msg.id,
                        ..ProtocolMessage::new(Action::Heartbeat)
                    },
                );
            }
        }
        Action::Attach => state.hub().attach(conn_id, &msg, now),
        Action::Detach => {
            if let Some(name) = msg.channel.as_deref() {
                state.hub().detach(conn_id, name, now);
            }
        }
        Action::Presence | Action::Message => {
            // Each presence item or channel message counts, however they are framed.
            let items = match msg.action {
                Action::Presence => msg.presence.as_ref().map(Vec::len),
                _ => msg.messages.as_ref().map(Vec::len),
            };
            match rate.messages(items.unwrap_or(0).max(1) as u64, now) {
                Ok(admit) => acknowledge(state, conn_id, &msg, now, admit),
                Err(abuse) => return fail(state, conn_id, tx, abuse),
            }
        }
        Action::Close => {
            state.hub().close(conn_id, now);
            send(tx, &ProtocolMessage::new(Action::Closed));
            tx.queue.send(Outbound::Close);
            return Flow::Closed;
        }
        Action::Disconnect => return Flow::Dropped,
        Action::Auth => return reauthenticate(state, conn_id, tx, &msg, heartbeat_ms),
        other => {
            tracing::debug!(?other, "ignoring an action clients do not send");
            if let Some(serial) = msg.msg_serial {
                let error =
                    ErrorInfo::bad_request(format!("unsupported action {}", other.number()));
                send(tx, &nack(serial, error));
            }
        }
    }
    Flow::Continue
}

/// An unreadable or oversize frame, or a client far over its rate: ERROR, which the
/// client takes as fatal, so the connection ends here as after CLOSE (members leave at
/// once) and the socket closes once the ERROR is written.
pub fn fail(state: &Shared, conn_id: &str, tx: &Transport, error: ErrorInfo) -> Flow {
    state.hub().close(conn_id, now_ms());
    send_last(tx, &with_error(Action::Error, error));
    Flow::Closed
}

/// NACK for the message with `serial`, refused with `error`.
fn nack(serial: u64, error: ErrorInfo) -> ProtocolMessage {
    ProtocolMessage {
        msg_serial: Some(serial),
        count: Some(1),
        error: Some(error),
        ..ProtocolMessage::new(Action::Nack)
    }
}

/// PRESENCE or MESSAGE: applied once per msgSerial (a resent serial after a resume is
/// acknowledged again without being applied twice), answered in order with ACK or NACK;
/// one `admit` says no to (over the connection's rate, or malformed) is refused unapplied.
fn acknowledge(state: &Shared, conn_id: &str, msg: &ProtocolMessage, now: u64, admit: Admit) {
    let mut hub = state.hub();
    let Some(conn) = hub.connection(conn_id) else {
        return;
    };
    let serial = msg.msg_serial;
    let duplicate = serial.is_some_and(|s| s < conn.next_serial);
    let result = if duplicate {
        Ok(())
    } else if let Admit::No(error) = admit {
        Err(error)
    } else if msg.action == Action::Presence {
        hub.presence(conn_id, msg, now)
    } else {
        hub.publish(conn_id, msg, now)
    };
    let Some(serial) = serial else {
        return;
    };
    hub.advance_serial(conn_id, serial);
    let reply = match result {
        Ok(()) => ProtocolMessage {
            msg_serial: Some(serial),
            count: Some(1),
            ..ProtocolMessage::new(Action::Ack)
        },
        Err(error) => nack(serial, error),
    };
    hub.send(conn_id, &reply);
}

/// AUTH from the client: a new token for the same connection, confirmed with CONNECTED;
/// its expiry replaces the old one. A bad token disconnects (the client renews and
/// resumes); a token for another clientId fails the connection (40102).
fn reauthenticate(
    state: &Shared,
    conn_id: &str,
    tx: &Transport,
    msg: &ProtocolMessage,
    heartbeat_ms: u64,
) -> Flow {
    let token = msg
        .auth
        .as_ref()
        .map(|a| a.access_token.as_str())
        .unwrap_or("");
    let identity = match crate::auth::verify_token(&state.keys, token, now_ms()) {
        Ok(identity) => identity,
        Err(error) => {
            disconnect(tx, error);
            return Flow::Disconnecting;
        }
    };
    let expires = identity.expires;
    let mut hub = state.hub();
    match hub.reauthorize(conn_id, identity) {
        Some(Ok((key, client_id))) => {
            let details = connection_details(state, &hub, client_id, key, heartbeat_ms);
            let update = ProtocolMessage {
                connection_id: Some(conn_id.to_owned()),
                connection_details: Some(details),
                ..ProtocolMessage::new(Action::Connected)
            };
            hub.send(conn_id, &update);
            hub.apply_capability(conn_id, now_ms());
            Flow::Reauthorized(expires)
        }
        Some(Err(error)) => {
            drop(hub);
            fail(state, conn_id, tx, error)
        }
        None => Flow::Continue,
    }
}
