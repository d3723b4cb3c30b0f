//! The raw-socket anchor for the fan-out bench: a minimal tokio-tungstenite server that
//! answers CONNECT/ATTACH just enough for the bench client and relays every PRESENCE
//! frame, byte for byte, to every connected socket. No presence state, no JSON work on
//! the hot path: what the machine can do with the same sockets.

use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

type Peers = Arc<Mutex<Vec<mpsc::UnboundedSender<Message>>>>;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let bind = args
        .iter()
        .position(|a| a == "--bind")
        .and_then(|i| args.get(i + 1))
        .map_or("127.0.0.1:0", String::as_str);
    let listener = TcpListener::bind(bind).await?;
    println!("baseline listening on http://{}", listener.local_addr()?);
    let peers: Peers = Arc::default();
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(stream, peers.clone()));
    }
}

async fn serve(stream: TcpStream, peers: Peers) {
    // Incoming traffic is a few small frames; a 4 KiB read buffer keeps the idle
    // per-socket cost at what a lean server would pay (tungstenite defaults to 128 KiB).
    let config = WebSocketConfig::default().read_buffer_size(4096);
    let Ok(ws) = tokio_tungstenite::accept_async_with_config(stream, Some(config)).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let _ = tx.send(Message::text(r#"{"action":4,"connectionId":"baseline"}"#));
    let writer = tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            if sink.feed(msg).await.is_err() {
                return;
            }
            // Batch whatever is already queued into one flush.
            while let Ok(more) = rx.try_recv() {
                if sink.feed(more).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                return;
            }
        }
    });
    if let Ok(mut list) = peers.lock() {
        list.push(tx.clone());
    }
    while let Some(Ok(msg)) = source.next().await {
        let Message::Text(text) = msg else { continue };
        if text.starts_with(r#"{"action":10,"#) {
            let _ = tx.send(Message::text(text.replacen(
                r#""action":10"#,
                r#""action":11"#,
                1,
            )));
        } else if let Ok(list) = peers.lock() {
            let frame = Message::Text(text);
            for peer in list.iter() {
                let _ = peer.send(frame.clone());
            }
        }
    }
    drop(tx);
    let _ = writer.await;
}
