//! Writes JSON text into a String, placing commas itself.
//!
//! Strings are escaped as serde_json escapes them (`"`, `\`, control characters; nothing
//! else), so both write the same bytes for the same value. Numbers are written without
//! `core::fmt`, which would otherwise be linked into the browser build for this alone.

use super::WriteJson;
use crate::text::push_u64;
use alloc::string::String;

/// Builds one JSON text.
pub struct Writer {
    out: String,
    /// A value or member was just written: the next one needs a comma first.
    needs_comma: bool,
}

impl Default for Writer {
    fn default() -> Writer {
        Writer::new()
    }
}

impl Writer {
    /// An empty writer, with room for a typical frame: most are a few hundred bytes,
    /// and starting small cost several regrowths per frame.
    pub fn new() -> Writer {
        Writer {
            out: String::with_capacity(128),
            needs_comma: false,
        }
    }

    /// The JSON text written so far.
    pub fn into_string(self) -> String {
        self.out
    }

    /// Opens an object; write `key`s, each followed by its value, then `end_object`.
    pub fn begin_object(&mut self) {
        self.comma();
        self.out.push('{');
    }

    /// Closes the object opened last.
    pub fn end_object(&mut self) {
        self.out.push('}');
        self.needs_comma = true;
    }

    /// Opens an array; write its items, then `end_array`.
    pub fn begin_array(&mut self) {
        self.comma();
        self.out.push('[');
    }

    /// Closes the array opened last.
    pub fn end_array(&mut self) {
        self.out.push(']');
        self.needs_comma = true;
    }

    /// An object key of the code's own, which needs no escaping (a literal: the
    /// `'static` bound keeps other text out), written without the escape scan; its value
    /// comes next.
    pub fn key(&mut self, name: &'static str) {
        self.comma();
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\":");
    }

    /// An object key from data (a channel name, a param), escaped; its value comes next.
    pub fn text_key(&mut self, name: &str) {
        self.comma();
        push_escaped(&mut self.out, name);
        self.out.push(':');
    }

    /// A string value.
    pub fn string(&mut self, text: &str) {
        self.comma();
        push_escaped(&mut self.out, text);
        self.needs_comma = true;
    }

    /// An integer value.
    pub fn u64(&mut self, n: u64) {
        self.comma();
        push_u64(&mut self.out, n);
        self.needs_comma = true;
    }

    /// `true` or `false`.
    pub fn bool(&mut self, value: bool) {
        self.comma();
        self.out.push_str(if value { "true" } else { "false" });
        self.needs_comma = true;
    }

    /// `null`.
    pub fn null(&mut self) {
        self.comma();
        self.out.push_str("null");
        self.needs_comma = true;
    }

    /// Checked JSON text (a `JsonText`'s, or a copy of one), written verbatim.
    pub fn json(&mut self, text: &str) {
        self.comma();
        self.out.push_str(text);
        self.needs_comma = true;
    }

    /// A member, omitted when absent.
    pub fn field<T: WriteJson + ?Sized>(&mut self, name: &'static str, value: Option<&T>) {
        if let Some(value) = value {
            self.key(name);
            value.write_json(self);
        }
    }

    fn comma(&mut self) {
        if core::mem::take(&mut self.needs_comma) {
            self.out.push(',');
        }
    }
}

/// Per byte: 0 if it is written as it is, else the letter after its backslash (`u` for
/// `\u00XX`). One load per byte instead of a chain of comparisons: escaping is most of
/// the writer's time.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Appends `text` as a quoted JSON string.
fn push_escaped(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| ESCAPE[usize::from(b)] != 0) {
        // The byte at `at` is ASCII, so both splits fall on char boundaries. The checked
        // forms never fail here, but have no panic path: str slicing's panic formats the
        // text with char escapes and Unicode tables, about 4 KB of wasm.
        let Some((plain, tail)) = rest.split_at_checked(at) else {
            break;
        };
        out.push_str(plain);
        let byte = tail.as_bytes()[0];
        let escape = ESCAPE[usize::from(byte)];
        out.push('\\');
        out.push(char::from(escape));
        if escape == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        rest = tail.get(1..).unwrap_or_default();
    }
    out.push_str(rest);
    out.push('"');
}
