//! Bad input gets its Ably error code (issue 4), and the server keeps serving others.

use crate::support::{
    assert_still_serving, presence, unique_channel, Server, FULL_KEY, LIMITED_KEY,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use roster::protocol::{codes, Action, PresenceAction, ProtocolMessage};
use sha2::Sha256;

fn code(msg: &ProtocolMessage) -> Option<u32> {
    msg.error.as_ref().map(|e| e.code)
}

#[tokio::test]
async fn malformed_json_gets_an_error_40000_and_a_close() {
    let server = Server::start(&[]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.send_text("{not json").await;
    let error = c.recv().await;
    assert_eq!(error.action, Action::Error);
    assert_eq!(code(&error), Some(codes::BAD_REQUEST));
    assert!(c.closed_by_server().await);
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn wrong_field_types_get_an_error_40000() {
    let server = Server::start(&[]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.send_text(r#"{"action":14,"channel":"room","msgSerial":"zero","presence":"x"}"#)
        .await;
    let error = c.recv().await;
    assert_eq!(error.action, Action::Error);
    assert_eq!(code(&error), Some(codes::BAD_REQUEST));
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn unknown_action_is_nacked_and_the_connection_carries_on() {
    let server = Server::start(&[]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.send_text(r#"{"action":99,"msgSerial":0}"#).await;
    let nack = c.recv_until(Action::Nack).await;
    assert_eq!(nack.msg_serial, Some(0));
    assert_eq!(code(&nack), Some(codes::BAD_REQUEST));
    c.attach("room").await;
    c.presence("room", 1, PresenceAction::Enter).await;
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn oversize_data_is_nacked_with_40009_and_oversize_frames_close() {
    let server = Server::start(&["--max-message-size", "1024"]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.attach("room").await;
    c.send(&presence(
        "room",
        0,
        PresenceAction::Enter,
        None,
        &"x".repeat(2000),
    ))
    .await;
    let nack = c.recv_until(Action::Nack).await;
    assert_eq!(nack.msg_serial, Some(0));
    assert_eq!(code(&nack), Some(codes::TOO_BIG));
    c.send_text(&format!(
        r#"{{"action":15,"channel":"room","msgSerial":1,"messages":[{{"data":"{}"}}]}}"#,
        "y".repeat(2000)
    ))
    .await;
    assert_eq!(
        code(&c.recv_until(Action::Nack).await),
        Some(codes::TOO_BIG)
    );
    c.presence("room", 2, PresenceAction::Enter).await;

    c.send(&presence(
        "room",
        3,
        PresenceAction::Update,
        None,
        &"z".repeat(100_000),
    ))
    .await;
    let error = c.recv_until(Action::Error).await;
    assert_eq!(code(&error), Some(codes::TOO_BIG));
    assert!(c.closed_by_server().await);
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn a_publish_of_messages_together_past_the_limit_is_nacked_with_40009() {
    let server = Server::start(&["--max-message-size", "1024"]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.attach("room").await;
    // Each under the limit, together over it: the limit is the publish's (RSL1i).
    let data = "y".repeat(600);
    c.send_text(&format!(
        r#"{{"action":15,"channel":"room","msgSerial":0,"messages":[{{"data":"{data}"}},{{"data":"{data}"}}]}}"#
    ))
    .await;
    assert_eq!(
        code(&c.recv_until(Action::Nack).await),
        Some(codes::TOO_BIG)
    );
    c.send_text(&format!(
        r#"{{"action":15,"channel":"room","msgSerial":1,"messages":[{{"data":"{data}"}}]}}"#
    ))
    .await;
    assert_eq!(c.recv_until(Action::Ack).await.msg_serial, Some(1));
}

#[tokio::test]
async fn binary_data_counts_its_bytes_not_its_base64_text() {
    let server = Server::start(&["--max-message-size", "1024"]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.attach("room").await;
    // 900 bytes as 1,200 characters of base64: under the limit, as Ably counts (TO3l8).
    let bytes = "AAAA".repeat(300);
    c.send_text(&format!(
        r#"{{"action":15,"channel":"room","msgSerial":0,"messages":[{{"data":"{bytes}","encoding":"base64"}}]}}"#
    ))
    .await;
    assert_eq!(c.recv_until(Action::Ack).await.msg_serial, Some(0));
    c.send_text(&format!(
        r#"{{"action":14,"channel":"room","msgSerial":1,"presence":[{{"action":2,"data":"{bytes}","encoding":"base64"}}]}}"#
    ))
    .await;
    assert_eq!(c.recv_until(Action::Ack).await.msg_serial, Some(1));
    // The same text as a string is 1,200 bytes: over it.
    c.send_text(&format!(
        r#"{{"action":15,"channel":"room","msgSerial":2,"messages":[{{"data":"{bytes}"}}]}}"#
    ))
    .await;
    assert_eq!(
        code(&c.recv_until(Action::Nack).await),
        Some(codes::TOO_BIG)
    );
}

#[tokio::test]
async fn a_frame_past_the_limit_is_refused_from_its_header() {
    let server = Server::start(&["--max-message-size", "1024"]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    // A text frame announcing 8 MiB, masked as a client's must be: only its header and
    // a little of its body are sent, so only a check of the header answers in time.
    let mut frame = vec![0x81, 0x80 | 127];
    frame.extend_from_slice(&(8u64 << 20).to_be_bytes());
    frame.extend_from_slice(&[1, 2, 3, 4]);
    frame.extend_from_slice(&[0; 1024]);
    c.send_raw(&frame).await;
    let error = c.recv_until(Action::Error).await;
    assert_eq!(code(&error), Some(codes::TOO_BIG));
    assert!(c.closed_by_server().await);
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn channel_names_and_client_ids_past_2048_bytes_are_refused() {
    let server = Server::start(&[]);
    let (long, longest) = ("n".repeat(2049), "n".repeat(2048));
    // On connect: ERROR 40012, and the socket closes.
    let (mut refused, error) = server
        .open(&format!("key={FULL_KEY}&clientId={long}"))
        .await;
    assert_eq!(error.action, Action::Error, "{error:?}");
    assert_eq!(code(&error), Some(codes::INVALID_CLIENT_ID));
    assert!(refused.closed_by_server().await);
    server.connect(FULL_KEY, Some(&longest)).await;

    let (mut c, _) = server.connect(FULL_KEY, None).await;
    // ATTACH: that channel fails with 40010; the connection goes on.
    c.send(&ProtocolMessage::for_channel(Action::Attach, &long))
        .await;
    let error = c.recv().await;
    assert_eq!(error.action, Action::Error, "{error:?}");
    assert_eq!(error.channel.as_deref(), Some(long.as_str()));
    assert_eq!(code(&error), Some(codes::INVALID_CHANNEL_NAME));
    // PRESENCE on such a channel, or as such a clientId: NACK.
    c.send(&presence(
        &long,
        0,
        PresenceAction::Enter,
        Some("alice"),
        "d",
    ))
    .await;
    let nack = c.recv_until(Action::Nack).await;
    assert_eq!(code(&nack), Some(codes::INVALID_CHANNEL_NAME));
    let channel = unique_channel("names");
    c.send(&presence(
        &channel,
        1,
        PresenceAction::Enter,
        Some(&long),
        "d",
    ))
    .await;
    let nack = c.recv_until(Action::Nack).await;
    assert_eq!(code(&nack), Some(codes::INVALID_CLIENT_ID));
    // Up to the limit, both are fine.
    c.attach(&longest).await;
    let enter = presence(&longest, 2, PresenceAction::Enter, Some(&longest), "d");
    c.send(&enter).await;
    assert_eq!(c.recv_until(Action::Ack).await.msg_serial, Some(2));
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn entering_as_another_client_is_nacked_with_40012() {
    let server = Server::start(&[]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.attach("room").await;
    c.send(&presence(
        "room",
        0,
        PresenceAction::Enter,
        Some("mallory"),
        "hi",
    ))
    .await;
    let nack = c.recv_until(Action::Nack).await;
    assert_eq!(code(&nack), Some(codes::INVALID_CLIENT_ID));
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn entering_without_a_client_id_is_nacked_with_91000() {
    let server = Server::start(&[]);
    let (mut c, _) = server.connect(FULL_KEY, None).await;
    c.send(&presence("room", 0, PresenceAction::Enter, None, "hi"))
        .await;
    let nack = c.recv_until(Action::Nack).await;
    assert_eq!(code(&nack), Some(codes::PRESENCE_NO_CLIENT_ID));
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn capability_refuses_presence_with_40160_and_attach_with_a_channel_error() {
    let server = Server::start(&[]);
    let (mut c, _) = server.connect(LIMITED_KEY, Some("alice")).await;
    c.attach("room").await;
    c.send(&presence("room", 0, PresenceAction::Enter, None, "hi"))
        .await;
    let nack = c.recv_until(Action::Nack).await;
    assert_eq!(code(&nack), Some(codes::NOT_PERMITTED));

    c.send(&ProtocolMessage::for_channel(Action::Attach, "elsewhere"))
        .await;
    let refused = c.recv_until(Action::Error).await;
    assert_eq!(refused.channel.as_deref(), Some("elsewhere"));
    assert_eq!(code(&refused), Some(codes::NOT_PERMITTED));
    c.attach("lobby").await;
    c.presence("lobby", 1, PresenceAction::Enter).await;
    assert_still_serving(&server).await;
}

/// An Ably JWT for `alice` signed with `secret`, expiring at `exp` (seconds).
fn jwt(key_name: &str, secret: &str, exp: u64) -> String {
    let header = format!(r#"{{"alg":"HS256","typ":"JWT","kid":"{key_name}"}}"#);
    let claims = format!(r#"{{"iat":1,"exp":{exp},"x-ably-clientId":"alice"}}"#);
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{input}.{signature}")
}

/// A year from now, in seconds.
fn next_year() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970");
    now.as_secs() + 365 * 24 * 3600
}

/// A refused connect: ERROR with `expected`-range code and status 401, then a close.
async fn assert_refused(server: &Server, token: &str, expected: std::ops::Range<u32>) {
    let (mut c, refused) = server.open(&format!("access_token={token}")).await;
    assert_eq!(refused.action, Action::Error);
    let error = refused.error.expect("an error");
    assert!(expected.contains(&error.code), "{error:?}");
    assert_eq!(error.status_code, 401);
    assert!(c.closed_by_server().await);
    let path = format!("/channels/{}/presence", unique_channel("auth"));
    let rest = server
        .http(
            "GET",
            &path,
            &[("Authorization", &format!("Bearer {token}"))],
        )
        .await;
    let code = rest.assert_error(401);
    assert!(expected.contains(&(code as u32)), "{rest:?}");
}

#[tokio::test]
async fn expired_and_invalid_tokens_are_refused_on_realtime_and_rest() {
    let server = Server::start(&[]);
    let expired = jwt("app.full", "secret-full", 1);
    assert_refused(
        &server,
        &expired,
        codes::TOKEN_EXPIRED..codes::TOKEN_EXPIRED + 1,
    )
    .await;
    let forged = jwt("app.full", "not-the-secret", next_year());
    assert_refused(&server, &forged, codes::UNAUTHORIZED..40_200).await;
    assert_refused(&server, "garbage", codes::UNAUTHORIZED..40_200).await;

    let missing = server.http("GET", "/channels/room/presence", &[]).await;
    assert_eq!(missing.assert_error(401), u64::from(codes::NO_AUTH_METHOD));

    let valid = jwt("app.full", "secret-full", next_year());
    let (_, connected) = server.open(&format!("access_token={valid}")).await;
    assert_eq!(connected.action, Action::Connected);
    let client_id = connected.connection_details.and_then(|d| d.client_id);
    assert_eq!(client_id.as_deref(), Some("alice"));
    assert_still_serving(&server).await;
}

#[tokio::test]
async fn a_message_with_a_bad_field_is_nacked_and_the_connection_carries_on() {
    let server = Server::start(&[]);
    let (mut c, _) = server.connect(FULL_KEY, Some("alice")).await;
    c.attach("room").await;
    // ably-js sends publish({ name: 5 }) as it is.
    c.send_text(r#"{"action":15,"channel":"room","msgSerial":0,"messages":[{"name":5}]}"#)
        .await;
    let nack = c.recv_until(Action::Nack).await;
    assert_eq!(nack.msg_serial, Some(0));
    assert_eq!(code(&nack), Some(codes::BAD_REQUEST));
    c.presence("room", 1, PresenceAction::Enter).await;
    assert_still_serving(&server).await;
}
