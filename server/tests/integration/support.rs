//! A roster-server child process on 127.0.0.1:0, a raw protocol client, a minimal
//! HTTP/1.1 client and message builders. Every wait is bounded.

use futures_util::{SinkExt, StreamExt};
use roster::protocol::{
    decode, encode, Action, Data, Format, Frame, Message as ChannelMessage, PresenceAction,
    PresenceMessage, ProtocolMessage,
};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest wait for anything the server should do promptly.
pub const WAIT: Duration = Duration::from_secs(10);
/// A key with every capability.
pub const FULL_KEY: &str = "app.full:secret-full";
/// A key that may subscribe on `room`, also enter presence on `lobby`, nothing else.
pub const LIMITED_KEY: &str = "app.limited:secret-limited";
/// [`LIMITED_KEY`]'s capability; its comma must survive the command line.
const LIMITED_CAPABILITY: &str = r#"{"room":["subscribe"],"lobby":["subscribe","presence"]}"#;

/// Flags for a server whose test fills a channel with thousands of members as its setup,
/// faster than the default `--max-inbound-rate` (250 a second) lets one connection.
pub const FAST_LOADER: [&str; 2] = ["--max-inbound-rate", "1000000"];

/// The running server process; killed on drop.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Server {
    /// Starts the binary on an ephemeral port with the test keys and `extra` flags.
    pub fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster-server"))
            .args(["--bind", "127.0.0.1:0", "--key", FULL_KEY, "--key"])
            .arg(format!("{LIMITED_KEY}={LIMITED_CAPABILITY}"))
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("roster-server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (lines_tx, lines) = mpsc::channel();
        // Keeps draining stdout so the server never writes into a full or closed pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines_tx.send(line);
            }
        });
        let line = lines
            .recv_timeout(WAIT)
            .expect("the server prints its address");
        let addr = line
            .strip_prefix("roster-server listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_owned();
        Server { child, addr }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's resident memory in KiB (VmRSS in /proc/<pid>/status).
    pub fn rss_kib(&self) -> usize {
        self.status_kib("VmRSS:")
    }

    /// The process's peak resident memory in KiB since it started or since the last
    /// [`Server::reset_peak_rss`] (VmHWM).
    pub fn peak_rss_kib(&self) -> usize {
        self.status_kib("VmHWM:")
    }

    /// Starts [`Server::peak_rss_kib`] over from the current resident memory.
    pub fn reset_peak_rss(&self) {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5")
            .expect("the server's clear_refs is writable");
    }

    fn status_kib(&self, field: &str) -> usize {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the server's /proc status is readable");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{field} in kB"))
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Opens a WebSocket with `query` and returns it with the first frame it got.
    pub async fn open(&self, query: &str) -> (Client, ProtocolMessage) {
        self.open_in(Format::Json, query).await
    }

    /// Opens a WebSocket speaking `format` with `query`, as [`Server::open`].
    pub async fn open_in(&self, format: Format, query: &str) -> (Client, ProtocolMessage) {
        let url = format!("ws://{}/?format={}&v=6&{query}", self.addr, format.name());
        let (ws, _) = timeout(WAIT, tokio_tungstenite::connect_async(url))
            .await
            .expect("websocket opens in time")
            .expect("websocket opens");
        let mut client = Client { ws, format };
        let first = client.recv().await;
        (client, first)
    }

    /// Connects with `key` (and `clientId`), asserting CONNECTED without an error.
    pub async fn connect(&self, key: &str, client_id: Option<&str>) -> (Client, ProtocolMessage) {
        let mut query = format!("key={key}");
        if let Some(id) = client_id {
            query.push_str(&format!("&clientId={id}"));
        }
        let (client, connected) = self.open(&query).await;
        assert_eq!(connected.action, Action::Connected, "{connected:?}");
        assert_eq!(connected.error, None);
        (client, connected)
    }

    /// One HTTP/1.1 request; `Connection: close`, so the body runs to the end of stream.
    pub async fn http(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        self.http_with_body(method, path, headers, "").await
    }

    /// One HTTP/1.1 request with a body (sent with its Content-Length when not empty).
    pub async fn http_with_body(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Response {
        let exchange = async {
            let mut stream = TcpStream::connect(&self.addr).await.expect("http connects");
            let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
            for (name, value) in headers {
                request.push_str(&format!("{name}: {value}\r\n"));
            }
            if !body.is_empty() {
                request.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            request.push_str("Connection: close\r\n\r\n");
            request.push_str(body);
            stream
                .write_all(request.as_bytes())
                .await
                .expect("request sent");
            let mut raw = Vec::new();
            stream.read_to_end(&mut raw).await.expect("response read");
            raw
        };
        let raw = timeout(WAIT, exchange).await.expect("response in time");
        Response::parse(&String::from_utf8_lossy(&raw))
    }

    /// A token for `client_id` living `ttl_ms`, as an app's authUrl flow gets one: a
    /// TokenRequest from the dev endpoint (`--dev-auth`), exchanged at requestToken.
    /// Returns the TokenDetails JSON.
    pub async fn token(&self, client_id: &str, ttl_ms: u64) -> serde_json::Value {
        let request = self
            .http(
                "GET",
                &format!("/auth/token-request?clientId={client_id}&ttl={ttl_ms}"),
                &[],
            )
            .await;
        assert_eq!(request.status, 200, "{request:?}");
        assert_eq!(request.json()["ttl"].as_u64(), Some(ttl_ms));
        let details = self
            .http_with_body(
                "POST",
                "/keys/app.full/requestToken",
                &[("Content-Type", "application/json")],
                &request.body,
            )
            .await;
        assert_eq!(details.status, 200, "{details:?}");
        details.json()
    }

    /// A GET with `Authorization: Basic` for the full key.
    pub async fn get_as_full_key(&self, path: &str) -> Response {
        use base64::Engine;
        let basic = base64::engine::general_purpose::STANDARD.encode(FULL_KEY);
        self.http("GET", path, &[("Authorization", &format!("Basic {basic}"))])
            .await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response: status, headers (names lowercased) and body.
#[derive(Debug)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers in order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl Response {
    fn parse(raw: &str) -> Response {
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut response = Response {
            status,
            headers,
            body: body.to_owned(),
        };
        if response.header("transfer-encoding") == Some("chunked") {
            response.body = dechunk(body);
        }
        response
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    /// Asserts an Ably error response: status, `x-ably-errorcode` and the
    /// `{"error":{code,statusCode,message,href}}` body; returns the code.
    pub fn assert_error(&self, status: u16) -> u64 {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.header("content-type"), Some("application/json"));
        let error = &self.json()["error"];
        let code = error["code"].as_u64().expect("error.code");
        assert_eq!(error["statusCode"].as_u64(), Some(u64::from(status)));
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(error["href"]
            .as_str()
            .is_some_and(|h| h.ends_with(&code.to_string())));
        assert_eq!(
            self.header("x-ably-errorcode"),
            Some(code.to_string().as_str())
        );
        code
    }
}

/// The path of a REST page's `rel="next"` link (`path` and the link's query), if any.
pub fn next_page(response: &Response, path: &str) -> Option<String> {
    let link = response.header("link").expect("a Link header");
    link.split(", ")
        .find_map(|l| l.strip_suffix("; rel=\"next\""))
        .and_then(|l| l.strip_prefix("<./history"))
        .and_then(|l| l.strip_suffix('>'))
        .map(|query| format!("{path}{query}"))
}

/// The payload of a `Transfer-Encoding: chunked` body: each chunk is its size in hex, a
/// CRLF, the bytes and a CRLF; a chunk of size 0 ends it.
fn dechunk(mut raw: &str) -> String {
    let mut body = String::new();
    loop {
        let (size, rest) = raw.split_once("\r\n").expect("a chunk size line");
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or_else(|_| panic!("bad chunk size {size:?}"));
        if size == 0 {
            return body;
        }
        body.push_str(&rest[..size]);
        raw = rest[size..]
            .strip_prefix("\r\n")
            .expect("CRLF after a chunk");
    }
}

/// A raw realtime protocol client.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// What it sends and expects: JSON text or msgpack binary frames.
    format: Format,
}

impl Client {
    /// Sends one protocol message in the client's format.
    pub async fn send(&mut self, msg: &ProtocolMessage) {
        match encode(self.format, msg) {
            Frame::Text(text) => self.send_text(&text).await,
            Frame::Binary(bytes) => self.send_binary(&bytes).await,
        }
    }

    /// Sends a raw binary frame.
    pub async fn send_binary(&mut self, bytes: &[u8]) {
        let frame = Message::binary(bytes.to_vec());
        self.ws.send(frame).await.expect("frame sent");
    }

    /// Sends a raw text frame.
    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("frame sent");
    }

    /// Sends raw text frames back to back with one flush, as fast as the socket takes
    /// them; stops at the first that cannot be sent (the server may close mid-burst).
    pub async fn send_burst(&mut self, frames: &[String]) {
        for frame in frames {
            if self.ws.feed(Message::text(frame.as_str())).await.is_err() {
                return;
            }
        }
        let _ = self.ws.flush().await;
    }

    /// Writes `bytes` to the socket as they are, outside the WebSocket framing (for
    /// frames no client library would send).
    pub async fn send_raw(&mut self, bytes: &[u8]) {
        match self.ws.get_mut() {
            MaybeTlsStream::Plain(tcp) => tcp.write_all(bytes).await.expect("raw bytes sent"),
            _ => panic!("a plain TCP socket was expected"),
        }
    }

    /// The next message other than a server HEARTBEAT, within [`WAIT`].
    pub async fn recv(&mut self) -> ProtocolMessage {
        loop {
            let frame = timeout(WAIT, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("socket open")
                .expect("frame readable");
            // Each frame is in the format asked for.
            let msg = match (frame, self.format) {
                (Message::Text(text), Format::Json) => decode(Format::Json, text.as_bytes()),
                (Message::Binary(bytes), Format::Msgpack) => decode(Format::Msgpack, &bytes),
                (Message::Text(_) | Message::Binary(_), _) => panic!("a frame in another format"),
                _ => continue,
            };
            let msg = msg.expect("server frames decode");
            if msg.action != Action::Heartbeat || msg.id.is_some() {
                return msg;
            }
        }
    }

    /// Skips messages until the next ACK or NACK: the answer to the frame sent longest
    /// ago of those not yet answered.
    pub async fn reply(&mut self) -> ProtocolMessage {
        loop {
            let msg = self.recv().await;
            if matches!(msg.action, Action::Ack | Action::Nack) {
                return msg;
            }
        }
    }

    /// Skips messages until one with `action` arrives.
    pub async fn recv_until(&mut self, action: Action) -> ProtocolMessage {
        loop {
            let msg = self.recv().await;
            if msg.action == action {
                return msg;
            }
        }
    }

    /// The items of the next PRESENCE message.
    pub async fn next_presence(&mut self) -> Vec<PresenceMessage> {
        self.recv_until(Action::Presence)
            .await
            .presence
            .unwrap_or_default()
    }

    /// Asserts the next PRESENCE is one UPDATE from `connection_id` (the same member,
    /// nothing left or entered in between).
    pub async fn expect_update_from(&mut self, connection_id: &str) {
        let next = self.next_presence().await;
        assert_eq!(next.len(), 1, "{next:?}");
        assert_eq!(next[0].action, PresenceAction::Update);
        assert_eq!(next[0].connection_id.as_deref(), Some(connection_id));
    }

    /// ATTACH; returns the ATTACHED.
    pub async fn attach(&mut self, channel: &str) -> ProtocolMessage {
        self.send(&ProtocolMessage::for_channel(Action::Attach, channel))
            .await;
        self.recv_until(Action::Attached).await
    }

    /// Publishes one message with `data` and asserts its ACK.
    pub async fn publish(&mut self, channel: &str, serial: u64, data: &str) {
        self.send(&ProtocolMessage {
            msg_serial: Some(serial),
            messages: Some(vec![ChannelMessage {
                data: Some(Data::String(data.to_owned())),
                ..ChannelMessage::default()
            }]),
            ..ProtocolMessage::for_channel(Action::Message, channel)
        })
        .await;
        // The reply, ACK or NACK: a NACK fails here with its error, not as a missing ACK.
        let reply = self.reply().await;
        assert_eq!(
            reply.action,
            Action::Ack,
            "publish {serial}: {:?}",
            reply.error
        );
        assert_eq!(reply.msg_serial, Some(serial));
    }

    /// Sends one presence action and asserts its ACK.
    pub async fn presence(&mut self, channel: &str, serial: u64, action: PresenceAction) {
        self.send(&presence(channel, serial, action, None, "data"))
            .await;
        let ack = self.recv_until(Action::Ack).await;
        assert_eq!(ack.msg_serial, Some(serial));
    }

    /// Whether the server closes the socket within [`WAIT`].
    pub async fn closed_by_server(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}

/// A PRESENCE message with one item.
pub fn presence(
    channel: &str,
    serial: u64,
    action: PresenceAction,
    client_id: Option<&str>,
    data: &str,
) -> ProtocolMessage {
    ProtocolMessage {
        msg_serial: Some(serial),
        presence: Some(vec![PresenceMessage {
            client_id: client_id.map(str::to_owned),
            data: Some(Data::String(data.to_owned())),
            ..PresenceMessage::new(action)
        }]),
        ..ProtocolMessage::for_channel(Action::Presence, channel)
    }
}

/// Sends one PRESENCE frame of `items` (action, clientId) and returns its ACK or NACK.
pub async fn presence_frame(
    client: &mut Client,
    channel: &str,
    serial: u64,
    items: &[(PresenceAction, &str)],
) -> ProtocolMessage {
    let items: Vec<_> = items.iter().map(|&(a, id)| (a, id, 4)).collect();
    presence_frame_with_data(client, channel, serial, &items).await
}

/// Sends one PRESENCE frame of `items` (action, clientId, bytes of data) and returns its
/// ACK or NACK.
pub async fn presence_frame_with_data(
    client: &mut Client,
    channel: &str,
    serial: u64,
    items: &[(PresenceAction, &str, usize)],
) -> ProtocolMessage {
    let presence = items
        .iter()
        .map(|&(action, client_id, bytes)| PresenceMessage {
            client_id: Some(client_id.to_owned()),
            data: Some(Data::String("d".repeat(bytes))),
            ..PresenceMessage::new(action)
        })
        .collect();
    client
        .send(&ProtocolMessage {
            msg_serial: Some(serial),
            presence: Some(presence),
            ..ProtocolMessage::for_channel(Action::Presence, channel)
        })
        .await;
    let reply = client.reply().await;
    assert_eq!(reply.msg_serial, Some(serial), "{reply:?}");
    reply
}

/// A channel name no other test uses.
pub fn unique_channel(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Proves the server still serves: a fresh member enters a fresh channel and a fresh
/// observer sees the ENTER.
pub async fn assert_still_serving(server: &Server) {
    let channel = unique_channel("witness");
    let (mut observer, _) = server.connect(FULL_KEY, Some("observer")).await;
    observer.attach(&channel).await;
    let (mut member, _) = server.connect(FULL_KEY, Some("witness")).await;
    member.attach(&channel).await;
    member.presence(&channel, 0, PresenceAction::Enter).await;
    let seen = observer.next_presence().await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].action, PresenceAction::Enter);
    assert_eq!(seen[0].client_id.as_deref(), Some("witness"));
}
