//! `PendingQueue`: messages sent with a `msgSerial` and not yet ACKed or NACKed (RTN7).

use crate::protocol::ProtocolMessage;
use alloc::vec::Vec;

/// Sent messages in serial order, each with a tag saying whom to tell when it resolves.
///
/// A Vec rather than a VecDeque: a handful of messages are in flight at a time, and the
/// VecDeque instance cost ~1 KB of wasm.
#[derive(Debug)]
pub struct PendingQueue<T> {
    next_serial: u64,
    entries: Vec<(ProtocolMessage, T)>,
}

impl<T> Default for PendingQueue<T> {
    fn default() -> Self {
        PendingQueue {
            next_serial: 0,
            entries: Vec::new(),
        }
    }
}

impl<T> PendingQueue<T> {
    /// Gives `msg` the next `msgSerial` and keeps it until it is acknowledged; returns it
    /// for sending (a reference, not a copy: the kept message is the one sent).
    pub fn assign(&mut self, mut msg: ProtocolMessage, tag: T) -> &ProtocolMessage {
        msg.msg_serial = Some(self.next_serial);
        self.next_serial += 1;
        &self.entries.push_mut((msg, tag)).0
    }

    /// Resolves every message up to `serial + count - 1`, in order (ACK/NACK carry the
    /// first serial and a count), and hands them back with their tags. An ACK for
    /// serials we do not hold resolves nothing.
    pub fn resolve(&mut self, serial: u64, count: u64) -> Vec<(ProtocolMessage, T)> {
        let end = serial.saturating_add(count);
        let holds = |s: u64| (serial..end).contains(&s);
        if !self
            .entries
            .iter()
            .any(|(msg, _)| holds(msg.msg_serial.unwrap_or(0)))
        {
            return Vec::new();
        }
        let count = self
            .entries
            .iter()
            .take_while(|(msg, _)| msg.msg_serial.unwrap_or(0) < end)
            .count();
        let rest = self.entries.split_off(count);
        core::mem::replace(&mut self.entries, rest)
    }

    /// The messages to send again, with their serials, after a resumed reconnect (RTN19a).
    pub fn resend(&self) -> impl Iterator<Item = &ProtocolMessage> {
        self.entries.iter().map(|(msg, _)| msg)
    }

    /// Starts serials again from 0 (a new connection) and hands back what was pending,
    /// to be sent again with new serials (RTN19a2).
    pub fn reset(&mut self) -> Vec<(ProtocolMessage, T)> {
        self.next_serial = 0;
        core::mem::take(&mut self.entries)
    }

    /// The serial the next message gets.
    pub fn next_serial(&self) -> u64 {
        self.next_serial
    }

    /// Continues another client instance's serials (connection recovery, RTN16f).
    pub fn continue_from(&mut self, serial: u64) {
        self.next_serial = serial;
    }

    /// Whether nothing awaits acknowledgement.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Action;

    fn queue_of(n: u64) -> PendingQueue<u64> {
        let mut queue = PendingQueue::default();
        for tag in 0..n {
            queue.assign(ProtocolMessage::new(Action::Presence), tag);
        }
        queue
    }

    fn tags(resolved: Vec<(ProtocolMessage, u64)>) -> Vec<u64> {
        resolved.into_iter().map(|(_, tag)| tag).collect()
    }

    #[test]
    fn ack_resolves_in_order_up_to_serial_plus_count() {
        let mut queue = queue_of(4);
        assert_eq!(tags(queue.resolve(1, 2)), [0, 1, 2]);
        assert_eq!(tags(queue.resolve(3, 1)), [3]);
        assert!(queue.is_empty());
    }

    #[test]
    fn stray_ack_is_ignored() {
        let mut queue = queue_of(2);
        assert!(queue.resolve(7, 1).is_empty());
        queue.resolve(0, 2);
        assert!(queue.resolve(0, 2).is_empty());
    }

    #[test]
    fn reset_restarts_serials_and_hands_back_pending() {
        let mut queue = queue_of(2);
        let back = queue.reset();
        assert_eq!(back.len(), 2);
        let msg = queue.assign(ProtocolMessage::new(Action::Message), 9);
        assert_eq!(msg.msg_serial, Some(0));
    }
}
