//! `Outbox`: a first-in first-out queue of outputs for the driver to poll, built on two
//! Vecs. The driver drains everything after each input, so a VecDeque's ring buffer buys
//! nothing here, and each VecDeque instance cost ~1 KB of wasm.

/// Outputs in the order they were pushed.
#[derive(Debug)]
pub(super) struct Outbox<T> {
    /// Pushed since the last refill of `ready`, oldest first.
    pushed: Vec<T>,
    /// Ready to be polled, newest first, so `pop` yields the oldest.
    ready: Vec<T>,
}

impl<T> Default for Outbox<T> {
    fn default() -> Self {
        Outbox {
            pushed: Vec::new(),
            ready: Vec::new(),
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
        if self.ready.is_empty() {
            std::mem::swap(&mut self.ready, &mut self.pushed);
            self.ready.reverse();
        }
        self.ready.pop()
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
