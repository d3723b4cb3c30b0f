//! Channel continuity across a resumed connection: the re-ATTACH with the last
//! `channelSerial` gets RESUMED and every frame missed after it, once and in order, or
//! 90003 when they are no longer kept; the client's re-ENTER of its own member is absorbed.

use crate::support::{presence, unique_channel, Client, Server, FULL_KEY};
use roster::protocol::{codes, Action, Data, Flags, PresenceAction, ProtocolMessage};

/// Opens a connection for `client_id` with extra `params`; returns it with its
/// connectionId and connectionKey.
async fn open_resumable(
    server: &Server,
    client_id: &str,
    params: &str,
) -> (Client, String, String) {
    let (client, connected) = server
        .open(&format!("key={FULL_KEY}&clientId={client_id}{params}"))
        .await;
    assert_eq!(connected.action, Action::Connected, "{connected:?}");
    let conn_id = connected.connection_id.expect("connectionId");
    let key = connected
        .connection_details
        .and_then(|d| d.connection_key)
        .expect("connectionKey");
    (client, conn_id, key)
}

/// Alice on a resumable connection: the client, its connectionId, its connectionKey and
/// the `channelSerial` of its ATTACHED.
type Alice = (Client, String, String, String);

/// What every test here starts from: a server with `flags`, a channel named after
/// `prefix`, the client `other` connected (not attached), and alice connected with extra
/// `params` and attached to the channel.
async fn prologue(
    flags: &[&str],
    prefix: &str,
    other: &str,
    params: &str,
) -> (Server, String, Client, Alice) {
    let server = Server::start(flags);
    let channel = unique_channel(prefix);
    let (other, _) = server.connect(FULL_KEY, Some(other)).await;
    let (mut alice, alice_id, key) = open_resumable(&server, "alice", params).await;
    let attached = alice.attach(&channel).await;
    let attached_at = attached.channel_serial.expect("channelSerial");
    (server, channel, other, (alice, alice_id, key, attached_at))
}

/// Resumes `key` and asserts the connection was kept (same connectionId, no error).
async fn resume(
    server: &Server,
    client_id: &str,
    params: &str,
    key: &str,
    conn_id: &str,
) -> Client {
    let (client, connected) = server
        .open(&format!(
            "key={FULL_KEY}&clientId={client_id}&resume={key}{params}"
        ))
        .await;
    assert_eq!(connected.action, Action::Connected);
    assert_eq!(connected.error, None);
    assert_eq!(connected.connection_id.as_deref(), Some(conn_id));
    client
}

/// An ATTACH naming `channel_serial`, with mode `flags` if any.
fn attach_from(channel: &str, channel_serial: &str, flags: Option<Flags>) -> ProtocolMessage {
    ProtocolMessage {
        channel_serial: Some(channel_serial.to_owned()),
        flags,
        ..ProtocolMessage::for_channel(Action::Attach, channel)
    }
}

/// Sends `attach` and asserts the very next frame is its ATTACHED.
async fn reattach(client: &mut Client, attach: &ProtocolMessage) -> ProtocolMessage {
    client.send(attach).await;
    let attached = client.recv().await;
    assert_eq!(attached.action, Action::Attached, "{attached:?}");
    attached
}

/// `reattach`, asserting the channel resumed with a backlog to follow.
async fn resume_channel(client: &mut Client, attach: &ProtocolMessage) -> ProtocolMessage {
    let attached = reattach(client, attach).await;
    assert!(
        attached.has_flag(Flags::RESUMED | Flags::HAS_BACKLOG),
        "{attached:?}"
    );
    attached
}

fn text(data: &Option<Data>) -> &str {
    match data {
        Some(Data::String(s)) => s,
        other => panic!("string data expected, got {other:?}"),
    }
}

/// A frame as the tests compare it: `message DATA`, `enter CLIENT`, `sync CLIENT,...`.
fn seen(msg: &ProtocolMessage) -> String {
    match msg.action {
        Action::Message => {
            let data: Vec<&str> = msg
                .messages
                .iter()
                .flatten()
                .map(|m| text(&m.data))
                .collect();
            format!("message {}", data.join(","))
        }
        Action::Presence | Action::Sync => {
            let items: Vec<String> = msg
                .presence
                .iter()
                .flatten()
                .map(|p| {
                    let who = p.client_id.as_deref().unwrap_or("?");
                    match msg.action {
                        Action::Sync => who.to_owned(),
                        _ => format!("{:?} {who}", p.action).to_lowercase(),
                    }
                })
                .collect();
            match msg.action {
                Action::Sync => format!("sync {}", items.join(",")),
                _ => items.join(","),
            }
        }
        other => format!("{other:?}"),
    }
}

/// `publisher` publishes `after` on `channel`, then every frame `client` gets up to and
/// including that message, as [`seen`]; asserts the MESSAGE/PRESENCE serials among them
/// rise strictly from above `from`.
async fn frames_until_after(
    client: &mut Client,
    publisher: &mut Client,
    channel: &str,
    serial: u64,
    from: &str,
) -> Vec<String> {
    publisher.publish(channel, serial, "after").await;
    let mut frames = Vec::new();
    let mut last = from.to_owned();
    loop {
        let msg = client.recv().await;
        if matches!(msg.action, Action::Message | Action::Presence) {
            let serial = msg.channel_serial.clone().expect("channelSerial");
            assert!(serial > last, "{serial} after {last}: {frames:?}");
            last = serial;
        }
        frames.push(seen(&msg));
        if frames.last().is_some_and(|f| f == "message after") {
            return frames;
        }
    }
}

#[tokio::test]
async fn a_resumed_attachment_gets_what_it_missed_in_order_then_the_sync() {
    let (server, channel, mut bob, (mut alice, alice_id, key, _)) =
        prologue(&[], "missed", "bob", "").await;
    bob.attach(&channel).await;
    bob.presence(&channel, 0, PresenceAction::Enter).await;
    bob.publish(&channel, 1, "m1").await;
    assert_eq!(seen(&alice.recv_until(Action::Presence).await), "enter bob");
    let m1 = alice.recv_until(Action::Message).await;
    assert_eq!(seen(&m1), "message m1");
    let last_seen = m1.channel_serial.expect("channelSerial");
    drop(alice);

    // While alice is away: messages, a client's enter and leave, and the leave the
    // server makes up when a member's connection closes.
    bob.publish(&channel, 2, "m2").await;
    let (mut carol, _) = server.connect(FULL_KEY, Some("carol")).await;
    carol.presence(&channel, 0, PresenceAction::Enter).await;
    carol.presence(&channel, 1, PresenceAction::Leave).await;
    let (mut dave, _) = server.connect(FULL_KEY, Some("dave")).await;
    dave.presence(&channel, 0, PresenceAction::Enter).await;
    dave.send(&ProtocolMessage::new(Action::Close)).await;
    dave.recv_until(Action::Closed).await;
    bob.publish(&channel, 3, "m3").await;

    let mut alice = resume(&server, "alice", "", &key, &alice_id).await;
    let attached = reattach(&mut alice, &attach_from(&channel, &last_seen, None)).await;
    assert!(attached.has_flag(Flags::RESUMED), "{attached:?}");
    assert!(attached.has_flag(Flags::HAS_BACKLOG), "{attached:?}");
    assert!(attached.has_flag(Flags::HAS_PRESENCE), "{attached:?}");
    assert_eq!(attached.error, None);
    assert_eq!(attached.channel_serial.as_deref(), Some(last_seen.as_str()));
    let frames = frames_until_after(&mut alice, &mut bob, &channel, 4, &last_seen).await;
    assert_eq!(
        frames,
        [
            "message m2",
            "enter carol",
            "leave carol",
            "enter dave",
            "leave dave",
            "message m3",
            "sync bob",
            "message after",
        ]
    );
}

#[tokio::test]
async fn frames_unread_before_the_drop_and_sent_before_the_re_attach_follow_attached() {
    let (server, channel, mut bob, (alice, alice_id, key, attach_serial)) =
        prologue(&[], "unread", "bob", "").await;
    // Delivered to alice's socket, never read by her.
    bob.publish(&channel, 0, "m1").await;
    bob.publish(&channel, 1, "m2").await;
    drop(alice);
    bob.publish(&channel, 2, "m3").await;

    let mut alice = resume(&server, "alice", "", &key, &alice_id).await;
    // Fanned out live to the resumed transport before the re-ATTACH (a client that is
    // attaching drops it, RTL17), so it comes again after ATTACHED.
    bob.publish(&channel, 3, "m4").await;
    alice
        .send(&attach_from(&channel, &attach_serial, None))
        .await;
    assert_eq!(seen(&alice.recv().await), "message m4");
    let attached = alice.recv().await;
    assert_eq!(attached.action, Action::Attached, "{attached:?}");
    assert!(
        attached.has_flag(Flags::RESUMED | Flags::HAS_BACKLOG),
        "{attached:?}"
    );
    assert!(!attached.has_flag(Flags::HAS_PRESENCE), "{attached:?}");
    let frames = frames_until_after(&mut alice, &mut bob, &channel, 4, &attach_serial).await;
    assert_eq!(
        frames,
        [
            "message m1",
            "message m2",
            "message m3",
            "message m4",
            "message after"
        ]
    );
}

#[tokio::test]
async fn replay_keeps_to_echo_and_presence_subscribe() {
    let no_echo = "&echo=false";
    let (server, channel, mut bob, (mut alice, alice_id, alice_key, alice_from)) =
        prologue(&[], "rules", "bob", no_echo).await;
    let (mut dave, dave_id, dave_key) = open_resumable(&server, "dave", "").await;
    let subscribe_only = Some(Flags::SUBSCRIBE);
    dave.send(&ProtocolMessage {
        flags: subscribe_only,
        ..ProtocolMessage::for_channel(Action::Attach, &channel)
    })
    .await;
    let dave_from = dave
        .recv_until(Action::Attached)
        .await
        .channel_serial
        .expect("serial");
    alice.publish(&channel, 0, "own").await;
    bob.presence(&channel, 0, PresenceAction::Enter).await;
    bob.publish(&channel, 1, "theirs").await;
    drop(alice);
    drop(dave);

    let mut alice = resume(&server, "alice", no_echo, &alice_key, &alice_id).await;
    resume_channel(&mut alice, &attach_from(&channel, &alice_from, None)).await;
    let frames = frames_until_after(&mut alice, &mut bob, &channel, 2, &alice_from).await;
    assert_eq!(
        frames,
        ["enter bob", "message theirs", "sync bob", "message after"]
    );

    let mut dave = resume(&server, "dave", "", &dave_key, &dave_id).await;
    let attached = resume_channel(
        &mut dave,
        &attach_from(&channel, &dave_from, subscribe_only),
    )
    .await;
    assert!(!attached.has_flag(Flags::HAS_PRESENCE), "{attached:?}");
    let frames = frames_until_after(&mut dave, &mut bob, &channel, 3, &dave_from).await;
    assert_eq!(frames, ["message own", "message theirs", "message after"]);
}

#[tokio::test]
async fn a_serial_the_log_no_longer_covers_attaches_without_resumed_and_90003() {
    let (server, channel, mut bob, (mut alice, alice_id, key, before_all)) =
        prologue(&["--replay-limit", "2"], "expired", "bob", "").await;
    for (serial, data) in [(0, "m1"), (1, "m2"), (2, "m3")] {
        bob.publish(&channel, serial, data).await;
    }
    let after_m1 = alice
        .recv_until(Action::Message)
        .await
        .channel_serial
        .expect("serial");
    drop(alice);
    let mut alice = resume(&server, "alice", "", &key, &alice_id).await;

    // The log keeps two frames: m2 and m3, exactly what follows m1.
    resume_channel(&mut alice, &attach_from(&channel, &after_m1, None)).await;
    assert_eq!(seen(&alice.recv().await), "message m2");
    assert_eq!(seen(&alice.recv().await), "message m3");

    // m1 is gone; a serial this server never wrote cannot be continued either.
    for lost in [before_all.as_str(), "not-a-serial", "ffffffffffffffff"] {
        let attached = reattach(&mut alice, &attach_from(&channel, lost, None)).await;
        assert!(!attached.has_flag(Flags::RESUMED), "{lost}: {attached:?}");
        assert!(
            !attached.has_flag(Flags::HAS_BACKLOG),
            "{lost}: {attached:?}"
        );
        let error = attached.error.expect("an error");
        assert_eq!(error.code, codes::CHANNEL_CONTINUITY_LOST, "{lost}");
    }
    let frames = frames_until_after(&mut alice, &mut bob, &channel, 3, "").await;
    assert_eq!(frames, ["message after"]);
}

#[tokio::test]
async fn the_replay_log_keeps_to_its_byte_bound_and_a_serial_before_it_gets_90003() {
    // Each frame carries about 1.3 KB: two fit in 3,000 bytes, three do not.
    let (server, channel, mut bob, (mut alice, alice_id, key, _)) =
        prologue(&["--replay-bytes", "3000"], "bytes", "bob", "").await;
    let padding = "x".repeat(1_000);
    bob.publish(&channel, 0, &format!("m1{padding}")).await;
    let after_m1 = alice
        .recv_until(Action::Message)
        .await
        .channel_serial
        .expect("serial");
    drop(alice);
    for (serial, data) in [(1, "m2"), (2, "m3")] {
        bob.publish(&channel, serial, &format!("{data}{padding}"))
            .await;
    }
    let mut alice = resume(&server, "alice", "", &key, &alice_id).await;
    resume_channel(&mut alice, &attach_from(&channel, &after_m1, None)).await;
    for expected in ["m2", "m3"] {
        let missed = alice.recv().await;
        assert!(seen(&missed).starts_with(&format!("message {expected}x")));
    }
    bob.publish(&channel, 3, &format!("m4{padding}")).await;
    alice.recv_until(Action::Message).await;
    // m2 went to make room for m4: continuing from m1 is no longer possible.
    let attached = reattach(&mut alice, &attach_from(&channel, &after_m1, None)).await;
    assert!(!attached.has_flag(Flags::RESUMED), "{attached:?}");
    let error = attached.error.expect("an error");
    assert_eq!(error.code, codes::CHANNEL_CONTINUITY_LOST);
    let frames = frames_until_after(&mut alice, &mut bob, &channel, 4, "").await;
    assert_eq!(frames, ["message after"]);
}

#[tokio::test]
async fn a_re_enter_naming_the_members_id_is_acknowledged_and_absorbed() {
    let (server, channel, mut observer, (mut alice, alice_id, key, _)) =
        prologue(&[], "reenter", "observer", "").await;
    observer.attach(&channel).await;
    alice.presence(&channel, 0, PresenceAction::Enter).await;
    let entered = observer.recv_until(Action::Presence).await;
    assert_eq!(seen(&entered), "enter alice");
    let member_id = entered
        .presence
        .and_then(|p| p[0].id.clone())
        .expect("an id");
    drop(alice);

    let mut alice = resume(&server, "alice", "", &key, &alice_id).await;
    let attached = alice.attach(&channel).await;
    assert!(attached.has_flag(Flags::RESUMED), "{attached:?}");
    // RTP17g: the re-enter names the member's id and carries its data.
    let mut re_enter = presence(&channel, 1, PresenceAction::Enter, None, "data");
    if let Some(items) = re_enter.presence.as_mut() {
        items[0].id = Some(member_id);
    }
    alice.send(&re_enter).await;
    let ack = alice.recv_until(Action::Ack).await;
    assert_eq!(ack.msg_serial, Some(1));
    alice
        .send(&presence(
            &channel,
            2,
            PresenceAction::Update,
            None,
            "later",
        ))
        .await;

    for client in [&mut observer, &mut alice] {
        let next = client.next_presence().await;
        assert_eq!(next.len(), 1, "{next:?}");
        assert_eq!(next[0].action, PresenceAction::Update);
        assert_eq!(text(&next[0].data), "later");
    }
    let history = server
        .get_as_full_key(&format!("/channels/{channel}/presence/history"))
        .await;
    assert_eq!(history.status, 200, "{history:?}");
    let actions: Vec<u64> = history
        .json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|m| m["action"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(actions.len(), 2, "enter and update only: {actions:?}");
}

#[tokio::test]
async fn a_re_enter_naming_another_id_or_none_is_an_update() {
    let (_server, channel, mut observer, (mut alice, alice_id, _, _)) =
        prologue(&[], "reenter-other", "observer", "").await;
    observer.attach(&channel).await;
    alice.presence(&channel, 0, PresenceAction::Enter).await;
    assert_eq!(
        seen(&observer.recv_until(Action::Presence).await),
        "enter alice"
    );

    let mut other_id = presence(&channel, 1, PresenceAction::Enter, None, "again");
    if let Some(items) = other_id.presence.as_mut() {
        items[0].id = Some(format!("{alice_id}:7:0"));
    }
    let no_id = presence(&channel, 2, PresenceAction::Enter, None, "again");
    for re_enter in [other_id, no_id] {
        alice.send(&re_enter).await;
        let next = observer.next_presence().await;
        assert_eq!(next.len(), 1, "{next:?}");
        assert_eq!(next[0].action, PresenceAction::Update);
        assert_eq!(text(&next[0].data), "again");
    }
}

#[tokio::test]
async fn a_re_enter_naming_an_older_message_than_the_members_is_absorbed() {
    let (_server, channel, mut observer, (mut alice, alice_id, _, _)) =
        prologue(&[], "reenter-older", "observer", "").await;
    observer.attach(&channel).await;
    alice.presence(&channel, 0, PresenceAction::Enter).await;
    assert_eq!(
        seen(&observer.recv_until(Action::Presence).await),
        "enter alice"
    );
    // An update queued while offline reaches the server before the re-attach, and the
    // re-entry that follows names the enter before it: the update stays.
    alice
        .send(&presence(
            &channel,
            1,
            PresenceAction::Update,
            None,
            "offline",
        ))
        .await;
    let update = observer.next_presence().await;
    assert_eq!(text(&update[0].data), "offline");
    let mut stale = presence(&channel, 2, PresenceAction::Enter, None, "online");
    if let Some(items) = stale.presence.as_mut() {
        items[0].id = Some(format!("{alice_id}:0:0"));
    }
    alice.send(&stale).await;
    alice
        .send(&presence(
            &channel,
            3,
            PresenceAction::Update,
            None,
            "later",
        ))
        .await;
    let next = observer.next_presence().await;
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(
        text(&next[0].data),
        "later",
        "the stale re-entry was absorbed"
    );
}

#[tokio::test]
async fn a_resume_after_the_members_left_still_catches_up_on_the_channel() {
    let (server, channel, mut bob, (mut alice, alice_id, key, last_seen)) =
        prologue(&[], "late", "bob", "&remainPresentFor=100").await;
    bob.attach(&channel).await;
    alice.presence(&channel, 0, PresenceAction::Enter).await;
    assert_eq!(bob.next_presence().await[0].action, PresenceAction::Enter);
    drop(alice);

    // remainPresentFor runs out: alice's member leaves, her attachment stays.
    let leave = bob.next_presence().await;
    assert_eq!(leave[0].action, PresenceAction::Leave);
    bob.publish(&channel, 0, "m1").await;

    let mut alice = resume(&server, "alice", "", &key, &alice_id).await;
    let attached = reattach(&mut alice, &attach_from(&channel, &last_seen, None)).await;
    assert!(attached.has_flag(Flags::RESUMED), "{attached:?}");
    assert_eq!(attached.error, None);
    let frames = frames_until_after(&mut alice, &mut bob, &channel, 1, &last_seen).await;
    // Her enter is after the serial she names (she never read its echo), so it comes
    // again; the leave the server made up for her member is not sent to her, as live.
    assert_eq!(frames, ["enter alice", "message m1", "message after"]);
}

#[tokio::test]
async fn a_serial_before_frames_the_server_wide_budget_took_gets_90003_and_a_sync() {
    // Each message frame carries about 1.3 KB: two fit in 3,000 bytes, three do not,
    // whichever channels they went out on.
    let (server, channel, mut bob, (mut alice, alice_id, key, _)) =
        prologue(&["--replay-bytes-total", "3000"], "total", "bob", "").await;
    let other = unique_channel("total-other");
    let other_from = alice.attach(&other).await.channel_serial.expect("serial");
    bob.presence(&channel, 0, PresenceAction::Enter).await;
    let entered = alice.recv_until(Action::Presence).await;
    assert_eq!(seen(&entered), "enter bob");
    let last_seen = entered.channel_serial.expect("channelSerial");
    drop(alice);
    let padding = "x".repeat(1_000);
    bob.publish(&channel, 1, &format!("m1{padding}")).await;
    bob.publish(&other, 2, &format!("m2{padding}")).await;
    bob.publish(&other, 3, &format!("m3{padding}")).await;

    // The oldest frames went, both on `channel`: m1 cannot be replayed.
    let mut alice = resume(&server, "alice", "", &key, &alice_id).await;
    let attached = reattach(&mut alice, &attach_from(&channel, &last_seen, None)).await;
    assert!(!attached.has_flag(Flags::RESUMED), "{attached:?}");
    assert!(!attached.has_flag(Flags::HAS_BACKLOG), "{attached:?}");
    assert!(attached.has_flag(Flags::HAS_PRESENCE), "{attached:?}");
    let error = attached.error.expect("an error");
    assert_eq!(error.code, codes::CHANNEL_CONTINUITY_LOST);
    let frames = frames_until_after(&mut alice, &mut bob, &channel, 4, "").await;
    assert_eq!(frames, ["sync bob", "message after"]);

    // The newer frames on the other channel were kept.
    resume_channel(&mut alice, &attach_from(&other, &other_from, None)).await;
    for expected in ["m2", "m3"] {
        let missed = alice.recv().await;
        assert!(seen(&missed).starts_with(&format!("message {expected}x")));
    }
}
