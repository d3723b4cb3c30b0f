//! Browser bindings: `#[wasm_bindgen]` classes that drive the sans-IO core with a
//! WebSocket, `fetch`, one timer and `Date.now()`. They convert values at the edge and
//! forward; no protocol or presence logic lives here. `js/` re-exports them with the
//! ably-js names and the TypeScript types.
//!
//! JS classes: `Rest` (rest.rs), `PaginatedResult` (paginated_result.rs). The rest is
//! plumbing: fetch, options, tokens, and value/error conversion.

mod convert;
mod error;
mod fetch;
mod options;
mod paginated_result;
mod rest;
mod rest_client;
mod token;

use wasm_bindgen::prelude::*;

/// Runs once when the module is instantiated: readable panics in the console.
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(feature = "panic-hook")]
    console_error_panic_hook::set_once();
}

pub use paginated_result::PaginatedResult;
pub use rest::Rest;
