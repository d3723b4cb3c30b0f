//! get() results for the wrapper's cache, converted a slice of members per task: all
//! 10,000 members of a fresh sync at once (JSON written here, `JSON.parse` in JS, the
//! garbage after) made one task of 50–90 ms, which the page could not interrupt.

use super::convert::{push_presence_list, LIST_CHUNK};
use super::error::set;
use crate::presence::{Member, Present};
use crate::protocol::PresenceView;
use js_sys::{Array, Float64Array, Function, Object};
use std::rc::Rc;
use wasm_bindgen::JsValue;

/// Members converted per task: a few milliseconds' work.
const SLICE: usize = 2500;

/// One get() result on its way to JS: `{ versions, fresh, retired? }`, every member's
/// version in order (a Float64Array) and, as plain objects, the members whose message
/// came along (changed since the versions the wrapper already holds). With `retired`
/// (a Float64Array of versions no longer current) the result is a catch-up: `versions`
/// lists the changed members only.
pub struct Conversion {
    /// The members still to convert, shared with the presence set as it was.
    fresh: Vec<Rc<Member>>,
    /// How many of `fresh` are converted.
    done: usize,
    /// Their objects, a list per `LIST_CHUNK` members (flattened once, when all are
    /// done).
    parts: Array,
    result: JsValue,
    resolve: Function,
}

impl Conversion {
    /// A conversion of `members` (and `retired`, for a catch-up) that settles the get()
    /// with `resolve`.
    pub fn new(members: Vec<Present>, retired: Option<Vec<u64>>, resolve: Function) -> Conversion {
        // Versions as floats straight away: no second list of them at the high-water mark.
        let mut versions = Vec::with_capacity(members.len());
        let mut fresh = Vec::new();
        for member in members {
            versions.push(member.version as f64);
            fresh.extend(member.member);
        }
        let result: JsValue = Object::new().into();
        set(
            &result,
            "versions",
            Float64Array::from(&versions[..]).into(),
        );
        if let Some(retired) = retired {
            set(&result, "retired", float_array(retired));
        }
        Conversion {
            fresh,
            done: 0,
            parts: Array::new(),
            result,
            resolve,
        }
    }

    /// Converts the next slice; once none is left, the function and value that settle
    /// the get().
    pub fn step(&mut self) -> Option<(Function, JsValue)> {
        let end = self.fresh.len().min(self.done + SLICE);
        let slice = self.fresh.get(self.done..end).unwrap_or_default();
        for chunk in slice.chunks(LIST_CHUNK) {
            let views: Vec<PresenceView> = chunk.iter().map(|m| m.view()).collect();
            push_presence_list(&self.parts, &views);
        }
        self.done = end;
        if end < self.fresh.len() {
            return None;
        }
        set(&self.result, "fresh", self.parts.flat(1).into());
        Some((self.resolve.clone(), self.result.clone()))
    }
}

/// Versions as a Float64Array: exact up to 2^53, which a process's count never reaches.
fn float_array(versions: Vec<u64>) -> JsValue {
    let floats: Vec<f64> = versions.into_iter().map(|v| v as f64).collect();
    Float64Array::from(floats.as_slice()).into()
}
