//! Property tests for the wire codec: no input makes the decoders panic, every message the
//! types can express survives encode -> decode unchanged, and Roster's JSON codec agrees
//! with serde_json (through the types' serde derives) in both directions.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use roster::json::{JsonText, Reader};
use roster::protocol::{
    decode_data, decode_json, encode_data, encode_json, Action, AuthDetails, ConnectionDetails,
    Data, ErrorInfo, Flags, Format, Message, PresenceAction, PresenceMessage, ProtocolMessage,
};
use serde_json::Value;

/// JSON values without floats (serde_json's default float parsing is not exact).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// `data` as JSON frames carry it: a string, or a JSON object/array/number/bool directly.
fn wire_data() -> impl Strategy<Value = Data> {
    prop_oneof![
        ".{0,16}".prop_map(Data::String),
        json_value()
            .prop_filter("null and strings decode as other variants", |v| {
                !v.is_null() && !v.is_string()
            })
            .prop_map(|v| Data::json(&v)),
    ]
}

/// Any text, or text rich in what JSON must escape (quotes, backslashes, control chars).
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,12}",
        "[\"\\\\/\\x00-\\x1f\\x7fa\u{e9}\u{2028}\u{1F600}]{0,12}"
    ]
}

fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(any_text())
}

fn presence_message() -> impl Strategy<Value = PresenceMessage> {
    (
        (0u64..5).prop_map(|n| PresenceAction::from_number(n).unwrap_or(PresenceAction::Absent)),
        text(),
        text(),
        text(),
        proptest::option::of(wire_data()),
        text(),
        proptest::option::of(any::<u64>()),
        proptest::option::of(json_value()),
    )
        .prop_map(
            |(action, id, client_id, connection_id, data, encoding, timestamp, extras)| {
                PresenceMessage {
                    id,
                    action,
                    client_id,
                    connection_id,
                    data,
                    encoding,
                    timestamp,
                    // `null` extras decode as absent.
                    extras: extras
                        .filter(|v| !v.is_null())
                        .map(|v| JsonText::from_value(&v)),
                }
            },
        )
}

fn message() -> impl Strategy<Value = Message> {
    (
        text(),
        text(),
        proptest::option::of(wire_data()),
        text(),
        text(),
    )
        .prop_map(|(id, name, data, encoding, client_id)| Message {
            id,
            name,
            data,
            encoding,
            client_id,
            ..Message::default()
        })
}

fn error_info() -> impl Strategy<Value = ErrorInfo> {
    (any::<u32>(), any::<u16>(), ".{0,12}", text()).prop_map(
        |(code, status_code, message, href)| ErrorInfo {
            code,
            status_code,
            message,
            href,
            cause: None,
        },
    )
}

fn protocol_message() -> impl Strategy<Value = ProtocolMessage> {
    let head = (
        prop_oneof![0u64..22, any::<u64>()].prop_map(Action::from_number),
        proptest::option::of(any::<u64>().prop_map(Flags)),
        proptest::option::of(any::<u64>()),
        proptest::option::of(error_info()),
        text(),
        text(),
        text(),
        text(),
    );
    let tail = (
        text(),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any::<u64>()),
        proptest::option::of(prop::collection::vec(message(), 0..3)),
        proptest::option::of(prop::collection::vec(presence_message(), 0..3)),
        // Unique keys: a key sent twice stays twice, which serde's map reader would merge.
        proptest::option::of(
            prop::collection::btree_map(".{0,6}", ".{0,6}", 0..3)
                .prop_map(|params| params.into_iter().collect()),
        ),
        proptest::option::of(".{0,12}".prop_map(|access_token| AuthDetails { access_token })),
        proptest::option::of(
            (text(), text(), proptest::option::of(any::<u64>())).prop_map(
                |(client_id, connection_key, max_idle_interval)| ConnectionDetails {
                    client_id,
                    connection_key,
                    max_idle_interval,
                    ..ConnectionDetails::default()
                },
            ),
        ),
    );
    (head, tail).prop_map(
        |(
            (action, flags, count, error, id, channel, channel_serial, connection_id),
            (connection_key, msg_serial, timestamp, messages, presence, params, auth, details),
        )| ProtocolMessage {
            action,
            flags,
            count,
            error,
            id,
            channel,
            channel_serial,
            connection_id,
            connection_key,
            msg_serial,
            timestamp,
            messages,
            presence,
            params,
            auth,
            connection_details: details,
        },
    )
}

/// Pieces of JSON, valid and not, that concatenate into texts near the grammar's edges.
const JSON_ISH_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\n",
    "\"k\"",
    "\"\\u00e9\\n\"",
    "\"\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"\\x\"",
    "\"\t\"",
    "\"",
    "0",
    "01",
    "-0",
    "-",
    "12",
    "1.5",
    "1.",
    ".5",
    "1e5",
    "1E+2",
    "2e",
    "true",
    "false",
    "null",
    "nul",
    "tru",
    "\\",
];

/// App-form data: anything an app may hand to enter/update/publish.
fn app_data() -> impl Strategy<Value = Data> {
    prop_oneof![
        ".{0,16}".prop_map(Data::String),
        prop::collection::vec(any::<u8>(), 0..32).prop_map(Data::Binary),
        json_value().prop_map(|v| Data::json(&v)),
    ]
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode_json(&bytes);
    }

    #[test]
    fn json_ish_text_never_panics(text in r#"[{}\[\]":,0-9a-z.\-]{0,200}"#) {
        let _ = decode_json(text.as_bytes());
    }

    #[test]
    fn any_json_in_any_field_never_panics(
        action in 0u64..30,
        field in prop_oneof![
            Just("presence"), Just("messages"), Just("flags"), Just("error"), Just("params"),
            Just("connectionDetails"), Just("auth"), Just("msgSerial"), Just("channel"),
        ],
        v in json_value(),
    ) {
        let frame = serde_json::json!({ "action": action, field: v }).to_string();
        let _ = decode_json(frame.as_bytes());
    }

    #[test]
    fn decode_data_never_panics(
        data in app_data(),
        encoding in proptest::option::of("((json|utf-8|base64|cipher\\+x|vcdiff|)/?){0,5}"),
    ) {
        let decoded = decode_data(data, encoding.as_deref());
        prop_assert_eq!(decoded.error.is_some(), decoded.encoding.is_some());
    }

    #[test]
    fn protocol_messages_round_trip_through_json(msg in protocol_message()) {
        let text = encode_json(&msg);
        prop_assert_eq!(decode_json(text.as_bytes()), Ok(msg));
    }

    #[test]
    fn the_codec_writes_what_serde_json_writes(msg in protocol_message()) {
        prop_assert_eq!(encode_json(&msg), serde_json::to_string(&msg).unwrap());
    }

    #[test]
    fn serde_json_reads_what_the_codec_writes(msg in protocol_message()) {
        let text = encode_json(&msg);
        prop_assert_eq!(serde_json::from_str::<ProtocolMessage>(&text).unwrap(), msg);
    }

    #[test]
    fn the_codec_reads_what_serde_json_writes(msg in protocol_message()) {
        let text = serde_json::to_string(&msg).unwrap();
        prop_assert_eq!(decode_json(text.as_bytes()), Ok(msg));
    }

    #[test]
    fn the_codec_reads_pretty_printed_frames(msg in protocol_message()) {
        // Whitespace between tokens; JSON data then keeps its own (pretty) spelling.
        let text = serde_json::to_string_pretty(&msg).unwrap();
        let decoded = decode_json(text.as_bytes()).unwrap();
        prop_assert_eq!(
            serde_json::to_value(&decoded).unwrap(),
            serde_json::to_value(&msg).unwrap()
        );
    }

    #[test]
    fn every_truncated_frame_is_an_error(msg in protocol_message()) {
        let text = encode_json(&msg);
        for end in 0..text.len() {
            let prefix = &text.as_bytes()[..end];
            prop_assert!(decode_json(prefix).is_err(), "{}", String::from_utf8_lossy(prefix));
        }
    }

    #[test]
    fn the_reader_accepts_exactly_the_json_serde_json_accepts(
        tokens in prop::collection::vec(prop::sample::select(JSON_ISH_TOKENS), 0..14),
    ) {
        let text = tokens.concat();
        let mut reader = Reader::new(&text);
        let ours = reader.skip().and_then(|()| reader.finish()).is_ok();
        let theirs = serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok();
        prop_assert_eq!(ours, theirs, "{}", text);
    }

    #[test]
    fn app_data_round_trips_through_encodings(data in app_data()) {
        let (wire, encoding) = encode_data(data.clone(), None, Format::Json);
        let decoded = decode_data(wire, encoding.as_deref());
        prop_assert_eq!(decoded.data, data);
        prop_assert_eq!(decoded.encoding, None);
        prop_assert!(decoded.error.is_none());
    }
}

#[cfg(feature = "msgpack")]
proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_msgpack(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = roster::protocol::decode(Format::Msgpack, &bytes);
    }

    #[test]
    fn protocol_messages_round_trip_through_msgpack(msg in protocol_message()) {
        let roster::protocol::Frame::Binary(bytes) = roster::protocol::encode(Format::Msgpack, &msg) else {
            panic!("msgpack encodes to a binary frame");
        };
        prop_assert_eq!(roster::protocol::decode(Format::Msgpack, &bytes), Ok(msg));
    }

    #[test]
    fn app_data_round_trips_through_msgpack_encodings(data in app_data()) {
        let (wire, encoding) = encode_data(data.clone(), None, Format::Msgpack);
        let decoded = decode_data(wire, encoding.as_deref());
        prop_assert_eq!(decoded.data, data);
    }
}
