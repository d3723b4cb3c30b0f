//! Fill a channel with members from one key-authenticated connection (which may enter on
//! behalf of any clientId), in batches of presence messages per frame.

use std::io;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::ws::{self, action, Ws};

/// Members per PRESENCE frame: well under the 64 KiB message size limit.
pub const BATCH: usize = 200;

/// A loader connection attached to one channel; its incoming frames are drained.
pub struct Loader {
    sink: futures_util::stream::SplitSink<Ws, Message>,
    acks: mpsc::UnboundedReceiver<Result<u64, String>>,
    channel: String,
    serial: u64,
    acked: u64,
}

impl Loader {
    /// Connect with the key (no clientId) and attach the channel.
    pub async fn open(port: u16, key: &str, channel: &str) -> io::Result<Loader> {
        let mut socket = ws::connect(&ws::realtime_url(port, key, None)).await?;
        ws::attach(&mut socket, channel).await?;
        let (sink, mut source) = socket.split();
        let (tx, acks) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = source.next().await {
                let Message::Text(text) = msg else { continue };
                // Only ACK/NACK/ERROR matter; skip the presence echoes without parsing them.
                if text.contains(r#""presence":["#) {
                    continue;
                }
                let Ok(value) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                let got = value.get("action").and_then(Value::as_u64);
                let count = value.get("count").and_then(Value::as_u64).unwrap_or(1);
                let sent = match got {
                    Some(1) => tx.send(Ok(count)),
                    Some(2) | Some(action::ERROR) => tx.send(Err(text.to_string())),
                    _ => Ok(()),
                };
                if sent.is_err() {
                    return;
                }
            }
        });
        Ok(Loader {
            sink,
            acks,
            channel: channel.to_string(),
            serial: 0,
            acked: 0,
        })
    }

    /// Send one PRESENCE frame with `(clientId, data)` entries of the given action.
    pub async fn send(
        &mut self,
        presence_action: u8,
        members: &[(String, String)],
    ) -> io::Result<()> {
        let presence: Vec<Value> = members
            .iter()
            .map(|(id, data)| json!({"action": presence_action, "clientId": id, "data": data}))
            .collect();
        let frame = json!({"action": action::PRESENCE, "channel": self.channel, "msgSerial": self.serial, "presence": presence});
        self.serial += 1;
        self.sink
            .send(Message::text(frame.to_string()))
            .await
            .map_err(io::Error::other)
    }

    /// Wait until all but `in_flight` sent frames are acknowledged (NACK or ERROR fails).
    pub async fn settle(&mut self, in_flight: u64) -> io::Result<()> {
        while self.acked + in_flight < self.serial {
            match self.acks.recv().await {
                Some(Ok(count)) => self.acked += count,
                Some(Err(text)) => {
                    return Err(io::Error::other(format!("server refused presence: {text}")))
                }
                None => return Err(io::Error::other("loader socket closed")),
            }
        }
        Ok(())
    }

    /// Enter members `member-{from..to}` with small JSON-ish string data, waiting for ACKs.
    pub async fn enter_range(&mut self, from: usize, to: usize) -> io::Result<()> {
        let members: Vec<(String, String)> = (from..to)
            .map(|i| (member_id(i), format!("s{i}")))
            .collect();
        self.enter(&members).await
    }

    /// Enter `(clientId, data)` members, `BATCH` a frame, waiting for ACKs.
    pub async fn enter(&mut self, members: &[(String, String)]) -> io::Result<()> {
        for chunk in members.chunks(BATCH) {
            self.send(2, chunk).await?;
            self.settle(16).await?;
        }
        self.settle(0).await
    }
}

/// The clientId of the i-th loaded member.
pub fn member_id(i: usize) -> String {
    format!("member-{i}")
}
