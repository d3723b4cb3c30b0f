//! Asynchronous work (REST calls, token fetches) without futures: each wait is a JS
//! promise, and what comes after it is a Rust closure that `then` gives its outcome
//! (continuation-passing). Rust's async state machines, with an executor and `JsFuture`
//! to run them, cost 1.6 KB more wasm (gzip) than the same steps as plain functions.
//! A closure runs from the promise's callback, when nothing in the SDK is borrowed.

use alloc::boxed::Box;
use js_sys::{Array, Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

// Written in JS: helpers.js says why.
#[wasm_bindgen(module = "/src/wasm/helpers.js")]
extern "C" {
    /// `[promise, resolve, reject]`.
    fn deferred() -> Array;
    /// Calls `next` with `[true, value]` or `[false, error]` once `promise` settles.
    fn after(promise: &JsValue, next: &JsValue);
}

/// What comes after a wait, given its outcome.
pub type Next<T> = Box<dyn FnOnce(T)>;

/// Runs `next` with the outcome of `promise` (a value that is not one: in a microtask).
pub fn then(promise: &JsValue, next: Next<Result<JsValue, JsValue>>) {
    // One closure type for every wait (the shared `Callback` type): one instance in the
    // wasm.
    let callback = Closure::once_into_js(move |outcome: JsValue| {
        let outcome: Array = outcome.unchecked_into();
        let value = outcome.get(1);
        // as_bool, whose import the bindings have anyway: is_truthy is one more.
        next(if outcome.get(0).as_bool() == Some(true) {
            Ok(value)
        } else {
            Err(value)
        });
    });
    after(promise, &callback);
}

/// Runs `work` in a microtask: never while its caller may be holding the core (a token
/// fetch starts from a drain), and the app's auth callback never from inside a call.
pub fn soon(work: impl FnOnce() + 'static) {
    then(&JsValue::UNDEFINED, Box::new(move |_| work()));
}

/// A Promise that `work`, run soon, settles through the `Settle` it is given.
pub fn promise(work: impl FnOnce(Settle) + 'static) -> Promise {
    let (promise, resolve, reject) = settled_by();
    soon(move || work(Settle { resolve, reject }));
    promise
}

/// The functions that settle a Promise of `promise`.
pub struct Settle {
    resolve: Function,
    reject: Function,
}

impl Settle {
    /// Resolves with the value, or rejects with the error.
    pub fn with(self, outcome: Result<JsValue, JsValue>) {
        let (settle, value) = match outcome {
            Ok(value) => (self.resolve, value),
            Err(error) => (self.reject, error),
        };
        let _ = settle.call1(&JsValue::UNDEFINED, &value);
    }
}

/// A new Promise and the `resolve` and `reject` functions that settle it.
pub fn settled_by() -> (Promise, Function, Function) {
    let parts = deferred();
    let part = |index| parts.get(index);
    (
        part(0).unchecked_into(),
        part(1).unchecked_into(),
        part(2).unchecked_into(),
    )
}
