//! A connection's outgoing frames: the hub queues them (under its lock), the session's
//! writer takes them off. A deque that gives its buffer back once drained after a burst,
//! instead of tokio's unbounded channel, whose cache-padded state and blocks of 32 slots
//! kept about 2 KiB per idle connection.
//!
//! The queue holds at most a set number of bytes: a client that stops reading would
//! otherwise have every frame for it kept until memory ran out. Past that the queue
//! overflows: what it holds is dropped, nothing more is queued, and the writer is told
//! to drop the transport (the client resumes and catches up, or learns it cannot).

use super::SyncToken;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;
use tungstenite::{Bytes, Utf8Bytes};

/// A drained queue keeps a buffer of at most this many frames.
const IDLE_CAPACITY: usize = 4;

/// What a session's writer sends on the socket.
#[derive(Debug)]
pub enum Outbound {
    /// One text frame (JSON); cloning it for each recipient shares the bytes.
    Text(Utf8Bytes),
    /// One binary frame (msgpack); cloning it for each recipient shares the bytes.
    Binary(Bytes),
    /// The next page of a SYNC, to be made when the writer gets here
    /// (`Hub::continue_sync`).
    Sync(SyncToken),
    /// Close the socket after what is queued.
    Close,
}

impl Outbound {
    /// The bytes it counts for against the queue's cap.
    fn size(&self) -> usize {
        match self {
            Outbound::Text(frame) => frame.len(),
            Outbound::Binary(frame) => frame.len(),
            Outbound::Sync(token) => token.size(),
            Outbound::Close => 0,
        }
    }
}

#[derive(Debug, Default)]
struct Queue {
    frames: VecDeque<Outbound>,
    /// The bytes of the items in `frames` (`Outbound::size`).
    bytes: usize,
    /// The writer is gone or the queue overflowed: frames are dropped, not queued.
    closed: bool,
    /// More than `Outbox::max_bytes` were queued at once.
    overflowed: bool,
}

#[derive(Debug, Default)]
struct Outbox {
    queue: Mutex<Queue>,
    /// The most bytes of frames the queue holds.
    max_bytes: usize,
    /// Wakes the writer; a notification sent while it is busy is kept for its next wait.
    ready: Notify,
    /// Wakes the writer once the queue overflowed, even in the middle of a write.
    overflow: Notify,
}

impl Outbox {
    /// The queue, locked. Nothing panics while holding it, so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The queue into a session's socket writer.
#[derive(Debug, Clone)]
pub struct Tx(Arc<Outbox>);

/// The session writer's end of its queue.
#[derive(Debug)]
pub struct Rx(Arc<Outbox>);

/// A new, empty queue that holds at most `max_bytes` of frames.
pub fn outbox(max_bytes: usize) -> (Tx, Rx) {
    let outbox = Arc::new(Outbox {
        max_bytes,
        ..Outbox::default()
    });
    (Tx(outbox.clone()), Rx(outbox))
}

impl Tx {
    /// Queues `out` for the writer; dropped if the writer is gone. A frame that would
    /// take the queue past its bytes overflows it: everything queued is dropped and the
    /// writer is told to drop the transport.
    pub fn send(&self, out: Outbound) {
        let mut queue = self.0.lock();
        if queue.closed {
            return;
        }
        queue.bytes += out.size();
        if queue.bytes > self.0.max_bytes {
            *queue = Queue {
                closed: true,
                overflowed: true,
                ..Queue::default()
            };
            drop(queue);
            // A writer waiting for frames learns of it from `recv`, one in a write from
            // `overflowed`.
            self.0.ready.notify_one();
            self.0.overflow.notify_one();
            return;
        }
        queue.frames.push_back(out);
        drop(queue);
        self.0.ready.notify_one();
    }
}

/// Takes the first item off `queue`, giving its buffer back once it is drained.
fn take(queue: &mut Queue) -> Option<Outbound> {
    let out = queue.frames.pop_front();
    if let Some(out) = &out {
        queue.bytes -= out.size();
    }
    if queue.frames.is_empty() && queue.frames.capacity() > IDLE_CAPACITY {
        queue.frames = VecDeque::new();
    }
    out
}

impl Rx {
    /// The next queued item, waiting for one; `None` once the queue has overflowed.
    /// Cancel-safe: the queue is read before each wait, and nothing is taken off it by a
    /// wait.
    pub async fn recv(&self) -> Option<Outbound> {
        loop {
            {
                let mut queue = self.0.lock();
                if queue.overflowed {
                    return None;
                }
                if let Some(out) = take(&mut queue) {
                    return Some(out);
                }
            }
            self.0.ready.notified().await;
        }
    }

    /// The next queued item, if there is one now.
    pub fn try_recv(&self) -> Option<Outbound> {
        take(&mut self.0.lock())
    }

    /// Waits until the queue overflows (forever if it never does). Cancel-safe.
    pub async fn overflowed(&self) {
        loop {
            if self.0.lock().overflowed {
                return;
            }
            self.0.overflow.notified().await;
        }
    }
}

impl Drop for Rx {
    fn drop(&mut self) {
        let mut queue = self.0.lock();
        queue.closed = true;
        queue.frames = VecDeque::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(out: Option<Outbound>) -> Option<String> {
        match out? {
            Outbound::Text(t) => Some(t.as_str().to_owned()),
            Outbound::Binary(b) => Some(format!("{b:?}")),
            Outbound::Sync(_) => Some("sync".into()),
            Outbound::Close => Some("close".into()),
        }
    }

    #[tokio::test]
    async fn frames_come_out_in_order_and_a_wait_ends_on_the_next_send() {
        let (tx, rx) = outbox(usize::MAX);
        for n in 0..40 {
            tx.send(Outbound::Text(n.to_string().into()));
        }
        for n in 0..40 {
            assert_eq!(text(rx.recv().await), Some(n.to_string()));
        }
        assert_eq!(text(rx.try_recv()), None);
        assert!(
            rx.0.lock().frames.capacity() <= IDLE_CAPACITY,
            "buffer given back"
        );
        let sender = tokio::spawn(async move {
            tokio::task::yield_now().await;
            tx.send(Outbound::Close);
            tx
        });
        assert_eq!(text(rx.recv().await), Some("close".into()));
        let tx = sender.await.expect("sender task");
        drop(rx);
        tx.send(Outbound::Text("late".into()));
        assert!(
            tx.0.lock().frames.is_empty(),
            "nothing queued for a gone writer"
        );
    }

    #[test]
    fn a_queue_past_its_bytes_drops_what_it_held_and_wakes_the_writer() {
        use futures_util::FutureExt;
        let (tx, rx) = outbox(10);
        tx.send(Outbound::Text("12345".into()));
        assert_eq!(text(rx.try_recv()), Some("12345".into()));
        tx.send(Outbound::Text("123456".into()));
        tx.send(Outbound::Text("1234".into()));
        assert!(rx.overflowed().now_or_never().is_none(), "10 bytes fit");
        tx.send(Outbound::Text("x".into()));
        assert!(rx.overflowed().now_or_never().is_some());
        assert!(
            matches!(rx.recv().now_or_never(), Some(None)),
            "a waiting writer hears of it too"
        );
        assert_eq!(text(rx.try_recv()), None, "what was queued is dropped");
        tx.send(Outbound::Text("late".into()));
        assert_eq!(text(rx.try_recv()), None, "nothing is queued after");
    }
}
