//! Each channel's replay log: the frames it fanned out, kept for a bounded time, count
//! and size,
//! so a resumed connection's re-ATTACH with `channelSerial` gets what it missed while its
//! transport was down or its last frames were in flight (RTL15b, RTL4c1).

use super::budget::{shrink_if_sparse, Ledger};
use roster::protocol::Flags;
use std::collections::VecDeque;
use tungstenite::Utf8Bytes;

/// Who a fanned-out frame is for; the same rule decides live delivery and replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// A channel MESSAGE: connections with SUBSCRIBE; the sender only if it wants echoes.
    Message {
        /// The publishing connection.
        sender: Box<str>,
    },
    /// A client's PRESENCE: connections with PRESENCE_SUBSCRIBE, and always the sender
    /// (its own-member tracking depends on the echo, RTP17a).
    Presence {
        /// The connection whose members changed.
        sender: Box<str>,
    },
    /// Leaves the server made up: connections with PRESENCE_SUBSCRIBE but the leaving one.
    Leaves {
        /// The connection whose members left.
        leaving: Box<str>,
    },
}

impl Audience {
    /// Whether `conn_id`, attached with `modes` and asking for echoes or not, gets the frame.
    pub fn includes(&self, conn_id: &str, modes: Flags, echo: bool) -> bool {
        match self {
            Audience::Message { sender } => {
                modes.contains(Flags::SUBSCRIBE) && (echo || conn_id != &**sender)
            }
            Audience::Presence { sender } => {
                modes.contains(Flags::PRESENCE_SUBSCRIBE) || conn_id == &**sender
            }
            Audience::Leaves { leaving } => {
                modes.contains(Flags::PRESENCE_SUBSCRIBE) && conn_id != &**leaving
            }
        }
    }
}

/// One fanned-out frame.
#[derive(Debug)]
struct Entry {
    /// Its `channelSerial`.
    serial: u64,
    /// When it went out, in ms since the epoch.
    at: u64,
    /// The encoded frame, sharing its bytes with what fan-out sent.
    frame: Utf8Bytes,
    audience: Audience,
}

/// How much a replay log keeps.
#[derive(Debug, Clone, Copy)]
pub struct ReplayLimits {
    /// Frames older than this, in ms, are dropped (`connectionStateTtl`: no resumable
    /// connection can be missing anything older).
    pub max_age: u64,
    /// At most this many frames per channel.
    pub max_len: usize,
    /// At most this many bytes of frames per channel.
    pub max_bytes: usize,
    /// At most this many bytes of frames across all channels.
    pub total_bytes: usize,
}

/// A channel's recent frames with consecutive serials, oldest first.
#[derive(Debug, Default)]
pub struct ReplayLog {
    entries: VecDeque<Entry>,
    /// The length of every frame in `entries`, summed.
    bytes: usize,
}

impl ReplayLog {
    /// Records the frame fanned out under `serial` (the channel's serials are taken one
    /// by one, each logged here) and drops what the limits no longer cover; tells
    /// `ledger` of both.
    pub fn push(
        &mut self,
        serial: u64,
        now: u64,
        frame: Utf8Bytes,
        audience: Audience,
        limits: ReplayLimits,
        mut ledger: Ledger,
    ) {
        ledger.appended(serial, frame.len());
        self.bytes += frame.len();
        self.entries.push_back(Entry {
            serial,
            at: now,
            frame,
            audience,
        });
        let (mut count, mut bytes) = (0, 0);
        while self.entries.len() > limits.max_len || self.bytes > limits.max_bytes {
            if let Some(freed) = self.pop_oldest() {
                count += 1;
                bytes += freed;
            }
        }
        if count > 0 {
            ledger.dropped(count, bytes);
        }
        self.evict_old(now, limits.max_age, ledger);
    }

    /// How many frames it holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The bytes of the frames it holds.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Forgets every frame.
    pub fn clear(&mut self, mut ledger: Ledger) {
        if !self.entries.is_empty() {
            ledger.dropped(self.entries.len(), self.bytes);
        }
        self.entries = VecDeque::new();
        self.bytes = 0;
    }

    /// Drops the oldest frame if it is the one of `serial` (the server-wide budget takes
    /// the frames appended longest ago first); returns its size. Coverage ends there, as
    /// when the log's own bounds drop a frame.
    pub fn evict_oldest(&mut self, serial: u64) -> Option<usize> {
        if self.entries.front()?.serial != serial {
            return None;
        }
        let bytes = self.pop_oldest()?;
        // Most of a burst's buffer is not kept once the budget took most of its frames.
        shrink_if_sparse(&mut self.entries);
        Some(bytes)
    }

    /// Whether the frame of `serial` is still kept.
    pub fn holds(&self, serial: u64) -> bool {
        let (Some(oldest), Some(newest)) = (self.entries.front(), self.entries.back()) else {
            return false;
        };
        (oldest.serial..=newest.serial).contains(&serial)
    }

    fn pop_oldest(&mut self) -> Option<usize> {
        let entry = self.entries.pop_front()?;
        self.bytes -= entry.frame.len();
        Some(entry.frame.len())
    }

    fn evict_old(&mut self, now: u64, max_age: u64, mut ledger: Ledger) {
        let horizon = now.saturating_sub(max_age);
        let (mut count, mut bytes) = (0, 0);
        while self.entries.front().is_some_and(|e| e.at < horizon) {
            if let Some(freed) = self.pop_oldest() {
                count += 1;
                bytes += freed;
            }
        }
        if count > 0 {
            ledger.dropped(count, bytes);
        }
    }

    /// The frames after serial `after` that `conn_id` (attached with `modes`, echo or not)
    /// would have received, oldest first; `None` when the log no longer holds every frame
    /// after `after`, or `after` is past `current`, the channel's latest serial.
    pub fn since(
        &mut self,
        after: u64,
        current: u64,
        recipient: (&str, Flags, bool),
        now: u64,
        limits: ReplayLimits,
        ledger: Ledger,
    ) -> Option<Vec<Utf8Bytes>> {
        self.evict_old(now, limits.max_age, ledger);
        if after > current {
            return None;
        }
        if after < current {
            let oldest = self.entries.front()?.serial;
            if oldest > after + 1 {
                return None;
            }
        }
        let (conn_id, modes, echo) = recipient;
        Some(
            self.entries
                .iter()
                .filter(|e| e.serial > after && e.audience.includes(conn_id, modes, echo))
                .map(|e| e.frame.clone())
                .collect(),
        )
    }
}

/// A `channelSerial` as this server writes it.
pub fn serial_text(serial: u64) -> String {
    format!("{serial:016x}")
}

/// The serial a client sent back, if this server could have written it.
pub fn parse_serial(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(text, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::super::budget::Budget;
    use super::*;

    /// A log with a budget of its own, which must count what the log holds after every
    /// operation.
    struct Logged {
        log: ReplayLog,
        budget: Budget,
        channel: std::sync::Arc<str>,
    }

    impl Default for Logged {
        fn default() -> Logged {
            Logged {
                log: ReplayLog::default(),
                budget: Budget::new(usize::MAX),
                channel: "room".into(),
            }
        }
    }

    impl std::ops::Deref for Logged {
        type Target = ReplayLog;
        fn deref(&self) -> &ReplayLog {
            &self.log
        }
    }

    impl Logged {
        fn push(
            &mut self,
            serial: u64,
            now: u64,
            frame: Utf8Bytes,
            audience: Audience,
            limits: ReplayLimits,
        ) {
            let ledger = self.budget.ledger(&self.channel);
            self.log.push(serial, now, frame, audience, limits, ledger);
            assert_eq!(self.budget.bytes(), self.log.bytes);
        }

        fn since(
            &mut self,
            after: u64,
            current: u64,
            recipient: (&str, Flags, bool),
            now: u64,
            limits: ReplayLimits,
        ) -> Option<Vec<Utf8Bytes>> {
            let ledger = self.budget.ledger(&self.channel);
            let frames = self
                .log
                .since(after, current, recipient, now, limits, ledger);
            assert_eq!(self.budget.bytes(), self.log.bytes);
            frames
        }

        fn clear(&mut self) {
            self.log.clear(self.budget.ledger(&self.channel));
            assert_eq!(self.budget.bytes(), 0);
        }
    }

    const LIMITS: ReplayLimits = ReplayLimits {
        max_age: 1_000,
        max_len: 3,
        max_bytes: 1 << 20,
        total_bytes: usize::MAX,
    };

    fn message_from(sender: &str) -> Audience {
        Audience::Message {
            sender: sender.into(),
        }
    }

    /// A log holding serials `1..=n`, frame text = serial, pushed at time = serial * 10.
    fn log_of(n: u64, limits: ReplayLimits) -> Logged {
        let mut log = Logged::default();
        for serial in 1..=n {
            let frame = Utf8Bytes::from(serial.to_string());
            log.push(serial, serial * 10, frame, message_from("other"), limits);
        }
        log
    }

    fn texts(frames: Option<Vec<Utf8Bytes>>) -> Option<Vec<String>> {
        frames.map(|f| f.iter().map(|t| t.as_str().to_owned()).collect())
    }

    const SUBSCRIBER: (&str, Flags, bool) = ("me", Flags::SUBSCRIBE, true);

    #[test]
    fn the_count_bound_drops_the_oldest_and_ends_coverage_there() {
        let mut log = log_of(5, LIMITS);
        let since = |log: &mut Logged, after| texts(log.since(after, 5, SUBSCRIBER, 50, LIMITS));
        assert_eq!(
            since(&mut log, 2),
            Some(vec!["3".into(), "4".into(), "5".into()])
        );
        assert_eq!(since(&mut log, 4), Some(vec!["5".into()]));
        assert_eq!(since(&mut log, 5), Some(vec![]));
        assert_eq!(since(&mut log, 1), None, "serial 2 was evicted");
        assert_eq!(
            since(&mut log, 6),
            None,
            "a serial the channel never reached"
        );
    }

    #[test]
    fn the_age_bound_drops_frames_older_than_the_window() {
        let limits = ReplayLimits {
            max_age: 25,
            max_len: 100,
            max_bytes: 1 << 20,
            total_bytes: usize::MAX,
        };
        let mut log = log_of(5, limits);
        // At 50 the horizon is 25: serials 1 and 2 (at 10 and 20) are gone.
        assert_eq!(log.entries.len(), 3);
        assert_eq!(
            texts(log.since(2, 5, SUBSCRIBER, 50, limits)).map(|v| v.len()),
            Some(3)
        );
        // Reading later evicts by age too, even with no new frame.
        assert_eq!(log.since(2, 5, SUBSCRIBER, 56, limits), None);
        assert_eq!(
            texts(log.since(3, 5, SUBSCRIBER, 56, limits)).map(|v| v.len()),
            Some(2)
        );
        assert_eq!(log.since(5, 5, SUBSCRIBER, 10_000, limits), Some(vec![]));
        assert!(log.entries.is_empty());
    }

    #[test]
    fn the_byte_bound_drops_the_oldest_and_ends_coverage_there() {
        let limits = ReplayLimits {
            max_age: 1_000,
            max_len: 100,
            max_bytes: 25,
            total_bytes: usize::MAX,
        };
        let mut log = Logged::default();
        for serial in 1..=5 {
            // Ten bytes each: at most two fit in 25.
            let frame = Utf8Bytes::from(format!("{serial:0>10}"));
            log.push(serial, 0, frame, message_from("other"), limits);
        }
        assert_eq!(log.bytes, 20);
        let since = |log: &mut Logged, after| texts(log.since(after, 5, SUBSCRIBER, 0, limits));
        assert_eq!(
            since(&mut log, 3),
            Some(vec!["0000000004".into(), "0000000005".into()])
        );
        assert_eq!(since(&mut log, 2), None, "serial 3 was evicted");
        log.push(6, 0, "x".repeat(30).into(), message_from("other"), limits);
        assert_eq!(log.bytes, 0, "a frame over the bound is not kept either");
        assert_eq!(log.since(5, 6, SUBSCRIBER, 0, limits), None);
        assert_eq!(log.since(6, 6, SUBSCRIBER, 0, limits), Some(vec![]));
        log.push(7, 0, "y".into(), message_from("other"), limits);
        log.clear();
        assert_eq!((log.entries.len(), log.bytes), (0, 0));
    }

    #[test]
    fn an_empty_log_covers_only_the_current_serial() {
        let mut log = Logged::default();
        assert_eq!(log.since(0, 0, SUBSCRIBER, 0, LIMITS), Some(vec![]));
        assert_eq!(log.since(0, 1, SUBSCRIBER, 0, LIMITS), None);
    }

    #[test]
    fn replay_applies_the_fan_out_rule() {
        let mut log = Logged::default();
        let audiences = [
            message_from("me"),
            message_from("other"),
            Audience::Presence {
                sender: "other".into(),
            },
            Audience::Presence {
                sender: "me".into(),
            },
            Audience::Leaves {
                leaving: "other".into(),
            },
        ];
        let limits = ReplayLimits {
            max_age: 1_000,
            max_len: 10,
            max_bytes: 1 << 20,
            total_bytes: usize::MAX,
        };
        for (serial, audience) in (1..).zip(audiences) {
            log.push(serial, 0, serial.to_string().into(), audience, limits);
        }
        let mut replay = |modes, echo| texts(log.since(0, 5, ("me", modes, echo), 0, limits));
        assert_eq!(
            replay(Flags::SUBSCRIBE, true),
            Some(vec!["1".into(), "2".into(), "4".into()])
        );
        assert_eq!(
            replay(Flags::SUBSCRIBE, false),
            Some(vec!["2".into(), "4".into()])
        );
        assert_eq!(
            replay(Flags::PRESENCE_SUBSCRIBE, false),
            Some(vec!["3".into(), "4".into(), "5".into()])
        );
    }

    #[test]
    fn serials_round_trip_and_foreign_ones_do_not_parse() {
        assert_eq!(parse_serial(&serial_text(0x2a)), Some(0x2a));
        assert_eq!(parse_serial(&serial_text(u64::MAX)), Some(u64::MAX));
        for foreign in ["", "+1", "xyz", "0123456789abcdef0", "abc@1-0"] {
            assert_eq!(parse_serial(foreign), None, "{foreign}");
        }
    }
}
