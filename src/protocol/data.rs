//! The `data` field of messages as it stands on the wire, before encodings are undone.

use super::{codes, ErrorInfo};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;

/// A message payload as carried on the wire next to its `encoding`.
///
/// JSON frames carry strings (binary is base64 with `encoding` ending in `base64`);
/// msgpack frames may carry raw binary. JSON data (`encoding: "json"`, or a JSON object
/// or array put directly in `data`) is kept as its text: the core only passes it on, so
/// building a value tree for it would be wasted work.
#[derive(Debug)]
pub enum Data {
    /// A string (text, or an encoded form named by `encoding`).
    String(String),
    /// Raw bytes (msgpack `bin`).
    Binary(Vec<u8>),
    /// Valid JSON text (object, array, number, boolean), written out verbatim.
    Json(Box<RawValue>),
}

impl Data {
    /// JSON data holding `value`.
    pub fn json(value: &serde_json::Value) -> Data {
        // A Value always serializes (its map keys are strings); `null` is unreachable.
        Data::Json(
            serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned()),
        )
    }

    /// JSON data from JSON text, which is checked once here (40013 if it is not JSON).
    pub fn from_json_text(text: impl Into<String>) -> Result<Data, ErrorInfo> {
        raw_json(text.into().as_bytes())
            .map(|raw| Data::Json(raw.to_owned()))
            .map_err(|e| invalid_json(&e))
    }

    /// The JSON text, if this is JSON data.
    pub fn as_json_text(&self) -> Option<&str> {
        match self {
            Data::Json(raw) => Some(raw.get()),
            _ => None,
        }
    }

    /// The JSON data parsed into a Value, for code that must look inside it.
    pub fn to_value(&self) -> Option<serde_json::Value> {
        self.as_json_text()
            .and_then(|text| serde_json::from_slice(text.as_bytes()).ok())
    }
}

/// `bytes` checked as one JSON value. Every JSON read in the crate goes through serde_json's
/// slice reader: its str reader would be a second copy of the parser in the wasm (+5 KB).
pub(super) fn raw_json(bytes: &[u8]) -> Result<&RawValue, serde_json::Error> {
    serde_json::from_slice(bytes)
}

fn invalid_json(e: &serde_json::Error) -> ErrorInfo {
    ErrorInfo::new(
        codes::INVALID_DATA_OR_ENCODING,
        400,
        format!("data is not valid JSON: {e}"),
    )
}

/// JSON data compares by text: the same value spelled differently is different data.
impl PartialEq for Data {
    fn eq(&self, other: &Data) -> bool {
        match (self, other) {
            (Data::String(a), Data::String(b)) => a == b,
            (Data::Binary(a), Data::Binary(b)) => a == b,
            (Data::Json(a), Data::Json(b)) => a.get() == b.get(),
            _ => false,
        }
    }
}

impl Clone for Data {
    fn clone(&self) -> Data {
        match self {
            Data::String(text) => Data::String(text.clone()),
            Data::Binary(bytes) => Data::Binary(bytes.clone()),
            Data::Json(raw) => Data::Json(raw.clone()),
        }
    }

    /// Reuses `self`'s buffers where both sides have the same shape: the presence set
    /// overwrites a member's data on every UPDATE, and it rarely changes shape.
    fn clone_from(&mut self, source: &Data) {
        match (self, source) {
            (Data::String(target), Data::String(text)) => target.clone_from(text),
            (Data::Binary(target), Data::Binary(bytes)) => target.clone_from(bytes),
            (target, source) => *target = source.clone(),
        }
    }
}

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Data::String(text) => s.serialize_str(text),
            Data::Binary(bytes) => s.serialize_bytes(bytes),
            // serde_json writes the text as it is; other formats (msgpack) need the value.
            Data::Json(raw) if s.is_human_readable() => raw.serialize(s),
            Data::Json(raw) => serde_json::from_slice::<serde_json::Value>(raw.get().as_bytes())
                .map_err(serde::ser::Error::custom)?
                .serialize(s),
        }
    }
}

/// The name under which serde_json's `raw_value` feature hands a deserializer the text of
/// the next value instead of parsing it. Other deserializers (msgpack, serde's buffering
/// one) treat it as any newtype name and the value is read as usual.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(RAW_VALUE_TOKEN, RawOrValue)
    }
}

/// Takes the raw text serde_json offers, or reads the value from any other deserializer.
struct RawOrValue;

impl<'de> Visitor<'de> for RawOrValue {
    type Value = Data;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, bytes or a JSON value")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Data, D::Error> {
        d.deserialize_any(ValueVisitor)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Data, A::Error> {
        match map.next_key_seed(RawKey)? {
            Some(true) => map.next_value_seed(RawText),
            // A deserializer that reads newtypes as their content handed over a real map.
            Some(false) | None => Err(de::Error::custom("expected serde_json raw value")),
        }
    }
}

/// Whether a map key is serde_json's raw value marker (compared without allocating).
struct RawKey;

impl<'de> DeserializeSeed<'de> for RawKey {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for RawKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == RAW_VALUE_TOKEN)
    }
}

/// The text of one JSON value, already checked by serde_json: a string becomes String,
/// anything else Json.
struct RawText;

impl<'de> DeserializeSeed<'de> for RawText {
    type Value = Data;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Data, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for RawText {
    type Value = Data;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON text")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Data, E> {
        if v.starts_with('"') {
            return unquote(v).map(Data::String);
        }
        raw_json(v.as_bytes())
            .map(|raw| Data::Json(raw.to_owned()))
            .map_err(E::custom)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Data, E> {
        if v.starts_with('"') {
            return unquote(&v).map(Data::String);
        }
        self.visit_str(&v)
    }
}

/// The string a JSON string literal spells. serde_json has checked the literal, so this
/// only undoes its escapes, in one pass: a second full parse cost more than the rest of
/// the string's decoding. Anything unusual (a lone surrogate) goes to serde_json for its
/// error.
fn unquote<E: de::Error>(literal: &str) -> Result<String, E> {
    let inner = literal.get(1..literal.len() - 1).unwrap_or_default();
    let mut text = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(at) = rest.find('\\') {
        text.push_str(&rest[..at]);
        let (c, used) = match rest.as_bytes().get(at + 1) {
            Some(b'"') => ('"', 2),
            Some(b'\\') => ('\\', 2),
            Some(b'/') => ('/', 2),
            Some(b'b') => ('\u{8}', 2),
            Some(b'f') => ('\u{c}', 2),
            Some(b'n') => ('\n', 2),
            Some(b'r') => ('\r', 2),
            Some(b't') => ('\t', 2),
            _ => match unicode_escape(&rest[at..]) {
                Some(escape) => escape,
                None => return serde_json::from_slice(literal.as_bytes()).map_err(E::custom),
            },
        };
        text.push(c);
        rest = &rest[at + used..];
    }
    text.push_str(rest);
    Ok(text)
}

/// The char of the `\uXXXX` escape (or `\uXXXX\uXXXX` surrogate pair) `s` starts with,
/// and how many bytes it takes.
fn unicode_escape(s: &str) -> Option<(char, usize)> {
    let hex = |at: usize| {
        s.get(at..at + 4)
            .and_then(|digits| u32::from_str_radix(digits, 16).ok())
    };
    if s.get(..2) != Some("\\u") {
        return None;
    }
    let high = hex(2)?;
    if !(0xD800..0xDC00).contains(&high) {
        return char::from_u32(high).map(|c| (c, 6));
    }
    let low = hex(8).filter(|low| s.get(6..8) == Some("\\u") && (0xDC00..0xE000).contains(low))?;
    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)).map(|c| (c, 12))
}

/// Reads `data` from a deserializer that has no raw text (msgpack, serde's buffering one).
struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Data;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, bytes or a JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Data, E> {
        Ok(Data::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Data, E> {
        Ok(Data::String(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Data, E> {
        Ok(Data::Binary(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Data, E> {
        Ok(Data::Binary(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Data, E> {
        Ok(Data::json(&v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Data, E> {
        Ok(Data::json(&v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Data, E> {
        Ok(Data::json(&v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Data, E> {
        Ok(Data::json(&v.into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Data, E> {
        Ok(Data::json(&serde_json::Value::Null))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Data, A::Error> {
        serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(|value| Data::json(&value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Data, A::Error> {
        serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))
            .map(|value| Data::json(&value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json(text: &str) -> Data {
        Data::from_json_text(text).unwrap()
    }

    #[test]
    fn clone_from_equals_clone_across_shapes() {
        let values = [
            Data::String("hi".into()),
            Data::String("a longer string".into()),
            Data::Binary(vec![1, 2, 3]),
            json(r#"{"name":"a","typing":true}"#),
            json(r#"[1,"two",[3]]"#),
        ];
        for from in &values {
            for to in &values {
                let mut target = to.clone();
                target.clone_from(from);
                assert_eq!(&target, from, "clone_from {from:?} over {to:?}");
            }
        }
    }

    #[test]
    fn wire_json_is_kept_verbatim_and_strings_are_unescaped() {
        let frame = r#"[{"a": [1, null]},"plain","tab\there \"q\" \u00e9",12.50,true]"#;
        let data: Vec<Data> = serde_json::from_str(frame).unwrap();
        assert_eq!(
            data,
            [
                json(r#"{"a": [1, null]}"#),
                Data::String("plain".into()),
                Data::String("tab\there \"q\" é".into()),
                json("12.50"),
                json("true"),
            ]
        );
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            frame.replace(r"\u00e9", "é")
        );
    }

    #[test]
    fn strings_unescape_as_serde_json_does() {
        let literals = [
            r#""""#,
            r#""plain é""#,
            r#""\" \\ \/ \b \f \n \r \t""#,
            r#""\u00e9\u0000 \u20AC\ud83d\ude00x""#,
            r#""{\"name\":\"User 1\",\"typing\":true}""#,
        ];
        for literal in literals {
            let want: String = serde_json::from_str(literal).unwrap();
            let got: Result<String, serde_json::Error> = unquote(literal);
            assert_eq!(got.unwrap(), want, "{literal}");
        }
        for lone in [
            r#""\ud83d""#,
            r#""\ud83dx""#,
            r#""\ude00""#,
            r#""\ud83d\u0041""#,
        ] {
            let got: Result<String, serde_json::Error> = unquote(lone);
            assert!(got.is_err(), "{lone}");
        }
    }

    #[test]
    fn values_and_buffering_deserializers_give_the_same_data() {
        let value = json!({"k": "v", "n": [1, 2]});
        assert_eq!(
            Data::deserialize(&value).unwrap(),
            json(r#"{"k":"v","n":[1,2]}"#)
        );
        assert_eq!(
            Data::deserialize(serde_json::Value::from("s")).unwrap(),
            Data::String("s".into())
        );

        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Buffered {
            Data { data: Data },
        }
        let Buffered::Data { data } = serde_json::from_str(r#"{"data":{"k":1}}"#).unwrap();
        assert_eq!(data, json(r#"{"k":1}"#));
    }

    #[test]
    fn text_is_checked_once_and_read_back() {
        assert_eq!(
            Data::from_json_text("{nope").map_err(|e| e.code),
            Err(40013)
        );
        let data = json(r#"{"a":1}"#);
        assert_eq!(data.as_json_text(), Some(r#"{"a":1}"#));
        assert_eq!(data.to_value(), Some(json!({"a": 1})));
        assert_eq!(Data::String("x".into()).as_json_text(), None);
        assert_eq!(Data::json(&json!({"b": [true]})), json(r#"{"b":[true]}"#));
    }
}
