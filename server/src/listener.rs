//! The TCP listener, with each accepted socket's writes gathered here until a flush.
//!
//! tungstenite keeps its write buffer's capacity for the socket's life: with its default
//! 128 KiB threshold a burst of fan-out or SYNC left kilobytes in every connection. The
//! WebSockets are told to hand each frame on at once (`write_buffer_size(0)`), so that
//! buffer only ever holds one frame; the frames are gathered in [`BufferedIo`] instead,
//! written to the socket in one go on flush as before, and its buffer is given back
//! after a burst.

use axum::serve::Listener;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A written-out buffer keeps at most this capacity; a larger one is freed.
const KEEP_CAPACITY: usize = 1024;
/// Gathered bytes past which a write first sends what is gathered (bounds a writer that
/// never flushes).
const MAX_GATHERED: usize = 64 * 1024;

/// Accepts TCP connections as [`BufferedIo`] sockets.
pub struct BufferedListener(pub TcpListener);

impl Listener for BufferedListener {
    type Io = BufferedIo<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => return (BufferedIo::new(stream), addr),
                // Out of file descriptors and the like: wait instead of spinning.
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A socket whose writes are gathered until a flush, with a buffer that does not stay
/// large.
pub struct BufferedIo<S> {
    inner: S,
    gathered: Vec<u8>,
    /// How much of `gathered` is already written to `inner`.
    written: usize,
}

impl<S> BufferedIo<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> BufferedIo<S> {
        BufferedIo {
            inner,
            gathered: Vec::new(),
            written: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> BufferedIo<S> {
    /// Writes out everything gathered, then lets a large buffer go.
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.gathered.len() {
            let rest = &self.gathered[self.written..];
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.written = 0;
        if self.gathered.capacity() > KEEP_CAPACITY {
            self.gathered = Vec::new();
        } else {
            self.gathered.clear();
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for BufferedIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for BufferedIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.gathered.len() >= MAX_GATHERED {
            ready!(self.poll_write_out(cx))?;
        }
        self.gathered.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_write_out(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_write_out(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn writes_wait_for_a_flush_and_a_large_buffer_is_let_go() {
        let (near, mut far) = tokio::io::duplex(1 << 20);
        let mut io = BufferedIo::new(near);
        io.write_all(&[1; 3000]).await.expect("write");
        io.write_all(&[2; 3000]).await.expect("write");
        let mut probe = [0; 1];
        let early = far.read(&mut probe).now_or_never();
        assert!(early.is_none(), "nothing is sent before the flush");
        io.flush().await.expect("flush");
        let mut got = vec![0; 6000];
        far.read_exact(&mut got).await.expect("both writes arrive");
        assert!(got[..3000].iter().all(|&b| b == 1) && got[3000..].iter().all(|&b| b == 2));
        assert_eq!(io.gathered.capacity(), 0, "the 6 KB buffer was freed");
        io.write_all(b"small").await.expect("write");
        io.flush().await.expect("flush");
        assert!(io.gathered.capacity() <= KEEP_CAPACITY);
    }

    #[tokio::test]
    async fn a_writer_that_never_flushes_sends_once_the_buffer_is_full() {
        let (near, mut far) = tokio::io::duplex(1 << 20);
        let mut io = BufferedIo::new(near);
        for _ in 0..=MAX_GATHERED / 1000 {
            io.write_all(&[7; 1000]).await.expect("write");
        }
        io.write_all(&[8; 10]).await.expect("write");
        let mut got = vec![0; MAX_GATHERED];
        far.read_exact(&mut got)
            .await
            .expect("sent without a flush");
        assert!(io.gathered.len() < MAX_GATHERED);
    }
}
