//! `PresenceSet`: the members of one channel and the merge rules that keep it right.

use super::{is_newer, Member};
use crate::protocol::{PresenceAction, PresenceMessage};
use alloc::string::String;
use alloc::vec::Vec;
use hashbrown::hash_table::{Entry, HashTable};
// Natively std's SipHash, seeded per set (RandomState), as member ids come from the
// network. wasm32-unknown-unknown has no OS randomness for std to seed from (its
// RandomState keys are fixed at 0, 0), so wasm gets KeyHasher, a tenth of SipHash's
// code, started from a seed the bindings draw from the browser (`seed_key_hashes`): a
// set's bucket for a member is then not known to whoever picks the clientIds. (foldhash
// cost 1.3 KB more gzip, most of it its panic paths.)
use core::hash::BuildHasher;
use core::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(target_arch = "wasm32"))]
use std::hash::RandomState as Seeds;

/// The seed sets made from now on take (wasm); FNV-1a's offset basis until seeded.
#[cfg(target_arch = "wasm32")]
static KEY_SEED: AtomicU64 = AtomicU64::new(0xcbf2_9ce4_8422_2325);

/// Seeds the member-key hashes of the presence sets made from now on (wasm only: natively
/// each set seeds itself). Sets made before keep their seed, so their members stay found.
#[cfg(target_arch = "wasm32")]
pub fn seed_key_hashes(seed: u64) {
    KEY_SEED.store(seed, Ordering::Relaxed);
}

/// A set's hasher seed on wasm, taken from `KEY_SEED` when the set is made.
#[cfg(target_arch = "wasm32")]
#[derive(Debug)]
struct Seeds(u64);

#[cfg(target_arch = "wasm32")]
impl Default for Seeds {
    fn default() -> Seeds {
        Seeds(KEY_SEED.load(Ordering::Relaxed))
    }
}

#[cfg(target_arch = "wasm32")]
impl BuildHasher for Seeds {
    type Hasher = KeyHasher;

    fn build_hasher(&self) -> KeyHasher {
        KeyHasher(self.0)
    }
}

/// FNV-1a over the key's bytes from the set's seed, then a multiply and fold so that the
/// low bits (the table's bucket) depend on every byte, as FNV's own low bits do not.
#[cfg(target_arch = "wasm32")]
struct KeyHasher(u64);

#[cfg(target_arch = "wasm32")]
impl core::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        let mixed = self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        mixed ^ (mixed >> 32)
    }
}

/// Member versions, unique across every set of the process: a caller's cache keyed by
/// version cannot mistake a member of another (or a re-created) set for one it holds.
static NEXT_VERSION: AtomicU64 = AtomicU64::new(1);

fn next_version() -> u64 {
    NEXT_VERSION.fetch_add(1, Ordering::Relaxed)
}

/// Which members `PresenceSet::get` returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberFilter {
    /// Only members with this clientId.
    pub client_id: Option<String>,
    /// Only members on this connection.
    pub connection_id: Option<String>,
    /// The highest version of an earlier `get`: the caller still holds the members
    /// unchanged since (`Member::version` tells them apart), and a catch-up lists only
    /// the others; 0 for none.
    pub known: u64,
    /// The caller keeps every present member by version from one unfiltered get to the
    /// next: answer with `PresenceSet::catch_up` when it can.
    pub follow: bool,
}

/// What a caller holding every present member by version needs to catch up.
#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    /// The present members changed since the caller's version.
    pub changed: Vec<Member>,
    /// Versions no longer current (their member changed or left) since the last catch-up.
    pub retired: Vec<u64>,
}

/// Versions retired beyond a quarter of the members held: past this, the caller is served
/// the whole list instead of the record (one version per member, and the changed ones'
/// messages, as a catch-up of that many would be). A record of up to every member's
/// version held 128 KB of wasm memory for 10,000 members, at the high-water mark.
const RETIRED_SLACK: usize = 64;

impl MemberFilter {
    fn matches(&self, member: &Member) -> bool {
        let client_ok = self.client_id.is_none() || self.client_id.as_deref() == member.client_id();
        let conn_ok =
            self.connection_id.is_none() || self.connection_id.as_deref() == member.connection_id();
        client_ok && conn_ok
    }
}

/// The presence set of one channel, keyed by clientId + connectionId (TP3h): a PRESENT
/// member, or an ABSENT tombstone during a sync, per key.
///
/// A hash table of members rather than a map from a key string: the key is read from
/// the stored member itself, so applying a message allocates no key. The table holds
/// only handles (8 bytes each in wasm), shared with the lists `get` hands out, so a
/// get of a large set copies no member; the key is hashed again when the table grows.
/// The hasher is seeded per set (natively), as member ids come from the network.
#[derive(Debug, Default)]
pub struct PresenceSet {
    members: HashTable<Member>,
    hasher: Seeds,
    syncing: bool,
    /// Versions of present members that changed or left since the last `catch_up`;
    /// `None` while no caller follows the set (or after too many to keep).
    retired: Option<Vec<u64>>,
    /// The version a member last became present under (0 for none): a catch-up from it or
    /// later has nothing to list, and skips looking at every member.
    newest: u64,
}

/// The table entry for `msg`'s member, occupied or vacant.
fn member_entry<'a>(
    members: &'a mut HashTable<Member>,
    hasher: &Seeds,
    msg: &PresenceMessage,
) -> Entry<'a, Member> {
    let key = msg.view().key();
    members.entry(
        hasher.hash_one(key),
        |member| member.key() == key,
        |member| hasher.hash_one(member.key()),
    )
}

/// A new entry for the set: `msg` stored under `action`.
fn new_member(msg: &PresenceMessage, action: PresenceAction) -> Member {
    Member::new(msg, action, next_version())
}

/// Overwrites a stored member with `msg` stored under `action`: in place unless a `get`
/// list still shares it (that list keeps the member as it was).
fn overwrite(stored: &mut Member, msg: &PresenceMessage, action: PresenceAction) {
    stored.set(msg, action, next_version());
}

impl PresenceSet {
    /// An empty set, in sync.
    pub fn new() -> PresenceSet {
        PresenceSet::default()
    }

    /// Applies one received message with the RTP2 rules and returns the event the
    /// application should see, or `None` when it changes nothing (stale, duplicate, or
    /// a LEAVE for a member we do not hold).
    pub fn apply(&mut self, msg: PresenceMessage) -> Option<PresenceMessage> {
        match msg.action {
            PresenceAction::Enter | PresenceAction::Update | PresenceAction::Present => {
                self.put(msg)
            }
            PresenceAction::Leave => self.remove(msg),
            PresenceAction::Absent => None,
        }
    }

    fn put(&mut self, msg: PresenceMessage) -> Option<PresenceMessage> {
        match member_entry(&mut self.members, &self.hasher, &msg) {
            Entry::Occupied(mut entry) => {
                let existing = entry.get_mut();
                // Seen during the sync, so not residual, even when the message is stale.
                existing.set_residual(false);
                if !is_newer(&msg.view(), &existing.view()) {
                    return None;
                }
                let replaced = present_version(existing);
                overwrite(existing, &msg, PresenceAction::Present);
                self.newest = existing.version();
                self.retire(replaced);
            }
            Entry::Vacant(entry) => {
                let entry = entry.insert(new_member(&msg, PresenceAction::Present));
                self.newest = entry.get().version();
            }
        }
        Some(msg)
    }

    fn remove(&mut self, msg: PresenceMessage) -> Option<PresenceMessage> {
        let syncing = self.syncing;
        let was_present = match member_entry(&mut self.members, &self.hasher, &msg) {
            Entry::Occupied(mut entry) => {
                let existing = entry.get_mut();
                if !is_newer(&msg.view(), &existing.view()) {
                    return None;
                }
                let replaced = present_version(existing);
                let was_present = replaced.is_some();
                if syncing {
                    // A tombstone, so an older PRESENT later in the sync cannot bring it
                    // back; no longer residual.
                    overwrite(existing, &msg, PresenceAction::Absent);
                } else {
                    entry.remove();
                }
                self.retire(replaced);
                was_present
            }
            Entry::Vacant(entry) => {
                if syncing {
                    entry.insert(new_member(&msg, PresenceAction::Absent));
                }
                false
            }
        };
        was_present.then_some(msg)
    }

    /// Begins a sync: every member held now is residual until a message about it
    /// arrives (RTP19). A sync already under way keeps going.
    pub fn start_sync(&mut self) {
        if self.syncing {
            return;
        }
        self.syncing = true;
        for member in self.members.iter_mut() {
            member.set_residual(true);
        }
    }

    /// Whether a sync is under way.
    pub fn is_syncing(&self) -> bool {
        self.syncing
    }

    /// Ends the sync: drops tombstones, removes residual members and returns a
    /// synthesized LEAVE (no id, timestamp `now`) for each of them.
    pub fn end_sync(&mut self, now: u64) -> Vec<PresenceMessage> {
        if !self.syncing {
            return Vec::new();
        }
        self.syncing = false;
        let mut leaves = Vec::new();
        let mut gone = Vec::new();
        self.members.retain(|member| {
            if member.action() != PresenceAction::Present {
                return false;
            }
            if member.is_residual() {
                leaves.push(synthesized_leave(member, now));
                gone.push(member.version());
                return false;
            }
            true
        });
        for version in gone {
            self.retire(Some(version));
        }
        leaves
    }

    /// Removes every member, returning a synthesized LEAVE for each: what an ATTACHED
    /// without HAS_PRESENCE means (RTP19a).
    pub fn clear(&mut self, now: u64) -> Vec<PresenceMessage> {
        // A sync that sees no one: every member is residual. Shares end_sync's code
        // rather than bringing in a drain of its own.
        self.syncing = false;
        self.start_sync();
        self.end_sync(now)
    }

    /// The present members that match `filter`, stored as PRESENT: shared with the set,
    /// not copied (a later change to a member copies it then, leaving this list as it was).
    /// A handle each (8 bytes in wasm): a list of 10,000 is 80 KB at the high-water mark.
    pub fn get(&self, filter: &MemberFilter) -> Vec<Member> {
        self.list(filter, false)
    }

    /// As `get`, leaving out the members unchanged since `filter.known` when `changed_only`.
    fn list(&self, filter: &MemberFilter, changed_only: bool) -> Vec<Member> {
        // An unfiltered list is about every entry: sized once, so listing 10,000 members
        // does not also hold the halves a growing list leaves behind (wasm memory keeps
        // its high-water mark).
        let everyone =
            !changed_only && filter.client_id.is_none() && filter.connection_id.is_none();
        let mut list = Vec::with_capacity(if everyone { self.members.len() } else { 0 });
        for member in self.members.iter() {
            let wanted = !changed_only || member.version() > filter.known;
            if wanted && member.action() == PresenceAction::Present && filter.matches(member) {
                list.push(member.clone());
            }
        }
        list
    }

    /// Catches up a caller that holds every present member by version, as of its last
    /// catch-up: the members changed since version `known` and the versions retired
    /// since. `None` on the first call (from then on retired versions are recorded) and
    /// when more retired than are worth recording: the caller takes `get` instead.
    pub fn catch_up(&mut self, known: u64) -> Option<Changes> {
        let retired = self.retired.replace(Vec::new())?;
        let since = MemberFilter {
            known,
            ..MemberFilter::default()
        };
        let changed = match known < self.newest {
            true => self.list(&since, true),
            false => Vec::new(),
        };
        Some(Changes { changed, retired })
    }

    /// Records that `version` is no longer current, for the follower's next catch-up.
    fn retire(&mut self, version: Option<u64>) {
        let (Some(version), Some(log)) = (version, &mut self.retired) else {
            return;
        };
        log.push(version);
        if log.len() > self.members.len() / 4 + RETIRED_SLACK {
            self.retired = None;
        }
    }

    /// How many members are present.
    pub fn len(&self) -> usize {
        self.members
            .iter()
            .filter(|member| member.action() == PresenceAction::Present)
            .count()
    }

    /// Whether no member is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The version under which `member` is present, `None` for a tombstone.
fn present_version(member: &Member) -> Option<u64> {
    (member.action() == PresenceAction::Present).then_some(member.version())
}

/// The LEAVE a client makes up for a member that vanished without one (RTP19).
fn synthesized_leave(member: &Member, now: u64) -> PresenceMessage {
    PresenceMessage {
        id: None,
        action: PresenceAction::Leave,
        timestamp: Some(now),
        ..member.to_message()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Data;
    use serde_json::json;

    fn msg(action: PresenceAction, client: &str, conn: &str, serial: u64) -> PresenceMessage {
        PresenceMessage {
            id: Some(format!("{conn}:{serial}:0")),
            client_id: Some(client.into()),
            connection_id: Some(conn.into()),
            timestamp: Some(1000 + serial),
            ..PresenceMessage::new(action)
        }
    }

    /// Every present member's message.
    fn present(set: &PresenceSet) -> Vec<PresenceMessage> {
        let list = set.get(&MemberFilter::default());
        list.into_iter().map(|m| m.to_message()).collect()
    }

    fn clients(set: &PresenceSet) -> Vec<String> {
        let mut ids: Vec<String> = present(set)
            .into_iter()
            .filter_map(|m| m.client_id.clone())
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn enter_is_emitted_as_enter_and_stored_as_present() {
        let mut set = PresenceSet::new();
        let event = set.apply(msg(PresenceAction::Enter, "a", "c1", 0));
        assert_eq!(event.map(|e| e.action), Some(PresenceAction::Enter));
        let members = present(&set);
        assert_eq!(members[0].action, PresenceAction::Present);
    }

    #[test]
    fn update_replaces_the_stored_member() {
        let mut set = PresenceSet::new();
        set.apply(PresenceMessage {
            data: Some(Data::json(&json!({"status": "here", "typing": false}))),
            ..msg(PresenceAction::Enter, "a", "c1", 1)
        });
        let update = PresenceMessage {
            data: Some(Data::json(&json!({"status": "away", "typing": true}))),
            ..msg(PresenceAction::Update, "a", "c1", 2)
        };
        assert_eq!(set.apply(update.clone()), Some(update.clone()));
        let members = present(&set);
        assert_eq!(
            members,
            [PresenceMessage {
                action: PresenceAction::Present,
                ..update
            }]
        );
    }

    #[test]
    fn stale_update_is_dropped() {
        let mut set = PresenceSet::new();
        set.apply(msg(PresenceAction::Update, "a", "c1", 5));
        assert_eq!(set.apply(msg(PresenceAction::Update, "a", "c1", 4)), None);
    }

    #[test]
    fn leave_for_unknown_member_is_not_emitted() {
        let mut set = PresenceSet::new();
        assert_eq!(set.apply(msg(PresenceAction::Leave, "a", "c1", 0)), None);
    }

    #[test]
    fn same_client_on_two_connections_is_two_members() {
        let mut set = PresenceSet::new();
        set.apply(msg(PresenceAction::Enter, "a", "c1", 0));
        set.apply(msg(PresenceAction::Enter, "a", "c2", 0));
        set.apply(msg(PresenceAction::Leave, "a", "c1", 1));
        let left = present(&set);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].connection_id.as_deref(), Some("c2"));
    }

    #[test]
    fn leave_during_sync_is_not_resurrected() {
        let mut set = PresenceSet::new();
        set.start_sync();
        set.apply(msg(PresenceAction::Enter, "a", "c1", 3));
        set.apply(msg(PresenceAction::Leave, "a", "c1", 4));
        assert_eq!(set.apply(msg(PresenceAction::Present, "a", "c1", 3)), None);
        assert!(set.end_sync(2000).is_empty());
        assert!(set.is_empty());
    }

    #[test]
    fn members_missing_from_sync_get_residual_leaves() {
        let mut set = PresenceSet::new();
        set.apply(msg(PresenceAction::Enter, "a", "c1", 0));
        set.apply(msg(PresenceAction::Enter, "b", "c2", 0));
        set.start_sync();
        set.apply(msg(PresenceAction::Present, "a", "c1", 0));
        let leaves = set.end_sync(5000);
        assert_eq!(leaves.len(), 1);
        assert_eq!(leaves[0].client_id.as_deref(), Some("b"));
        assert_eq!(leaves[0].action, PresenceAction::Leave);
        assert_eq!(leaves[0].id, None);
        assert_eq!(leaves[0].timestamp, Some(5000));
        assert_eq!(clients(&set), ["a"]);
    }

    #[test]
    fn stale_present_in_sync_still_counts_as_seen() {
        let mut set = PresenceSet::new();
        set.apply(msg(PresenceAction::Update, "a", "c1", 7));
        set.start_sync();
        assert_eq!(set.apply(msg(PresenceAction::Present, "a", "c1", 6)), None);
        assert!(set.end_sync(5000).is_empty());
        assert_eq!(clients(&set), ["a"]);
    }

    #[test]
    fn clear_emits_leave_for_everyone() {
        let mut set = PresenceSet::new();
        set.apply(msg(PresenceAction::Enter, "a", "c1", 0));
        set.apply(msg(PresenceAction::Enter, "b", "c2", 0));
        let leaves = set.clear(9);
        assert_eq!(leaves.len(), 2);
        assert!(leaves.iter().all(|l| l.action == PresenceAction::Leave));
        assert!(set.is_empty());
    }

    #[test]
    fn get_filters_by_client_and_connection() {
        let mut set = PresenceSet::new();
        set.apply(msg(PresenceAction::Enter, "a", "c1", 0));
        set.apply(msg(PresenceAction::Enter, "a", "c2", 0));
        set.apply(msg(PresenceAction::Enter, "b", "c2", 0));
        let by_client = MemberFilter {
            client_id: Some("a".into()),
            ..MemberFilter::default()
        };
        assert_eq!(set.get(&by_client).len(), 2);
        let by_both = MemberFilter {
            client_id: Some("a".into()),
            connection_id: Some("c2".into()),
            ..MemberFilter::default()
        };
        assert_eq!(set.get(&by_both).len(), 1);
    }

    #[test]
    fn a_catch_up_lists_only_the_members_changed_since_a_known_version() {
        let mut set = PresenceSet::new();
        set.apply(msg(PresenceAction::Enter, "a", "c1", 0));
        set.apply(msg(PresenceAction::Enter, "b", "c1", 1));
        let first = set.get(&MemberFilter::default());
        let known = first.iter().map(Member::version).max().unwrap_or(0);
        assert_eq!(
            set.catch_up(known),
            None,
            "the first call starts the record"
        );

        set.apply(msg(PresenceAction::Update, "b", "c1", 2));
        set.apply(msg(PresenceAction::Enter, "c", "c1", 3));
        let changes = set.catch_up(known).expect("recorded since the last call");
        let mut changed: Vec<_> = changes
            .changed
            .iter()
            .filter_map(|m| m.to_message().client_id)
            .collect();
        changed.sort();
        assert_eq!(changed, ["b", "c"], "a is unchanged");

        // A get lists every member; the unchanged one is the one the caller holds.
        let all = set.get(&MemberFilter::default());
        let a = all.iter().find(|m| m.version() <= known);
        let a_before = first.iter().find(|m| m.view().client_id == Some("a"));
        assert_eq!(a.map(Member::version), a_before.map(Member::version));
        assert_eq!(all.iter().filter(|m| m.version() > known).count(), 2);

        // Versions are unique across sets: a new set's members are never "known".
        let mut other = PresenceSet::new();
        other.apply(msg(PresenceAction::Enter, "a", "c1", 0));
        assert!(other
            .get(&MemberFilter::default())
            .iter()
            .all(|m| m.version() > known));
    }

    #[test]
    fn catch_up_gives_the_changes_since_the_last_one() {
        let mut set = PresenceSet::new();
        set.apply(msg(PresenceAction::Enter, "a", "c1", 0));
        set.apply(msg(PresenceAction::Enter, "b", "c1", 1));
        assert_eq!(set.catch_up(0), None, "the first call starts the record");
        let first = set.get(&MemberFilter::default());
        let known = first.iter().map(Member::version).max().unwrap_or(0);
        let version_of = |client: &str| {
            first
                .iter()
                .find(|m| m.view().client_id == Some(client))
                .map(Member::version)
        };

        set.apply(msg(PresenceAction::Update, "b", "c1", 2));
        set.apply(msg(PresenceAction::Leave, "a", "c1", 3));
        set.apply(msg(PresenceAction::Enter, "c", "c1", 4));
        let changes = set.catch_up(known).expect("recorded since the last call");
        let changed: Vec<_> = changes
            .changed
            .iter()
            .map(|m| m.to_message().client_id.unwrap())
            .collect::<alloc::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(changed, ["b", "c"]);
        let mut retired = changes.retired;
        retired.sort();
        let mut expected = vec![version_of("a").unwrap(), version_of("b").unwrap()];
        expected.sort();
        assert_eq!(retired, expected, "b's old version and a's");

        // More retired versions than members (and some slack): the record is dropped,
        // the caller starts again from get(), and the record starts again.
        for serial in 5..5 + RETIRED_SLACK as u64 + 3 {
            set.apply(msg(PresenceAction::Update, "b", "c1", serial));
        }
        assert_eq!(set.catch_up(known), None);
        assert!(set.catch_up(known).is_some());
    }

    #[test]
    fn synthesized_leave_wins_over_older_entry_by_timestamp() {
        let mut set = PresenceSet::new();
        set.apply(msg(PresenceAction::Enter, "a", "c1", 0));
        let leave = PresenceMessage {
            id: Some("srv:0:0".into()),
            timestamp: Some(9999),
            ..msg(PresenceAction::Leave, "a", "c1", 0)
        };
        assert!(set.apply(leave).is_some());
        assert!(set.is_empty());
    }
}
