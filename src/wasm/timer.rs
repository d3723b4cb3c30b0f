//! One-shot timers: a Rust callback after a delay (`setTimeout`) or, with none, in a task
//! of its own queued at once (a MessageChannel message), cancelled when dropped. The run
//! loop holds one per pending wake-up (driver.rs). No delay is never a `setTimeout(0)`:
//! browsers clamp one nested five deep to 4 ms, and a get() of 100,000 members, 40
//! slices chained so, spent ~190 ms with nothing running between them (60 ms with
//! MessageChannel; bench/browser/run.mjs --join-timeline --members 100000, under load).

use super::Callback;
use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

// Written in JS: helpers.js says why.
#[wasm_bindgen(module = "/src/wasm/helpers.js")]
extern "C" {
    /// Calls `f` after `ms` ms or, with 0, in a task queued now; returns the function
    /// that cancels the call.
    fn later(f: &Function, ms: u32) -> Function;
}

/// A pending call. Dropping it cancels the call (nothing happens if it already ran) and
/// frees the callback, so a held Timeout is dropped once done with.
pub struct Timeout {
    cancel: Function,
    _callback: Callback,
}

impl Timeout {
    /// Calls `callback` once, after `delay` ms or, with 0, in a task of its own queued
    /// now (never clamped). A delay past `i32::MAX` wraps, as with setTimeout's own
    /// conversion of larger numbers: the callback runs at once.
    pub fn new(delay: u32, callback: impl FnOnce() + 'static) -> Timeout {
        let callback = Closure::once(move |_: JsValue| callback());
        let cancel = later(callback.as_ref().unchecked_ref(), delay);
        Timeout {
            cancel,
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        // call1 as elsewhere, rather than call0's import and glue of its own.
        let _ = self.cancel.call1(&JsValue::NULL, &JsValue::UNDEFINED);
    }
}
