//! The `data` field of messages as it stands on the wire, before encodings are undone.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// A message payload as carried on the wire next to its `encoding`.
///
/// JSON frames carry strings (binary is base64 with `encoding` ending in `base64`);
/// msgpack frames may carry raw binary. A few senders put a JSON object or array
/// directly in `data`; that is kept as `Json`.
#[derive(Debug, PartialEq)]
pub enum Data {
    /// A string (text, or an encoded form named by `encoding`).
    String(String),
    /// Raw bytes (msgpack `bin`).
    Binary(Vec<u8>),
    /// Any other JSON value (object, array, number, boolean).
    Json(Value),
}

impl Clone for Data {
    fn clone(&self) -> Data {
        match self {
            Data::String(text) => Data::String(text.clone()),
            Data::Binary(bytes) => Data::Binary(bytes.clone()),
            Data::Json(value) => Data::Json(value.clone()),
        }
    }

    /// Reuses `self`'s buffers where both sides have the same shape: the presence set
    /// overwrites a member's data on every UPDATE, and it rarely changes shape.
    fn clone_from(&mut self, source: &Data) {
        match (self, source) {
            (Data::String(target), Data::String(text)) => target.clone_from(text),
            (Data::Binary(target), Data::Binary(bytes)) => target.clone_from(bytes),
            (Data::Json(target), Data::Json(value)) => clone_value_from(target, value),
            (target, source) => *target = source.clone(),
        }
    }
}

/// `target = source.clone()`, keeping `target`'s strings, arrays and object entries
/// where they line up (same keys in the same order), so an object whose values change
/// is copied without allocating.
fn clone_value_from(target: &mut Value, source: &Value) {
    match (target, source) {
        (Value::String(target), Value::String(text)) => target.clone_from(text),
        (Value::Array(target), Value::Array(items)) => {
            target.truncate(items.len());
            let kept = target.len();
            for (t, s) in target.iter_mut().zip(items) {
                clone_value_from(t, s);
            }
            target.extend(items[kept..].iter().cloned());
        }
        (Value::Object(target), Value::Object(entries))
            if target.len() == entries.len() && target.keys().eq(entries.keys()) =>
        {
            for ((_, t), (_, s)) in target.iter_mut().zip(entries) {
                clone_value_from(t, s);
            }
        }
        (target, source) => *target = source.clone(),
    }
}

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Data::String(text) => s.serialize_str(text),
            Data::Binary(bytes) => s.serialize_bytes(bytes),
            Data::Json(value) => value.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DataVisitor)
    }
}

struct DataVisitor;

impl<'de> Visitor<'de> for DataVisitor {
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
        Ok(Data::Json(v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Data, E> {
        Ok(Data::Json(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Data, E> {
        Ok(Data::Json(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Data, E> {
        Ok(Data::Json(v.into()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Data, E> {
        Ok(Data::Json(Value::Null))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Data, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Data::Json)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Data, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Data::Json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn clone_from_equals_clone_across_shapes() {
        let values = [
            Data::String("hi".into()),
            Data::Binary(vec![1, 2, 3]),
            Data::Json(json!({"name": "a", "typing": true})),
            Data::Json(json!({"name": "bb", "typing": false})),
            Data::Json(json!({"name": "a", "away": 1})),
            Data::Json(json!({"tags": ["x", "y", {"z": null}], "n": 1.5})),
            Data::Json(json!({"tags": ["x"], "n": -2})),
            Data::Json(json!([1, "two", [3]])),
            Data::Json(json!(null)),
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
    fn clone_from_same_shape_keeps_the_buffers() {
        let mut target = Data::Json(json!({"name": "Alice Example"}));
        let before = match &target {
            Data::Json(Value::Object(map)) => map["name"].as_str().map(str::as_ptr),
            _ => None,
        };
        target.clone_from(&Data::Json(json!({"name": "Bob"})));
        let after = match &target {
            Data::Json(Value::Object(map)) => map["name"].as_str().map(str::as_ptr),
            _ => None,
        };
        assert_eq!(target, Data::Json(json!({"name": "Bob"})));
        assert_eq!(before, after);
    }
}
