//! A pull reader over one JSON text: the caller asks for the value it expects next.
//!
//! The text is a `&str`, so UTF-8 is checked once per frame, not per string. Strings
//! without escapes come back borrowed; object keys are compared without allocating.
//! Every malformed input is an `Error` naming what was expected and where.

use super::{Error, JsonText, ReadJson};
use alloc::borrow::Cow;
use alloc::string::String;

/// Deepest nesting of arrays and objects accepted (serde_json's limit too): deeper input
/// is an error instead of a stack overflow.
const MAX_DEPTH: u32 = 128;

/// Reads JSON values from a text, one pull at a time.
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
    /// Just past a `{` or `[`: the next key or item takes no comma.
    is_fresh: bool,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            pos: 0,
            depth: 0,
            is_fresh: false,
        }
    }

    /// A reader over `bytes`, which must be UTF-8 (checked here, once for the whole text).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Reader<'a>, Error> {
        match core::str::from_utf8(bytes) {
            Ok(text) => Ok(Reader::new(text)),
            Err(e) => Err(Error::new("invalid UTF-8", e.valid_up_to())),
        }
    }

    /// An error at the reader's position: `what` was expected or went wrong.
    pub fn error(&self, what: &'static str) -> Error {
        Error::new(what, self.pos)
    }

    /// The next byte that is not whitespace, without consuming it.
    pub fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Ok once only whitespace is left.
    pub fn finish(mut self) -> Result<(), Error> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("expected the end of the text")),
        }
    }

    /// Consumes a `null` if one is next; anything else is left for the caller.
    pub fn null(&mut self) -> Result<bool, Error> {
        if self.peek() != Some(b'n') {
            return Ok(false);
        }
        self.literal("null")?;
        Ok(true)
    }

    /// A `true` or `false`.
    pub fn bool(&mut self) -> Result<bool, Error> {
        match self.peek() {
            Some(b't') => self.literal("true").map(|()| true),
            Some(b'f') => self.literal("false").map(|()| false),
            _ => Err(self.error("expected a boolean")),
        }
    }

    /// A non-negative integer that fits in a u64; fractions, exponents and negative
    /// numbers are errors.
    pub fn u64(&mut self) -> Result<u64, Error> {
        if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return Err(self.error("expected a non-negative integer"));
        }
        let bytes = self.text.as_bytes();
        let mut value: u64 = 0;
        let start = self.pos;
        while let Some(&b) = bytes.get(self.pos).filter(|b| b.is_ascii_digit()) {
            value =
                crate::text::push_digit(value, b).ok_or_else(|| self.error("integer too large"))?;
            self.pos += 1;
        }
        if matches!(bytes.get(start), Some(b'0')) && self.pos - start > 1 {
            return Err(self.error("expected no leading zero"));
        }
        if matches!(bytes.get(self.pos), Some(b'.' | b'e' | b'E')) {
            return Err(self.error("expected an integer"));
        }
        Ok(value)
    }

    /// A string, unescaped; borrowed from the text when it has no escapes.
    pub fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string"));
        }
        self.pos += 1;
        let start = self.pos;
        if self.scan_plain()? {
            let text = self.slice(start, self.pos)?;
            self.pos += 1;
            return Ok(Cow::Borrowed(text));
        }
        // A first pass finds the end, so the text is allocated once at its final size
        // (escapes only shrink it); growing it as it is unescaped cost more than the scan.
        let escape = self.pos;
        self.unescape(None)?;
        let mut out = String::with_capacity(self.pos - start);
        out.push_str(self.slice(start, escape)?);
        self.pos = escape;
        self.unescape(Some(&mut out))?;
        Ok(Cow::Owned(out))
    }

    /// A value of any readable type: `let id: Option<String> = r.read()?`.
    pub fn read<T: ReadJson>(&mut self) -> Result<T, Error> {
        T::read_json(self)
    }

    /// Reads a value of `slot`'s type into it: one call per field in the object readers,
    /// the drop of the old value and the store shared per type.
    // The hint lets native builds inline it on the decode path (measured: fewer
    // instructions per frame); the browser build came out no larger.
    #[inline]
    pub fn read_into<T: ReadJson>(&mut self, slot: &mut T) -> Result<(), Error> {
        *slot = T::read_json(self)?;
        Ok(())
    }

    /// Enters an object; read its members with `next_key`.
    pub fn begin_object(&mut self) -> Result<(), Error> {
        self.open(b'{', "expected an object")
    }

    /// The next key of the object being read (the caller then reads or skips its
    /// value), or None after the closing `}`.
    pub fn next_key(&mut self) -> Result<Option<Cow<'a, str>>, Error> {
        let is_first = core::mem::take(&mut self.is_fresh);
        match self.peek() {
            Some(b'}') => {
                self.close();
                return Ok(None);
            }
            Some(b',') if !is_first => self.pos += 1,
            Some(b'"') if is_first => {}
            _ if is_first => return Err(self.error("expected a key or '}'")),
            _ => return Err(self.error("expected ',' or '}'")),
        }
        let key = self.string()?;
        if self.peek() != Some(b':') {
            return Err(self.error("expected ':'"));
        }
        self.pos += 1;
        Ok(Some(key))
    }

    /// Enters an array; read its items after each `next_item` that returns true.
    pub fn begin_array(&mut self) -> Result<(), Error> {
        self.open(b'[', "expected an array")
    }

    /// Whether another item follows in the array being read (false after the `]`).
    pub fn next_item(&mut self) -> Result<bool, Error> {
        let is_first = core::mem::take(&mut self.is_fresh);
        match self.peek() {
            Some(b']') => {
                self.close();
                Ok(false)
            }
            Some(b',') if !is_first => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) if is_first => Ok(true),
            _ => Err(self.error("expected ',' or ']'")),
        }
    }

    /// Reads an array, calling `read` for each item: the walk over the array is shared
    /// by every `Vec<T>` reader instead of being copied into each.
    pub fn read_items(
        &mut self,
        read: &mut dyn FnMut(&mut Reader<'a>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.begin_array()?;
        while self.next_item()? {
            read(self)?;
        }
        Ok(())
    }

    /// Passes over the next value, checking that it is valid JSON.
    pub fn skip(&mut self) -> Result<(), Error> {
        match self.peek() {
            Some(b'{') => {
                self.begin_object()?;
                while self.next_key()?.is_some() {
                    self.skip()?;
                }
                Ok(())
            }
            Some(b'[') => {
                self.begin_array()?;
                while self.next_item()? {
                    self.skip()?;
                }
                Ok(())
            }
            Some(b'"') => {
                self.pos += 1;
                if !self.scan_plain()? {
                    self.unescape(None)?;
                } else {
                    self.pos += 1;
                }
                Ok(())
            }
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expected a JSON value")),
        }
    }

    /// The text of the next value, checked to be valid JSON and kept verbatim.
    pub fn raw(&mut self) -> Result<&'a str, Error> {
        self.peek();
        let start = self.pos;
        self.skip()?;
        self.slice(start, self.pos)
    }

    /// The next value as JSON text, kept verbatim.
    pub fn json_text(&mut self) -> Result<JsonText, Error> {
        self.raw().map(JsonText::from_checked)
    }

    fn open(&mut self, bracket: u8, expected: &'static str) -> Result<(), Error> {
        if self.peek() != Some(bracket) {
            return Err(self.error(expected));
        }
        if self.depth >= MAX_DEPTH {
            return Err(self.error("nesting too deep"));
        }
        self.pos += 1;
        self.depth += 1;
        self.is_fresh = true;
        Ok(())
    }

    fn close(&mut self) {
        self.pos += 1;
        self.depth -= 1;
    }

    fn literal(&mut self, word: &str) -> Result<(), Error> {
        let end = self.pos + word.len();
        if self.text.as_bytes().get(self.pos..end) != Some(word.as_bytes()) {
            return Err(self.error("expected a JSON value"));
        }
        self.pos = end;
        Ok(())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Result<(), Error> {
        let bytes = self.text.as_bytes();
        if matches!(bytes.get(self.pos), Some(b'-')) {
            self.pos += 1;
        }
        match bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        if matches!(bytes.get(self.pos), Some(b'.')) {
            self.pos += 1;
            self.required_digits()?;
        }
        if matches!(bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.required_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        let bytes = self.text.as_bytes();
        while bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), Error> {
        if !self
            .text
            .as_bytes()
            .get(self.pos)
            .is_some_and(u8::is_ascii_digit)
        {
            return Err(self.error("expected a digit"));
        }
        self.digits();
        Ok(())
    }

    /// Advances over string bytes that need no unescaping; true if it stopped at the
    /// closing quote, false at a backslash.
    fn scan_plain(&mut self) -> Result<bool, Error> {
        let bytes = self.text.as_bytes();
        // Eight bytes at a time while none of them ends the plain run: strings are most
        // of a frame's bytes.
        while let Some(chunk) = bytes.get(self.pos..self.pos + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if has_special_byte(u64::from_le_bytes(word)) {
                break;
            }
            self.pos += 8;
        }
        loop {
            match bytes.get(self.pos) {
                Some(b'"') => return Ok(true),
                Some(b'\\') => return Ok(false),
                Some(&b) if b < 0x20 => return Err(self.error("control character in string")),
                Some(_) => self.pos += 1,
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// Reads the rest of a string from a backslash through the closing quote, appending
    /// the unescaped text to `out` when given.
    fn unescape(&mut self, mut out: Option<&mut String>) -> Result<(), Error> {
        loop {
            // At a backslash.
            self.pos += 1;
            let escaped = match self.text.as_bytes().get(self.pos) {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                // Skipped text may hold a lone surrogate, as JSON.parse and serde_json
                // allow there; only text that becomes a Rust string must be whole chars.
                Some(b'u') if out.is_none() => self.hex4().map(|_| '\0')?,
                Some(b'u') => self.unicode_escape()?,
                _ => return Err(self.error("invalid escape")),
            };
            self.pos += 1;
            if let Some(out) = out.as_deref_mut() {
                out.push(escaped);
            }
            let start = self.pos;
            let is_end = self.scan_plain()?;
            if let Some(out) = out.as_deref_mut() {
                out.push_str(self.slice(start, self.pos)?);
            }
            if is_end {
                self.pos += 1;
                return Ok(());
            }
        }
    }

    /// The char of a `\uXXXX` escape (or surrogate pair) whose `u` is at `pos`; leaves
    /// `pos` on its last hex digit. A lone surrogate (text cut inside an emoji, which
    /// JSON.stringify writes and JSON.parse reads) is U+FFFD, as a browser's TextEncoder
    /// makes it: a String cannot hold one, and refusing it failed the sender's connection.
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                let last = self.pos;
                if self.text.as_bytes().get(last + 1..last + 3) == Some(b"\\u") {
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..=0xDFFF).contains(&low) {
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        // The next escape stands on its own.
                        self.pos = last;
                        0xFFFD
                    }
                } else {
                    0xFFFD
                }
            }
            0xDC00..=0xDFFF => 0xFFFD,
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid unicode escape"))
    }

    /// Four hex digits after the `u` at `pos`; leaves `pos` on the last one.
    fn hex4(&mut self) -> Result<u32, Error> {
        let mut code = 0;
        for _ in 0..4 {
            self.pos += 1;
            let digit = self
                .text
                .as_bytes()
                .get(self.pos)
                .and_then(|&b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error("expected four hex digits"))?;
            code = code * 16 + digit;
        }
        Ok(code)
    }

    /// `text[start..end]`; the reader only stops at ASCII bytes, so this always holds
    /// whole chars, but a bad offset is an error rather than a panic.
    fn slice(&self, start: usize, end: usize) -> Result<&'a str, Error> {
        self.text
            .get(start..end)
            .ok_or_else(|| self.error("invalid text boundary"))
    }
}

/// Whether any byte of `word` is a quote, a backslash or a control character (SWAR:
/// a byte's high bit survives only where the byte matched).
fn has_special_byte(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    (below_space
        | has_zero(word ^ (ONES * u64::from(b'"')))
        | has_zero(word ^ (ONES * u64::from(b'\\'))))
        != 0
}
