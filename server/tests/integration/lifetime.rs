//! How long a connection's members live: resume keeps them without a leave or enter,
//! an abrupt drop keeps them for `remainPresentFor`, CLOSE and DETACH end them at once.

use crate::support::{unique_channel, Client, Server, FULL_KEY};
use roster::protocol::{codes, Action, Flags, PresenceAction, ProtocolMessage};
use std::time::{Duration, Instant};

/// An observer attached to `channel` and `alice` entered on it, seen by the observer.
/// Returns (observer, alice, alice's connectionId, alice's connectionKey).
async fn alice_present(
    server: &Server,
    channel: &str,
    params: &str,
) -> (Client, Client, String, String) {
    // A 1 s heartbeat keeps frames reaching the observer well inside each read's timeout,
    // however long a test waits for its next presence event.
    let (mut observer, connected) = server
        .open(&format!(
            "key={FULL_KEY}&clientId=observer&heartbeatInterval=1000"
        ))
        .await;
    assert_eq!(connected.action, Action::Connected);
    observer.attach(channel).await;
    let (mut alice, connected) = server
        .open(&format!("key={FULL_KEY}&clientId=alice{params}"))
        .await;
    assert_eq!(connected.action, Action::Connected);
    let conn_id = connected.connection_id.expect("connectionId");
    let key = connected
        .connection_details
        .and_then(|d| d.connection_key)
        .expect("connectionKey");
    alice.attach(channel).await;
    alice.presence(channel, 0, PresenceAction::Enter).await;
    let entered = observer.next_presence().await;
    assert_eq!(entered[0].action, PresenceAction::Enter);
    assert_eq!(entered[0].connection_id.as_deref(), Some(conn_id.as_str()));
    (observer, alice, conn_id, key)
}

/// Asserts the observer's next presence event is `who` entering (so nothing came before).
async fn assert_next_is_enter_of(observer: &mut Client, server: &Server, channel: &str) {
    let (mut bob, _) = server.connect(FULL_KEY, Some("bob")).await;
    bob.attach(channel).await;
    bob.presence(channel, 0, PresenceAction::Enter).await;
    let next = observer.next_presence().await;
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0].action, PresenceAction::Enter);
    assert_eq!(next[0].client_id.as_deref(), Some("bob"));
}

#[tokio::test]
async fn resume_keeps_the_connection_and_its_members_without_leave_or_enter() {
    let server = Server::start(&["--remain-present-for", "1000"]);
    let channel = unique_channel("resume");
    let (mut observer, alice, conn_id, key) = alice_present(&server, &channel, "").await;
    drop(alice);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let (mut alice, connected) = server
        .open(&format!("key={FULL_KEY}&clientId=alice&resume={key}"))
        .await;
    assert_eq!(connected.action, Action::Connected);
    assert_eq!(connected.error, None);
    assert_eq!(connected.connection_id.as_deref(), Some(conn_id.as_str()));
    let attached = alice.attach(&channel).await;
    assert!(attached.has_flag(Flags::RESUMED), "{attached:?}");

    // Past the dropped transport's remainPresentFor: its expiry must not fire.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    alice.presence(&channel, 1, PresenceAction::Update).await;
    observer.expect_update_from(&conn_id).await;
}

#[tokio::test]
async fn a_resume_that_cannot_be_honoured_gets_a_new_connection_and_80008() {
    let server = Server::start(&[]);
    let (_alice, connected) = server.connect(FULL_KEY, Some("alice")).await;
    let alice_key = connected
        .connection_details
        .and_then(|d| d.connection_key)
        .expect("connectionKey");
    for (client_id, key) in [("alice", "bogus!key"), ("bob", alice_key.as_str())] {
        let (_c, refused) = server
            .open(&format!("key={FULL_KEY}&clientId={client_id}&resume={key}"))
            .await;
        assert_eq!(refused.action, Action::Connected);
        assert_eq!(
            refused.error.map(|e| e.code),
            Some(codes::UNABLE_TO_RECOVER)
        );
        let new_id = refused.connection_id.expect("a new connectionId");
        assert_ne!(Some(new_id), connected.connection_id);
    }
}

#[tokio::test]
async fn abrupt_drop_leaves_once_after_remain_present_for() {
    let server = Server::start(&[]);
    let channel = unique_channel("drop");
    let (mut observer, alice, conn_id, _) =
        alice_present(&server, &channel, "&remainPresentFor=500").await;
    let dropped = Instant::now();
    drop(alice);

    let leave = observer.next_presence().await;
    let waited = dropped.elapsed();
    assert_eq!(leave.len(), 1, "{leave:?}");
    assert_eq!(leave[0].action, PresenceAction::Leave);
    assert_eq!(leave[0].client_id.as_deref(), Some("alice"));
    assert_eq!(leave[0].connection_id.as_deref(), Some(conn_id.as_str()));
    assert!(leave[0].is_synthesized(), "{:?}", leave[0].id);
    assert!(
        waited >= Duration::from_millis(400),
        "left after {waited:?}"
    );
    assert_next_is_enter_of(&mut observer, &server, &channel).await;
}

#[tokio::test]
async fn silent_client_is_taken_for_dead_after_the_idle_window() {
    let server = Server::start(&[]);
    let channel = unique_channel("silent");
    // heartbeatInterval 1 s: the idle window is 2 s plus the server's 10 s grace.
    let (mut observer, alice, _, _) = alice_present(
        &server,
        &channel,
        "&remainPresentFor=500&heartbeatInterval=1000",
    )
    .await;
    // Alice's socket stays open but nothing reads or writes it: no pongs, no frames.
    let silent = Instant::now();
    // Heartbeats keep the observer's own reads alive, so bound the whole wait.
    let leave = tokio::time::timeout(Duration::from_secs(30), observer.next_presence())
        .await
        .expect("a leave within 30 s");
    let waited = silent.elapsed();
    assert_eq!(leave.len(), 1, "{leave:?}");
    assert_eq!(leave[0].action, PresenceAction::Leave);
    assert_eq!(leave[0].client_id.as_deref(), Some("alice"));
    assert!(leave[0].is_synthesized(), "{:?}", leave[0].id);
    assert!(
        waited >= Duration::from_secs(11),
        "left after {waited:?}, before the idle window ran out"
    );
    drop(alice);
}

#[tokio::test]
async fn close_leaves_at_once() {
    let server = Server::start(&[]);
    let channel = unique_channel("close");
    let (mut observer, mut alice, _, _) = alice_present(&server, &channel, "").await;
    alice.send(&ProtocolMessage::new(Action::Close)).await;
    alice.recv_until(Action::Closed).await;
    assert!(alice.closed_by_server().await);

    // Well inside the 15 s default remainPresentFor.
    let leave = observer.next_presence().await;
    assert_eq!(leave.len(), 1, "{leave:?}");
    assert_eq!(leave[0].action, PresenceAction::Leave);
    assert_eq!(leave[0].client_id.as_deref(), Some("alice"));
    assert_next_is_enter_of(&mut observer, &server, &channel).await;
}

#[tokio::test]
async fn detach_leaves_at_once() {
    let server = Server::start(&[]);
    let channel = unique_channel("detach");
    let (mut observer, mut alice, _, _) = alice_present(&server, &channel, "").await;
    alice
        .send(&ProtocolMessage::for_channel(Action::Detach, &channel))
        .await;
    alice.recv_until(Action::Detached).await;
    let leave = observer.next_presence().await;
    assert_eq!(leave[0].action, PresenceAction::Leave);
    assert_eq!(leave[0].client_id.as_deref(), Some("alice"));
}

#[tokio::test]
async fn members_entered_without_attaching_leave_on_close() {
    let server = Server::start(&[]);
    let channel = unique_channel("unattached");
    let (mut observer, _) = server.connect(FULL_KEY, Some("observer")).await;
    observer.attach(&channel).await;
    let (mut alice, _) = server.connect(FULL_KEY, Some("alice")).await;
    alice.presence(&channel, 0, PresenceAction::Enter).await;
    assert_eq!(
        observer.next_presence().await[0].action,
        PresenceAction::Enter
    );
    alice.send(&ProtocolMessage::new(Action::Close)).await;
    alice.recv_until(Action::Closed).await;
    let leave = observer.next_presence().await;
    assert_eq!(leave[0].action, PresenceAction::Leave);
    assert_eq!(leave[0].client_id.as_deref(), Some("alice"));
}
