//! A channel's presence history: its events, oldest first, within the retention window,
//! the count limit and the byte limit. Each event has a position that does not change as
//! older ones go, so REST pages through it with cursors that stay right.

use super::budget::{shrink_if_sparse, Ledger};
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
    /// At most about this many bytes of events across all channels, counted alike.
    pub total_bytes: usize,
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
    /// those older than the retention window at `now`; tells `ledger` of both.
    pub fn push(
        &mut self,
        events: &[PresenceMessage],
        now: u64,
        limits: HistoryLimits,
        mut ledger: Ledger,
    ) {
        for event in events {
            let bytes = approximate_size(event);
            ledger.appended(self.dropped + self.events.len() as u64, bytes);
            self.bytes += bytes;
            self.events.push_back(event.clone());
        }
        let horizon = now.saturating_sub(limits.retention);
        let (mut count, mut bytes) = (0, 0);
        while self.events.front().is_some_and(|oldest| {
            self.events.len() > limits.max_len
                || self.bytes > limits.max_bytes
                || oldest.timestamp.unwrap_or(0) < horizon
        }) {
            if let Some(freed) = self.pop_oldest() {
                count += 1;
                bytes += freed;
            }
        }
        if count > 0 {
            ledger.dropped(count, bytes);
        }
        shrink_if_sparse(&mut self.events);
    }

    /// Drops the oldest event if it is the one at `position` (the server-wide budget
    /// takes the events appended longest ago first); returns its size.
    pub fn evict_oldest(&mut self, position: u64) -> Option<usize> {
        if position != self.dropped {
            return None;
        }
        let bytes = self.pop_oldest()?;
        shrink_if_sparse(&mut self.events);
        Some(bytes)
    }

    /// Whether the event at `position` is still kept.
    pub fn holds(&self, position: u64) -> bool {
        position >= self.dropped && position - self.dropped < self.events.len() as u64
    }

    fn pop_oldest(&mut self) -> Option<usize> {
        let oldest = self.events.pop_front()?;
        let bytes = approximate_size(&oldest);
        self.bytes -= bytes;
        self.dropped += 1;
        Some(bytes)
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
    use super::super::budget::Budget;
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
            total_bytes: usize::MAX,
        }
    }

    /// Pushes, and checks that `budget` counts what `history` holds.
    fn push(
        (history, budget): (&mut History, &mut Budget),
        events: &[PresenceMessage],
        now: u64,
        limits: HistoryLimits,
    ) {
        let channel = "lobby".into();
        history.push(events, now, limits, budget.ledger(&channel));
        assert_eq!(budget.bytes(), history.bytes);
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
        let mut budget = Budget::new(usize::MAX);
        push(
            (&mut history, &mut budget),
            &[at(10), at(20), at(30)],
            30,
            limits(4),
        );
        assert_eq!(positions(&history), [(0, 10), (1, 20), (2, 30)]);
        push(
            (&mut history, &mut budget),
            &[at(40), at(50)],
            50,
            limits(4),
        );
        assert_eq!(positions(&history), [(1, 20), (2, 30), (3, 40), (4, 50)]);
        push((&mut history, &mut budget), &[], 135, limits(4));
        assert_eq!(
            positions(&history),
            [(3, 40), (4, 50)],
            "20 and 30 aged out"
        );
        push((&mut history, &mut budget), &[], 1_000, limits(4));
        assert!(history.newest().is_none());
        push((&mut history, &mut budget), &[at(1_000)], 1_000, limits(4));
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
        let mut budget = Budget::new(usize::MAX);
        push(
            (&mut history, &mut budget),
            &[large(1), large(2), large(3)],
            3,
            limits,
        );
        assert_eq!(positions(&history), [(1, 2), (2, 3)]);
        push((&mut history, &mut budget), &[at(4)], 4, limits);
        assert_eq!(
            positions(&history),
            [(1, 2), (2, 3), (3, 4)],
            "room for a small one"
        );
        push((&mut history, &mut budget), &[], 1_000, limits);
        assert_eq!(history.bytes, 0, "everything aged out");
    }
}
