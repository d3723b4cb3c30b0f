//! JSON test vectors: frames as ably-js 2.28 sends them (captured from a real client talking
//! to a stub WebSocket server) and as an Ably server sends them (protocol-reference §3–§6).
//! Each must decode, and re-encode to the same JSON value: absent fields stay absent and
//! nothing is added. With `--features msgpack` every vector also round-trips through msgpack.
#![cfg(not(target_arch = "wasm32"))]

use roster::protocol::{
    decode_json, encode_json, Action, Data, Flags, PresenceAction, ProtocolMessage,
};
use serde_json::{json, Value};

/// Frames captured from ably-js 2.28.0 (node, `useBinaryProtocol: false`), byte for byte.
const CLIENT_FRAMES: &[(&str, &str)] = &[
    ("attach", r#"{"action":10,"channel":"lobby"}"#),
    (
        "enter json",
        r#"{"action":14,"channel":"lobby","presence":[{"data":"{\"status\":\"here\"}","action":2,"encoding":"json"}],"msgSerial":0}"#,
    ),
    (
        "update string",
        r#"{"action":14,"channel":"lobby","presence":[{"data":"plain","action":4}],"msgSerial":1}"#,
    ),
    (
        "update binary",
        r#"{"action":14,"channel":"lobby","presence":[{"data":"AAH/","action":4,"encoding":"base64"}],"msgSerial":2}"#,
    ),
    ("ping", r#"{"action":0,"id":"3938389923227046"}"#),
    (
        "leave",
        r#"{"action":14,"channel":"lobby","presence":[{"action":3}],"msgSerial":3}"#,
    ),
    ("close", r#"{"action":7}"#),
    ("detach", r#"{"action":12,"channel":"lobby"}"#),
    ("auth", r#"{"action":17,"auth":{"accessToken":"tok2"}}"#),
    ("disconnect", r#"{"action":5}"#),
];

/// Frames shaped as a server sends them.
const SERVER_FRAMES: &[(&str, &str)] = &[
    (
        "connected",
        r#"{"action":4,"connectionId":"hN3kq1_fA0","connectionDetails":{"clientId":"alice","connectionKey":"hN3kq1_fA0!abcdef0123","maxMessageSize":65536,"maxInboundRate":250,"maxFrameSize":524288,"serverId":"local-1","connectionStateTtl":120000,"maxIdleInterval":15000}}"#,
    ),
    (
        "attached",
        r#"{"action":11,"channel":"lobby","flags":983041,"channelSerial":"cs:0","params":{"mode":"presence"}}"#,
    ),
    (
        "sync",
        r#"{"action":16,"channel":"lobby","channelSerial":"sync1:cursor2","presence":[{"id":"c1:0:0","action":1,"clientId":"alice","connectionId":"c1","timestamp":1700000000000,"data":"hi"},{"id":"c2:4:0","action":1,"clientId":"bob","connectionId":"c2","timestamp":1700000000001}]}"#,
    ),
    (
        "sync end",
        r#"{"action":16,"channel":"lobby","channelSerial":"sync1:","presence":[]}"#,
    ),
    (
        "presence broadcast",
        r#"{"action":14,"channel":"room","id":"c1:7","connectionId":"c1","timestamp":1700000000000,"channelSerial":"s7","presence":[{"id":"c1:7:0","action":2,"clientId":"alice","connectionId":"c1","timestamp":1700000000000,"data":"hello"}]}"#,
    ),
    ("ack", r#"{"action":1,"msgSerial":0,"count":1}"#),
    (
        "nack",
        r#"{"action":2,"msgSerial":3,"count":2,"error":{"code":40160,"statusCode":401,"message":"not permitted","href":"https://help.ably.io/error/40160"}}"#,
    ),
    ("heartbeat", r#"{"action":0}"#),
    ("pong", r#"{"action":0,"id":"3938389923227046"}"#),
    ("closed", r#"{"action":8}"#),
    (
        "channel error",
        r#"{"action":9,"channel":"room","error":{"code":40160,"statusCode":401,"message":"denied"}}"#,
    ),
    (
        "disconnected",
        r#"{"action":6,"error":{"code":40142,"statusCode":401,"message":"token expired"}}"#,
    ),
    (
        "detached",
        r#"{"action":13,"channel":"room","error":{"code":90001,"statusCode":400,"message":"x"}}"#,
    ),
    (
        "message",
        r#"{"action":15,"channel":"chat","id":"c9:1","connectionId":"c9","timestamp":5,"messages":[{"name":"say","data":"{\"t\":1}","encoding":"json","clientId":"bob","extras":{"headers":{"k":"v"}}}]}"#,
    ),
    ("server auth", r#"{"action":17}"#),
];

fn value(text: &str) -> Value {
    serde_json::from_str(text).expect("vector is valid JSON")
}

/// Decodes, re-encodes, and checks the JSON value survived unchanged.
fn round_trip(name: &str, text: &str) -> ProtocolMessage {
    let msg = decode_json(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(value(&encode_json(&msg)), value(text), "{name}");
    msg
}

#[test]
fn client_frames_round_trip() {
    for (name, text) in CLIENT_FRAMES {
        round_trip(name, text);
    }
}

#[test]
fn server_frames_round_trip() {
    for (name, text) in SERVER_FRAMES {
        round_trip(name, text);
    }
}

#[test]
fn client_frames_decode_to_the_right_fields() {
    let enter = decode_json(CLIENT_FRAMES[1].1.as_bytes()).unwrap();
    assert_eq!(enter.action, Action::Presence);
    assert_eq!(enter.channel.as_deref(), Some("lobby"));
    assert_eq!(enter.msg_serial, Some(0));
    let p = &enter.presence.as_ref().unwrap()[0];
    assert_eq!(p.action, PresenceAction::Enter);
    assert_eq!(p.client_id, None);
    assert_eq!(p.encoding.as_deref(), Some("json"));

    let ping = decode_json(CLIENT_FRAMES[4].1.as_bytes()).unwrap();
    assert_eq!(ping.action, Action::Heartbeat);
    assert_eq!(ping.id.as_deref(), Some("3938389923227046"));

    let auth = decode_json(CLIENT_FRAMES[8].1.as_bytes()).unwrap();
    assert_eq!(auth.auth.unwrap().access_token, "tok2");
}

#[test]
fn server_frames_decode_to_the_right_fields() {
    let connected = decode_json(SERVER_FRAMES[0].1.as_bytes()).unwrap();
    let details = connected.connection_details.unwrap();
    assert_eq!(connected.connection_id.as_deref(), Some("hN3kq1_fA0"));
    assert_eq!(details.client_id.as_deref(), Some("alice"));
    assert_eq!(
        details.connection_key.as_deref(),
        Some("hN3kq1_fA0!abcdef0123")
    );
    assert_eq!(details.max_idle_interval, Some(15000));
    assert_eq!(details.connection_state_ttl, Some(120000));

    let attached = decode_json(SERVER_FRAMES[1].1.as_bytes()).unwrap();
    assert!(attached.has_flag(Flags::HAS_PRESENCE));
    assert!(attached.has_flag(Flags::BASIC_MODES));
    assert!(!attached.has_flag(Flags::RESUMED));

    let sync = decode_json(SERVER_FRAMES[2].1.as_bytes()).unwrap();
    assert_eq!(sync.channel_serial.as_deref(), Some("sync1:cursor2"));
    assert_eq!(sync.presence.as_ref().map(Vec::len), Some(2));

    let nack = decode_json(SERVER_FRAMES[6].1.as_bytes()).unwrap();
    assert_eq!(nack.action, Action::Nack);
    assert_eq!((nack.msg_serial, nack.count), (Some(3), Some(2)));
    assert_eq!(nack.error.unwrap().code, 40160);

    let mut broadcast = decode_json(SERVER_FRAMES[4].1.as_bytes()).unwrap();
    broadcast.fill_inner_from_parent();
    let p = &broadcast.presence.unwrap()[0];
    assert!(!p.is_synthesized());
    assert_eq!(p.member_key(), "alice:c1");
}

#[test]
fn every_action_number_and_an_unknown_one() {
    for n in (0..=21).chain([22, 99, 1 << 40]) {
        let text = format!(r#"{{"action":{n}}}"#);
        let msg = round_trip(&text, &text);
        assert_eq!(msg.action.number(), n);
        assert_eq!(matches!(msg.action, Action::Unknown(_)), n > 21, "{n}");
    }
    assert_eq!(
        decode_json(br#"{"action":99}"#).unwrap().action,
        Action::Unknown(99)
    );
}

#[test]
fn unknown_fields_are_ignored() {
    let text = r#"{"action":4,"connectionId":"x","connectionSerial":-1,"siteCode":"eu","connectionDetails":{"clientId":"a","connectionKey":"k","siteCode":"eu","objectsGCGracePeriod":86400000},"presence":[{"action":2,"clientId":"a","future":{"x":[1]}}]}"#;
    let msg = decode_json(text.as_bytes()).unwrap();
    assert_eq!(
        value(&encode_json(&msg)),
        json!({"action":4,"connectionId":"x","connectionDetails":{"clientId":"a","connectionKey":"k"},
               "presence":[{"action":2,"clientId":"a"}]})
    );
}

#[test]
fn absent_fields_are_omitted() {
    assert_eq!(
        encode_json(&ProtocolMessage::new(Action::Close)),
        r#"{"action":7}"#
    );
    assert_eq!(
        encode_json(&ProtocolMessage::for_channel(Action::Attach, "x")),
        r#"{"action":10,"channel":"x"}"#
    );
}

#[test]
fn malformed_frames_are_error_values() {
    for bad in [
        &b""[..],
        b"{",
        b"[]",
        b"{}",
        b"{\"action\":\"x\"}",
        b"{\"action\":-1}",
        b"{\"action\":14,\"presence\":[{\"action\":9}]}",
        b"{\"action\":14,\"presence\":{}}",
        b"\xff\xfe",
    ] {
        let err = decode_json(bad).unwrap_err();
        assert_eq!(err.code, 40000, "{}", String::from_utf8_lossy(bad));
    }
}

/// One presence member's data per encoding, and what the app should see.
#[test]
fn presence_data_in_each_encoding() {
    // "eyJ0Ijoiw6kifQ==" is base64 of the UTF-8 bytes of {"t":"é"} (Python base64).
    let frame = r#"{"action":14,"channel":"c","presence":[
        {"action":2,"clientId":"s","data":"text"},
        {"action":2,"clientId":"j","data":"{\"a\":[1,null]}","encoding":"json"},
        {"action":2,"clientId":"b","data":"AAH/","encoding":"base64"},
        {"action":2,"clientId":"u","data":"eyJ0Ijoiw6kifQ==","encoding":"json/utf-8/base64"},
        {"action":2,"clientId":"x","data":"opaque","encoding":"vcdiff/custom"},
        {"action":2,"clientId":"n"}
    ]}"#;
    let msg = round_trip("encodings", frame);
    let decoded: Vec<_> = msg
        .presence
        .unwrap()
        .into_iter()
        .map(|p| p.decoded())
        .collect();
    let expect: [(Option<Data>, Option<&str>, Option<u32>); 6] = [
        (Some(Data::String("text".into())), None, None),
        (
            Some(Data::from_json_text(r#"{"a":[1,null]}"#).unwrap()),
            None,
            None,
        ),
        (Some(Data::Binary(vec![0, 1, 255])), None, None),
        (
            Some(Data::from_json_text(r#"{"t":"é"}"#).unwrap()),
            None,
            None,
        ),
        (
            Some(Data::String("opaque".into())),
            Some("vcdiff/custom"),
            Some(40013),
        ),
        (None, None, None),
    ];
    for ((p, error), (data, encoding, code)) in decoded.iter().zip(expect) {
        let who = p.client_id.as_deref().unwrap_or("");
        assert_eq!(p.data, data, "{who}");
        assert_eq!(p.encoding.as_deref(), encoding, "{who}");
        assert_eq!(error.as_ref().map(|e| e.code), code, "{who}");
    }
}

#[cfg(feature = "msgpack")]
mod msgpack {
    use super::*;
    use roster::protocol::{decode, encode, Format, Frame, PresenceMessage};

    fn through_msgpack(msg: &ProtocolMessage) -> ProtocolMessage {
        let Frame::Binary(bytes) = encode(Format::Msgpack, msg) else {
            panic!("msgpack encodes to a binary frame");
        };
        decode(Format::Msgpack, &bytes).expect("msgpack decodes")
    }

    #[test]
    fn every_vector_round_trips() {
        for (name, text) in CLIENT_FRAMES.iter().chain(SERVER_FRAMES) {
            let msg = decode_json(text.as_bytes()).unwrap();
            assert_eq!(through_msgpack(&msg), msg, "{name}");
        }
        for n in [0, 21, 99] {
            let msg = ProtocolMessage::new(Action::from_number(n));
            assert_eq!(through_msgpack(&msg), msg);
        }
    }

    #[test]
    fn binary_data_is_msgpack_bin() {
        let member = PresenceMessage {
            data: Some(Data::Binary(vec![0, 1, 255])),
            ..PresenceMessage::new(PresenceAction::Enter)
        }
        .encoded(Format::Msgpack);
        assert_eq!(member.encoding, None);
        let msg = ProtocolMessage {
            presence: Some(vec![member]),
            ..ProtocolMessage::for_channel(Action::Presence, "c")
        };
        let Frame::Binary(bytes) = encode(Format::Msgpack, &msg) else {
            panic!("binary frame");
        };
        // bin 8 marker, length 3, then the bytes.
        assert!(bytes.windows(5).any(|w| w == [0xc4, 3, 0, 1, 255]));
        assert_eq!(through_msgpack(&msg), msg);
    }

    #[test]
    fn malformed_msgpack_is_an_error_value() {
        for bad in [
            &b""[..],
            b"\xc1",
            b"\x81\xa6action\xa1x",
            b"\x81\xa6action\xc0",
        ] {
            assert_eq!(decode(Format::Msgpack, bad).unwrap_err().code, 40000);
        }
    }
}
