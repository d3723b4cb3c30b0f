//! SYNC pages made as the writer reaches them: an ATTACH queues a token, each page comes
//! from where the last one ended, live frames interleave, and a client applying what it
//! gets ends with the server's member set; stale tokens are no-ops.

use super::tests::{attach, connect, connect_with};
use super::*;
use roster::auth::Capability;
use roster::presence::{parse_sync_serial, MemberFilter, PresenceSet};
use roster::protocol::{decode, decode_json, Action, Data, Flags, PresenceAction, PresenceMessage};

/// The frames queued for `conn_id`, serving each SYNC token as its writer would, until
/// nothing is left.
pub(super) fn synced(hub: &mut Hub, conn_id: &str, rx: &mut Rx) -> Vec<ProtocolMessage> {
    let mut frames = Vec::new();
    while let Some(out) = rx.try_recv() {
        match out {
            Outbound::Text(text) => {
                frames.push(decode_json(text.as_bytes()).expect("the hub writes valid frames"))
            }
            Outbound::Binary(bytes) => frames.push(
                decode(Format::Msgpack, &bytes).expect("the hub writes valid msgpack frames"),
            ),
            Outbound::Sync(token) => hub.continue_sync(conn_id, token),
            Outbound::Close => {}
        }
    }
    frames
}

/// The frames queued before the first token, and the token; asserts one is queued.
fn until_token(rx: &mut Rx) -> (Vec<ProtocolMessage>, SyncToken) {
    let mut frames = Vec::new();
    loop {
        match rx.try_recv() {
            Some(Outbound::Text(text)) => frames.push(decode_json(text.as_bytes()).expect("frame")),
            Some(Outbound::Sync(token)) => return (frames, token),
            other => panic!("a SYNC token was expected, got {other:?}"),
        }
    }
}

/// A hub whose SYNC pages are bounded by their count of members only.
fn hub() -> Hub {
    Hub::new(HubConfig {
        sync_page_bytes: 1 << 20,
        ..super::tests::hub().config
    })
}

/// A connection allowed any clientId, and its queue.
fn loader(hub: &mut Hub) -> (String, Rx) {
    let any = Capability::parse(r#"{"*":["*"]}"#).expect("capability");
    connect_with(hub, "*", any, None)
}

/// `conn_id` sends one PRESENCE frame: `action` for each clientId, with `data` (each
/// frame with a msgSerial of its own, so each is newer than the last).
fn presence_of(hub: &mut Hub, conn_id: &str, action: PresenceAction, ids: &[String], data: &str) {
    static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let items = ids
        .iter()
        .map(|id| PresenceMessage {
            client_id: Some(id.clone()),
            data: Some(Data::String(data.to_owned())),
            ..PresenceMessage::new(action)
        })
        .collect();
    let msg = ProtocolMessage {
        msg_serial: Some(SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed)),
        presence: Some(items),
        ..ProtocolMessage::for_channel(Action::Presence, "room")
    };
    hub.presence(conn_id, &msg, 0).expect("presence applies");
}

fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("m{n:04}")).collect()
}

/// A client's view of the channel, kept by roster's own presence set.
#[derive(Default)]
struct Observer {
    set: PresenceSet,
    completed: Vec<String>,
}

impl Observer {
    fn take(&mut self, frame: &ProtocolMessage) {
        let items = frame.presence.clone().unwrap_or_default();
        match frame.action {
            Action::Attached if frame.has_flag(Flags::HAS_PRESENCE) => self.set.start_sync(),
            Action::Attached => drop(self.set.clear(0)),
            Action::Sync => {
                self.set.start_sync();
                items.into_iter().for_each(|m| drop(self.set.apply(m)));
                let serial = frame.channel_serial.as_deref().unwrap_or_default();
                let (sync_id, cursor) = parse_sync_serial(serial).expect("a sync serial");
                if cursor.is_empty() {
                    self.set.end_sync(0);
                    self.completed.push(sync_id.to_owned());
                }
            }
            Action::Presence => items.into_iter().for_each(|m| drop(self.set.apply(m))),
            _ => {}
        }
    }

    /// The present members as (clientId, data), in order.
    fn members(&self) -> Vec<(String, Option<Data>)> {
        let mut members: Vec<_> = self
            .set
            .get(&MemberFilter::default())
            .into_iter()
            .map(|m| {
                let m = m.to_message();
                (m.client_id.unwrap_or_default(), m.data)
            })
            .collect();
        members.sort_by(|a, b| a.0.cmp(&b.0));
        members
    }
}

/// The hub's members of `room` as (clientId, data), in order.
fn server_members(hub: &Hub) -> Vec<(String, Option<Data>)> {
    hub.members("room", &MemberFilter::default())
        .map(|m| (m.client_id.clone().unwrap_or_default(), m.data.clone()))
        .collect()
}

#[test]
fn an_attach_queues_a_token_and_each_page_is_made_when_it_is_reached() {
    let mut hub = hub();
    let (member, _rx) = loader(&mut hub);
    presence_of(&mut hub, &member, PresenceAction::Enter, &ids(0..250), "d");
    let (observer, mut rx) = connect(&mut hub, "observer");
    attach(&mut hub, &observer, "room", 0);
    // ATTACHED, and a token where 250 members' pages would be.
    let (frames, mut token) = until_token(&mut rx);
    let actions: Vec<Action> = frames.iter().map(|f| f.action).collect();
    assert_eq!(actions, [Action::Attached]);
    assert!(
        rx.try_recv().is_none(),
        "no page is made before it is reached"
    );
    let mut pages = Vec::new();
    let mut sync_id = None;
    loop {
        hub.continue_sync(&observer, token);
        let page = match rx.try_recv() {
            Some(Outbound::Text(text)) => decode_json(text.as_bytes()).expect("a page"),
            other => panic!("the page comes first, got {other:?}"),
        };
        let serial = page.channel_serial.clone().expect("channelSerial");
        let (id, cursor) = parse_sync_serial(&serial).expect("a sync serial");
        assert!(sync_id.get_or_insert(id.to_owned()) == id, "one syncId");
        pages.push((page.presence.unwrap_or_default().len(), cursor.to_owned()));
        match rx.try_recv() {
            Some(Outbound::Sync(next)) => token = next,
            None => break,
            other => panic!("the token again or nothing, got {other:?}"),
        }
    }
    assert_eq!(
        pages,
        [(100, "1".into()), (100, "2".into()), (50, String::new())]
    );
}

#[test]
fn members_entering_changing_and_leaving_on_both_sides_of_the_cursor_end_as_the_server_has_them() {
    let mut hub = hub();
    let (member, _rx) = loader(&mut hub);
    presence_of(&mut hub, &member, PresenceAction::Enter, &ids(0..400), "v1");
    let (observer, rx) = connect(&mut hub, "observer");
    attach(&mut hub, &observer, "room", 0);
    let mut client = Observer::default();
    let mut step = 0;
    loop {
        let Some(out) = rx.try_recv() else { break };
        match out {
            Outbound::Text(text) => client.take(&decode_json(text.as_bytes()).expect("frame")),
            Outbound::Binary(_) => panic!("a JSON connection gets text frames"),
            Outbound::Sync(token) if step < 3 => {
                // Between pages, changes behind the cursor, ahead of it, and new members
                // on both sides of it.
                let (behind, ahead) = (step.max(1) * 100 - 80, step * 100 + 150);
                let ids_at = |at: usize| ids(at..at + 5);
                presence_of(
                    &mut hub,
                    &member,
                    PresenceAction::Update,
                    &ids_at(behind),
                    "v2",
                );
                presence_of(
                    &mut hub,
                    &member,
                    PresenceAction::Leave,
                    &ids_at(behind + 10),
                    "",
                );
                presence_of(
                    &mut hub,
                    &member,
                    PresenceAction::Update,
                    &ids_at(ahead),
                    "v3",
                );
                presence_of(
                    &mut hub,
                    &member,
                    PresenceAction::Leave,
                    &ids_at(ahead + 10),
                    "",
                );
                let new: Vec<String> = (0..3).map(|n| format!("m{behind:04}-{n}")).collect();
                presence_of(&mut hub, &member, PresenceAction::Enter, &new, "new");
                let new: Vec<String> = (0..3).map(|n| format!("m{ahead:04}-{n}")).collect();
                presence_of(&mut hub, &member, PresenceAction::Enter, &new, "new");
                step += 1;
                hub.continue_sync(&observer, token);
            }
            Outbound::Sync(token) => hub.continue_sync(&observer, token),
            Outbound::Close => {}
        }
    }
    assert_eq!(client.completed.len(), 1, "the sync completed");
    assert!(step == 3, "changes between {step} pages");
    assert_eq!(client.members(), server_members(&hub));
}

#[test]
fn a_detach_or_a_new_attach_makes_the_old_token_a_no_op() {
    let mut hub = hub();
    let (member, _rx) = loader(&mut hub);
    presence_of(&mut hub, &member, PresenceAction::Enter, &ids(0..250), "d");
    let (observer, mut rx) = connect(&mut hub, "observer");
    attach(&mut hub, &observer, "room", 0);
    let (_, old) = until_token(&mut rx);
    attach(&mut hub, &observer, "room", 0);
    hub.continue_sync(&observer, old);
    let frames = synced(&mut hub, &observer, &mut rx);
    let mut client = Observer::default();
    frames.iter().for_each(|f| client.take(f));
    assert_eq!(client.completed.len(), 1, "{frames:?}");
    let syncs = frames.iter().filter(|f| f.action == Action::Sync);
    assert_eq!(syncs.count(), 3, "only the new sync's pages");
    assert_eq!(client.members(), server_members(&hub));

    attach(&mut hub, &observer, "room", 0);
    let (_, old) = until_token(&mut rx);
    hub.detach(&observer, "room", 0);
    hub.continue_sync(&observer, old);
    let frames = synced(&mut hub, &observer, &mut rx);
    let actions: Vec<Action> = frames.iter().map(|f| f.action).collect();
    assert_eq!(actions, [Action::Detached]);
}

#[test]
fn a_token_from_an_earlier_transport_is_a_no_op() {
    let mut hub = hub();
    let (member, _rx) = loader(&mut hub);
    presence_of(&mut hub, &member, PresenceAction::Enter, &ids(0..10), "d");
    let (observer, mut rx) = connect(&mut hub, "observer");
    attach(&mut hub, &observer, "room", 0);
    let (_, old) = until_token(&mut rx);
    let key = hub.connection(&observer).expect("kept").key.clone();
    let (resumed, mut new_rx) = connect_with(&mut hub, "observer", Capability::all(), Some(&key));
    assert_eq!(resumed, observer);
    let _ = synced(&mut hub, &observer, &mut new_rx);
    hub.continue_sync(&observer, old);
    assert!(synced(&mut hub, &observer, &mut new_rx).is_empty());
    assert!(synced(&mut hub, &observer, &mut rx).is_empty());
}

#[test]
fn a_channel_emptied_before_the_token_is_reached_still_ends_the_sync() {
    let mut hub = hub();
    let (member, _rx) = loader(&mut hub);
    presence_of(&mut hub, &member, PresenceAction::Enter, &ids(0..150), "d");
    let (observer, mut rx) = connect(&mut hub, "observer");
    attach(&mut hub, &observer, "room", 0);
    let (frames, token) = until_token(&mut rx);
    assert!(frames[0].has_flag(Flags::HAS_PRESENCE));
    presence_of(&mut hub, &member, PresenceAction::Leave, &ids(0..150), "");
    hub.continue_sync(&observer, token);
    let frames = synced(&mut hub, &observer, &mut rx);
    let syncs: Vec<&ProtocolMessage> = frames.iter().filter(|f| f.action == Action::Sync).collect();
    assert_eq!(syncs.len(), 1, "{frames:?}");
    assert_eq!(syncs[0].presence.as_deref().map(<[_]>::len), Some(0));
    let serial = syncs[0].channel_serial.as_deref().unwrap_or_default();
    assert!(parse_sync_serial(serial).is_some_and(|(_, cursor)| cursor.is_empty()));
    assert!(hub.connection(&observer).expect("kept").syncs.is_empty());
}
