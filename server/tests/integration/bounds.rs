//! What a client can make the server keep is bounded: a channel nothing needs any more
//! is dropped (seen from outside as its `channelSerial` starting again from zero), and
//! presence history keeps at most `--history-limit` events and `--history-bytes` bytes
//! per channel, and `--history-bytes-total` across channels, paged as usual.

use crate::support::{
    assert_still_serving, next_page, presence, unique_channel, Client, Server, FULL_KEY, WAIT,
};
use roster::protocol::{Action, PresenceAction, ProtocolMessage};
use std::time::{Duration, Instant};

/// The serial of a channel that was just created.
const FIRST_SERIAL: &str = "0000000000000000";

/// ATTACH then DETACH; returns ATTACHED's `channelSerial`.
async fn serial_on_attach(client: &mut Client, channel: &str) -> String {
    let serial = client.attach(channel).await.channel_serial.expect("serial");
    client
        .send(&ProtocolMessage::for_channel(Action::Detach, channel))
        .await;
    client.recv_until(Action::Detached).await;
    serial
}

#[tokio::test]
async fn a_channel_nothing_needs_is_dropped_and_reads_create_none() {
    let server = Server::start(&[]);
    let channel = unique_channel("dropped");
    let (mut alice, _) = server.connect(FULL_KEY, Some("alice")).await;
    let (mut bob, _) = server.connect(FULL_KEY, Some("bob")).await;
    alice.attach(&channel).await;
    bob.publish(&channel, 0, "one").await;
    bob.publish(&channel, 1, "two").await;
    let serial = serial_on_attach(&mut alice, &channel).await;
    assert_eq!(serial, "0000000000000002", "alice kept the channel");
    // Alice's detach left nothing: the channel is made anew.
    assert_eq!(serial_on_attach(&mut alice, &channel).await, FIRST_SERIAL);

    // A message to a channel nobody is attached to, and REST reads, keep nothing.
    let other = unique_channel("unheard");
    bob.publish(&other, 2, "nobody listens").await;
    for path in ["presence", "presence/history"] {
        let read = server
            .get_as_full_key(&format!("/channels/{other}/{path}"))
            .await;
        assert_eq!(read.status, 200, "{read:?}");
        assert_eq!(read.json().as_array().map(Vec::len), Some(0), "{read:?}");
    }
    assert_eq!(serial_on_attach(&mut alice, &other).await, FIRST_SERIAL);
}

#[tokio::test]
async fn a_channel_kept_by_presence_history_is_dropped_once_it_ages_out() {
    let server = Server::start(&["--history-retention", "1000"]);
    let channel = unique_channel("aging");
    let (mut alice, _) = server.connect(FULL_KEY, Some("alice")).await;
    let (mut bob, _) = server.connect(FULL_KEY, Some("bob")).await;
    // Bob enters and leaves without attaching: only the history of that is left.
    bob.presence(&channel, 0, PresenceAction::Enter).await;
    bob.presence(&channel, 1, PresenceAction::Leave).await;
    assert_eq!(
        serial_on_attach(&mut alice, &channel).await,
        "0000000000000002"
    );
    let deadline = Instant::now() + WAIT;
    loop {
        let serial = serial_on_attach(&mut alice, &channel).await;
        if serial == FIRST_SERIAL {
            break;
        }
        assert!(Instant::now() < deadline, "still serial {serial}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let history = server
        .get_as_full_key(&format!("/channels/{channel}/presence/history"))
        .await;
    assert_eq!(history.json().as_array().map(Vec::len), Some(0));
}

/// The msgSerial each event of a presence history page came from.
fn serials(page: &serde_json::Value) -> Vec<String> {
    let items = page.as_array().expect("an array");
    items
        .iter()
        .map(|m| {
            let id = m["id"].as_str().expect("id");
            id.split(':').nth(1).expect("a serial").to_owned()
        })
        .collect()
}

#[tokio::test]
async fn presence_history_keeps_the_newest_events_up_to_its_limit_and_pages_them() {
    let server = Server::start(&["--history-limit", "3"]);
    let channel = unique_channel("history-limit");
    let (mut bob, _) = server.connect(FULL_KEY, Some("bob")).await;
    bob.presence(&channel, 0, PresenceAction::Enter).await;
    for serial in 1..5 {
        bob.presence(&channel, serial, PresenceAction::Update).await;
    }
    // Newest first: the updates of msgSerial 4, 3 and 2.
    let path = format!("/channels/{channel}/presence/history");
    let first = server.get_as_full_key(&format!("{path}?limit=2")).await;
    assert_eq!(serials(&first.json()), ["4", "3"]);
    let next = next_page(&first, &path).expect("a next page");
    let second = server.get_as_full_key(&next).await;
    assert_eq!(serials(&second.json()), ["2"]);
    assert_eq!(next_page(&second, &path), None);

    // Forwards, with the oldest event dropped between two pages: the second page goes
    // on from where the first ended (an offset would have skipped serial 4).
    let first = server
        .get_as_full_key(&format!("{path}?direction=forwards&limit=2"))
        .await;
    assert_eq!(serials(&first.json()), ["2", "3"]);
    bob.presence(&channel, 5, PresenceAction::Update).await;
    let next = next_page(&first, &path).expect("a next page");
    let second = server.get_as_full_key(&next).await;
    assert_eq!(serials(&second.json()), ["4", "5"]);
}

#[tokio::test]
async fn presence_history_keeps_to_its_byte_bound() {
    // Each event holds about 1.1 KB: two fit in 2,500 bytes, three do not.
    let server = Server::start(&["--history-bytes", "2500"]);
    let channel = unique_channel("history-bytes");
    let (mut bob, _) = server.connect(FULL_KEY, Some("bob")).await;
    let padding = "x".repeat(1_000);
    for serial in 0..4 {
        let action = if serial == 0 {
            PresenceAction::Enter
        } else {
            PresenceAction::Update
        };
        bob.send(&presence(&channel, serial, action, None, &padding))
            .await;
        let ack = bob.recv_until(Action::Ack).await;
        assert_eq!(ack.msg_serial, Some(serial));
    }
    let history = server
        .get_as_full_key(&format!("/channels/{channel}/presence/history"))
        .await;
    assert_eq!(serials(&history.json()), ["3", "2"]);
    assert_still_serving(&server).await;
}

/// The actions of a presence history page, in its order.
fn actions(page: &serde_json::Value) -> Vec<&'static str> {
    let items = page.as_array().expect("an array");
    items
        .iter()
        .map(|m| match m["action"].as_u64() {
            Some(2) => "enter",
            Some(3) => "leave",
            Some(4) => "update",
            other => panic!("unexpected action {other:?}"),
        })
        .collect()
}

/// What a client walking through channels does on each: ATTACH, enter and update a member
/// with 1,000 bytes of data, DETACH (the server makes up the member's leave).
async fn walk_through(client: &mut Client, channel: &str, serial: &mut u64) {
    client.attach(channel).await;
    let data = "x".repeat(1_000);
    for action in [PresenceAction::Enter, PresenceAction::Update] {
        client
            .send(&presence(channel, *serial, action, None, &data))
            .await;
        let ack = client.recv_until(Action::Ack).await;
        assert_eq!(ack.msg_serial, Some(*serial));
        *serial += 1;
    }
    client
        .send(&ProtocolMessage::for_channel(Action::Detach, channel))
        .await;
    client.recv_until(Action::Detached).await;
}

#[tokio::test]
async fn presence_history_across_channels_keeps_to_its_total_the_oldest_going_first() {
    // Each event holds about 1.13 KB: eight fit in 10,000 bytes, nine do not.
    let server = Server::start(&["--history-bytes-total", "10000"]);
    let (mut bob, _) = server.connect(FULL_KEY, Some("bob")).await;
    let channels: Vec<String> = (0..7).map(|_| unique_channel("walked")).collect();
    let mut serial = 0;
    for channel in &channels[..6] {
        walk_through(&mut bob, channel, &mut serial).await;
    }
    let history = |channel: &str, query: &str| {
        let path = format!("/channels/{channel}/presence/history{query}");
        let server = &server;
        async move { server.get_as_full_key(&path).await }
    };
    // The newest eight events: all of the last two channels, two of the one before.
    for (channel, expected) in channels[..6].iter().zip([
        &[][..],
        &[],
        &[],
        &["leave", "update"],
        &["leave", "update", "enter"],
        &["leave", "update", "enter"],
    ]) {
        let page = history(channel, "").await;
        assert_eq!(actions(&page.json()), expected, "{channel}");
    }

    // A page's cursor stays right while other channels' events go.
    let path = format!("/channels/{}/presence/history", channels[5]);
    let first = history(&channels[5], "?direction=forwards&limit=2").await;
    assert_eq!(actions(&first.json()), ["enter", "update"]);
    walk_through(&mut bob, &channels[6], &mut serial).await;
    let next = next_page(&first, &path).expect("a next page");
    assert_eq!(
        actions(&server.get_as_full_key(&next).await.json()),
        ["leave"]
    );
    let page = history(&channels[4], "").await;
    assert_eq!(actions(&page.json()), ["leave", "update"], "its enter went");
    let page = history(&channels[3], "").await;
    assert_eq!(actions(&page.json()), Vec::<&str>::new());

    // Channels only their history kept went with the last of it; the others stay.
    for gone in [&channels[0], &channels[3]] {
        assert_eq!(serial_on_attach(&mut bob, gone).await, FIRST_SERIAL);
    }
    assert_eq!(
        serial_on_attach(&mut bob, &channels[4]).await,
        "0000000000000003"
    );
}
