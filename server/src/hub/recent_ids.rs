//! The message ids publishers gave on one channel lately, for idempotent publishing
//! (RSL1k): as Ably, the server delivers a message whose client-given id the channel saw
//! within the last two minutes only once. Bounded: past `MAX_IDS` ids or `MAX_BYTES` of
//! them, the oldest are forgotten first (a repeat that late is delivered again).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

/// How long an id is remembered, in ms: Ably's idempotent publishing window.
pub const WINDOW_MS: u64 = 120_000;
/// The most ids one channel remembers.
pub const MAX_IDS: usize = 1_000;
/// The most bytes of ids one channel remembers.
pub const MAX_BYTES: usize = 64 * 1024;

/// One channel's recent client-given message ids, oldest first.
#[derive(Debug, Default)]
pub struct RecentIds {
    /// The ids with when they were given, oldest first.
    order: VecDeque<(u64, Arc<str>)>,
    /// The same ids, to look up.
    ids: HashSet<Arc<str>>,
    /// Their bytes in all.
    bytes: usize,
}

impl RecentIds {
    /// Records `id`, given at `now` (ms): false if the channel saw it within the window.
    pub fn insert(&mut self, id: &str, now: u64) -> bool {
        while self
            .order
            .front()
            .is_some_and(|(at, _)| at.saturating_add(WINDOW_MS) <= now)
        {
            self.forget_oldest();
        }
        if self.ids.contains(id) {
            return false;
        }
        let id: Arc<str> = id.into();
        self.bytes += id.len();
        self.ids.insert(id.clone());
        self.order.push_back((now, id));
        // One id longer than MAX_BYTES goes at once: it is delivered, not remembered.
        while self.order.len() > MAX_IDS || self.bytes > MAX_BYTES {
            self.forget_oldest();
        }
        true
    }

    fn forget_oldest(&mut self) {
        if let Some((_, id)) = self.order.pop_front() {
            self.bytes -= id.len();
            self.ids.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_new_once_within_the_window_and_new_again_after_it() {
        let mut ids = RecentIds::default();
        assert!(ids.insert("a", 0));
        assert!(!ids.insert("a", WINDOW_MS - 1));
        assert!(ids.insert("b", WINDOW_MS - 1));
        assert!(ids.insert("a", WINDOW_MS));
        assert!(!ids.insert("b", WINDOW_MS));
    }

    #[test]
    fn the_oldest_ids_go_past_the_count_and_byte_bounds() {
        let mut ids = RecentIds::default();
        for n in 0..=MAX_IDS {
            assert!(ids.insert(&n.to_string(), 0));
        }
        assert_eq!(ids.order.len(), MAX_IDS);
        assert!(ids.insert("0", 0), "the oldest was forgotten");
        assert!(!ids.insert(&MAX_IDS.to_string(), 0));
        let long = "x".repeat(MAX_BYTES / 2);
        assert!(ids.insert(&long, 0));
        assert!(ids.bytes <= MAX_BYTES);
        let longer = "y".repeat(MAX_BYTES + 1);
        assert!(ids.insert(&longer, 0));
        assert!(ids.insert(&longer, 0), "too long to remember");
        assert!(ids.bytes <= MAX_BYTES && ids.ids.len() == ids.order.len());
    }
}
