//! Roster's own JSON codec: a pull `Reader`, a `Writer` and `JsonText`.
//!
//! Every JSON read and write of the wire types goes through here, natively and in the
//! browser. Hand-written codecs for a handful of types are far smaller in the wasm than
//! serde_json with serde's generic machinery (which brought float formatting along), and
//! faster: no value trees, no second parse of data that is only passed on.

mod error;
mod reader;
mod text;
mod writer;

use alloc::string::String;
use alloc::vec::Vec;
pub use error::Error;
pub use reader::Reader;
pub use text::JsonText;
pub use writer::Writer;

/// A type that can be read from JSON.
pub trait ReadJson: Sized {
    /// Reads one value of this type; the reader is left just past it.
    fn read_json(r: &mut Reader<'_>) -> Result<Self, Error>;
}

/// A type that can be written as JSON.
pub trait WriteJson {
    /// Writes this value as one JSON value.
    fn write_json(&self, w: &mut Writer);
}

/// Reads `bytes` as exactly one `T` (whitespace around it allowed).
pub fn from_slice<T: ReadJson>(bytes: &[u8]) -> Result<T, Error> {
    let mut value = None;
    read_whole(bytes, &mut |r| {
        T::read_json(r).map(|read| value = Some(read))
    })?;
    // read_whole only succeeds after the closure has, so `value` is always set here.
    value.ok_or_else(|| Error::new("expected a JSON value", 0))
}

/// Runs `read` over the whole text of `bytes`; the part of `from_slice` that does not
/// depend on the type, kept out of its copies.
fn read_whole(
    bytes: &[u8],
    read: &mut dyn FnMut(&mut Reader<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut reader = Reader::from_bytes(bytes)?;
    read(&mut reader)?;
    reader.finish()
}

/// `value` as JSON text.
pub fn to_string<T: WriteJson + ?Sized>(value: &T) -> String {
    let mut writer = Writer::new();
    value.write_json(&mut writer);
    writer.into_string()
}

impl ReadJson for u64 {
    fn read_json(r: &mut Reader<'_>) -> Result<u64, Error> {
        r.u64()
    }
}

impl ReadJson for String {
    fn read_json(r: &mut Reader<'_>) -> Result<String, Error> {
        r.string().map(|s| s.into_owned())
    }
}

impl ReadJson for JsonText {
    fn read_json(r: &mut Reader<'_>) -> Result<JsonText, Error> {
        r.json_text()
    }
}

/// `null` reads as absent.
impl<T: ReadJson> ReadJson for Option<T> {
    fn read_json(r: &mut Reader<'_>) -> Result<Option<T>, Error> {
        if r.null()? {
            return Ok(None);
        }
        T::read_json(r).map(Some)
    }
}

impl<T: ReadJson> ReadJson for Vec<T> {
    fn read_json(r: &mut Reader<'_>) -> Result<Vec<T>, Error> {
        let mut items = Vec::new();
        r.read_items(&mut |r| T::read_json(r).map(|item| items.push(item)))?;
        Ok(items)
    }
}

impl<T: WriteJson> WriteJson for [T] {
    fn write_json(&self, w: &mut Writer) {
        w.begin_array();
        for item in self {
            item.write_json(w);
        }
        w.end_array();
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    fn write_json(&self, w: &mut Writer) {
        self.as_slice().write_json(w);
    }
}

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, w: &mut Writer) {
        match self {
            Some(value) => value.write_json(w),
            None => w.null(),
        }
    }
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_json(&self, w: &mut Writer) {
        (**self).write_json(w);
    }
}

impl WriteJson for u64 {
    fn write_json(&self, w: &mut Writer) {
        w.u64(*self);
    }
}

impl WriteJson for str {
    fn write_json(&self, w: &mut Writer) {
        w.string(self);
    }
}

impl WriteJson for JsonText {
    fn write_json(&self, w: &mut Writer) {
        w.json(self.as_str());
    }
}

#[cfg(test)]
mod tests;
