//! The `data` field of messages as it stands on the wire, before encodings are undone.

use super::ErrorInfo;
use crate::json::JsonText;
use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A message payload as carried on the wire next to its `encoding`.
///
/// JSON frames carry strings (binary is base64 with `encoding` ending in `base64`);
/// msgpack frames may carry raw binary. JSON data (`encoding: "json"`, or a JSON object
/// or array put directly in `data`) is kept as its text: the core only passes it on, so
/// building a value tree for it would be wasted work.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// A string (text, or an encoded form named by `encoding`).
    String(String),
    /// Raw bytes (msgpack `bin`).
    Binary(Vec<u8>),
    /// Valid JSON text (object, array, number, boolean), written out verbatim; equal
    /// by text, so the same value spelled differently is different data.
    Json(JsonText),
}

/// `Data` borrowed from wherever it is kept.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DataRef<'a> {
    /// See `Data::String`.
    String(&'a str),
    /// See `Data::Binary`.
    Binary(&'a [u8]),
    /// See `Data::Json`: checked JSON text.
    Json(&'a str),
}

impl DataRef<'_> {
    /// The data, owned.
    pub fn to_owned(self) -> Data {
        match self {
            DataRef::String(text) => Data::String(text.into()),
            DataRef::Binary(bytes) => Data::Binary(bytes.into()),
            DataRef::Json(text) => Data::Json(JsonText::from_checked(text)),
        }
    }
}

impl Data {
    /// JSON data holding `value`.
    pub fn json(value: &serde_json::Value) -> Data {
        Data::Json(JsonText::from_value(value))
    }

    /// JSON data from JSON text, which is checked once here (40013 if it is not JSON).
    pub fn from_json_text(text: impl Into<String>) -> Result<Data, ErrorInfo> {
        JsonText::new(text).map(Data::Json)
    }

    /// The JSON text, if this is JSON data.
    pub fn as_json_text(&self) -> Option<&str> {
        match self {
            Data::Json(text) => Some(text.as_str()),
            _ => None,
        }
    }

    /// The data, borrowed.
    pub fn as_ref(&self) -> DataRef<'_> {
        match self {
            Data::String(text) => DataRef::String(text),
            Data::Binary(bytes) => DataRef::Binary(bytes),
            Data::Json(text) => DataRef::Json(text.as_str()),
        }
    }

    /// The JSON data parsed into a Value, for code that must look inside it.
    pub fn to_value(&self) -> Option<serde_json::Value> {
        match self {
            Data::Json(text) => Some(text.to_value()),
            _ => None,
        }
    }
}

/// For the msgpack codec and native serde users; the wire JSON codec is `protocol::wire`.
impl Serialize for Data {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Data::String(text) => s.serialize_str(text),
            Data::Binary(bytes) => s.serialize_bytes(bytes),
            Data::Json(text) => text.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

/// A string, bytes, or any other value as JSON data.
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
    fn serde_json_writes_json_data_verbatim() {
        let data = [
            json(r#"{"b": [1, null], "a": 12.50}"#),
            Data::String("é\"".into()),
        ];
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"[{"b": [1, null], "a": 12.50},"é\""]"#
        );
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
