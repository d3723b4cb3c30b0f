//! What one client can make the server hold is capped: channels per connection (90010 on
//! that channel only), members per channel and per connection (NACK 91003), the bytes of
//! members per channel and per connection (NACK 91006), each item's size (NACK 40009)
//! whichever fields it is in; nothing of a refused frame is applied.
//! Everyone else keeps being served.

use crate::support::{
    assert_still_serving, presence_frame, presence_frame_with_data, unique_channel, Server,
    FULL_KEY,
};
use roster::protocol::{codes, Action, PresenceAction, ProtocolMessage};

/// Asserts `reply` is an ACK.
fn assert_ack(reply: &ProtocolMessage) {
    assert_eq!(reply.action, Action::Ack, "{reply:?}");
}

/// Asserts `reply` is a NACK with `code` and status 400.
fn assert_nack(reply: &ProtocolMessage, code: u32) {
    assert_eq!(reply.action, Action::Nack, "{reply:?}");
    let error = reply.error.as_ref().expect("an error");
    assert_eq!((error.code, error.status_code), (code, 400), "{error:?}");
}

/// The clientIds present on `channel`, by REST, sorted.
async fn members(server: &Server, channel: &str) -> Vec<String> {
    let response = server
        .get_as_full_key(&format!("/channels/{channel}/presence"))
        .await;
    assert_eq!(response.status, 200, "{response:?}");
    let mut ids: Vec<String> = response
        .json()
        .as_array()
        .expect("an array")
        .iter()
        .map(|m| m["clientId"].as_str().unwrap_or_default().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn an_attach_past_the_channel_cap_fails_that_channel_only() {
    let server = Server::start(&["--max-channels-per-connection", "3"]);
    let channels: Vec<String> = (0..5).map(|_| unique_channel("cap")).collect();
    let (mut alice, _) = server.connect(FULL_KEY, Some("alice")).await;
    let (mut bob, _) = server.connect(FULL_KEY, Some("bob")).await;
    for channel in &channels[..3] {
        alice.attach(channel).await;
    }
    // Attaching again to a channel it is on takes up nothing more.
    alice.attach(&channels[0]).await;

    alice
        .send(&ProtocolMessage::for_channel(Action::Attach, &channels[3]))
        .await;
    let refused = alice.recv().await;
    assert_eq!(refused.action, Action::Error, "{refused:?}");
    assert_eq!(refused.channel.as_deref(), Some(channels[3].as_str()));
    let error = refused.error.expect("an error");
    assert_eq!(
        (error.code, error.status_code),
        (codes::TOO_MANY_CHANNELS, 400)
    );
    // Entering on a fourth channel without attaching would hold it too.
    let nack = presence_frame(
        &mut alice,
        &channels[4],
        0,
        &[(PresenceAction::Enter, "alice")],
    )
    .await;
    assert_nack(&nack, codes::TOO_MANY_CHANNELS);
    assert!(members(&server, &channels[4]).await.is_empty());
    // Leaving where it is not present is acknowledged as ever (RTP10d).
    let leave = presence_frame(
        &mut alice,
        &channels[4],
        1,
        &[(PresenceAction::Leave, "alice")],
    )
    .await;
    assert_ack(&leave);

    // The connection and its channels go on: bob hears alice's enter and message.
    bob.attach(&channels[0]).await;
    alice.presence(&channels[0], 2, PresenceAction::Enter).await;
    let entered = bob.next_presence().await;
    assert_eq!(entered[0].client_id.as_deref(), Some("alice"));
    alice.publish(&channels[0], 3, "still here").await;
    bob.recv_until(Action::Message).await;

    // A detach makes room.
    alice
        .send(&ProtocolMessage::for_channel(Action::Detach, &channels[2]))
        .await;
    alice.recv_until(Action::Detached).await;
    alice.attach(&channels[3]).await;
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn an_enter_past_the_member_cap_of_a_channel_is_refused_whole() {
    let server = Server::start(&["--max-members-per-channel", "3"]);
    let channel = unique_channel("full");
    let (mut observer, _) = server.connect(FULL_KEY, Some("observer")).await;
    observer.attach(&channel).await;
    // A key connection without a clientId enters members for any clientId.
    let (mut loader, _) = server.connect(FULL_KEY, None).await;
    let enter = PresenceAction::Enter;
    assert_ack(&presence_frame(&mut loader, &channel, 0, &[(enter, "m1"), (enter, "m2")]).await);
    assert_eq!(observer.next_presence().await.len(), 2);

    // Two more would make four: neither is entered.
    let nack = presence_frame(&mut loader, &channel, 1, &[(enter, "m3"), (enter, "m4")]).await;
    assert_nack(&nack, codes::TOO_MANY_PRESENCE_MEMBERS);
    assert_eq!(members(&server, &channel).await, ["m1", "m2"]);

    // Another client takes the last place; the next one is refused.
    let (mut carol, _) = server.connect(FULL_KEY, Some("carol")).await;
    carol.presence(&channel, 0, enter).await;
    let (mut dave, _) = server.connect(FULL_KEY, Some("dave")).await;
    let nack = presence_frame(&mut dave, &channel, 0, &[(enter, "dave")]).await;
    assert_nack(&nack, codes::TOO_MANY_PRESENCE_MEMBERS);

    // Members already present update at the cap; a leave earlier in a frame makes room.
    let update = PresenceAction::Update;
    assert_ack(&presence_frame(&mut loader, &channel, 2, &[(update, "m1")]).await);
    let leave = PresenceAction::Leave;
    assert_ack(&presence_frame(&mut loader, &channel, 3, &[(leave, "m2"), (enter, "m5")]).await);
    assert_eq!(members(&server, &channel).await, ["carol", "m1", "m5"]);
    // The observer saw enter m1, m2, carol, update m1, leave m2 and enter m5, nothing refused.
    let mut seen = Vec::new();
    while seen.len() < 4 {
        for item in observer.next_presence().await {
            seen.push(format!(
                "{:?} {}",
                item.action,
                item.client_id.unwrap_or_default()
            ));
        }
    }
    assert_eq!(seen, ["Enter carol", "Update m1", "Leave m2", "Enter m5"]);
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn a_connection_holds_at_most_its_member_cap_across_channels() {
    let server = Server::start(&["--max-members-per-connection", "3"]);
    let (first, second) = (unique_channel("spread"), unique_channel("spread"));
    let (mut loader, _) = server.connect(FULL_KEY, None).await;
    let enter = PresenceAction::Enter;
    assert_ack(&presence_frame(&mut loader, &first, 0, &[(enter, "a1"), (enter, "a2")]).await);
    assert_ack(&presence_frame(&mut loader, &second, 1, &[(enter, "a3")]).await);
    let nack = presence_frame(&mut loader, &second, 2, &[(enter, "a4")]).await;
    assert_nack(&nack, codes::TOO_MANY_PRESENCE_MEMBERS);
    assert_eq!(members(&server, &second).await, ["a3"]);

    // The cap is the connection's: another one enters on the same channel.
    let (mut bob, _) = server.connect(FULL_KEY, Some("bob")).await;
    bob.presence(&second, 0, enter).await;
    // A leave on one channel makes room on the other.
    let leave = PresenceAction::Leave;
    assert_ack(&presence_frame(&mut loader, &first, 3, &[(leave, "a1")]).await);
    assert_ack(&presence_frame(&mut loader, &second, 4, &[(enter, "a4")]).await);
    assert_eq!(members(&server, &second).await, ["a3", "a4", "bob"]);
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn a_batch_presence_request_names_at_most_the_channel_cap() {
    let server = Server::start(&["--max-channels-per-connection", "3"]);
    let names: Vec<String> = (0..4).map(|_| unique_channel("batch")).collect();
    let (mut alice, _) = server.connect(FULL_KEY, Some("alice")).await;
    alice.presence(&names[0], 0, PresenceAction::Enter).await;
    let read = server
        .get_as_full_key(&format!("/presence?channels={}", names[..3].join(",")))
        .await;
    assert_eq!(read.status, 200, "{read:?}");
    assert_eq!(read.json()["successCount"].as_u64(), Some(3));
    let refused = server
        .get_as_full_key(&format!("/presence?channels={}", names.join(",")))
        .await;
    assert_eq!(
        refused.assert_error(400),
        u64::from(codes::TOO_MANY_CHANNELS)
    );
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn presence_data_past_the_channel_cap_is_refused_with_91006() {
    let server = Server::start(&["--max-presence-data-per-channel", "1000"]);
    let channel = unique_channel("bytes");
    let (mut loader, _) = server.connect(FULL_KEY, None).await;
    let (enter, update, leave) = (
        PresenceAction::Enter,
        PresenceAction::Update,
        PresenceAction::Leave,
    );
    // Each member counts its data and its clientId (3 bytes here).
    assert_ack(&presence_frame_with_data(&mut loader, &channel, 0, &[(enter, "ann", 600)]).await);
    let nack = presence_frame_with_data(&mut loader, &channel, 1, &[(enter, "bob", 401)]).await;
    assert_nack(&nack, codes::TOTAL_PRESENCE_DATA_TOO_LARGE);
    assert_eq!(members(&server, &channel).await, ["ann"]);
    // Up to the cap exactly; a member's own data counts once, replaced by an update.
    assert_ack(&presence_frame_with_data(&mut loader, &channel, 2, &[(enter, "bob", 394)]).await);
    assert_ack(&presence_frame_with_data(&mut loader, &channel, 3, &[(update, "ann", 500)]).await);
    let nack = presence_frame_with_data(&mut loader, &channel, 4, &[(update, "bob", 501)]).await;
    assert_nack(&nack, codes::TOTAL_PRESENCE_DATA_TOO_LARGE);
    // A leave earlier in the frame makes room for what comes after it.
    let frame = [(leave, "ann", 0), (enter, "cat", 600)];
    assert_ack(&presence_frame_with_data(&mut loader, &channel, 5, &frame).await);
    assert_eq!(members(&server, &channel).await, ["bob", "cat"]);
    // The bytes of members that leave are given back.
    let frame = [(leave, "bob", 0), (leave, "cat", 0)];
    assert_ack(&presence_frame_with_data(&mut loader, &channel, 6, &frame).await);
    assert_ack(&presence_frame_with_data(&mut loader, &channel, 7, &[(enter, "dan", 997)]).await);
    assert_still_serving(&server).await;
}

/// A PRESENCE frame entering `client_id` with one byte of data and `extras_len` bytes of
/// padding in its extras, as JSON text.
fn enter_with_extras(channel: &str, serial: u64, client_id: &str, extras_len: usize) -> String {
    let pad = "e".repeat(extras_len);
    format!(
        r#"{{"action":14,"channel":"{channel}","msgSerial":{serial},"presence":[{{"action":2,"clientId":"{client_id}","data":"d","extras":{{"pad":"{pad}"}}}}]}}"#
    )
}

#[tokio::test]
async fn extras_and_client_ids_are_no_way_around_the_size_and_data_caps() {
    let server = Server::start(&[
        "--max-message-size",
        "1024",
        "--max-presence-data-per-channel",
        "3300",
    ]);
    let channel = unique_channel("extras");
    let (mut loader, _) = server.connect(FULL_KEY, None).await;
    // One byte of data, but 2,000 bytes of extras or of clientId: past the item's size.
    loader
        .send_text(&enter_with_extras(&channel, 0, "ann", 2_000))
        .await;
    assert_nack(&loader.reply().await, codes::TOO_BIG);
    let long_id = "c".repeat(2_000);
    loader
        .send_text(&enter_with_extras(&channel, 1, &long_id, 0))
        .await;
    assert_nack(&loader.reply().await, codes::TOO_BIG);
    assert!(members(&server, &channel).await.is_empty());
    // Extras fill the channel's bytes as data would: four members of 813 bytes (800 of
    // padding, its JSON, one byte of data, a 2-byte clientId) fit in 3,300, a fifth not.
    for n in 0..4 {
        let frame = enter_with_extras(&channel, 2 + n, &format!("m{n}"), 800);
        loader.send_text(&frame).await;
        assert_ack(&loader.reply().await);
    }
    loader
        .send_text(&enter_with_extras(&channel, 6, "m4", 800))
        .await;
    assert_nack(&loader.reply().await, codes::TOTAL_PRESENCE_DATA_TOO_LARGE);
    assert_eq!(members(&server, &channel).await, ["m0", "m1", "m2", "m3"]);
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn presence_data_past_the_connection_cap_is_refused_with_91006_until_its_members_leave() {
    let server = Server::start(&[
        "--max-presence-data-per-connection",
        "1000",
        "--remain-present-for",
        "300",
    ]);
    let (first, second) = (unique_channel("held"), unique_channel("held"));
    let (mut loader, connected) = server.connect(FULL_KEY, None).await;
    let conn_id = connected.connection_id.expect("connectionId");
    let key = connected
        .connection_details
        .and_then(|d| d.connection_key)
        .expect("connectionKey");
    let (enter, leave) = (PresenceAction::Enter, PresenceAction::Leave);
    // Each member counts its data and its clientId (3 bytes): 603 + 397 is the whole
    // allowance, spread over two channels (each far below its own cap).
    assert_ack(&presence_frame_with_data(&mut loader, &first, 0, &[(enter, "ann", 600)]).await);
    let nack = presence_frame_with_data(&mut loader, &second, 1, &[(enter, "bob", 395)]).await;
    assert_nack(&nack, codes::TOTAL_PRESENCE_DATA_TOO_LARGE);
    assert!(members(&server, &second).await.is_empty());
    assert_ack(&presence_frame_with_data(&mut loader, &second, 2, &[(enter, "bob", 394)]).await);

    // The cap is the connection's: another one enters on the same channels.
    let (mut carol, _) = server.connect(FULL_KEY, None).await;
    assert_ack(&presence_frame_with_data(&mut carol, &second, 0, &[(enter, "cat", 900)]).await);
    // A leave on one channel makes room on the other.
    assert_ack(&presence_frame_with_data(&mut loader, &first, 3, &[(leave, "ann", 0)]).await);
    assert_ack(&presence_frame_with_data(&mut loader, &second, 4, &[(enter, "dan", 600)]).await);
    let nack = presence_frame_with_data(&mut loader, &first, 5, &[(enter, "eve", 1)]).await;
    assert_nack(&nack, codes::TOTAL_PRESENCE_DATA_TOO_LARGE);

    // The transport drops; the members the server makes leave after remainPresentFor give
    // their bytes back to the connection, which a resume keeps.
    drop(loader);
    let mut waited = 0;
    while members(&server, &second).await != ["cat"] {
        assert!(waited < 50, "the dropped connection's members never left");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    let (mut loader, resumed) = server.open(&format!("key={FULL_KEY}&resume={key}")).await;
    assert_eq!(resumed.connection_id.as_deref(), Some(conn_id.as_str()));
    assert_eq!(resumed.error, None);
    assert_ack(&presence_frame_with_data(&mut loader, &first, 6, &[(enter, "fay", 997)]).await);
    assert_still_serving(&server).await;
}
