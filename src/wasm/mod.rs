//! Browser bindings: `#[wasm_bindgen]` classes that drive the sans-IO core with a
//! WebSocket, `fetch`, one timer and `Date.now()`. They convert values at the edge and
//! forward; no protocol or presence logic lives here. `js/` re-exports them with the
//! ably-js names and the TypeScript types.
//!
//! JS classes: `Realtime` (realtime.rs) and `Rest` (rest.rs, only with the `rest`
//! feature: the package's realtime-only entry is built without it). The rest is
//! plumbing: the operations' numbers (ops.rs), the run loop (driver.rs), the socket,
//! fetch, options, tokens, presence history and its pages (paginated_result.rs), and
//! value/event/error conversion (get() results a slice per task: members.rs).

#[cfg(feature = "alloc-stats")]
mod alloc_stats;
mod convert;
mod data;
mod driver;
mod error;
mod event;
mod fetch;
mod history;
mod members;
pub mod ops;
mod options;
mod paginated_result;
mod realtime;
#[cfg(feature = "rest")]
mod rest;
mod rest_client;
mod socket;
mod task;
mod timer;
mod token;

/// Runs once when the module is instantiated: readable panics in the console. Only in
/// builds with the hook: the npm package has none, so no start function and its glue.
#[cfg(feature = "panic-hook")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The panic handler of builds without std (the npm package): a trap, the message never
/// read, so no formatting code is linked. As before with std's abort, the app sees a
/// `RuntimeError: unreachable` from the call that panicked.
#[cfg(not(feature = "std"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// The one type of every Rust callback JS calls (socket events, timers, promise outcomes:
/// task.rs). Each distinct closure type brings its own shims into the wasm and a wrapper
/// into the JS glue; sharing this one, the wasm carries no other. A call without an argument gets `undefined`.
type Callback = wasm_bindgen::closure::Closure<dyn FnMut(wasm_bindgen::JsValue)>;

pub use realtime::Realtime;
#[cfg(feature = "rest")]
pub use rest::Rest;

// Talc instead of the default dlmalloc: 2.8 KB smaller gzip, frees memory back to its
// free lists as dlmalloc does, and the 10,000-member browser join is no slower. The
// benches' `alloc-stats` build wraps it to count (alloc_stats.rs).
#[cfg(not(feature = "alloc-stats"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
