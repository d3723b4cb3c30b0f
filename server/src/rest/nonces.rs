//! Token request nonces seen recently (40105 on reuse): a set to look one up and a queue,
//! oldest first, to forget them in the order they came, so each request costs O(1)
//! amortized however many are kept (a scan of them all per request did not).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

/// The nonces seen within the last `keep_ms`.
#[derive(Debug, Default)]
pub struct Nonces {
    seen: HashSet<Arc<str>>,
    /// Each nonce in `seen` with when it came, oldest first.
    order: VecDeque<(u64, Arc<str>)>,
}

impl Nonces {
    /// Records `nonce` as seen at `now`, first forgetting those seen `keep_ms` or more
    /// before; false if it was seen already.
    pub fn first_use(&mut self, nonce: &str, now: u64, keep_ms: u64) -> bool {
        while self
            .order
            .front()
            .is_some_and(|(seen, _)| now.saturating_sub(*seen) >= keep_ms)
        {
            if let Some((_, old)) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        let nonce: Arc<str> = nonce.into();
        if !self.seen.insert(Arc::clone(&nonce)) {
            return false;
        }
        self.order.push_back((now, nonce));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::Nonces;

    #[test]
    fn a_nonce_is_refused_again_until_the_window_has_passed() {
        let mut nonces = Nonces::default();
        assert!(nonces.first_use("k:a", 0, 100));
        assert!(nonces.first_use("k:b", 50, 100));
        assert!(!nonces.first_use("k:a", 99, 100));
        // At 100 "k:a" is forgotten; "k:b", seen at 50, is still kept.
        assert!(nonces.first_use("k:a", 100, 100));
        assert!(!nonces.first_use("k:b", 149, 100));
        assert_eq!((nonces.seen.len(), nonces.order.len()), (2, 2));
        // Long after, everything earlier is gone, in one pass.
        assert!(nonces.first_use("k:c", 10_000, 100));
        assert_eq!((nonces.seen.len(), nonces.order.len()), (1, 1));
    }
}
