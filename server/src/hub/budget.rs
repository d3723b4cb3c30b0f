//! Server-wide byte budgets for the logs every channel keeps (presence history, replay
//! frames). Each channel's log keeps to its own bounds; a budget bounds their sum: past
//! it, the entries appended longest ago go first, whichever channels hold them.
//!
//! A budget keeps one record per entry appended, oldest first. An entry that its own
//! channel's bounds already dropped is not looked for: its record is skipped when it comes
//! up, and records of dropped entries are swept out once they outnumber the kept ones, so
//! the records stay within about twice the entries kept, at amortized O(1) per entry.

use super::{Channel, Hub};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// Records past twice the kept entries, at least, before they are swept: a budget of few
/// entries is not swept on every append.
const SLACK: usize = 1_024;

/// One entry appended to a channel's log.
#[derive(Debug)]
struct Record {
    /// The channel's name, shared with the hub's channel (`Channel::name`), so a channel
    /// made again under the same name is told apart by pointer.
    channel: Arc<str>,
    /// The entry's position in its log (a history position, a replay serial).
    position: u64,
}

/// The entries of one kind of log across channels, oldest appended first, and the bytes
/// of those still kept.
#[derive(Debug)]
pub struct Budget {
    /// The most bytes kept across channels.
    limit: usize,
    /// The bytes of the entries still kept.
    bytes: usize,
    /// How many entries are still kept.
    kept: usize,
    /// A record for every entry appended and not yet taken off here, oldest first; some
    /// name entries their channel dropped already.
    records: VecDeque<Record>,
}

/// A channel's log and the budget it counts against, for one operation.
pub struct Ledger<'a> {
    budget: &'a mut Budget,
    channel: &'a Arc<str>,
}

impl Ledger<'_> {
    /// An entry of `bytes` at `position` was appended to the channel's log.
    pub fn appended(&mut self, position: u64, bytes: usize) {
        self.budget.bytes += bytes;
        self.budget.kept += 1;
        self.budget.records.push_back(Record {
            channel: self.channel.clone(),
            position,
        });
    }

    /// `count` entries of `bytes` in all went from the channel's log.
    pub fn dropped(&mut self, count: usize, bytes: usize) {
        self.budget.dropped(count, bytes);
    }
}

impl Budget {
    /// An empty budget of `limit` bytes.
    pub fn new(limit: usize) -> Budget {
        Budget {
            limit,
            bytes: 0,
            kept: 0,
            records: VecDeque::new(),
        }
    }

    /// What `channel`'s log appends to and drops from this budget through.
    pub fn ledger<'a>(&'a mut self, channel: &'a Arc<str>) -> Ledger<'a> {
        Ledger {
            budget: self,
            channel,
        }
    }

    /// The bytes of the entries kept across channels.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// How many records it keeps, of kept and dropped entries.
    #[cfg(test)]
    pub fn records(&self) -> usize {
        self.records.len()
    }

    fn dropped(&mut self, count: usize, bytes: usize) {
        self.kept -= count;
        self.bytes -= bytes;
    }

    /// Whether the entries kept hold more than the budget, or the records of dropped
    /// entries outnumber the others: whether [`Hub::keep_budgets`] has anything to do.
    fn needs_work(&self) -> bool {
        self.bytes > self.limit || self.has_too_many_records()
    }

    fn has_too_many_records(&self) -> bool {
        self.records.len() > 2 * self.kept + SLACK
    }

    /// Takes the oldest records off while the entries kept hold more than the budget:
    /// `evict` drops the entry a record names, if its channel still keeps it, and
    /// returns its bytes.
    fn evict_while_over(&mut self, mut evict: impl FnMut(&Record) -> Option<usize>) {
        while self.bytes > self.limit {
            let Some(record) = self.records.pop_front() else {
                break;
            };
            if let Some(bytes) = evict(&record) {
                self.dropped(1, bytes);
            }
        }
    }

    /// Sweeps out the records of dropped entries once they outnumber the others (each
    /// sweep removes at least half of what it reads, so it costs O(1) per record).
    fn sweep_dropped(&mut self, is_kept: impl FnMut(&Record) -> bool) {
        if self.has_too_many_records() {
            self.records.retain(is_kept);
            self.kept = self.records.len();
        }
    }
}

/// Lets go of most of a log's buffer once most of what a burst put there has gone.
pub(super) fn shrink_if_sparse<T>(log: &mut VecDeque<T>) {
    if log.capacity() > 4 * log.len().max(8) {
        log.shrink_to_fit();
    }
}

/// The channel a record was appended to, unless it went (or another of its name stands
/// in its place).
fn channel_of<'a>(
    channels: &'a mut HashMap<Arc<str>, Channel>,
    record: &Record,
) -> Option<&'a mut Channel> {
    channels
        .get_mut(&*record.channel)
        .filter(|c| Arc::ptr_eq(&c.name, &record.channel))
}

impl Hub {
    /// Keeps presence history and replay frames within their server-wide budgets (see the
    /// module doc). Costs a few comparisons when both are within budget.
    pub(super) fn keep_budgets(&mut self, now: u64) {
        if self.history_budget.needs_work() {
            self.keep_history_budget(now);
        }
        if self.replay_budget.needs_work() {
            let channels = &mut self.channels;
            self.replay_budget.evict_while_over(|record| {
                channel_of(channels, record)?
                    .replay
                    .evict_oldest(record.position)
            });
            let channels = &mut self.channels;
            self.replay_budget.sweep_dropped(|record| {
                channel_of(channels, record).is_some_and(|c| c.replay.holds(record.position))
            });
        }
    }

    /// Presence history within its budget; a channel that only its history kept goes with
    /// the last of it, as when that history ages out.
    fn keep_history_budget(&mut self, now: u64) {
        let channels = &mut self.channels;
        let mut emptied = Vec::new();
        self.history_budget.evict_while_over(|record| {
            let history = &mut channel_of(channels, record)?.history;
            let bytes = history.evict_oldest(record.position)?;
            if history.newest().is_none() {
                emptied.push(record.channel.clone());
            }
            Some(bytes)
        });
        let channels = &mut self.channels;
        self.history_budget.sweep_dropped(|record| {
            channel_of(channels, record).is_some_and(|c| c.history.holds(record.position))
        });
        for name in emptied {
            self.release(&name, now);
        }
    }
}
