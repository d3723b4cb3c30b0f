//! Minimal Ably-protocol WebSocket client steps used by the benchmarks.

use std::io;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// A client WebSocket.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Ably protocol action numbers used here.
pub mod action {
    /// ACK.
    pub const ACK: u64 = 1;
    /// CONNECTED.
    pub const CONNECTED: u64 = 4;
    /// ERROR.
    pub const ERROR: u64 = 9;
    /// ATTACH.
    pub const ATTACH: u64 = 10;
    /// ATTACHED.
    pub const ATTACHED: u64 = 11;
    /// DETACHED.
    pub const DETACHED: u64 = 13;
    /// PRESENCE.
    pub const PRESENCE: u64 = 14;
    /// SYNC.
    pub const SYNC: u64 = 16;
}

/// Realtime URL for a loopback server with key auth (accepted from loopback peers).
pub fn realtime_url(port: u16, key: &str, client_id: Option<&str>) -> String {
    let mut url = format!(
        "ws://127.0.0.1:{port}/?key={}&format=json&heartbeats=true&v=6",
        percent(key)
    );
    if let Some(id) = client_id {
        url.push_str("&clientId=");
        url.push_str(&percent(id));
    }
    url
}

/// Percent-encode everything outside the unreserved set.
pub fn percent(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Read text frames until one with the wanted action arrives (ERROR frames fail).
pub async fn wait_for(ws: &mut Ws, wanted: u64) -> io::Result<Value> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .map_err(|_| io::Error::other(format!("timed out waiting for action {wanted}")))?;
        let Some(msg) = msg else {
            return Err(io::Error::other("socket closed"));
        };
        let Message::Text(text) = msg.map_err(io::Error::other)? else {
            continue;
        };
        let value: Value = serde_json::from_str(&text).map_err(io::Error::other)?;
        let got = value.get("action").and_then(Value::as_u64);
        if got == Some(wanted) {
            return Ok(value);
        }
        if got == Some(action::ERROR)
            || (got == Some(action::DETACHED) && wanted == action::ATTACHED)
        {
            return Err(io::Error::other(format!("server refused: {text}")));
        }
    }
}

/// Open a socket and wait for CONNECTED.
pub async fn connect(url: &str) -> io::Result<Ws> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(io::Error::other)?;
    wait_for(&mut ws, action::CONNECTED).await?;
    Ok(ws)
}

/// Send ATTACH for a channel and wait for ATTACHED (SYNC frames after it are left unread).
pub async fn attach(ws: &mut Ws, channel: &str) -> io::Result<Value> {
    send_json(
        ws,
        &serde_json::json!({"action": action::ATTACH, "channel": channel}),
    )
    .await?;
    wait_for(ws, action::ATTACHED).await
}

/// Send one JSON value as a text frame.
pub async fn send_json(ws: &mut Ws, value: &Value) -> io::Result<()> {
    ws.send(Message::text(value.to_string()))
        .await
        .map_err(io::Error::other)
}

/// Every `"data":"..."` string value in a frame, without a full JSON parse.
pub fn data_strings(frame: &str) -> impl Iterator<Item = &str> {
    frame
        .split("\"data\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
}
