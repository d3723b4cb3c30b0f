//! Properties of the presence merge: order does not matter where the protocol says it
//! must not, duplicates change nothing, a SYNC of a set reproduces it, and a follower
//! kept up by catch-ups holds what the set holds.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use roster::presence::{Changes, Member, MemberFilter, PresenceSet};
use roster::protocol::{Data, PresenceAction, PresenceMessage};
use std::collections::HashMap;

/// A member's messages: distinct serials on its own connection, random actions and data.
fn messages() -> impl Strategy<Value = Vec<PresenceMessage>> {
    let one = (0..4usize, 0..3usize, 0..50u64, 0..4u8, 0..1000u64);
    prop::collection::vec(one, 1..40).prop_map(|raw| {
        let mut seen = std::collections::HashSet::new();
        raw.into_iter()
            .filter(|(client, conn, serial, _, _)| seen.insert((*client, *conn, *serial)))
            .map(|(client, conn, serial, action, ts)| PresenceMessage {
                id: Some(format!("conn{conn}:{serial}:0")),
                client_id: Some(format!("client{client}")),
                connection_id: Some(format!("conn{conn}")),
                timestamp: Some(ts),
                data: Some(Data::String(format!("d{serial}"))),
                ..PresenceMessage::new(match action {
                    0 => PresenceAction::Enter,
                    1 => PresenceAction::Update,
                    2 => PresenceAction::Present,
                    _ => PresenceAction::Leave,
                })
            })
            .collect()
    })
}

/// A member's clientId, connectionId and id.
fn owned_key(member: &Member) -> (Option<String>, Option<String>, Option<String>) {
    let m = member.to_message();
    (m.client_id, m.connection_id, m.id)
}

/// The members as a sorted, comparable list.
fn snapshot(set: &PresenceSet) -> Vec<(Option<String>, Option<String>, Option<String>)> {
    let mut members: Vec<_> = set
        .get(&MemberFilter::default())
        .iter()
        .map(owned_key)
        .collect();
    members.sort();
    members
}

/// A caller that keeps every present member by version, as the JS wrapper's get() does.
#[derive(Default)]
struct Follower {
    members: HashMap<u64, Member>,
    known: u64,
}

impl Follower {
    fn follow(&mut self, set: &mut PresenceSet) {
        match set.catch_up(self.known) {
            Some(Changes { changed, retired }) => {
                for version in retired {
                    self.members.remove(&version);
                }
                for member in changed {
                    assert!(member.version() > self.known, "only changed members");
                    self.members.entry(member.version()).or_insert(member);
                }
            }
            None => {
                let since = MemberFilter {
                    known: self.known,
                    ..MemberFilter::default()
                };
                let mut members = HashMap::new();
                for member in set.get(&since) {
                    let version = member.version();
                    if version <= self.known {
                        let held = self.members.get(&version);
                        assert_eq!(held, Some(&member), "an unchanged member is held");
                    }
                    members.insert(version, member);
                }
                self.members = members;
            }
        }
        self.known = self.members.keys().copied().fold(self.known, u64::max);
    }

    fn snapshot(&self) -> Vec<(Option<String>, Option<String>, Option<String>)> {
        let mut members: Vec<_> = self.members.values().map(owned_key).collect();
        members.sort();
        members
    }
}

fn synced(messages: &[PresenceMessage]) -> PresenceSet {
    let mut set = PresenceSet::new();
    set.start_sync();
    for msg in messages {
        set.apply(msg.clone());
    }
    set.end_sync(0);
    set
}

proptest! {
    #[test]
    fn any_order_within_a_sync_converges(msgs in messages(), seed in any::<u64>()) {
        let mut shuffled = msgs.clone();
        let len = shuffled.len();
        let mut state = seed | 1;
        for i in (1..len).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(snapshot(&synced(&msgs)), snapshot(&synced(&shuffled)));
    }

    #[test]
    fn any_order_of_enters_and_updates_converges(msgs in messages()) {
        let joins: Vec<_> = msgs.into_iter().filter(|m| m.action != PresenceAction::Leave).collect();
        let mut forward = PresenceSet::new();
        let mut backward = PresenceSet::new();
        for msg in &joins { forward.apply(msg.clone()); }
        for msg in joins.iter().rev() { backward.apply(msg.clone()); }
        prop_assert_eq!(snapshot(&forward), snapshot(&backward));
    }

    #[test]
    fn a_duplicate_delivery_changes_nothing(msgs in messages()) {
        let mut once = PresenceSet::new();
        let mut twice = PresenceSet::new();
        for msg in &msgs {
            once.apply(msg.clone());
            twice.apply(msg.clone());
            prop_assert_eq!(twice.apply(msg.clone()), None);
        }
        prop_assert_eq!(snapshot(&twice), snapshot(&once));
    }

    #[test]
    fn a_sync_of_a_set_reproduces_it_and_drops_the_rest(msgs in messages(), extra in messages()) {
        let mut original = PresenceSet::new();
        for msg in &msgs { original.apply(msg.clone()); }
        let members: Vec<_> = original.get(&MemberFilter::default());

        // Members the copy holds that the synced set does not (other connections).
        let mut copy = PresenceSet::new();
        for msg in &extra {
            let elsewhere = |s: &Option<String>| s.as_ref().map(|s| s.replace("conn", "gone"));
            copy.apply(PresenceMessage {
                id: elsewhere(&msg.id),
                connection_id: elsewhere(&msg.connection_id),
                ..msg.clone()
            });
        }
        let held_before = snapshot(&copy);
        copy.start_sync();
        for member in &members { copy.apply(member.to_message()); }
        let leaves = copy.end_sync(0);

        prop_assert_eq!(snapshot(&copy), snapshot(&original));
        for leave in &leaves {
            prop_assert_eq!(leave.action, PresenceAction::Leave);
            prop_assert!(held_before.iter().any(|(c, k, _)| *c == leave.client_id && *k == leave.connection_id));
            prop_assert!(!members.iter().any(|m| m.key() == leave.view().key()));
        }
    }

    #[test]
    fn a_follower_kept_up_by_catch_ups_holds_the_present_members(
        msgs in messages(),
        steps in prop::collection::vec(0..6u8, 40),
    ) {
        let mut set = PresenceSet::new();
        let mut follower = Follower::default();
        for (msg, step) in msgs.into_iter().zip(steps) {
            set.apply(msg);
            match step {
                0 => set.start_sync(),
                1 => { set.end_sync(0); }
                2 | 3 => {
                    follower.follow(&mut set);
                    prop_assert_eq!(follower.snapshot(), snapshot(&set));
                }
                _ => {}
            }
        }
        follower.follow(&mut set);
        prop_assert_eq!(follower.snapshot(), snapshot(&set));
    }
}
