//! How fast one connection may make the server work: messages past `--max-inbound-rate`
//! a second are refused (NACK 42911, status 429) and the connection goes on; a
//! connection sending about 20 times that is closed (ERROR 42921); one sending past
//! 2,000 protocol messages a second of any kind is closed (ERROR 42924). Everyone else
//! keeps being served.

use crate::support::{
    assert_still_serving, presence, presence_frame, unique_channel, Server, FULL_KEY,
};
use roster::protocol::{
    encode_json, Action, Data, Message as ChannelMessage, PresenceAction, ProtocolMessage,
};
use std::time::Duration;

/// Asserts `msg` carries `code` with status 429.
fn assert_rate_error(msg: &ProtocolMessage, action: Action, code: u32) {
    assert_eq!(msg.action, action, "{msg:?}");
    let error = msg.error.as_ref().expect("an error");
    assert_eq!((error.code, error.status_code), (code, 429), "{error:?}");
}

/// How many members are present on `channel`, by REST.
async fn member_count(server: &Server, channel: &str) -> usize {
    let response = server
        .get_as_full_key(&format!("/channels/{channel}/presence"))
        .await;
    assert_eq!(response.status, 200, "{response:?}");
    response.json().as_array().expect("an array").len()
}

/// One PRESENCE frame entering `count` clientIds `{prefix}{n}`, as JSON text.
fn enters(channel: &str, serial: u64, prefix: &str, count: usize) -> String {
    let items = (0..count)
        .map(|n| format!(r#"{{"action":2,"clientId":"{prefix}{n}","data":"d"}}"#))
        .collect::<Vec<_>>()
        .join(",");
    format!(r#"{{"action":14,"channel":"{channel}","msgSerial":{serial},"presence":[{items}]}}"#)
}

#[tokio::test]
async fn messages_past_the_rate_are_refused_with_42911_and_the_connection_goes_on() {
    let server = Server::start(&["--max-inbound-rate", "10"]);
    let channel = unique_channel("rate");
    let (mut loader, connected) = server.connect(FULL_KEY, None).await;
    let details = connected.connection_details.expect("connectionDetails");
    assert_eq!(
        details.max_inbound_rate,
        Some(10),
        "the rate advertised is the one applied"
    );

    // Thirty one-item enters at once: a second's worth (10) pass, the rest are refused.
    let burst: Vec<String> = (0..30)
        .map(|n| {
            let id = format!("m{n}");
            encode_json(&presence(
                &channel,
                n,
                PresenceAction::Enter,
                Some(&id),
                "d",
            ))
        })
        .collect();
    loader.send_burst(&burst).await;
    let (mut acked, mut refused) = (0, 0);
    for serial in 0..30 {
        let answer = loader.reply().await;
        assert_eq!(answer.msg_serial, Some(serial));
        if answer.action == Action::Ack {
            acked += 1;
        } else {
            assert_rate_error(&answer, Action::Nack, 42911);
            refused += 1;
        }
    }
    // One more comes back every 100 ms; the burst takes a few.
    assert!((10..=12).contains(&acked), "{acked} acknowledged");
    assert_eq!(acked + refused, 30);
    assert_eq!(member_count(&server, &channel).await, acked);

    // Messages count, not frames: once the bucket is full again, a frame of 11 items is
    // refused whole, whether presence or channel messages, and one of 10 is not.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let nack = presence_frame(
        &mut loader,
        &channel,
        30,
        &[(PresenceAction::Enter, "x"); 11],
    )
    .await;
    assert_rate_error(&nack, Action::Nack, 42911);
    let messages = ProtocolMessage {
        msg_serial: Some(31),
        messages: Some(vec![
            ChannelMessage {
                data: Some(Data::String("hello".into())),
                ..ChannelMessage::default()
            };
            11
        ]),
        ..ProtocolMessage::for_channel(Action::Message, &channel)
    };
    loader.send(&messages).await;
    assert_rate_error(&loader.reply().await, Action::Nack, 42911);
    loader.send_text(&enters(&channel, 32, "n", 10)).await;
    assert_eq!(loader.reply().await.action, Action::Ack);
    assert_eq!(member_count(&server, &channel).await, acked + 10);
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn a_connection_sending_twenty_times_the_rate_is_closed_with_42921() {
    let server = Server::start(&["--max-inbound-rate", "10"]);
    let channel = unique_channel("flood");
    let (mut observer, _) = server.connect(FULL_KEY, Some("observer")).await;
    observer.attach(&channel).await;
    let (mut loader, _) = server.connect(FULL_KEY, None).await;
    // 400 messages in 40 frames at once: past 20 seconds' worth (200).
    let burst: Vec<String> = (0..40)
        .map(|serial| enters(&channel, serial, &format!("f{serial}-"), 10))
        .collect();
    loader.send_burst(&burst).await;
    let error = loader.recv_until(Action::Error).await;
    assert_rate_error(&error, Action::Error, 42921);
    assert_eq!(
        error.channel, None,
        "the connection's error, not a channel's"
    );
    assert!(loader.closed_by_server().await);
    // The connection ended: the first frame's members, admitted, left with it.
    let entered = observer.next_presence().await;
    assert_eq!(entered.len(), 10);
    let left = observer.next_presence().await;
    assert!(left.iter().all(|m| m.action == PresenceAction::Leave));
    assert_eq!(member_count(&server, &channel).await, 0);
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn protocol_messages_past_2000_a_second_close_the_connection_with_42924() {
    let server = Server::start(&[]);
    let channel = unique_channel("chatty");
    let heartbeats = |count| vec![r#"{"action":0}"#.to_owned(); count];
    // 1,500 heartbeats at once are within a second's worth.
    let (mut calm, _) = server.connect(FULL_KEY, Some("calm")).await;
    calm.send_burst(&heartbeats(1_500)).await;
    calm.attach(&channel).await;
    calm.publish(&channel, 0, "still here").await;
    // 5,000 are not, whatever they are.
    let (mut chatty, _) = server.connect(FULL_KEY, Some("chatty")).await;
    chatty.send_burst(&heartbeats(5_000)).await;
    let error = chatty.recv_until(Action::Error).await;
    assert_rate_error(&error, Action::Error, 42924);
    let message = error.error.expect("an error").message;
    assert!(message.contains("2000/s"), "{message}");
    assert!(chatty.closed_by_server().await);
    calm.publish(&channel, 1, "still here").await;
    assert_still_serving(&server).await;
}
