//! How fast one connection may make the server work, as Ably bounds it: messages (each
//! channel message or presence item) past `--max-inbound-rate` per second are refused
//! (NACK 42911, the connection goes on); a connection sending about 20 times that rate
//! is closed (42921); any protocol message past [`MIN_PROTOCOL_RATE`] per second (or the
//! message rate, if higher) closes it too (42924).
//!
//! Three token buckets of a few words each, refilled from the clock the caller passes in
//! (ms): no timer, no allocation per message. Each holds one second's worth, so a client
//! may send a second's allowance at once (ably-js re-entering its members on every
//! channel after a reconnect) and then keeps to the rate.
//!
//! ```ignore
//! let mut rate = InboundRate::new(250, now);
//! assert!(rate.frame(now).is_ok());
//! assert_eq!(rate.messages(10, now), Ok(Admit::Yes));
//! ```

use roster::protocol::{codes, ErrorInfo};

/// Protocol messages per second any connection may send, whatever its message rate
/// (Ably's "around 2000").
pub const MIN_PROTOCOL_RATE: u64 = 2_000;

/// How many times the message rate a connection must send at to be closed (42921)
/// rather than have messages refused (Ably: "around 20 times").
const FATAL_FACTOR: u64 = 20;

/// Thousandths of a token: a bucket of `r` per second gains `r` of these each ms.
const MILLI: u64 = 1_000;

/// Up to one second's worth of tokens, refilled continuously at `per_second`.
#[derive(Debug)]
struct Bucket {
    per_second: u64,
    /// Thousandths of a token available now.
    level: u64,
    /// When `level` was last brought up to date (ms; time never goes back here).
    at_ms: u64,
}

impl Bucket {
    /// A full bucket.
    fn new(per_second: u64, now_ms: u64) -> Bucket {
        Bucket {
            per_second,
            level: per_second.saturating_mul(MILLI),
            at_ms: now_ms,
        }
    }

    /// Takes `n` tokens if there are that many; otherwise takes none.
    fn take(&mut self, n: u64, now_ms: u64) -> bool {
        let elapsed = now_ms.saturating_sub(self.at_ms);
        if elapsed > 0 {
            let full = self.per_second.saturating_mul(MILLI);
            let gained = elapsed.saturating_mul(self.per_second);
            self.level = self.level.saturating_add(gained).min(full);
            self.at_ms = now_ms;
        }
        let cost = n.saturating_mul(MILLI);
        if cost > self.level {
            return false;
        }
        self.level -= cost;
        true
    }
}

/// Whether a frame's messages are to be applied.
#[derive(Debug, PartialEq)]
pub enum Admit {
    /// Within the rate.
    Yes,
    /// Refuse the frame with this error (42911 over the rate, 40000 malformed); the
    /// connection goes on.
    No(ErrorInfo),
}

/// One connection's inbound rate state.
#[derive(Debug)]
pub struct InboundRate {
    /// Messages, at the configured rate (42911).
    messages: Bucket,
    /// Messages tried, refused or not, at [`FATAL_FACTOR`] times the rate (42921).
    tried: Bucket,
    /// Protocol messages of any kind (42924).
    frames: Bucket,
}

impl InboundRate {
    /// Full buckets for a connection allowed `per_second` messages a second.
    pub fn new(per_second: u64, now_ms: u64) -> InboundRate {
        InboundRate {
            messages: Bucket::new(per_second, now_ms),
            tried: Bucket::new(per_second.saturating_mul(FATAL_FACTOR), now_ms),
            frames: Bucket::new(per_second.max(MIN_PROTOCOL_RATE), now_ms),
        }
    }

    /// Counts one protocol message; `Err` (42924) closes the connection.
    pub fn frame(&mut self, now_ms: u64) -> Result<(), ErrorInfo> {
        if self.frames.take(1, now_ms) {
            return Ok(());
        }
        Err(ErrorInfo::new(
            codes::PROTOCOL_MESSAGE_RATE_FATAL,
            429,
            format!(
                "Connection terminated for abuse (inbound protocol message rate exceeded {}/s)",
                self.frames.per_second
            ),
        ))
    }

    /// Counts the `count` messages of one MESSAGE or PRESENCE frame: all of them are
    /// admitted or none. `Err` (42921) closes the connection.
    pub fn messages(&mut self, count: u64, now_ms: u64) -> Result<Admit, ErrorInfo> {
        if !self.tried.take(count, now_ms) {
            return Err(ErrorInfo::new(
                codes::PER_CONNECTION_INBOUND_FATAL,
                429,
                format!(
                    "Connection terminated; per-connection publish Rate limit exceeded; \
                     permitted rate = {}/s; metric = connection.inboundRate",
                    self.messages.per_second
                ),
            ));
        }
        if self.messages.take(count, now_ms) {
            return Ok(Admit::Yes);
        }
        Ok(Admit::No(ErrorInfo::new(
            codes::RATE_LIMIT_EXCEEDED,
            429,
            format!(
                "Rate limit exceeded; request rejected (nonfatal); permitted rate = {}/s; \
                 metric = connection.inboundRate",
                self.messages.per_second
            ),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(admit: Result<Admit, ErrorInfo>) -> u32 {
        match admit {
            Ok(Admit::Yes) => 0,
            Ok(Admit::No(e)) | Err(e) => e.code,
        }
    }

    #[test]
    fn a_seconds_worth_passes_at_once_then_the_rate() {
        let mut rate = InboundRate::new(10, 1_000);
        assert_eq!(code(rate.messages(4, 1_000)), 0);
        assert_eq!(code(rate.messages(6, 1_000)), 0);
        assert_eq!(code(rate.messages(1, 1_000)), codes::RATE_LIMIT_EXCEEDED);
        // One message's worth comes back every 100 ms, and no more than a second's.
        assert_eq!(code(rate.messages(1, 1_099)), codes::RATE_LIMIT_EXCEEDED);
        assert_eq!(code(rate.messages(1, 1_100)), 0);
        assert_eq!(code(rate.messages(10, 9_000)), 0);
        assert_eq!(code(rate.messages(1, 9_000)), codes::RATE_LIMIT_EXCEEDED);
    }

    #[test]
    fn a_frame_counts_its_messages_and_is_refused_whole() {
        let mut rate = InboundRate::new(10, 0);
        assert_eq!(code(rate.messages(11, 0)), codes::RATE_LIMIT_EXCEEDED);
        assert_eq!(
            code(rate.messages(10, 0)),
            0,
            "the refused frame took nothing"
        );
    }

    #[test]
    fn sending_twenty_times_the_rate_closes() {
        let mut rate = InboundRate::new(10, 0);
        for _ in 0..20 {
            assert_ne!(
                code(rate.messages(10, 0)),
                codes::PER_CONNECTION_INBOUND_FATAL
            );
        }
        assert_eq!(
            code(rate.messages(1, 0)),
            codes::PER_CONNECTION_INBOUND_FATAL
        );
        // Keeping to the rate never comes near it.
        let mut rate = InboundRate::new(10, 0);
        for second in 1..100 {
            assert_eq!(code(rate.messages(10, second * 1_000)), 0);
        }
    }

    #[test]
    fn protocol_messages_have_a_rate_of_their_own() {
        let mut rate = InboundRate::new(10, 0);
        for _ in 0..MIN_PROTOCOL_RATE {
            assert!(rate.frame(0).is_ok());
        }
        let error = rate.frame(0).expect_err("one too many");
        assert_eq!((error.code, error.status_code), (42924, 429));
        assert!(rate.frame(1).is_ok(), "2 a ms come back");
        // A message rate above it raises it.
        let mut rate = InboundRate::new(5_000, 0);
        for _ in 0..5_000 {
            assert!(rate.frame(0).is_ok());
        }
        assert!(rate.frame(0).is_err());
    }

    #[test]
    fn the_clock_going_back_gives_nothing() {
        let mut rate = InboundRate::new(10, 5_000);
        assert_eq!(code(rate.messages(10, 5_000)), 0);
        assert_eq!(code(rate.messages(1, 1_000)), codes::RATE_LIMIT_EXCEEDED);
        assert_eq!(code(rate.messages(1, 5_100)), 0);
    }
}
