//! `data` and `extras` on the JSON wire.

use crate::json::{Error, ReadJson, Reader, WriteJson, Writer};
use crate::protocol::{Data, DataRef};

/// A string is string data; any other value is JSON data, kept as its text.
impl ReadJson for Data {
    fn read_json(r: &mut Reader<'_>) -> Result<Data, Error> {
        if r.peek() == Some(b'"') {
            r.string().map(|text| Data::String(text.into_owned()))
        } else {
            r.json_text().map(Data::Json)
        }
    }
}

impl WriteJson for Data {
    fn write_json(&self, w: &mut Writer) {
        self.as_ref().write_json(w);
    }
}

impl WriteJson for DataRef<'_> {
    fn write_json(&self, w: &mut Writer) {
        match *self {
            DataRef::String(text) => w.string(text),
            DataRef::Json(text) => w.json(text),
            // JSON has no bytes (the encoder base64s them first); an array of numbers is
            // what serde_json writes for them.
            DataRef::Binary(bytes) => {
                w.begin_array();
                for &byte in bytes {
                    w.u64(u64::from(byte));
                }
                w.end_array();
            }
        }
    }
}
