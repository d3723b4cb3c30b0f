//! The presence SYNC after an ATTACH, made one page at a time as the client takes it.
//!
//! ATTACH queues a [`SyncToken`] where the pages would go (after ATTACHED and the
//! backlog). When the connection's writer reaches it, it hands it back to
//! [`Hub::continue_sync`], which reads the next page of members after the token's cursor
//! and queues that page at the back of the outbox, with the token behind it while members
//! remain. So the server holds one page per syncing connection rather than the whole
//! member set, an ATTACH costs the hub's lock no more for a large channel than a small
//! one, and live frames interleave with the pages instead of waiting behind them.
//!
//! Each page is read and queued under the hub's lock, like any fanned-out frame: the
//! frames queued before it went out before its members were read, and those queued after
//! it came after. The client sees the same order of events as with a SYNC read all at
//! once, so the RTP18/RTP19 rules (PRESENCE during a sync counts as seen, a LEAVE leaves
//! a tombstone) bring it to the server's member set whichever side of the cursor a member
//! entered, changed or left.
//!
//! A token is served only while its sync is the connection's current one on the channel
//! and on the same transport: a DETACH, a new ATTACH (a new syncId) or a resume makes
//! older tokens no-ops.

use super::presence::approximate_size;
use super::{Hub, MemberKey, Outbound};
use crate::state::random_text;
use roster::presence::MemberFilter;
use roster::protocol::{Action, ProtocolMessage};

/// A connection's SYNC of one channel, as far as it has gone: queued in its outbox in
/// place of the pages still to come.
#[derive(Debug)]
pub struct SyncToken {
    /// The channel.
    channel: String,
    /// Tells this sync apart from the connection's others on the channel.
    epoch: u64,
    /// The connection's transport generation when the sync started.
    generation: u64,
    /// The syncId the pages carry.
    sync_id: Box<str>,
    /// How many pages went out.
    pages: u64,
    /// The key of the last member sent; `None` before the first page.
    after: Option<MemberKey>,
}

impl SyncToken {
    /// About the bytes the token holds, counted against the outbox's cap like a frame,
    /// so a client re-attaching in a loop without reading cannot pile tokens up.
    pub fn size(&self) -> usize {
        let key = self.after.as_ref().map_or(0, |(c, k)| c.len() + k.len());
        std::mem::size_of::<SyncToken>() + self.channel.len() + self.sync_id.len() + key
    }
}

impl Hub {
    /// Starts a SYNC of `name` for `conn_id`, the connection's current one on that
    /// channel (any earlier one's token becomes a no-op); the token to queue.
    pub(super) fn start_sync(&mut self, conn_id: &str, name: &str) -> Option<SyncToken> {
        self.sync_epoch += 1;
        let epoch = self.sync_epoch;
        let conn = self.connections.get_mut(conn_id)?;
        conn.syncs.insert(name.to_owned(), epoch);
        let sync_id = random_text(8).into_boxed_str();
        Some(SyncToken {
            channel: name.to_owned(),
            epoch,
            generation: conn.generation,
            sync_id,
            pages: 0,
            after: None,
        })
    }

    /// Queues `token` for the connection's writer, if it has a transport.
    pub(super) fn queue_sync(&self, conn_id: &str, token: SyncToken) {
        if let Some(tx) = self.connections.get(conn_id).and_then(|c| c.tx.as_ref()) {
            tx.send(Outbound::Sync(token));
        }
    }

    /// Ends the connection's SYNC of `name`, if one is under way: its token is a no-op.
    pub(super) fn end_sync(&mut self, conn_id: &str, name: &str) {
        if let Some(conn) = self.connections.get_mut(conn_id) {
            conn.syncs.remove(name);
        }
    }

    /// The writer reached `token`: queues the next SYNC page at the back of the outbox,
    /// `<syncId>:<cursor>` (an empty cursor on the last page, possibly empty of members
    /// if they all left), and the token again behind it while members remain. Nothing if
    /// the sync was replaced, ended or belongs to another transport.
    pub fn continue_sync(&mut self, conn_id: &str, mut token: SyncToken) {
        let is_current = self.connections.get(conn_id).is_some_and(|conn| {
            conn.generation == token.generation
                && conn.syncs.get(&token.channel) == Some(&token.epoch)
        });
        if !is_current {
            return;
        }
        let (max_members, max_bytes) = (
            self.config.sync_page_size.max(1),
            self.config.sync_page_bytes,
        );
        let filter = MemberFilter::default();
        let mut page = Vec::new();
        let mut bytes = 0;
        let mut last = None;
        let mut is_last_page = true;
        for (key, member) in self.members_after(&token.channel, &filter, token.after.as_ref()) {
            let size = approximate_size(member);
            // A single larger member has a page of its own.
            if !page.is_empty() && (page.len() == max_members || bytes + size > max_bytes) {
                is_last_page = false;
                break;
            }
            page.push(member.clone());
            bytes += size;
            last = Some(key);
        }
        let after = if is_last_page { None } else { last.cloned() };
        token.pages += 1;
        let cursor = match after {
            Some(_) => token.pages.to_string(),
            None => String::new(),
        };
        let msg = ProtocolMessage {
            channel_serial: Some(format!("{}:{cursor}", token.sync_id)),
            presence: Some(page),
            ..ProtocolMessage::for_channel(Action::Sync, token.channel.as_str())
        };
        self.send(conn_id, &msg);
        match after {
            Some(after) => {
                token.after = Some(after);
                self.queue_sync(conn_id, token);
            }
            None => self.end_sync(conn_id, &token.channel),
        }
    }
}
