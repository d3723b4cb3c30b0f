//! The hub's memory stays bounded: channels go once nothing needs them, reads create
//! none, and presence history and the replay log keep to their limits. And what a
//! publish goes out as, and the ids it keeps.

use super::*;
use crate::auth::Identity;
use roster::auth::Capability;
use roster::presence::MemberFilter;
use roster::protocol::{
    codes, decode_json, Action, Data, Flags, Message, PresenceAction, PresenceMessage,
};

pub(super) const RETENTION: u64 = 1_000;

pub(super) fn hub() -> Hub {
    Hub::new(HubConfig {
        sync_page_size: 100,
        sync_page_bytes: 2_048,
        max_message_size: 65_536,
        history: HistoryLimits {
            retention: RETENTION,
            max_len: 100,
            max_bytes: 1 << 20,
            total_bytes: usize::MAX,
        },
        limits: Limits {
            channels_per_connection: 200,
            members_per_channel: 1_000,
            members_per_connection: 1_000,
            presence_data_per_channel: 1 << 20,
            presence_data_per_connection: 1 << 20,
        },
        server_id: "test".into(),
        replay: ReplayLimits {
            max_age: 10_000,
            max_len: 100,
            max_bytes: 1 << 20,
            total_bytes: usize::MAX,
        },
    })
}

/// A connection for `client_id` allowed everything, with the queue its frames go to.
pub(super) fn connect(hub: &mut Hub, client_id: &str) -> (String, Rx) {
    connect_with(hub, client_id, Capability::all(), None)
}

pub(super) fn connect_with(
    hub: &mut Hub,
    client_id: &str,
    capability: Capability,
    resume: Option<&str>,
) -> (String, Rx) {
    let (tx, rx) = outbox(usize::MAX);
    let identity = Identity {
        client_id: Some(client_id.to_owned()),
        capability: capability.into(),
        expires: None,
    };
    let connected = hub.connect(identity, true, Format::Json, 0, resume, tx);
    (connected.conn_id, rx)
}

/// Every frame queued for a connection so far.
pub(super) fn received(rx: &mut Rx) -> Vec<ProtocolMessage> {
    let mut frames = Vec::new();
    while let Some(out) = rx.try_recv() {
        if let Outbound::Text(text) = out {
            frames.push(decode_json(text.as_bytes()).expect("the hub writes valid frames"));
        }
    }
    frames
}

pub(super) fn attach(hub: &mut Hub, conn_id: &str, channel: &str, now: u64) {
    hub.attach(
        conn_id,
        &ProtocolMessage::for_channel(Action::Attach, channel),
        now,
    );
}

pub(super) fn presence(
    hub: &mut Hub,
    conn_id: &str,
    channel: &str,
    action: PresenceAction,
    now: u64,
) {
    let msg = ProtocolMessage {
        presence: Some(vec![PresenceMessage::new(action)]),
        ..ProtocolMessage::for_channel(Action::Presence, channel)
    };
    hub.presence(conn_id, &msg, now).expect("presence applies");
}

pub(super) fn publish(hub: &mut Hub, conn_id: &str, channel: &str, data: &str, now: u64) {
    let msg = ProtocolMessage {
        messages: Some(vec![Message {
            data: Some(Data::String(data.to_owned())),
            ..Message::default()
        }]),
        ..ProtocolMessage::for_channel(Action::Message, channel)
    };
    hub.publish(conn_id, &msg, now).expect("publish applies");
}

#[test]
fn a_channel_goes_when_its_last_attachment_detaches() {
    let mut hub = hub();
    let (a, _rx_a) = connect(&mut hub, "a");
    let (b, _rx_b) = connect(&mut hub, "b");
    attach(&mut hub, &a, "room", 0);
    attach(&mut hub, &b, "room", 0);
    publish(&mut hub, &a, "room", "hello", 1);
    hub.detach(&a, "room", 2);
    assert_eq!(hub.channel_count(), 1, "b is still attached");
    hub.detach(&b, "room", 3);
    assert_eq!(hub.channel_count(), 0);
}

#[test]
fn reads_and_no_op_operations_on_unknown_channels_create_nothing() {
    let mut hub = hub();
    let limited = Capability::parse(r#"{"room":["subscribe"]}"#).expect("capability");
    let (conn, _rx) = connect_with(&mut hub, "a", limited, None);
    let (other, _rx_other) = connect(&mut hub, "b");
    assert_eq!(hub.members("x1", &MemberFilter::default()).count(), 0);
    assert!(hub.history("x2", 0).is_empty());
    attach(&mut hub, &conn, "refused", 0);
    hub.detach(&other, "never-attached", 0);
    publish(&mut hub, &other, "nobody-listens", "hi", 0);
    presence(&mut hub, &other, "nobody-present", PresenceAction::Leave, 0);
    assert_eq!(hub.channel_count(), 0);
    let tracked = &hub.connection(&other).expect("connection").channels;
    assert!(tracked.is_empty(), "{tracked:?}");
}

#[test]
fn a_channel_kept_by_presence_history_goes_when_it_ages_out() {
    let mut hub = hub();
    let (conn, _rx) = connect(&mut hub, "a");
    presence(&mut hub, &conn, "lobby", PresenceAction::Enter, 100);
    presence(&mut hub, &conn, "lobby", PresenceAction::Leave, 200);
    assert!(hub.connection(&conn).expect("conn").channels.is_empty());
    assert_eq!(hub.history("lobby", 300).len(), 2);
    hub.sweep(200 + RETENTION);
    assert_eq!(
        hub.channel_count(),
        1,
        "the leave is still within retention"
    );
    hub.sweep(201 + RETENTION);
    assert_eq!(hub.channel_count(), 0);
}

#[test]
fn a_sweep_leaves_a_channel_that_is_in_use_again() {
    let mut hub = hub();
    let (conn, _rx) = connect(&mut hub, "a");
    presence(&mut hub, &conn, "lobby", PresenceAction::Enter, 100);
    presence(&mut hub, &conn, "lobby", PresenceAction::Leave, 100);
    attach(&mut hub, &conn, "lobby", 150);
    hub.sweep(10 * RETENTION);
    assert_eq!(hub.channel_count(), 1, "attached");
    hub.detach(&conn, "lobby", 10 * RETENTION);
    assert_eq!(hub.channel_count(), 0, "its history aged out meanwhile");
}

#[test]
fn a_dropped_connections_channels_go_after_its_state_ttl_and_history() {
    let mut hub = hub();
    let (conn, _rx) = connect(&mut hub, "a");
    attach(&mut hub, &conn, "room", 0);
    presence(&mut hub, &conn, "room", PresenceAction::Enter, 0);
    presence(&mut hub, &conn, "lobby", PresenceAction::Enter, 0);
    hub.transport_lost(&conn, 0);
    hub.expire_members(&conn, 0, 100);
    let tracked: Vec<&String> = hub
        .connection(&conn)
        .expect("kept")
        .channels
        .iter()
        .collect();
    assert_eq!(
        tracked,
        ["room"],
        "the attachment is kept, lobby's member left"
    );
    hub.expire_connection(&conn, 0, 500);
    hub.sweep(500);
    assert_eq!(
        hub.channel_count(),
        2,
        "their leaves are in presence history"
    );
    hub.sweep(100 + RETENTION + 1);
    assert_eq!(hub.channel_count(), 0);
}

#[test]
fn the_replay_log_is_emptied_when_no_attachment_is_left() {
    let mut hub = hub();
    let (a, _rx_a) = connect(&mut hub, "a");
    let (b, _rx_b) = connect(&mut hub, "b");
    presence(&mut hub, &b, "room", PresenceAction::Enter, 0);
    attach(&mut hub, &a, "room", 0);
    publish(&mut hub, &b, "room", "one", 0);
    assert_eq!(hub.channels["room"].replay.len(), 1);
    hub.detach(&a, "room", 0);
    assert_eq!(hub.channels["room"].replay.len(), 0);
    publish(&mut hub, &b, "room", "two", 0);
    assert_eq!(hub.channels["room"].replay.len(), 0, "nobody to resume");
}

#[test]
fn presence_history_keeps_the_newest_events_within_its_limit() {
    let mut hub = Hub::new(HubConfig {
        history: HistoryLimits {
            max_len: 3,
            ..hub().config.history
        },
        ..hub().config
    });
    let (conn, _rx) = connect(&mut hub, "a");
    for now in 0..5 {
        presence(&mut hub, &conn, "lobby", PresenceAction::Update, now);
    }
    let times: Vec<(u64, Option<u64>)> = hub
        .history("lobby", 5)
        .iter()
        .map(|(position, m)| (*position, m.timestamp))
        .collect();
    assert_eq!(times, [(2, Some(2)), (3, Some(3)), (4, Some(4))]);
}

#[test]
fn sync_pages_keep_to_their_byte_bound_and_carry_every_member() {
    let mut hub = hub();
    let (observer, mut rx) = connect(&mut hub, "observer");
    let any = Capability::parse(r#"{"*":["*"]}"#).expect("capability");
    let (conn, _rx) = connect_with(&mut hub, "*", any, None);
    let member = |client: String, data: String| PresenceMessage {
        client_id: Some(client),
        data: Some(Data::String(data)),
        ..PresenceMessage::new(PresenceAction::Enter)
    };
    // 30 members of about 600 bytes, and one larger than a whole page.
    let mut members: Vec<PresenceMessage> = (0..30)
        .map(|n| member(format!("m{n:02}"), "x".repeat(500)))
        .collect();
    members.push(member("huge".into(), "y".repeat(5_000)));
    let enter = ProtocolMessage {
        presence: Some(members),
        ..ProtocolMessage::for_channel(Action::Presence, "room")
    };
    hub.presence(&conn, &enter, 0).expect("presence applies");
    attach(&mut hub, &observer, "room", 0);
    let syncs: Vec<ProtocolMessage> = super::sync_tests::synced(&mut hub, &observer, &mut rx)
        .into_iter()
        .filter(|m| m.action == Action::Sync)
        .collect();
    let sizes: Vec<usize> = syncs
        .iter()
        .map(|m| m.presence.as_ref().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 31);
    assert!(sizes.len() >= 11, "pages of 3 or fewer: {sizes:?}");
    for page in &syncs {
        let members = page.presence.as_deref().unwrap_or_default();
        let large = members
            .iter()
            .any(|m| m.client_id.as_deref() == Some("huge"));
        let bytes = roster::protocol::encode_json(page).len();
        assert!(large || bytes <= 2_048 + 300, "{bytes} bytes: {sizes:?}");
        assert!(!large || members.len() == 1, "{sizes:?}");
    }
    let last = syncs.last().and_then(|m| m.channel_serial.as_deref());
    assert!(last.is_some_and(|s| s.ends_with(':')), "{last:?}");
}

#[test]
fn a_resume_past_the_byte_bound_is_answered_with_90003() {
    let mut hub = Hub::new(HubConfig {
        replay: ReplayLimits {
            max_bytes: 2_500,
            ..hub().config.replay
        },
        ..hub().config
    });
    let (a, mut rx_a) = connect(&mut hub, "a");
    let (b, _rx_b) = connect(&mut hub, "b");
    attach(&mut hub, &a, "room", 0);
    let data = "x".repeat(1_000);
    publish(&mut hub, &b, "room", &data, 1);
    let serial_of = |frames: Vec<ProtocolMessage>| {
        let last = frames.last().expect("a frame");
        last.channel_serial.clone().expect("channelSerial")
    };
    let after_first = serial_of(received(&mut rx_a));
    publish(&mut hub, &b, "room", &data, 2);
    let after_second = serial_of(received(&mut rx_a));
    hub.transport_lost(&a, 0);
    publish(&mut hub, &b, "room", &data, 3);
    publish(&mut hub, &b, "room", &data, 4);
    let key = hub.connection(&a).expect("kept").key.clone();
    let (resumed, mut rx) = connect_with(&mut hub, "a", Capability::all(), Some(&key));
    assert_eq!(resumed, a);

    // Two frames of about 1.2 KB fit in 2500 bytes: those after the second.
    let mut reattach = |hub: &mut Hub, from: &str| {
        let msg = ProtocolMessage {
            channel_serial: Some(from.to_owned()),
            ..ProtocolMessage::for_channel(Action::Attach, "room")
        };
        hub.attach(&a, &msg, 5);
        received(&mut rx)
    };
    let frames = reattach(&mut hub, &after_second);
    assert!(frames[0].has_flag(Flags::RESUMED | Flags::HAS_BACKLOG));
    assert_eq!(frames.len(), 3, "ATTACHED and two frames: {frames:?}");
    let frames = reattach(&mut hub, &after_first);
    assert!(!frames[0].has_flag(Flags::RESUMED), "{frames:?}");
    let code = frames[0].error.as_ref().map(|e| e.code);
    assert_eq!(code, Some(codes::CHANNEL_CONTINUITY_LOST));
    assert_eq!(frames.len(), 1, "no backlog: {frames:?}");
}

/// One presence item for `client_id` with `data` on `channel`, from `conn_id`.
fn presence_item(hub: &mut Hub, conn_id: &str, channel: &str, item: (PresenceAction, &str, &str)) {
    let (action, client_id, data) = item;
    let msg = ProtocolMessage {
        presence: Some(vec![PresenceMessage {
            client_id: Some(client_id.to_owned()),
            data: Some(Data::String(data.to_owned())),
            ..PresenceMessage::new(action)
        }]),
        ..ProtocolMessage::for_channel(Action::Presence, channel)
    };
    hub.presence(conn_id, &msg, 0).expect("presence applies");
}

#[test]
fn a_connections_held_bytes_follow_its_members_across_channels_until_they_expire() {
    let mut hub = hub();
    let (a, _rx) = connect(&mut hub, "*");
    let held = |hub: &Hub| hub.connection(&a).map(|c| (c.member_count, c.held_bytes));
    // Each member counts its clientId (1 byte) and its data.
    presence_item(&mut hub, &a, "one", (PresenceAction::Enter, "x", "12345"));
    presence_item(&mut hub, &a, "two", (PresenceAction::Enter, "y", "123"));
    presence_item(&mut hub, &a, "two", (PresenceAction::Enter, "z", ""));
    assert_eq!(held(&hub), Some((3, 6 + 4 + 1)));
    // An update replaces the member's bytes; a leave gives them back.
    presence_item(&mut hub, &a, "one", (PresenceAction::Update, "x", "1"));
    assert_eq!(held(&hub), Some((3, 2 + 4 + 1)));
    presence_item(&mut hub, &a, "two", (PresenceAction::Leave, "y", ""));
    assert_eq!(held(&hub), Some((2, 2 + 1)));
    // A dropped transport keeps them; a resume keeps them with the same connection; the
    // leaves the server makes after remainPresentFor give them back.
    let generation = hub.connection(&a).map(|c| c.generation).unwrap_or_default();
    hub.transport_lost(&a, generation);
    let key = hub
        .connection(&a)
        .map(|c| c.key.clone())
        .unwrap_or_default();
    let (resumed, _rx2) = connect_with(&mut hub, "*", Capability::all(), Some(&key));
    assert_eq!(resumed, a);
    assert_eq!(held(&hub), Some((2, 3)));
    hub.transport_lost(&a, generation + 1);
    hub.expire_members(&a, generation + 1, 1);
    assert_eq!(held(&hub), Some((0, 0)));
}

#[test]
fn a_publish_goes_out_as_a_create_without_the_fields_the_server_gives() {
    let mut hub = hub();
    let (a, _rx_a) = connect(&mut hub, "a");
    let (b, mut rx_b) = connect(&mut hub, "b");
    attach(&mut hub, &b, "room", 0);
    received(&mut rx_b);
    let claims = Message {
        action: Some(2),
        serial: Some("made-up".into()),
        version: Some(roster::json::JsonText::new(r#"{"serial":"x"}"#).expect("JSON")),
        annotations: Some(roster::json::JsonText::new("{}").expect("JSON")),
        ..Message::default()
    };
    let msg = ProtocolMessage {
        messages: Some(vec![Message::default(), claims]),
        ..ProtocolMessage::for_channel(Action::Message, "room")
    };
    hub.publish(&a, &msg, 7).expect("publish applies");
    let frames = received(&mut rx_b);
    let messages = frames[0].messages.as_deref().expect("the messages");
    for m in messages {
        assert_eq!(m.action, Some(Message::CREATE));
        assert_eq!(
            (&m.serial, &m.version, &m.annotations),
            (&None, &None, &None)
        );
        assert_eq!(m.timestamp, Some(7));
    }
}

#[test]
fn a_publish_keeps_the_message_id_its_publisher_gave() {
    let mut hub = hub();
    let (a, _rx_a) = connect(&mut hub, "a");
    let (b, mut rx_b) = connect(&mut hub, "b");
    attach(&mut hub, &b, "room", 0);
    received(&mut rx_b);
    let given = |id: &str| Message {
        id: Some(id.into()),
        ..Message::default()
    };
    let msg = ProtocolMessage {
        msg_serial: Some(4),
        messages: Some(vec![given("idempotent-1"), Message::default(), given("")]),
        ..ProtocolMessage::for_channel(Action::Message, "room")
    };
    hub.publish(&a, &msg, 7).expect("publish applies");
    let frames = received(&mut rx_b);
    let messages = frames[0].messages.as_deref().expect("the messages");
    let ids: Vec<_> = messages.iter().map(|m| m.id.clone()).collect();
    let ours = |index| Some(format!("{a}:4:{index}"));
    assert_eq!(ids, [Some("idempotent-1".into()), ours(1), ours(2)]);
}

#[test]
fn a_message_id_given_again_on_the_channel_is_not_delivered_again() {
    let mut hub = hub();
    let (a, _rx_a) = connect(&mut hub, "a");
    let (b, mut rx_b) = connect(&mut hub, "b");
    attach(&mut hub, &b, "room", 0);
    attach(&mut hub, &b, "other", 0);
    received(&mut rx_b);
    let given = |id: &str| Message {
        id: Some(id.into()),
        ..Message::default()
    };
    let mut publish = |channel: &str, messages: Vec<Message>, now| {
        let msg = ProtocolMessage {
            msg_serial: Some(now),
            messages: Some(messages),
            ..ProtocolMessage::for_channel(Action::Message, channel)
        };
        hub.publish(&a, &msg, now)
            .expect("a repeat is acknowledged too");
    };
    publish("room", vec![given("x"), Message::default()], 1);
    publish("room", vec![given("x")], 2);
    publish("room", vec![given("x"), given("y"), Message::default()], 3);
    publish("other", vec![given("x")], 4);
    publish("room", vec![given("x")], 4 + super::recent_ids::WINDOW_MS);
    let delivered: Vec<_> = received(&mut rx_b)
        .iter()
        .map(|frame| {
            let ids = frame
                .messages
                .iter()
                .flatten()
                .map(|m| m.id.clone().unwrap_or_default());
            (
                frame.channel.clone().unwrap_or_default(),
                ids.collect::<Vec<_>>(),
            )
        })
        .collect();
    let ours = |serial, index| format!("{a}:{serial}:{index}");
    let frames = [
        ("room", vec!["x".into(), ours(1, 1)]),
        ("room", vec!["y".into(), ours(3, 2)]),
        ("other", vec!["x".into()]),
        ("room", vec!["x".into()]),
    ];
    let expected: Vec<_> = frames
        .into_iter()
        .map(|(c, ids)| (c.to_owned(), ids))
        .collect();
    assert_eq!(delivered, expected);
}

#[test]
fn an_attachment_without_a_mode_may_not_use_it() {
    let mut hub = hub();
    let (a, mut rx) = connect(&mut hub, "a");
    let attach_with = |hub: &mut Hub, channel: &str, modes: Flags| {
        let msg = ProtocolMessage {
            flags: Some(modes),
            ..ProtocolMessage::for_channel(Action::Attach, channel)
        };
        hub.attach(&a, &msg, 0);
    };
    attach_with(
        &mut hub,
        "watch",
        Flags::PRESENCE_SUBSCRIBE | Flags::SUBSCRIBE,
    );
    attach_with(&mut hub, "talk", Flags::PUBLISH | Flags::PRESENCE);
    received(&mut rx);
    let enter = |channel: &str| ProtocolMessage {
        presence: Some(vec![PresenceMessage::new(PresenceAction::Enter)]),
        ..ProtocolMessage::for_channel(Action::Presence, channel)
    };
    let message = |channel: &str| ProtocolMessage {
        messages: Some(vec![Message::default()]),
        ..ProtocolMessage::for_channel(Action::Message, channel)
    };
    let code = |result: Result<(), roster::protocol::ErrorInfo>| {
        result.err().map(|e| (e.code, e.status_code))
    };
    let refused = Some((codes::MODE_NOT_REQUESTED, 401));
    assert_eq!(code(hub.presence(&a, &enter("watch"), 1)), refused);
    assert_eq!(code(hub.publish(&a, &message("watch"), 1)), refused);
    assert_eq!(code(hub.presence(&a, &enter("talk"), 1)), None);
    assert_eq!(code(hub.publish(&a, &message("talk"), 1)), None);
    // Publishing without attaching asks for no mode; the capability decides.
    assert_eq!(code(hub.publish(&a, &message("elsewhere"), 1)), None);
}

#[test]
fn a_new_token_that_allows_nothing_on_a_channel_fails_it_and_its_members_leave() {
    let mut hub = hub();
    let (a, mut rx_a) = connect(&mut hub, "a");
    let (b, mut rx_b) = connect(&mut hub, "b");
    for channel in ["room", "other"] {
        attach(&mut hub, &a, channel, 0);
        presence(&mut hub, &a, channel, PresenceAction::Enter, 0);
    }
    attach(&mut hub, &b, "room", 0);
    received(&mut rx_a);
    received(&mut rx_b);
    let identity = Identity {
        client_id: Some("a".to_owned()),
        capability: Capability::parse(r#"{"other":["*"]}"#)
            .expect("capability")
            .into(),
        expires: None,
    };
    assert!(matches!(hub.reauthorize(&a, identity), Some(Ok(_))));
    hub.apply_capability(&a, 1);
    let frames = received(&mut rx_a);
    let errors: Vec<_> = frames
        .iter()
        .filter(|f| f.action == Action::Error)
        .map(|f| (f.channel.clone(), f.error.as_ref().map(|e| e.code)))
        .collect();
    assert_eq!(
        errors,
        vec![(Some("room".to_owned()), Some(codes::NOT_PERMITTED))],
        "only the channel the token no longer allows fails"
    );
    let leaves: Vec<_> = received(&mut rx_b)
        .into_iter()
        .filter(|f| f.action == Action::Presence)
        .flat_map(|f| f.presence.unwrap_or_default())
        .map(|p| (p.action, p.client_id))
        .collect();
    assert_eq!(leaves, vec![(PresenceAction::Leave, Some("a".to_owned()))]);
    let attachments = |name: &str| {
        hub.channels
            .get(name)
            .is_some_and(|c| c.subscribers.contains_key(&a))
    };
    assert!(!attachments("room") && attachments("other"));
}

#[test]
fn a_new_token_grants_its_modes_to_the_attachments_it_still_allows() {
    let mut hub = hub();
    let only = |json: &str| Capability::parse(json).expect("capability");
    let (a, _rx_a) = connect_with(&mut hub, "a", only(r#"{"room":["subscribe"]}"#), None);
    let (b, mut rx_b) = connect(&mut hub, "b");
    attach(&mut hub, &a, "room", 0);
    attach(&mut hub, &b, "room", 0);
    received(&mut rx_b);
    let reauthorize = |hub: &mut Hub, conn_id: &str, client_id: &str, capability: Capability| {
        let identity = Identity {
            client_id: Some(client_id.to_owned()),
            capability: capability.into(),
            expires: None,
        };
        assert!(matches!(hub.reauthorize(conn_id, identity), Some(Ok(_))));
        hub.apply_capability(conn_id, 1);
    };
    let message = ProtocolMessage {
        messages: Some(vec![Message::default()]),
        ..ProtocolMessage::for_channel(Action::Message, "room")
    };
    let code = |result: Result<(), roster::protocol::ErrorInfo>| result.err().map(|e| e.code);
    assert_eq!(
        code(hub.publish(&a, &message, 1)),
        Some(codes::NOT_PERMITTED)
    );
    // More: a publishes without attaching again, as on Ably.
    reauthorize(
        &mut hub,
        &a,
        "a",
        only(r#"{"room":["subscribe","publish"]}"#),
    );
    assert_eq!(code(hub.publish(&a, &message, 1)), None);
    assert_eq!(received(&mut rx_b).len(), 1, "b hears it");
    // Less: b may still publish there, but no longer hears what is published.
    reauthorize(&mut hub, &b, "b", only(r#"{"room":["publish"]}"#));
    assert_eq!(code(hub.publish(&a, &message, 2)), None);
    assert!(received(&mut rx_b).is_empty(), "b no longer subscribes");
}
