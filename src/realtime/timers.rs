//! Deadlines: connect/close requests, retries, the idle timer, pings and channel timers.

use super::connection::{disconnected_error, suspended_error, timeout_error};
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
            // next failed attempt (lose_transport), with ably-js's reason.
            self.lose_transport(now, suspended_error(), true);
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

    /// A random number for retry jitter (xorshift64 from `ClientOptions::seed`).
    pub(super) fn random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
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

/// ably-js's getRetryTime (RTB1): `initial` times a backoff that grows with the `attempt`
/// count up to 2×, less a `random` 0–20 % so that clients retry apart.
pub(super) fn retry_time(initial: u64, attempt: u64, random: u64) -> u64 {
    let backoff = initial * (attempt + 2).min(6) / 3;
    backoff - backoff * (random % 200) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::ChannelState;
    use crate::connection::{AuthMethod, ClientOptions};
    use crate::realtime::test_client::{self, drain};

    fn client_with_seed(seed: u64) -> Realtime {
        Realtime::new(ClientOptions {
            tls: false,
            auth: AuthMethod::Token("tok".into()),
            seed,
            ..ClientOptions::default()
        })
        .expect("valid options")
    }

    /// Fails every connection attempt from the first; the waits before each retry.
    fn retry_waits(client: &mut Realtime, attempts: usize) -> Vec<u64> {
        client.connect(0);
        let mut now = 0;
        let mut waits = Vec::new();
        for _ in 0..attempts {
            client.transport_closed(now);
            drain(client);
            let at = client.poll_timeout().expect("a retry is armed");
            waits.push(at - now);
            now = at;
            client.handle_timeout(now);
        }
        waits
    }

    #[test]
    fn reconnect_waits_back_off_up_to_twice_the_retry_timeout_as_ably_js() {
        // Seed 0: no jitter, the bare backoff min((n + 2) / 3, 2) × 15 s.
        let waits = retry_waits(&mut client_with_seed(0), 5);
        assert_eq!(waits, [15_000, 20_000, 25_000, 30_000, 30_000]);
    }

    #[test]
    fn reconnect_waits_are_jittered_0_to_20_percent_less_per_client() {
        let mut firsts = Vec::new();
        for seed in 1..=20 {
            let waits = retry_waits(&mut client_with_seed(seed), 4);
            for (wait, full) in waits.iter().zip([15_000, 20_000, 25_000, 30_000]) {
                assert!(
                    *wait <= full && *wait > full * 8 / 10,
                    "seed {seed}: {waits:?}"
                );
            }
            firsts.push(waits[0]);
        }
        firsts.sort_unstable();
        firsts.dedup();
        assert!(firsts.len() > 15, "clients spread out: {firsts:?}");
    }

    #[test]
    fn the_backoff_starts_again_after_connected() {
        let mut client = client_with_seed(0);
        assert_eq!(retry_waits(&mut client, 3), [15_000, 20_000, 25_000]);
        client.handle_frame(
            br#"{"action":4,"connectionId":"c1","connectionDetails":{"connectionKey":"k"}}"#,
            60_000,
        );
        // Lost: disconnected (the first time) and retried at once; that fails too: the
        // second time disconnected, 4/3 × 15 s, as ably-js counts it.
        client.transport_closed(70_000);
        client.transport_closed(70_010);
        assert_eq!(client.poll_timeout(), Some(70_010 + 20_000));
    }

    #[test]
    fn channel_reattach_waits_back_off_until_attached() {
        let mut client = test_client::client();
        test_client::connect(&mut client);
        client.attach("room", 0);
        drain(&mut client);
        let mut now = 0;
        let mut waits = Vec::new();
        for _ in 0..4 {
            // The ATTACH times out: suspended, retried later.
            now += 10_000;
            client.handle_frame(br#"{"action":0}"#, now);
            client.handle_timeout(now);
            drain(&mut client);
            assert_eq!(client.channel_state("room"), ChannelState::Suspended);
            let at = client.poll_timeout().expect("a retry is armed");
            waits.push(at - now);
            now = at;
            client.handle_frame(br#"{"action":0}"#, now);
            client.handle_timeout(now);
            assert_eq!(client.channel_state("room"), ChannelState::Attaching);
        }
        assert_eq!(waits, [15_000, 20_000, 25_000, 30_000]);
        client.handle_frame(br#"{"action":11,"channel":"room"}"#, now);
        client.handle_frame(br#"{"action":13,"channel":"room"}"#, now);
        drain(&mut client);
        now += 10_000;
        client.handle_frame(br#"{"action":0}"#, now);
        client.handle_timeout(now);
        assert_eq!(client.poll_timeout().map(|at| at - now), Some(15_000));
    }
}
