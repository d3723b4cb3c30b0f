//! `Outbox`: a first-in first-out queue of outputs for the driver to poll, built on two
//! Vecs. The driver drains everything after each input, so a VecDeque's ring buffer buys
//! nothing here, and each VecDeque instance cost ~1 KB of wasm.

use alloc::vec::Vec;

/// Outputs in the order they were pushed.
#[derive(Debug)]
pub(super) struct Outbox<T> {
    /// Pushed since `ready` was last refilled, oldest first.
    pushed: Vec<T>,
    /// Being polled, oldest first.
    ready: alloc::vec::IntoIter<T>,
}

impl<T> Default for Outbox<T> {
    fn default() -> Self {
        Outbox {
            pushed: Vec::new(),
            ready: Vec::new().into_iter(),
        }
    }
}

impl<T> Outbox<T> {
    /// Queues `item` after everything queued before.
    pub(super) fn push(&mut self, item: T) {
        self.pushed.push(item);
    }

    /// The oldest item: from `ready`, refilled with what was pushed once it runs out.
    pub(super) fn pop(&mut self) -> Option<T> {
        if let Some(item) = self.ready.next() {
            return Some(item);
        }
        self.ready = core::mem::take(&mut self.pushed).into_iter();
        self.ready.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_push_order_across_refills() {
        let mut outbox = Outbox::default();
        outbox.push(1);
        outbox.push(2);
        assert_eq!(outbox.pop(), Some(1));
        outbox.push(3);
        assert_eq!(outbox.pop(), Some(2));
        assert_eq!(outbox.pop(), Some(3));
        assert_eq!(outbox.pop(), None);
    }
}
