//! One-shot timers: `setTimeout` with a Rust callback, cleared when dropped. The run loop
//! holds one per pending wake-up (driver.rs).

use super::Callback;
use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, delay: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A pending `setTimeout`. Dropping it clears the timer (nothing happens if it already
/// fired) and frees the callback, so a held Timeout is dropped once done with.
pub struct Timeout {
    id: JsValue,
    _callback: Callback,
}

impl Timeout {
    /// Calls `callback` once after `delay` ms. A delay past `i32::MAX` wraps, as with
    /// setTimeout's own conversion of larger numbers: the timer fires at once.
    pub fn new(delay: u32, callback: impl FnOnce() + 'static) -> Timeout {
        let callback = Closure::once(move |_: JsValue| {
            callback();
            Ok(())
        });
        let id = set_timeout(callback.as_ref().unchecked_ref(), delay as i32);
        Timeout {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}
