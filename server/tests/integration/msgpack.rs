//! `format=msgpack` (ably-js's default in Node): binary frames both ways, binary data
//! that reaches JSON clients as base64 and comes back as binary, and malformed msgpack
//! refused with 40000 while the server serves others.

use crate::support::{assert_still_serving, unique_channel, Server, FULL_KEY};
use roster::protocol::{
    codes, Action, Data, Format, PresenceAction, PresenceMessage, ProtocolMessage,
};

/// A PRESENCE frame entering with `data` (and `encoding`).
fn enter(channel: &str, serial: u64, data: Data, encoding: Option<&str>) -> ProtocolMessage {
    ProtocolMessage {
        msg_serial: Some(serial),
        presence: Some(vec![PresenceMessage {
            data: Some(data),
            encoding: encoding.map(str::to_owned),
            ..PresenceMessage::new(PresenceAction::Enter)
        }]),
        ..ProtocolMessage::for_channel(Action::Presence, channel)
    }
}

#[tokio::test]
async fn binary_data_crosses_between_msgpack_and_json_connections() {
    let server = Server::start(&[]);
    let channel = unique_channel("msgpack");
    let (mut bot, connected) = server
        .open_in(Format::Msgpack, &format!("key={FULL_KEY}&clientId=bot"))
        .await;
    assert_eq!(connected.action, Action::Connected, "{connected:?}");
    let (mut web, _) = server.connect(FULL_KEY, Some("web")).await;
    bot.attach(&channel).await;
    web.attach(&channel).await;

    bot.send(&enter(&channel, 0, Data::Binary(vec![0, 1, 255]), None))
        .await;
    assert_eq!(bot.reply().await.action, Action::Ack);
    let seen = web.next_presence().await;
    assert_eq!(seen[0].client_id.as_deref(), Some("bot"));
    assert_eq!(seen[0].data, Some(Data::String("AAH/".into())));
    assert_eq!(seen[0].encoding.as_deref(), Some("base64"));

    let json = Data::String(r#"{"a":1}"#.into());
    web.send(&enter(
        &channel,
        0,
        Data::String("CQg=".into()),
        Some("json/base64"),
    ))
    .await;
    let seen = bot.next_presence().await;
    assert_eq!(seen[0].client_id.as_deref(), Some("web"));
    assert_eq!(seen[0].data, Some(Data::Binary(vec![9, 8])));
    assert_eq!(seen[0].encoding.as_deref(), Some("json"));
    web.send(&ProtocolMessage {
        presence: Some(vec![PresenceMessage {
            data: Some(json.clone()),
            encoding: Some("json".into()),
            ..PresenceMessage::new(PresenceAction::Update)
        }]),
        ..enter(&channel, 1, json.clone(), None)
    })
    .await;
    let seen = bot.next_presence().await;
    assert_eq!(seen[0].action, PresenceAction::Update);
    assert_eq!(
        (seen[0].data.clone(), seen[0].encoding.as_deref()),
        (Some(json), Some("json"))
    );
}

#[tokio::test]
async fn malformed_msgpack_gets_an_error_40000_in_msgpack_and_others_are_served() {
    let server = Server::start(&[]);
    let (mut bot, _) = server
        .open_in(Format::Msgpack, &format!("key={FULL_KEY}&clientId=bot"))
        .await;
    // 0xc1 is never used in msgpack.
    bot.send_binary(&[0xc1, 0x01, 0x02]).await;
    let error = bot.recv().await;
    assert_eq!(error.action, Action::Error);
    assert_eq!(error.error.map(|e| e.code), Some(codes::BAD_REQUEST));
    assert!(bot.closed_by_server().await);
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn binary_data_counts_by_its_bytes_against_the_message_size_in_msgpack_too() {
    let server = Server::start(&["--max-message-size", "1024"]);
    let channel = unique_channel("msgpack-size");
    let (mut bot, _) = server
        .open_in(Format::Msgpack, &format!("key={FULL_KEY}&clientId=bot"))
        .await;
    // clientId "bot" (3 bytes) and 1,021 bytes of data: 1,024, which fits (TO3l8); the
    // same as base64 would be 1,364 bytes.
    bot.send(&enter(&channel, 0, Data::Binary(vec![7; 1_021]), None))
        .await;
    let ack = bot.reply().await;
    assert_eq!(
        (ack.action, ack.msg_serial),
        (Action::Ack, Some(0)),
        "{ack:?}"
    );
    bot.send(&enter(&channel, 1, Data::Binary(vec![7; 1_022]), None))
        .await;
    let nack = bot.reply().await;
    assert_eq!(nack.action, Action::Nack, "{nack:?}");
    assert_eq!(nack.error.map(|e| e.code), Some(codes::TOO_BIG));
}
