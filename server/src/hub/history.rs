//! A channel's presence history: its events, oldest first, within the retention window
//! and the count limit. Each event has a position that does not change as older ones
//! go, so REST pages through it with cursors that stay right.

use roster::protocol::PresenceMessage;
use std::collections::VecDeque;

/// Presence events with their positions.
#[derive(Debug, Default)]
pub struct History {
    events: VecDeque<PresenceMessage>,
    /// How many events went from the front: the position of `events[0]`.
    dropped: u64,
}

impl History {
    /// Appends `events`, then drops the oldest beyond `limit` and those older than
    /// `retention` ms at `now`.
    pub fn push(&mut self, events: &[PresenceMessage], now: u64, retention: u64, limit: usize) {
        self.events.extend(events.iter().cloned());
        let horizon = now.saturating_sub(retention);
        let excess = self.events.len().saturating_sub(limit);
        let aged = self
            .events
            .iter()
            .skip(excess)
            .take_while(|m| m.timestamp.unwrap_or(0) < horizon)
            .count();
        self.events.drain(..excess + aged);
        self.dropped += (excess + aged) as u64;
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
    use roster::protocol::PresenceAction;

    fn at(timestamp: u64) -> PresenceMessage {
        PresenceMessage {
            timestamp: Some(timestamp),
            ..PresenceMessage::new(PresenceAction::Update)
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
        history.push(&[at(10), at(20), at(30)], 30, 100, 4);
        assert_eq!(positions(&history), [(0, 10), (1, 20), (2, 30)]);
        history.push(&[at(40), at(50)], 50, 100, 4);
        assert_eq!(positions(&history), [(1, 20), (2, 30), (3, 40), (4, 50)]);
        history.push(&[], 135, 100, 4);
        assert_eq!(
            positions(&history),
            [(3, 40), (4, 50)],
            "20 and 30 aged out"
        );
        history.push(&[], 1_000, 100, 4);
        assert!(history.newest().is_none());
        history.push(&[at(1_000)], 1_000, 100, 4);
        assert_eq!(positions(&history), [(5, 1_000)]);
    }
}
