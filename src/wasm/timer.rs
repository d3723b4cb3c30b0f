//! One-shot timers over the global `setTimeout`. Their handlers are the same closure
//! type as the socket's (`FnMut(JsValue)`), so the wasm and the glue carry one closure
//! shim for both, where gloo-timers brought a second one (`FnMut()`) and its wrappers.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, delay: u32) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A handler for a timer.
pub type Handler = Closure<dyn FnMut(JsValue)>;

/// A pending timer: dropping it clears the timer and frees its handler.
pub struct Timer {
    id: JsValue,
    _handler: Handler,
}

impl Timer {
    /// Calls `handler` after `delay` ms unless the Timer is dropped first.
    pub fn new(delay: u32, handler: Handler) -> Timer {
        Timer {
            id: set_timeout(handler.as_ref(), delay),
            _handler: handler,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// Calls `handler` after `delay` ms, with no way to cancel it; the handler is freed once
/// JS lets go of it.
pub fn schedule(delay: u32, handler: Handler) {
    set_timeout(&handler.into_js_value(), delay);
}
