//! `JsonText`: JSON kept as its text, checked once, never parsed into a tree.
//!
//! Message data and extras are opaque to the core: it only carries them between the wire
//! and the app, so it keeps the text as it came and writes it out unchanged.

use super::{Error, Reader};
use crate::protocol::{codes, ErrorInfo};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::string::ToString;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One valid JSON value as text (no surrounding whitespace); equal when the text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(Box<str>);

impl JsonText {
    /// Checks `text` is one JSON value (40013 if not); surrounding whitespace is dropped.
    pub fn new(text: impl Into<String>) -> Result<JsonText, ErrorInfo> {
        JsonText::parse(text.into()).map_err(|(_, e)| {
            let message = e.describe("data is not valid JSON");
            ErrorInfo::new(codes::INVALID_DATA_OR_ENCODING, 400, message)
        })
    }

    /// As `new`, handing the text back on failure so the caller can keep it.
    pub(crate) fn parse(text: String) -> Result<JsonText, (String, Error)> {
        let mut reader = Reader::new(&text);
        let value = reader.raw().and_then(|value| {
            reader.finish()?;
            Ok(value)
        });
        match value {
            // Reuses the allocation when there was nothing to trim.
            Ok(value) if value.len() == text.len() => Ok(JsonText(text.into_boxed_str())),
            Ok(value) => Ok(JsonText::from_checked(value)),
            Err(e) => Err((text, e)),
        }
    }

    /// Text already checked: by the reader, or copied from a `JsonText`.
    pub(crate) fn from_checked(text: &str) -> JsonText {
        JsonText(text.into())
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The JSON text, owned.
    pub fn into_string(self) -> String {
        self.0.into_string()
    }

    /// The text of a serde_json value (native code and tests that build values).
    pub fn from_value(value: &serde_json::Value) -> JsonText {
        JsonText(value.to_string().into_boxed_str())
    }

    /// The text parsed into a serde_json value, for code that must look inside it.
    pub fn to_value(&self) -> serde_json::Value {
        // The text was checked to be JSON; `null` stands in for the unreachable failure.
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

/// serde_json writes the text as it is; other formats (msgpack) get the value.
impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            serde_json::value::RawValue::from_string(self.0.to_string())
                .map_err(serde::ser::Error::custom)?
                .serialize(s)
        } else {
            self.to_value().serialize(s)
        }
    }
}

/// Read as a value and written back as compact text: only the msgpack codec and native
/// serde_json users come here; the wire JSON codec keeps the text verbatim.
impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(d).map(|value| JsonText::from_value(&value))
    }
}
