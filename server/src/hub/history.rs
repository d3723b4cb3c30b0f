//! A channel's presence history: its events, oldest first, within the retention window,
//! the count limit and the byte limit. Each event has a position that does not change as
//! older ones go, so REST pages through it with cursors that stay right.

use super::presence::approximate_size;
use roster::protocol::PresenceMessage;
use std::collections::VecDeque;

/// How much presence history each channel keeps.
#[derive(Debug, Clone, Copy)]
pub struct HistoryLimits {
    /// Events older than this, in ms, are dropped.
    pub retention: u64,
    /// At most this many events.
    pub max_len: usize,
    /// At most about this many bytes of events (as [`approximate_size`] counts them).
    pub max_bytes: usize,
}

/// Presence events with their positions.
#[derive(Debug, Default)]
pub struct History {
    events: VecDeque<PresenceMessage>,
    /// How many events went from the front: the position of `events[0]`.
    dropped: u64,
    /// The approximate size of every event in `events`, summed.
    bytes: usize,
}

impl History {
    /// Appends `events`, then drops the oldest beyond the count and byte limits and
    /// those older than the retention window at `now`.
    pub fn push(&mut self, events: &[PresenceMessage], now: u64, limits: HistoryLimits) {
        for event in events {
            self.bytes += approximate_size(event);
            self.events.push_back(event.clone());
        }
        let horizon = now.saturating_sub(limits.retention);
        while self.events.front().is_some_and(|oldest| {
            self.events.len() > limits.max_len
                || self.bytes > limits.max_bytes
                || oldest.timestamp.unwrap_or(0) < horizon
        }) {
            if let Some(oldest) = self.events.pop_front() {
                self.bytes -= approximate_size(&oldest);
                self.dropped += 1;
            }
        }
        // A burst's buffer is not kept once most of it has gone.
        if self.events.capacity() > 4 * self.events.len().max(8) {
            self.events.shrink_to_fit();
        }
    }

    /// The newest event.
    pub fn newest(&self) -> Option<&PresenceMessage> {
        self.events.back()
    }

    /// The events with their positions, oldest first.
    pub fn positioned(&self) -> impl Iterator<Item = (u64, &PresenceMessage)> {
        (self.dropped..).zip(self.events.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster::protocol::{Data, PresenceAction};

    fn at(timestamp: u64) -> PresenceMessage {
        PresenceMessage {
            timestamp: Some(timestamp),
            ..PresenceMessage::new(PresenceAction::Update)
        }
    }

    fn limits(max_len: usize) -> HistoryLimits {
        HistoryLimits {
            retention: 100,
            max_len,
            max_bytes: usize::MAX,
        }
    }

    fn positions(history: &History) -> Vec<(u64, u64)> {
        history
            .positioned()
            .map(|(p, m)| (p, m.timestamp.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn positions_stay_as_the_count_and_age_bounds_drop_the_oldest() {
        let mut history = History::default();
        history.push(&[at(10), at(20), at(30)], 30, limits(4));
        assert_eq!(positions(&history), [(0, 10), (1, 20), (2, 30)]);
        history.push(&[at(40), at(50)], 50, limits(4));
        assert_eq!(positions(&history), [(1, 20), (2, 30), (3, 40), (4, 50)]);
        history.push(&[], 135, limits(4));
        assert_eq!(
            positions(&history),
            [(3, 40), (4, 50)],
            "20 and 30 aged out"
        );
        history.push(&[], 1_000, limits(4));
        assert!(history.newest().is_none());
        history.push(&[at(1_000)], 1_000, limits(4));
        assert_eq!(positions(&history), [(5, 1_000)]);
    }

    #[test]
    fn the_oldest_events_go_once_the_byte_bound_is_passed() {
        // About 1,100 bytes each: two fit in 2,500 bytes, three do not.
        let large = |timestamp| PresenceMessage {
            data: Some(Data::String("x".repeat(1_000))),
            ..at(timestamp)
        };
        let limits = HistoryLimits {
            max_bytes: 2_500,
            ..limits(100)
        };
        let mut history = History::default();
        history.push(&[large(1), large(2), large(3)], 3, limits);
        assert_eq!(positions(&history), [(1, 2), (2, 3)]);
        history.push(&[at(4)], 4, limits);
        assert_eq!(
            positions(&history),
            [(1, 2), (2, 3), (3, 4)],
            "room for a small one"
        );
        history.push(&[], 1_000, limits);
        assert_eq!(history.bytes, 0, "everything aged out");
    }
}
