//! The npm package's wasm module (js/build.sh): roster's browser bindings, `roster::wasm`,
//! built as a cdylib of their own. Nothing is defined here; the re-export links roster,
//! and the `#[wasm_bindgen]` exports come with it.

#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
pub use roster::wasm::*;
