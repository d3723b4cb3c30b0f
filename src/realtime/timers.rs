//! Deadlines: connect/close requests, retries, the idle timer, pings and channel timers.

use super::connection::{disconnected_error, timeout_error};
use super::Realtime;
use crate::connection::ConnectionState;

impl Realtime {
    /// The time is `now`: act on whatever deadline has passed.
    pub fn handle_timeout(&mut self, now: u64) {
        if self.request_deadline.is_some_and(|d| d <= now) {
            self.request_deadline = None;
            match self.state {
                ConnectionState::Connecting => {
                    self.lose_transport(now, timeout_error("connection attempt timed out"), true)
                }
                ConnectionState::Closing => self.finish_close(),
                _ => {}
            }
        }
        if self.retry_at.is_some_and(|d| d <= now) {
            self.retry_at = None;
            if matches!(
                self.state,
                ConnectionState::Disconnected | ConnectionState::Suspended
            ) {
                self.start_connecting(now);
            }
        }
        if self.suspend_at.is_some_and(|d| d <= now) {
            // Disconnected or connecting for connectionStateTtl: suspended now, not at the
            // next failed attempt (lose_transport), as ably-js.
            self.lose_transport(now, self.state_error(), true);
        }
        if self.idle_deadline().is_some_and(|d| d <= now) {
            // Silence longer than maxIdleInterval: the link is dead (RTN23a).
            self.lose_transport(now, disconnected_error("no activity from the server"), true);
        }
        let timeout = self.options.timeouts.realtime_request;
        for ping in core::mem::take(&mut self.pings) {
            if ping.sent_at + timeout <= now {
                self.complete(ping.op, Err(timeout_error("ping timed out")));
            } else {
                self.pings.push(ping);
            }
        }
        self.channel_timeouts(now);
    }

    fn idle_deadline(&self) -> Option<u64> {
        if self.state != ConnectionState::Connected {
            return None;
        }
        let idle = self.max_idle_interval?;
        Some(self.last_activity + idle + self.options.timeouts.realtime_request)
    }

    pub(super) fn next_deadline(&self) -> Option<u64> {
        // Plain loops: an iterator chain over these sources cost ~1 KB of wasm.
        let timeout = self.options.timeouts.realtime_request;
        let mut next = None;
        let mut consider = |deadline: Option<u64>| {
            if let Some(at) = deadline {
                next = Some(next.map_or(at, |n: u64| n.min(at)));
            }
        };
        consider(self.request_deadline);
        consider(self.retry_at);
        consider(self.suspend_at);
        consider(self.idle_deadline());
        for ping in &self.pings {
            consider(Some(ping.sent_at + timeout));
        }
        for channel in self.channels.values() {
            consider(channel.next_deadline());
        }
        next
    }
}
