//! Outgoing messages (text or binary), in fragments past [`FRAGMENT_SIZE`]. tungstenite copies each frame
//! into a per-socket buffer that keeps the capacity of the largest frame it ever held,
//! for the socket's life: one 64 KB publish to 10,000 subscribers would pin 640 MB.
//! Sent as a fragmented message (RFC 6455 section 5.4) that buffer never grows past one
//! fragment; clients see one message, reassembled by their WebSocket layer.

use futures_util::{Sink, SinkExt};
use tungstenite::protocol::frame::coding::{Data, OpCode};
use tungstenite::protocol::frame::Frame;
use tungstenite::{Bytes, Message, Utf8Bytes};

/// The largest frame payload written: about one presence message's frame, so a large
/// message (or a SYNC page) leaves no more in a socket's buffer than presence traffic
/// does.
pub const FRAGMENT_SIZE: usize = 2048;

/// One message's payload: JSON text or msgpack binary.
pub enum Payload {
    /// A text message.
    Text(Utf8Bytes),
    /// A binary message.
    Binary(Bytes),
}

/// Feeds `payload` to `sink` as one message, in frames of at most [`FRAGMENT_SIZE`]
/// bytes sliced from it without copying; does not flush.
pub async fn feed<K>(sink: &mut K, payload: Payload) -> Result<(), K::Error>
where
    K: Sink<Message> + Unpin,
{
    let (bytes, first) = match payload {
        Payload::Text(text) if text.len() <= FRAGMENT_SIZE => {
            return sink.feed(Message::Text(text)).await
        }
        Payload::Binary(bytes) if bytes.len() <= FRAGMENT_SIZE => {
            return sink.feed(Message::Binary(bytes)).await
        }
        Payload::Text(text) => (text.into(), Data::Text),
        Payload::Binary(bytes) => (bytes, Data::Binary),
    };
    // Boxed: the state of this rare path would otherwise enlarge every session's future.
    Box::pin(feed_fragments(sink, bytes, first)).await
}

/// Feeds `bytes` to `sink` as [`fragments`].
async fn feed_fragments<K>(sink: &mut K, bytes: Bytes, first: Data) -> Result<(), K::Error>
where
    K: Sink<Message> + Unpin,
{
    for frame in fragments(bytes, first) {
        sink.feed(Message::Frame(frame)).await?;
    }
    Ok(())
}

/// The frames of a fragmented message carrying `bytes`: a `first` (Text or Binary)
/// frame, then Continuation frames, the last one final.
fn fragments(bytes: Bytes, first: Data) -> impl Iterator<Item = Frame> {
    let count = bytes.len().div_ceil(FRAGMENT_SIZE);
    (0..count).map(move |n| {
        let start = n * FRAGMENT_SIZE;
        let end = bytes.len().min(start + FRAGMENT_SIZE);
        let opcode = if n == 0 { first } else { Data::Continue };
        Frame::message(
            bytes.slice(start..end),
            OpCode::Data(opcode),
            n + 1 == count,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_message_is_cut_into_frames_that_join_back_into_it() {
        let text = "€".repeat(3 * FRAGMENT_SIZE);
        let frames: Vec<Frame> = fragments(Bytes::from(text.clone()), Data::Text).collect();
        assert_eq!(frames.len(), 9);
        let mut joined = Vec::new();
        for (n, frame) in frames.iter().enumerate() {
            let header = frame.header();
            let expected = if n == 0 { Data::Text } else { Data::Continue };
            assert_eq!(header.opcode, OpCode::Data(expected));
            assert_eq!(header.is_final, n == 8);
            assert!(frame.payload().len() <= FRAGMENT_SIZE);
            joined.extend_from_slice(frame.payload());
        }
        assert_eq!(joined, text.as_bytes());
    }
}
