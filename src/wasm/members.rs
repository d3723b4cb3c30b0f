//! get() results for the wrapper's cache, converted a slice of members per task: all
//! 10,000 members of a fresh sync at once (JSON written here, `JSON.parse` in JS, the
//! garbage after) made one task of 50–90 ms, which the page could not interrupt.

use super::convert::{in_chunks, push_presence_list, to_js, LIST_CHUNK};
use super::error::set;
use crate::json::{WriteJson, Writer};
use crate::presence::Member;
use crate::protocol::PresenceView;
use alloc::vec::Vec;
use js_sys::{Array, Function, Object};
use wasm_bindgen::JsValue;

/// Members converted per task: a few milliseconds' work.
const SLICE: usize = 2500;

/// One get() result on its way to JS: `{ versions, fresh, retired? }`, every member's
/// version in order (an array of numbers) and, as plain objects, the members whose
/// message came along (changed since the versions the wrapper already holds). With
/// `retired` (an array of versions no longer current) the result is a catch-up:
/// `versions` lists the changed members only.
pub struct Conversion {
    /// The members listed, shared with the presence set as it was: the list the core
    /// made, kept as it is (no second list of them at the high-water mark). Those newer
    /// than `known` are converted.
    members: Vec<Member>,
    known: u64,
    /// How many of `members` are converted.
    done: usize,
    /// Their objects, a list per `LIST_CHUNK` members (flattened once, when all are
    /// done).
    parts: Array,
    result: JsValue,
    resolve: Function,
}

/// The versions of listed members, as a JSON array.
struct Versions<'a>(&'a [Member]);

impl WriteJson for Versions<'_> {
    fn write_json(&self, w: &mut Writer) {
        w.begin_array();
        for member in self.0 {
            w.u64(member.version());
        }
        w.end_array();
    }
}

impl Conversion {
    /// A conversion of `members`, those newer than `known` as objects (and `retired`, for
    /// a catch-up), that settles the get() with `resolve`.
    pub fn new(
        members: Vec<Member>,
        known: u64,
        retired: Option<Vec<u64>>,
        resolve: Function,
    ) -> Conversion {
        // The versions cross a chunk at a time, as JSON text: exact below 2^53, which a
        // process's count never reaches, and no list of them beside the members'.
        let result: JsValue = Object::new().into();
        let versions = in_chunks(&members, |chunk| to_js(&Versions(chunk)));
        set(&result, "versions", versions);
        // The retired versions likewise (no Float64Array import and glue of its own).
        if let Some(retired) = retired {
            set(
                &result,
                "retired",
                in_chunks(&retired, |chunk| to_js(&chunk)),
            );
        }
        Conversion {
            members,
            known,
            done: 0,
            parts: Array::new(),
            result,
            resolve,
        }
    }

    /// Converts the next slice (up to `SLICE` members newer than `known`, `LIST_CHUNK`
    /// a text); once none is left, the function and value that settle the get().
    pub fn step(&mut self) -> Option<(Function, JsValue)> {
        let mut views: Vec<PresenceView> = Vec::new();
        let mut converted = 0;
        while let Some(member) = self.members.get(self.done) {
            self.done += 1;
            if member.version() > self.known {
                views.push(member.view());
            }
            if views.len() == LIST_CHUNK || self.done == self.members.len() {
                push_presence_list(&self.parts, &views);
                converted += views.len();
                views.clear();
                if converted >= SLICE {
                    break;
                }
            }
        }
        if self.done < self.members.len() {
            return None;
        }
        set(&self.result, "fresh", self.parts.flat(1).into());
        Some((self.resolve.clone(), self.result.clone()))
    }
}
