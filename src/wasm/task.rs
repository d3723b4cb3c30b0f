//! Running async work (REST calls, token fetches) as a JS Promise. Every future goes
//! through one boxed type, so wasm-bindgen-futures' executor is compiled into the wasm
//! once rather than once per `async` block.

use alloc::boxed::Box;
use core::future::Future;
use core::pin::Pin;
use js_sys::Promise;
use wasm_bindgen::JsValue;

type Work = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// A Promise settled with the outcome of `work`.
pub fn promise(work: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    run(Box::pin(work))
}

fn run(work: Work) -> Promise {
    wasm_bindgen_futures::future_to_promise(work)
}
