//! One realtime connection's life on one transport: CONNECTED first, then frames in,
//! queued frames out, heartbeats while idle, and what happens when the socket goes.

use super::fragments::{feed, Payload};
use super::inbound::{fail, handle_frame, Flow};
use super::rate::InboundRate;
use super::{frames, ConnectParams};
use crate::hub::{outbox, Hub, Outbound, Rx, SyncToken, Tx};
use crate::state::{now_ms, Shared};
use crate::wire;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use roster::protocol::{codes, Action, ConnectionDetails, ErrorInfo, Format, ProtocolMessage};
use std::future::Future;
use std::pin::{pin, Pin};
use std::time::Duration;
use tokio::time::{interval, sleep, sleep_until, Instant, MissedTickBehavior};
use tungstenite::Message as WsMessage;

/// How long past the heartbeat interval a silent socket is given before it counts as dead.
const LIVENESS_GRACE: Duration = Duration::from_secs(10);

/// How long a socket the server closed is read for the client's close frame at most.
const LINGER: Duration = Duration::from_secs(1);

/// Runs a session on `socket` until the transport ends. Generic over the socket so
/// tests can drive it with channels.
pub async fn run<S>(socket: S, state: Shared, params: ConnectParams, secure: bool)
where
    S: Stream<Item = Result<WsMessage, tungstenite::Error>> + Sink<WsMessage> + Unpin,
{
    let (mut sink, mut stream) = socket.split();
    let now = now_ms();
    // A format the server does not speak is refused in JSON.
    let format = params.wire_format().unwrap_or(Format::Json);
    let identity = match params.identify(&state.keys, secure, now) {
        Ok(identity) => identity,
        Err(error) => {
            let refusal = with_error(Action::Error, error);
            let _ = sink.send(message(format, &refusal)).await;
            let _ = sink.close().await;
            return;
        }
    };
    let heartbeat_ms = params
        .heartbeat_interval
        .unwrap_or(15_000)
        .clamp(1_000, 120_000);
    let remain_present_for = params
        .remain_present_for
        .unwrap_or(state.config.remain_present_for);
    let mut expires = identity.expires;
    let (queue, rx) = outbox(state.config.max_outbox_bytes);
    let tx = Transport { queue, format };
    let connected = {
        let mut hub = state.hub();
        let client_id = identity.client_id.clone();
        let c = hub.connect(
            identity,
            params.echo,
            format,
            remain_present_for,
            params.resume.as_deref(),
            tx.queue.clone(),
        );
        let details = connection_details(&state, &hub, client_id, c.key.clone(), heartbeat_ms);
        let hello = ProtocolMessage {
            connection_id: Some(c.conn_id.clone()),
            connection_key: Some(c.key.clone()),
            connection_details: Some(details),
            error: c.error.clone(),
            ..ProtocolMessage::new(Action::Connected)
        };
        send(&tx, &hello);
        // A resume may bring a token that allows less than the connection's last one.
        if c.resumed {
            hub.apply_capability(&c.conn_id, now_ms());
        }
        c
    };
    // Its strings (a token, a clientId, a resume key) are not kept for the session.
    drop(params);
    let conn_id = connected.conn_id;
    let generation = connected.generation;
    tracing::debug!(%conn_id, resumed = connected.resumed, "connected");

    let mut shutdown = state.shutdown.clone();
    let mut ticker = interval(Duration::from_millis(heartbeat_ms / 2));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let idle_limit = Duration::from_millis(heartbeat_ms * 2) + LIVENESS_GRACE;
    let mut last_rx = Instant::now();
    let mut last_tx = Instant::now();
    let mut closed_cleanly = false;
    // The server closed the socket (after ERROR, CLOSED or DISCONNECTED).
    let mut closing = false;
    let mut is_disconnecting = false;
    let mut rate = InboundRate::new(state.config.max_inbound_rate, now_ms());
    // One timer for the token's expiry, moved when AUTH brings a new token.
    let expiry = sleep_until(instant_at(expires.unwrap_or(u64::MAX)));
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            // Once DISCONNECTED is queued nothing more is read: the transport is ending.
            frame = stream.next(), if !is_disconnecting => {
                last_rx = Instant::now();
                let bytes = match frame {
                    Some(Ok(WsMessage::Text(t))) => t.as_bytes().to_vec(),
                    Some(Ok(WsMessage::Binary(b))) => b.to_vec(),
                    Some(Err(error)) => match frames::oversize(&error, &state.config) {
                        // Refused from its header: nothing more is read, the ERROR goes
                        // out and the socket closes, as for any fatal frame.
                        Some(too_big) => {
                            fail(&state, &conn_id, &tx, too_big);
                            closed_cleanly = true;
                            is_disconnecting = true;
                            continue;
                        }
                        None => break,
                    },
                    Some(Ok(WsMessage::Close(_))) | None => break,
                    // Ping and pong (a raw Frame is never read).
                    Some(Ok(_)) => continue,
                };
                match handle_frame(&state, &conn_id, &tx, &bytes, heartbeat_ms, &mut rate) {
                    Flow::Continue => {}
                    // Nothing more is read: a client closed for its rate is not heard
                    // out, and after CLOSED there is nothing to hear.
                    Flow::Closed => {
                        closed_cleanly = true;
                        is_disconnecting = true;
                    }
                    Flow::Dropped => break,
                    Flow::Disconnecting => is_disconnecting = true,
                    Flow::Reauthorized(new_expiry) => {
                        expires = new_expiry;
                        expiry.as_mut().reset(instant_at(expires.unwrap_or(u64::MAX)));
                    }
                }
            }
            () = &mut expiry, if expires.is_some() && !is_disconnecting => {
                // RTN15h: DISCONNECTED with a token error, then the transport goes as in an
                // abrupt drop, so a resume with a new token keeps the connection and members.
                is_disconnecting = true;
                tracing::debug!(%conn_id, "token expired; disconnecting");
                disconnect(&tx, crate::auth::token_expired());
            }
            out = rx.recv() => {
                let first = match out {
                    // The client stopped reading and its queue filled up: the transport
                    // goes as in an abrupt drop, so it can resume and catch up (or learn
                    // it cannot).
                    None => {
                        tracing::debug!(%conn_id, "the client is not reading; dropping the transport");
                        break;
                    }
                    Some(Outbound::Text(text)) => Payload::Text(text),
                    Some(Outbound::Binary(bytes)) => Payload::Binary(bytes),
                    Some(Outbound::Sync(token)) => {
                        state.hub().continue_sync(&conn_id, token);
                        continue;
                    }
                    Some(Outbound::Close) => {
                        let _ = unless_overflowed(&rx, pin!(sink.close())).await;
                        closing = true;
                        break;
                    }
                };
                last_tx = Instant::now();
                let written = {
                    let mut serve = |token| state.hub().continue_sync(&conn_id, token);
                    let write = pin!(write_queued(&mut sink, &rx, first, &mut serve));
                    unless_overflowed(&rx, write).await
                };
                match written {
                    Some(Ok(true)) => {}
                    Some(Ok(false)) => {
                        let _ = unless_overflowed(&rx, pin!(sink.close())).await;
                        closing = true;
                        break;
                    }
                    Some(Err(_)) | None => break,
                }
            }
            _ = ticker.tick() => {
                if last_rx.elapsed() > idle_limit {
                    tracing::debug!(%conn_id, "no traffic from the client; dropping the transport");
                    break;
                }
                let half = Duration::from_millis(heartbeat_ms / 2);
                if last_tx.elapsed() >= half {
                    last_tx = Instant::now();
                    let beat = message(format, &ProtocolMessage::new(Action::Heartbeat));
                    if !matches!(unless_overflowed(&rx, pin!(sink.send(beat))).await, Some(Ok(()))) {
                        break;
                    }
                }
                // A client that only receives never writes; a ping draws a pong from it even
                // while frames stream to it, so a busy subscriber is not taken for dead.
                if last_rx.elapsed() >= half {
                    let ping = pin!(sink.send(WsMessage::Ping(Default::default())));
                    if !matches!(unless_overflowed(&rx, ping).await, Some(Ok(()))) {
                        break;
                    }
                }
            }
            _ = shutdown.changed() => {
                let error = ErrorInfo::new(codes::CONNECTION_DISCONNECTED, 503, "server shutting down");
                let bye = with_error(Action::Disconnected, error);
                let _ = sink.send(message(format, &bye)).await;
                let _ = sink.close().await;
                break;
            }
        }
    }
    if closing {
        linger(&mut stream).await;
    }
    if closed_cleanly {
        return;
    }
    state.hub().transport_lost(&conn_id, generation);
    schedule_expiry(state, conn_id, generation, remain_present_for);
}

/// After the server's close frame: reads and drops what the client still sends until its
/// close frame (or [`LINGER`]), as RFC 6455 asks. Closing a socket with unread data resets
/// it, and the reset would discard the ERROR before the client reads it: a client closed
/// for flooding would never learn why.
async fn linger<S>(stream: &mut S)
where
    S: Stream<Item = Result<WsMessage, tungstenite::Error>> + Unpin,
{
    let drain = async { while let Some(Ok(_)) = stream.next().await {} };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

/// After an abrupt drop: members leave after `remainPresentFor`, the connection is
/// forgotten after `connectionStateTtl`, unless a resume came first.
fn schedule_expiry(state: Shared, conn_id: String, generation: u64, remain_present_for: u64) {
    tokio::spawn(async move {
        let ttl = state.config.connection_state_ttl;
        sleep(Duration::from_millis(remain_present_for.min(ttl))).await;
        state.hub().expire_members(&conn_id, generation, now_ms());
        sleep(Duration::from_millis(
            ttl.saturating_sub(remain_present_for),
        ))
        .await;
        state
            .hub()
            .expire_connection(&conn_id, generation, now_ms());
    });
}

/// The tokio instant at `wall_ms` (ms since the epoch), far ahead for `u64::MAX`.
fn instant_at(wall_ms: u64) -> Instant {
    let now = now_ms();
    // A year stands for "never": Instant cannot hold u64::MAX ms from now.
    let wait = wall_ms.saturating_sub(now).min(365 * 24 * 3600 * 1000);
    Instant::now() + Duration::from_millis(wait)
}

/// DISCONNECTED with `error`, then the socket closes once it is written; the session ends
/// as after an abrupt drop (state kept for a resume, members for remainPresentFor).
pub(super) fn disconnect(tx: &Transport, error: ErrorInfo) {
    send_last(tx, &with_error(Action::Disconnected, error));
}

/// Queues `msg` as the transport's last frame: the socket closes once it is written.
pub(super) fn send_last(tx: &Transport, msg: &ProtocolMessage) {
    send(tx, msg);
    tx.queue.send(Outbound::Close);
}

/// A connection-level `action` (ERROR, DISCONNECTED) carrying `error`.
pub(super) fn with_error(action: Action, error: ErrorInfo) -> ProtocolMessage {
    ProtocolMessage {
        error: Some(error),
        ..ProtocolMessage::new(action)
    }
}

/// What CONNECTED tells the client, on connect and again after AUTH (ably-js takes
/// every field anew, so a missing maxIdleInterval would switch its idle timer off).
pub(super) fn connection_details(
    state: &Shared,
    hub: &Hub,
    client_id: Option<String>,
    key: String,
    heartbeat_ms: u64,
) -> ConnectionDetails {
    ConnectionDetails {
        client_id,
        connection_key: Some(key),
        max_message_size: Some(state.config.max_message_size as u64),
        max_frame_size: Some(frames::frame_limit(&state.config) as u64),
        max_inbound_rate: Some(state.config.max_inbound_rate),
        max_idle_interval: Some(heartbeat_ms),
        connection_state_ttl: Some(state.config.connection_state_ttl),
        server_id: Some(hub.config.server_id.clone()),
    }
}

/// Runs `write` unless the queue overflows first: a client that stopped reading leaves
/// a write waiting on its socket for ever. `None` on overflow. The write is polled
/// first: most complete at once, and then the overflow is never waited on (waiting
/// costs two locks per write, measurable in fan-out). Callers pin the write where they
/// are: passed by value, an async fn's argument is kept twice in the session's state
/// (+470 B per connection for `write_queued`).
async fn unless_overflowed<F: Future>(rx: &Rx, write: Pin<&mut F>) -> Option<F::Output> {
    tokio::select! {
        biased;
        out = write => Some(out),
        () = rx.overflowed() => None,
    }
}

/// Writes `first` and what else is already queued (a bounded batch), then flushes once:
/// a burst of fan-out costs one socket write, not one per frame. A SYNC token met on the
/// way goes to `serve`, which queues its next page. `Ok(false)` when the queue asked for
/// the socket to be closed.
async fn write_queued<K>(
    sink: &mut K,
    rx: &Rx,
    first: Payload,
    serve: &mut impl FnMut(SyncToken),
) -> Result<bool, K::Error>
where
    K: Sink<WsMessage> + Unpin,
{
    feed(sink, first).await?;
    for _ in 0..64 {
        match rx.try_recv() {
            Some(Outbound::Text(text)) => feed(sink, Payload::Text(text)).await?,
            Some(Outbound::Binary(bytes)) => feed(sink, Payload::Binary(bytes)).await?,
            Some(Outbound::Sync(token)) => serve(token),
            Some(Outbound::Close) => {
                sink.flush().await?;
                return Ok(false);
            }
            None => break,
        }
    }
    sink.flush().await?;
    Ok(true)
}

/// Queues `msg` for the client.
pub(super) fn send(tx: &Transport, msg: &ProtocolMessage) {
    tx.queue.send(wire::frame(tx.format, msg));
}

/// `msg` as a message in `format`, for writing straight to the socket.
fn message(format: Format, msg: &ProtocolMessage) -> WsMessage {
    match wire::frame(format, msg) {
        Outbound::Binary(bytes) => WsMessage::Binary(bytes),
        Outbound::Text(text) => WsMessage::Text(text),
        // `wire::frame` makes text or binary frames only.
        Outbound::Sync(_) | Outbound::Close => WsMessage::Text(Default::default()),
    }
}

/// A connection's transport queue and the wire format of the frames queued on it.
pub(super) struct Transport {
    /// The queue into the socket writer.
    pub queue: Tx,
    /// `json` or `msgpack`, as the client asked on connect.
    pub format: Format,
}
