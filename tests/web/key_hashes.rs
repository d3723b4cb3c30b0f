//! The presence sets' key hasher on wasm: seeded per set (`seed_key_hashes`), so the
//! bucket of a clientId is not known in advance, and a later seed leaves the sets made
//! before it intact.

use roster::presence::{seed_key_hashes, MemberFilter, PresenceSet};
use roster::protocol::{PresenceAction, PresenceMessage};
use wasm_bindgen_test::wasm_bindgen_test;

const MEMBERS: u64 = 200;

fn message(action: PresenceAction, n: u64, serial: u64) -> PresenceMessage {
    PresenceMessage {
        id: Some(format!("conn:{serial}:{n}")),
        client_id: Some(format!("client-{n}")),
        connection_id: Some("conn".into()),
        timestamp: Some(1_000 + serial),
        ..PresenceMessage::new(action)
    }
}

/// A set of the same members, made under `seed`.
fn set_seeded(seed: u64) -> PresenceSet {
    seed_key_hashes(seed);
    let mut set = PresenceSet::new();
    for n in 0..MEMBERS {
        set.apply(message(PresenceAction::Enter, n, 1));
    }
    set
}

/// The members' clientIds in the set's table order, which follows their hashes.
fn order(set: &PresenceSet) -> Vec<String> {
    let members = set.get(&MemberFilter::default());
    members
        .iter()
        .map(|m| m.client_id().unwrap_or_default().to_owned())
        .collect()
}

#[wasm_bindgen_test]
fn the_seed_decides_where_members_go() {
    let first = order(&set_seeded(0x1234_5678_9abc_def0));
    assert_eq!(first.len(), MEMBERS as usize);
    assert_eq!(first, order(&set_seeded(0x1234_5678_9abc_def0)));
    assert_ne!(first, order(&set_seeded(0x0fed_cba9_8765_4321)));
}

#[wasm_bindgen_test]
fn a_new_seed_leaves_older_sets_whole() {
    let mut set = set_seeded(7);
    seed_key_hashes(8);
    for n in 0..MEMBERS {
        set.apply(message(PresenceAction::Update, n, 2));
    }
    assert_eq!(set.len(), MEMBERS as usize, "updates found their members");
    for n in 0..MEMBERS {
        set.apply(message(PresenceAction::Leave, n, 3));
    }
    assert_eq!(set.len(), 0, "leaves found their members");
}
