//! Data encodings (RSL4, RSL6): the `encoding` chain such as `json/utf-8/base64`.
//!
//! Transforms are listed innermost first and applied left to right when sending, so a
//! receiver undoes them right to left. Decoding stops at the first transform it cannot
//! undo (an unknown one such as `cipher+aes-128-cbc`, or data that does not fit); the data
//! is left as it was at that point and the undone part of the chain stays in `encoding`.

use super::{codes, Data, ErrorInfo, Format, Message, PresenceMessage};
use crate::base64;
use crate::json::JsonText;
use crate::text;
use alloc::borrow::ToOwned;
use alloc::string::String;

/// The result of undoing an encoding chain.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedData {
    /// The data, as far as it could be decoded.
    pub data: Data,
    /// What is still to be undone (`None` when fully decoded).
    pub encoding: Option<String>,
    /// Why decoding stopped early (40013), if it did.
    pub error: Option<ErrorInfo>,
}

/// Undo `encoding` right to left (json, utf-8, base64; unknown transforms stop decoding,
/// the rest stays in the returned encoding and an ErrorInfo 40013 is reported).
pub fn decode_data(data: Data, encoding: Option<&str>) -> DecodedData {
    let mut data = data;
    // Walks the chain from its end without collecting it: this runs for every message.
    let mut chain = encoding.unwrap_or("");
    while !chain.is_empty() {
        let (rest, transform) = text::rsplit_once_byte(chain, b'/').unwrap_or(("", chain));
        if transform.is_empty() {
            chain = rest;
            continue;
        }
        match undo(transform, data) {
            Ok(decoded) => {
                data = decoded;
                chain = rest;
            }
            Err((original, error)) => {
                return DecodedData {
                    data: original,
                    encoding: Some(without_empty_transforms(chain)),
                    error: Some(error),
                };
            }
        }
    }
    DecodedData {
        data,
        encoding: None,
        error: None,
    }
}

/// `chain` with its empty transforms (`a//b/`) dropped.
fn without_empty_transforms(chain: &str) -> String {
    let mut left = String::with_capacity(chain.len());
    let mut rest = Some(chain);
    while let Some(text) = rest {
        let (transform, tail) = match text::split_once_byte(text, b'/') {
            Some((transform, tail)) => (transform, Some(tail)),
            None => (text, None),
        };
        if !transform.is_empty() {
            if !left.is_empty() {
                left.push('/');
            }
            left.push_str(transform);
        }
        rest = tail;
    }
    left
}

/// Undoes one transform; on failure hands the data back untouched with the reason.
fn undo(transform: &str, data: Data) -> Result<Data, (Data, ErrorInfo)> {
    let fail = |data: Data, why: &str| Err((data, invalid_encoding(transform, why)));
    match (transform, data) {
        ("base64", Data::String(text)) => match base64::decode(text.trim_ascii()) {
            Ok(bytes) => Ok(Data::Binary(bytes)),
            Err(_) => fail(Data::String(text), "not valid base64"),
        },
        ("utf-8", Data::Binary(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Data::String(text)),
            Err(e) => fail(Data::Binary(e.into_bytes()), "not valid UTF-8"),
        },
        ("utf-8", Data::String(text)) => Ok(Data::String(text)),
        // Checked without building a value; the text is kept as it is.
        ("json", Data::String(text)) => match JsonText::parse(text) {
            Ok(json) => Ok(Data::Json(json)),
            Err((text, _)) => fail(Data::String(text), "not valid JSON"),
        },
        ("json", Data::Binary(bytes)) => match String::from_utf8(bytes) {
            Ok(text) => match JsonText::parse(text) {
                Ok(json) => Ok(Data::Json(json)),
                Err((text, _)) => fail(Data::Binary(text.into_bytes()), "not valid JSON"),
            },
            Err(e) => fail(Data::Binary(e.into_bytes()), "not valid JSON"),
        },
        ("base64" | "utf-8" | "json", other) => fail(other, "data of the wrong type"),
        (_, other) => fail(other, "unknown encoding"),
    }
}

fn invalid_encoding(transform: &str, why: &str) -> ErrorInfo {
    ErrorInfo::new(
        codes::INVALID_DATA_OR_ENCODING,
        400,
        text::concat(&[
            "cannot decode data with encoding \"",
            transform,
            "\": ",
            why,
        ]),
    )
}

/// App data -> wire: Json(text) -> String(text) + "json"; Binary over JSON format ->
/// base64 String + ".../base64"; over msgpack stays Binary.
pub fn encode_data(data: Data, encoding: Option<String>, format: Format) -> (Data, Option<String>) {
    match data {
        Data::String(text) => (Data::String(text), encoding),
        Data::Json(text) => (
            Data::String(text.into_string()),
            Some(append(encoding, "json")),
        ),
        Data::Binary(bytes) if format == Format::Json => (
            Data::String(base64::encode(bytes)),
            Some(append(encoding, "base64")),
        ),
        Data::Binary(bytes) => (Data::Binary(bytes), encoding),
    }
}

fn append(encoding: Option<String>, transform: &str) -> String {
    match encoding {
        Some(e) if !e.is_empty() => text::concat(&[&e, "/", transform]),
        _ => transform.to_owned(),
    }
}

/// Decodes a message's optional `data` with its `encoding` in place, as both message
/// kinds need; returns why decoding stopped, if it did.
fn decode_field(data: &mut Option<Data>, encoding: &mut Option<String>) -> Option<ErrorInfo> {
    let decoded = decode_data(data.take()?, encoding.as_deref());
    *data = Some(decoded.data);
    *encoding = decoded.encoding;
    decoded.error
}

/// Encodes a message's optional app-form `data` for the wire in place.
fn encode_field(data: &mut Option<Data>, encoding: &mut Option<String>, format: Format) {
    if let Some(app_data) = data.take() {
        let (wire_data, wire_encoding) = encode_data(app_data, encoding.take(), format);
        *data = Some(wire_data);
        *encoding = wire_encoding;
    }
}

impl PresenceMessage {
    /// The message with its data decoded for the app, and why decoding stopped, if it did.
    pub fn decoded(mut self) -> (PresenceMessage, Option<ErrorInfo>) {
        let error = decode_field(&mut self.data, &mut self.encoding);
        (self, error)
    }

    /// The message with its app-form data encoded for the wire in `format`.
    pub fn encoded(mut self, format: Format) -> PresenceMessage {
        encode_field(&mut self.data, &mut self.encoding, format);
        self
    }
}

impl Message {
    /// The message with its data decoded for the app, and why decoding stopped, if it did.
    pub fn decoded(mut self) -> (Message, Option<ErrorInfo>) {
        let error = decode_field(&mut self.data, &mut self.encoding);
        (self, error)
    }

    /// The message with its app-form data encoded for the wire in `format`.
    pub fn encoded(mut self, format: Format) -> Message {
        encode_field(&mut self.data, &mut self.encoding, format);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Data {
        Data::String(text.to_owned())
    }

    fn json(text: &str) -> Data {
        Data::from_json_text(text).unwrap()
    }

    #[test]
    fn no_encoding_leaves_data_alone() {
        let d = decode_data(s("hi"), None);
        assert_eq!(
            d,
            DecodedData {
                data: s("hi"),
                encoding: None,
                error: None
            }
        );
        assert_eq!(decode_data(s("hi"), Some("")).encoding, None);
    }

    #[test]
    fn json_string_becomes_json_text() {
        let d = decode_data(s(r#"{"a": [1,2]}"#), Some("json"));
        assert_eq!(d.data, json(r#"{"a": [1,2]}"#));
        assert_eq!(d.encoding, None);
        assert!(d.error.is_none());
    }

    #[test]
    fn base64_becomes_binary() {
        let d = decode_data(s("AAH/"), Some("base64"));
        assert_eq!(d.data, Data::Binary(vec![0, 1, 255]));
        assert_eq!(d.encoding, None);
    }

    #[test]
    fn chain_is_undone_right_to_left() {
        // base64 of the UTF-8 bytes of {"x":"é"}
        let wire = base64::encode(r#"{"x":"é"}"#.as_bytes());
        let d = decode_data(s(&wire), Some("json/utf-8/base64"));
        assert_eq!(d.data, json(r#"{"x":"é"}"#));
        assert_eq!(d.encoding, None);
        assert!(d.error.is_none());
    }

    #[test]
    fn unknown_transform_keeps_data_and_rest_of_chain() {
        let wire = base64::encode(b"secret");
        let d = decode_data(s(&wire), Some("utf-8/cipher+aes-128-cbc/base64"));
        assert_eq!(d.data, Data::Binary(b"secret".to_vec()));
        assert_eq!(d.encoding.as_deref(), Some("utf-8/cipher+aes-128-cbc"));
        assert_eq!(d.error.map(|e| e.code), Some(40013));
    }

    #[test]
    fn empty_transforms_are_skipped_and_dropped_from_what_is_left() {
        let wire = base64::encode(b"x");
        let d = decode_data(s(&wire), Some("/utf-8//base64/"));
        assert_eq!(d.data, s("x"));
        assert_eq!(d.encoding, None);

        let d = decode_data(s(&wire), Some("a//cipher/base64"));
        assert_eq!(d.data, Data::Binary(b"x".to_vec()));
        assert_eq!(d.encoding.as_deref(), Some("a/cipher"));
    }

    #[test]
    fn bad_payloads_report_40013_and_keep_data() {
        let d = decode_data(s("not base64!"), Some("base64"));
        assert_eq!(d.data, s("not base64!"));
        assert_eq!(d.encoding.as_deref(), Some("base64"));
        assert_eq!(d.error.map(|e| e.code), Some(40013));

        let d = decode_data(s("{nope"), Some("json"));
        assert_eq!(d.data, s("{nope"));
        assert_eq!(d.encoding.as_deref(), Some("json"));

        let d = decode_data(Data::Binary(vec![0xff, 0xfe]), Some("utf-8"));
        assert_eq!(d.data, Data::Binary(vec![0xff, 0xfe]));
        assert_eq!(d.error.map(|e| e.code), Some(40013));

        let d = decode_data(json("1"), Some("base64"));
        assert_eq!(d.data, json("1"));
        assert_eq!(d.encoding.as_deref(), Some("base64"));
    }

    #[test]
    fn encode_json_text_verbatim() {
        let (data, enc) = encode_data(json(r#"{ "a": 1 }"#), None, Format::Json);
        assert_eq!(data, s(r#"{ "a": 1 }"#));
        assert_eq!(enc.as_deref(), Some("json"));
    }

    #[test]
    fn encode_binary_per_format() {
        let (data, enc) = encode_data(Data::Binary(vec![0, 1, 255]), None, Format::Json);
        assert_eq!(data, s("AAH/"));
        assert_eq!(enc.as_deref(), Some("base64"));

        let (data, enc) = encode_data(Data::Binary(vec![1]), Some("utf-8".into()), Format::Json);
        assert_eq!(data, s("AQ=="));
        assert_eq!(enc.as_deref(), Some("utf-8/base64"));
    }

    #[cfg(feature = "msgpack")]
    #[test]
    fn encode_binary_stays_binary_in_msgpack() {
        let (data, enc) = encode_data(Data::Binary(vec![7]), None, Format::Msgpack);
        assert_eq!(data, Data::Binary(vec![7]));
        assert_eq!(enc, None);
    }

    #[test]
    fn encode_string_unchanged() {
        let (data, enc) = encode_data(s("hi"), None, Format::Json);
        assert_eq!(data, s("hi"));
        assert_eq!(enc, None);
    }

    #[test]
    fn message_round_trip_through_wire_form() {
        let app = PresenceMessage {
            data: Some(json(r#"{"status":"away"}"#)),
            ..PresenceMessage::new(super::super::PresenceAction::Enter)
        };
        let wire = app.clone().encoded(Format::Json);
        assert_eq!(wire.encoding.as_deref(), Some("json"));
        let (back, error) = wire.decoded();
        assert_eq!(back, app);
        assert!(error.is_none());

        let m = Message {
            data: Some(Data::Binary(vec![9, 8])),
            ..Message::default()
        };
        let (back, error) = m.clone().encoded(Format::Json).decoded();
        assert_eq!(back, m);
        assert!(error.is_none());
    }
}
