//! The wire shape at its edges: nulls, duplicates, escapes, numbers, required fields.

use crate::json::{self, JsonText};
use crate::protocol::{
    decode_json, encode_json, Action, Data, ErrorInfo, Message, PresenceMessage,
};

fn presence(text: &str) -> Result<PresenceMessage, json::Error> {
    json::from_slice(text.as_bytes())
}

#[test]
fn null_is_absent_and_a_later_key_wins() {
    let msg = decode_json(
        br#"{"action":14,"channel":"a","id":null,"channel":"b","flags":null,"error":null,
             "presence":null,"messages":null,"params":null,"auth":null,"connectionDetails":null,
             "timestamp":1,"timestamp":null}"#,
    )
    .unwrap();
    assert_eq!(msg.channel.as_deref(), Some("b"));
    assert_eq!(encode_json(&msg), r#"{"action":14,"channel":"b"}"#);
    let p = presence(r#"{"action":2,"action":3,"data":null,"extras":null,"clientId":null}"#);
    let p = p.unwrap();
    assert_eq!(p.action, crate::protocol::PresenceAction::Leave);
    assert_eq!((p.data, p.extras, p.client_id), (None, None, None));
}

#[test]
fn data_is_a_string_or_verbatim_json_text() {
    let p = presence(r#"{"action":2,"data":"say \"hi\"\n"}"#).unwrap();
    assert_eq!(p.data, Some(Data::String("say \"hi\"\n".into())));
    let p = presence(r#"{"action":2,"data": { "b" : [1, 2.50e1] } ,"extras":{"z":1, "a":2}}"#);
    let p = p.unwrap();
    assert_eq!(
        p.data.as_ref().and_then(Data::as_json_text),
        Some(r#"{ "b" : [1, 2.50e1] }"#)
    );
    assert_eq!(
        p.extras.as_ref().map(JsonText::as_str),
        Some(r#"{"z":1, "a":2}"#)
    );
    assert_eq!(
        json::to_string(&p),
        r#"{"action":2,"data":{ "b" : [1, 2.50e1] },"extras":{"z":1, "a":2}}"#
    );
    for scalar in ["true", "-3", "0.5"] {
        let p = presence(&["{\"action\":2,\"data\":", scalar, "}"].concat()).unwrap();
        assert_eq!(p.data.as_ref().and_then(Data::as_json_text), Some(scalar));
    }
}

#[test]
fn escaped_keys_name_the_same_fields() {
    let p = presence(r#"{"\u0061ction":2,"client\u0049d":"x"}"#).unwrap();
    assert_eq!(p.client_id.as_deref(), Some("x"));
}

#[test]
fn params_keep_wire_order_and_repeats() {
    let msg = decode_json(br#"{"action":11,"params":{"z":"1","mode":"presence","z":"2"}}"#);
    let msg = msg.unwrap();
    let pairs = [("z", "1"), ("mode", "presence"), ("z", "2")];
    let want: Vec<(String, String)> = pairs.iter().map(|&(k, v)| (k.into(), v.into())).collect();
    assert_eq!(msg.params.as_ref(), Some(&want));
    assert_eq!(
        encode_json(&msg),
        r#"{"action":11,"params":{"z":"1","mode":"presence","z":"2"}}"#
    );
    assert!(decode_json(br#"{"action":11,"params":{"n":1}}"#).is_err());
}

#[test]
fn numbers_out_of_their_field_range_are_errors() {
    for bad in [
        r#"{"action":1,"msgSerial":-1}"#,
        r#"{"action":1,"msgSerial":1.0}"#,
        r#"{"action":1,"count":1e2}"#,
        r#"{"action":1,"timestamp":18446744073709551616}"#,
        r#"{"action":9,"error":{"code":4294967296}}"#,
        r#"{"action":9,"error":{"statusCode":65536}}"#,
        r#"{"action":14,"presence":[{"action":5}]}"#,
    ] {
        let e = decode_json(bad.as_bytes()).unwrap_err();
        assert_eq!(e.code, 40000, "{bad}");
        assert!(e.message.starts_with("malformed protocol message: "), "{e}");
    }
    let msg = decode_json(br#"{"action":99,"flags":18446744073709551615}"#).unwrap();
    assert_eq!((msg.action, msg.flags().0), (Action::Unknown(99), u64::MAX));
}

#[test]
fn required_fields_must_be_there() {
    for bad in [
        r#"{"channel":"x"}"#,
        r#"{"action":null}"#,
        r#"{"action":14,"presence":[{"clientId":"a"}]}"#,
        r#"{"action":17,"auth":{}}"#,
        r#"{"action":17,"auth":{"accessToken":null}}"#,
    ] {
        assert!(decode_json(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn error_info_fields_default_when_missing() {
    let e: ErrorInfo = json::from_slice(br#"{"message":"m","extra":[{}]}"#).unwrap();
    assert_eq!(
        (e.code, e.status_code, e.message.as_str(), e.href),
        (0, 0, "m", None)
    );
    let full = ErrorInfo::not_permitted("no \"way\"");
    let text = json::to_string(&full);
    assert_eq!(text, serde_json::to_string(&full).unwrap());
    assert_eq!(json::from_slice::<ErrorInfo>(text.as_bytes()), Ok(full));
}

#[test]
fn a_message_keeps_its_action_serial_version_and_annotations() {
    let text = concat!(
        r#"{"name":"n","serial":"01:0","action":1,"version":{"serial":"02:0"},"#,
        r#""annotations":{"summary":{}}}"#
    );
    let m: Message = json::from_slice(text.as_bytes()).unwrap();
    assert_eq!((m.action, m.serial.as_deref()), (Some(1), Some("01:0")));
    assert_eq!(
        m.version.as_ref().map(JsonText::as_str),
        Some(r#"{"serial":"02:0"}"#)
    );
    assert_eq!(json::to_string(&m), text);
    assert_eq!(serde_json::to_string(&m).unwrap(), text);
    // A presence message reads its action as its own: a channel message's is an error.
    assert!(presence(r#"{"action":5}"#).is_err());
}
