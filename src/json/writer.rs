//! Writes JSON text into a String, placing commas itself.
//!
//! Strings are escaped as serde_json escapes them (`"`, `\`, control characters; nothing
//! else), so both write the same bytes for the same value. Numbers are written without
//! `core::fmt`, which would otherwise be linked into the browser build for this alone.

use super::{JsonText, WriteJson};

/// Builds one JSON text.
#[derive(Default)]
pub struct Writer {
    out: String,
    /// A value or member was just written: the next one needs a comma first.
    needs_comma: bool,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Writer {
        Writer::default()
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

    /// An object key; its value comes next.
    pub fn key(&mut self, name: &str) {
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

    /// Checked JSON text, written verbatim.
    pub fn json(&mut self, text: &JsonText) {
        self.comma();
        self.out.push_str(text.as_str());
        self.needs_comma = true;
    }

    /// A member, omitted when absent.
    pub fn field<T: WriteJson + ?Sized>(&mut self, name: &str, value: Option<&T>) {
        if let Some(value) = value {
            self.key(name);
            value.write_json(self);
        }
    }

    fn comma(&mut self) {
        if std::mem::take(&mut self.needs_comma) {
            self.out.push(',');
        }
    }
}

/// Appends `text` as a quoted JSON string.
fn push_escaped(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // Escaped bytes are ASCII, so `plain..at` and `at + 1..` are char boundaries.
        out.push_str(&text[plain..at]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

/// Appends `n` in decimal.
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        out.push(char::from(digit));
    }
}
