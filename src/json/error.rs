//! `json::Error`: what the reader expected and the byte offset where it was not found.

use crate::protocol::ErrorInfo;
use crate::text::push_u64;
use alloc::string::String;

/// Why a JSON text could not be read. Two words, so results stay small on every read;
/// callers turn it into an `ErrorInfo` with their context at the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    what: &'static str,
    offset: usize,
}

impl Error {
    /// `what` went wrong at byte `offset` of the text.
    pub(super) fn new(what: &'static str, offset: usize) -> Error {
        Error { what, offset }
    }

    /// What went wrong (e.g. "expected a string").
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The byte offset in the text where it went wrong.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// "`context`: `what` at byte `offset`", built without `core::fmt`.
    pub fn describe(&self, context: &str) -> String {
        let mut text = String::with_capacity(context.len() + self.what.len() + 32);
        text.push_str(context);
        text.push_str(": ");
        text.push_str(self.what);
        text.push_str(" at byte ");
        push_u64(&mut text, self.offset as u64);
        text
    }
}

/// 40000, "malformed JSON: …"; callers with more context use `describe`.
impl From<Error> for ErrorInfo {
    fn from(e: Error) -> ErrorInfo {
        ErrorInfo::bad_request(e.describe("malformed JSON"))
    }
}
