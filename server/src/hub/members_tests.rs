//! A connection holding many members of a channel others share (a wildcard clientId
//! enters any clientIds): its leaves, detach, close and expiry take its members only,
//! and what it holds for the per-connection limit follows them.

use super::tests::{attach, connect, connect_with, hub, received};
use super::*;
use roster::auth::Capability;
use roster::presence::MemberFilter;
use roster::protocol::{codes, Action, PresenceAction, PresenceMessage};

/// Members one connection may hold in these tests.
const PER_CONNECTION: usize = 6_000;

/// A hub that lets one connection hold `PER_CONNECTION` members.
fn roomy_hub() -> Hub {
    let mut hub = hub();
    hub.config.limits.members_per_channel = 20_000;
    hub.config.limits.members_per_connection = PER_CONNECTION;
    hub
}

/// A connection whose clientId is `*`, allowed everything.
fn wildcard(hub: &mut Hub) -> (String, Rx) {
    let any = Capability::parse(r#"{"*":["*"]}"#).expect("capability");
    connect_with(hub, "*", any, None)
}

/// `n` distinct pseudo-random clientIds: they interleave with other connections' members.
fn random_ids(n: usize, mut seed: u64) -> Vec<String> {
    (0..n)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            format!("{seed:016x}-{i}")
        })
        .collect()
}

/// `action` for each of `ids` through `conn`, 100 per PRESENCE frame.
fn presence_for(
    hub: &mut Hub,
    conn: &str,
    channel: &str,
    action: PresenceAction,
    ids: &[String],
) -> Result<(), roster::protocol::ErrorInfo> {
    for chunk in ids.chunks(100) {
        let items = chunk
            .iter()
            .map(|id| PresenceMessage {
                client_id: Some(id.clone()),
                ..PresenceMessage::new(action)
            })
            .collect();
        let msg = ProtocolMessage {
            presence: Some(items),
            ..ProtocolMessage::for_channel(Action::Presence, channel)
        };
        hub.presence(conn, &msg, 0)?;
    }
    Ok(())
}

/// The (clientId, connectionId) of every member of `channel`, in order.
fn members_of(hub: &Hub, channel: &str) -> Vec<(String, String)> {
    hub.members(channel, &MemberFilter::default())
        .map(|m| {
            let client = m.client_id.clone().unwrap_or_default();
            (client, m.connection_id.clone().unwrap_or_default())
        })
        .collect()
}

/// The LEAVEs among `frames`, as (clientId, connectionId).
fn leaves(frames: &[ProtocolMessage]) -> Vec<(String, String)> {
    frames
        .iter()
        .flat_map(|f| f.presence.iter().flatten())
        .filter(|m| m.action == PresenceAction::Leave)
        .map(|m| {
            let client = m.client_id.clone().unwrap_or_default();
            (client, m.connection_id.clone().unwrap_or_default())
        })
        .collect()
}

/// Everyone but `conn`'s members, in order.
fn others(members: &[(String, String)], conn: &str) -> Vec<(String, String)> {
    members.iter().filter(|(_, c)| c != conn).cloned().collect()
}

/// Whether `conn` may enter `count` more members on `channel`, going back on it after.
fn has_room_for(hub: &mut Hub, conn: &str, channel: &str, count: usize) -> bool {
    let ids = random_ids(count, 99);
    let fits = match presence_for(hub, conn, channel, PresenceAction::Enter, &ids) {
        Ok(()) => true,
        Err(error) => {
            assert_eq!(error.code, codes::TOO_MANY_PRESENCE_MEMBERS, "{error:?}");
            false
        }
    };
    presence_for(hub, conn, channel, PresenceAction::Leave, &ids).expect("leaves apply");
    fits
}

#[test]
fn a_detach_takes_a_connections_many_members_and_no_one_elses() {
    let mut hub = roomy_hub();
    let (observer, mut seen) = connect(&mut hub, "observer");
    attach(&mut hub, &observer, "room", 0);
    let (wild, _rx) = wildcard(&mut hub);
    let mut neighbours = Vec::new();
    for id in ["a", "b", "zz"] {
        let (conn, rx) = connect(&mut hub, id);
        presence_for(&mut hub, &conn, "room", PresenceAction::Enter, &[id.into()]).expect("enter");
        neighbours.push(rx);
    }
    // The wildcard connection also holds clientIds the others hold.
    let mut ids = random_ids(5_000, 7);
    ids.extend(["a".to_owned(), "b".to_owned()]);
    presence_for(&mut hub, &wild, "room", PresenceAction::Enter, &ids).expect("enters");
    presence_for(
        &mut hub,
        &wild,
        "room",
        PresenceAction::Leave,
        &ids[..2_000],
    )
    .expect("leaves");
    let before = members_of(&hub, "room");
    assert_eq!(before.len(), 3 + 3_002);
    received(&mut seen);

    hub.detach(&wild, "room", 1);
    let mut left = leaves(&received(&mut seen));
    left.sort();
    let mut expected: Vec<(String, String)> = ids[2_000..]
        .iter()
        .map(|id| (id.clone(), wild.clone()))
        .collect();
    expected.sort();
    assert_eq!(left, expected, "each of its members left once, no one else");
    assert_eq!(members_of(&hub, "room"), others(&before, &wild));
    assert!(!hub.channels["room"].members.has_members_of(&wild));
    assert!(has_room_for(&mut hub, &wild, "room", PER_CONNECTION));
}

#[test]
fn expiry_and_close_take_all_of_a_connections_members_and_give_back_its_room() {
    let mut hub = roomy_hub();
    let (wild, _rx) = wildcard(&mut hub);
    let (other, _other_rx) = connect(&mut hub, "other");
    presence_for(
        &mut hub,
        &other,
        "room",
        PresenceAction::Enter,
        &["other".into()],
    )
    .expect("enter");
    let (room_ids, lobby_ids) = (random_ids(4_000, 11), random_ids(2_000, 13));
    presence_for(&mut hub, &wild, "room", PresenceAction::Enter, &room_ids).expect("enters");
    presence_for(&mut hub, &wild, "lobby", PresenceAction::Enter, &lobby_ids).expect("enters");
    assert!(
        !has_room_for(&mut hub, &wild, "lobby", 1),
        "it holds its limit"
    );

    hub.transport_lost(&wild, 0);
    hub.expire_members(&wild, 0, 1);
    assert_eq!(members_of(&hub, "room"), [("other".into(), other.clone())]);
    assert!(members_of(&hub, "lobby").is_empty());
    let key = hub.connection(&wild).expect("kept").key.clone();
    let any = Capability::parse(r#"{"*":["*"]}"#).expect("capability");
    let (resumed, _rx) = connect_with(&mut hub, "*", any, Some(&key));
    assert_eq!(resumed, wild);
    assert!(has_room_for(&mut hub, &wild, "room", PER_CONNECTION));

    presence_for(&mut hub, &wild, "room", PresenceAction::Enter, &room_ids).expect("enters");
    hub.close(&wild, 2);
    assert_eq!(members_of(&hub, "room"), [("other".into(), other.clone())]);
    assert!(hub.connection(&wild).is_none());
}
